/* virtkitd's TCP and TLS listeners (listen_tcp, listen_tls and their settings). */
#pragma once

#include <stdbool.h>

#include "daemon_config.h"
#include "rpc/rpc_server.h"

int daemonNetListen(RpcServer *srv, const DaemonConfig *cfg, const char *root, bool privileged);
