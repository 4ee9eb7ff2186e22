/* virtkitd.conf: libvirtd.conf's "key = value" syntax, parsed and checked into settings. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The daemon's settings; the defaults are libvirtd's. */
typedef struct {
    bool listenTLS;
    bool listenTCP;
    int listenTCPLine; /* where listen_tcp was set, for messages */
    char *tcpPort;       /* "16509" */
    char *tlsPort;       /* "16514" */
    char *unixSockDir;   /* NULL: the runtime directory */
    char *unixSockGroup; /* NULL: the daemon's group */
    mode_t unixSockRWPerms;
    mode_t unixSockROPerms;
    unsigned int maxClients;
    unsigned int minWorkers;
    unsigned int maxWorkers;
    unsigned int prioWorkers;
    unsigned int maxClientRequests;
    int keepaliveInterval; /* seconds; -1 disables the daemon's pings */
    unsigned int keepaliveCount;
    int logLevel; /* 0: not set; 1 debug .. 4 error */
    char *logFilters;
    char *logOutputs;
    char *hostUUID; /* NULL: not set */
    /* TCP and TLS listening (daemon_net.c) */
    char *listenAddr;   /* NULL: every address */
    char *authTCP;      /* "sasl" (libvirtd's default) or "none" */
    char *keyFile;      /* NULL: the default path */
    char *certFile;     /* NULL: the default path */
    char *caFile;       /* NULL: the default path */
    char *crlFile;      /* NULL: the default path, used only if it exists */
    bool tlsNoVerifyCertificate;
    char *tlsPriority;  /* NULL: "NORMAL" */
    char **tlsAllowedDNs; /* NULL: any client certificate of the CA */
} DaemonConfig;

DaemonConfig *daemonConfigNew(bool privileged);
void daemonConfigFree(DaemonConfig *cfg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DaemonConfig, daemonConfigFree);

int daemonConfigLoadFile(DaemonConfig *cfg, const char *path, bool mustExist);
int daemonConfigLoadData(DaemonConfig *cfg, const char *data, size_t len, const char *name);
