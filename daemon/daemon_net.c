/* virtkitd's TCP and TLS listeners (listen_tcp, listen_tls and their settings). */
#include <glib.h>

#define ERR_DOMAIN VIR_FROM_NONE

#include "daemon_net.h"
#include "rpc/rpc_tls.h"
#include "util/error.h"
#include "util/log.h"
#include "util/str.h"

LOG_INIT("daemon.net");

/*
 * A certificate path: the configured one as written, else libvirt's
 * default (root mode, under --root DIR when given); a session daemon
 * uses ~/.pki/libvirt/ as libvirtd does.
 */
static char *
daemonNetPath(const char *configured, const char *rootPath, const char *sessionName,
              const char *root, bool privileged)
{
    if (configured)
        return g_strdup(configured);
    if (root)
        return g_build_filename(root, rootPath, NULL);
    if (privileged)
        return g_strdup(rootPath);
    return g_build_filename(g_get_home_dir(), ".pki", "libvirt", sessionName, NULL);
}

static int
daemonNetListenTLS(RpcServer *srv, const DaemonConfig *cfg, const char *root, bool privileged)
{
    g_autoptr(RpcTLSContext) tls = NULL;
    g_autofree char *ca = daemonNetPath(cfg->caFile, RPC_TLS_CA_CERT, "cacert.pem", root,
                                        privileged);
    g_autofree char *crl = daemonNetPath(cfg->crlFile, RPC_TLS_CA_CRL, "cacrl.pem", root,
                                         privileged);
    g_autofree char *cert = daemonNetPath(cfg->certFile, RPC_TLS_SERVER_CERT,
                                          "servercert.pem", root, privileged);
    g_autofree char *key = daemonNetPath(cfg->keyFile, RPC_TLS_SERVER_KEY, "serverkey.pem",
                                         root, privileged);

    if (!(tls = rpcTLSContextNewServer(ca, crl, cert, key, !cfg->tlsNoVerifyCertificate,
                                       cfg->tlsPriority))) {
        errorPrefix("%s", _("listen_tls"));
        return -1;
    }
    rpcTLSContextSetAllowedDNs(tls, (const char *const *)cfg->tlsAllowedDNs);
    if (cfg->tlsNoVerifyCertificate)
        LOG_WARN("%s", "tls_no_verify_certificate = 1: TLS clients are not checked, ignoring their certificates");
    if (rpcServerAddTCPService(srv, cfg->listenAddr, cfg->tlsPort, tls) < 0)
        return -1;
    LOG_INFO("listening for TLS clients on '%s' port %s", cfg->listenAddr ? cfg->listenAddr : "*",
             cfg->tlsPort);
    return 0;
}

static int
daemonNetListenTCP(RpcServer *srv, const DaemonConfig *cfg)
{
    if (!streq(cfg->authTCP, "none")) {
        reportError(VIR_ERR_CONFIG_UNSUPPORTED,
                    _("listen_tcp = 1 needs auth_tcp = \"none\": authentication '%1$s' is not supported yet"),
                    cfg->authTCP);
        return -1;
    }
    if (rpcServerAddTCPService(srv, cfg->listenAddr, cfg->tcpPort, NULL) < 0)
        return -1;
    LOG_WARN("listening for unauthenticated, unencrypted TCP clients on '%s' port %s",
             cfg->listenAddr ? cfg->listenAddr : "*", cfg->tcpPort);
    return 0;
}

/**
 * daemonNetListen:
 * @srv: the daemon's server, not started yet
 * @cfg: the settings
 * @root: the --root directory, or NULL
 * @privileged: root-mode paths (see daemon_main.c)
 *
 * Adds the TLS listener (listen_tls = 1, port tls_port) and the plain TCP
 * one (listen_tcp = 1, port tcp_port, only with auth_tcp = "none") on
 * listen_addr.  Neither is on by default.
 *
 * Returns: 0, or -1 with an error reported (a missing certificate, a port
 * in use, SASL asked for).
 */
int
daemonNetListen(RpcServer *srv, const DaemonConfig *cfg, const char *root, bool privileged)
{
    if (cfg->listenTLS && daemonNetListenTLS(srv, cfg, root, privileged) < 0)
        return -1;
    if (cfg->listenTCP && daemonNetListenTCP(srv, cfg) < 0)
        return -1;
    return 0;
}
