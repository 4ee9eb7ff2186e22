/* The remote driver's streams: virStream over RPC stream packets (client side). */
#pragma once

#include <libvirt/libvirt.h>

#include "rpc/rpc_client.h"
#include "remote/remote_protocol.h"

int remoteDriverOpenConsole(RpcClient *client, virDomainPtr dom, const char *dev_name,
                            virStreamPtr st, unsigned int flags);
char *remoteDriverScreenshot(RpcClient *client, virDomainPtr dom, virStreamPtr st,
                             unsigned int screen, unsigned int flags);
int remoteDriverMigratePrepareTunnel(RpcClient *client, virStreamPtr st,
                                     remote_domain_migrate_prepare_tunnel3_params_args *args,
                                     remote_domain_migrate_prepare_tunnel3_params_ret *ret);
