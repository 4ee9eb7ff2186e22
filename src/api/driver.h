/* The driver table: what a hypervisor driver implements, and the registry. */
#pragma once

#include <libvirt/libvirt.h>

#include "api/datatypes.h"
#include "api/domain_records.h"
#include "util/uri.h"

/*
 * Every entry mirrors a public function of the same name (minus "vir",
 * first letter lowered): same arguments, same return convention.  The
 * public entry point in src/api/ has already checked pointers, flags it
 * knows to be invalid for every driver, and read-only access; the driver
 * checks the flags it supports (checkFlags) and everything else.  A NULL
 * entry makes the entry point fail with VIR_ERR_NO_SUPPORT.
 */

/*
 * What a driver can do beyond its table (connectSupportsFeature); the
 * migration entry points choose the protocol from these.
 */
typedef enum {
    DRV_FEATURE_MIGRATION_V3 = 1,       /* Begin3 .. Confirm3 */
    DRV_FEATURE_MIGRATION_PARAMS,       /* the ...3Params variants */
    DRV_FEATURE_MIGRATION_P2P,          /* Perform3 drives the destination */
    DRV_FEATURE_MIGRATION_DIRECT,       /* Perform3 to a hypervisor URI */
    DRV_FEATURE_MIGRATION_OFFLINE,      /* VIR_MIGRATE_OFFLINE */
    DRV_FEATURE_MIGRATION_CHANGE_PROTECTION,
} DrvFeature;

typedef enum {
    DRV_OPEN_SUCCESS = 0,   /* the driver took the connection */
    DRV_OPEN_DECLINED = -2, /* not mine: try the next driver */
    DRV_OPEN_ERROR = -1,    /* mine, but it failed (error reported) */
} DrvOpenStatus;

struct _HypervisorDriver {
    const char *name;   /* "Test", "QEMU", "remote" */
    /*
     * Set when the driver's implementations of the daemon's quick queries
     * (the procedures src/remote/ flags REMOTE_PROC_QUICK: lookups,
     * GetInfo, GetState, IsActive, GetLibVersion, NodeGetInfo, ...; and
     * REMOTE_PROC_LISTING: ListAllDomains, GetXMLDesc, ...) never wait:
     * no job, no monitor, no peer, no process to spawn, and only locks
     * that nobody holds while waiting.  virtkitd then runs them on its
     * event-loop thread (src/rpc/README.md, "The call path and its
     * threads"; docs/internals/locking.md).
     */
    bool quickQueries;

    /* @uri is owned by @conn (conn->uri); the driver may mark params ignored. */
    DrvOpenStatus (*connectOpen)(virConnectPtr conn, ParsedUri *uri,
                                 virConnectAuthPtr auth, unsigned int flags);
    int (*connectClose)(virConnectPtr conn);
    const char *(*connectGetType)(virConnectPtr conn);
    int (*connectGetVersion)(virConnectPtr conn, unsigned long *hvVer);
    int (*connectGetLibVersion)(virConnectPtr conn, unsigned long *libVer);
    char *(*connectGetHostname)(virConnectPtr conn);
    char *(*connectGetURI)(virConnectPtr conn);
    char *(*connectGetCapabilities)(virConnectPtr conn);
    int (*connectGetMaxVcpus)(virConnectPtr conn, const char *type);
    char *(*connectGetDomainCapabilities)(virConnectPtr conn, const char *emulatorbin,
                                          const char *arch, const char *machine,
                                          const char *virttype, unsigned int flags);
    /* libvirt-qemu.so.0 (src/api/qemu_entry.c) */
    int (*domainQemuMonitorCommand)(virDomainPtr dom, const char *cmd, char **result,
                                    unsigned int flags);
    int (*connectIsAlive)(virConnectPtr conn);
    int (*connectIsSecure)(virConnectPtr conn);
    int (*connectIsEncrypted)(virConnectPtr conn);
    int (*connectRegisterCloseCallback)(virConnectPtr conn,
                                        virConnectCloseFunc cb, void *opaque,
                                        virFreeCallback freecb);
    int (*connectUnregisterCloseCallback)(virConnectPtr conn,
                                          virConnectCloseFunc cb);
    int (*connectSetKeepAlive)(virConnectPtr conn, int interval,
                               unsigned int count);
    int (*nodeGetInfo)(virConnectPtr conn, virNodeInfoPtr info);
    /* *cpumap allocated with g_malloc (the application frees it with free()). */
    int (*nodeGetCPUMap)(virConnectPtr conn, unsigned char **cpumap, unsigned int *online,
                         unsigned int flags);
    int (*nodeGetSecurityModel)(virConnectPtr conn, virSecurityModelPtr secmodel);
    unsigned long long (*nodeGetFreeMemory)(virConnectPtr conn);

    int (*connectListAllDomains)(virConnectPtr conn, virDomainPtr **domains,
                                 unsigned int flags);
    /*
     * Optional, for virtkitd's listing replies: what connectListAllDomains
     * returns (same filters, same errors), as records instead of handles
     * (src/api/domain_records.h).
     */
    int (*connectListAllDomainRecords)(virConnectPtr conn, unsigned int flags,
                                       DomainRecords **records);
    int (*connectNumOfDomains)(virConnectPtr conn);
    int (*connectListDomains)(virConnectPtr conn, int *ids, int maxids);
    int (*connectNumOfDefinedDomains)(virConnectPtr conn);
    int (*connectListDefinedDomains)(virConnectPtr conn, char **const names,
                                     int maxnames);

    virDomainPtr (*domainLookupByName)(virConnectPtr conn, const char *name);
    virDomainPtr (*domainLookupByUUID)(virConnectPtr conn,
                                       const unsigned char *uuid);
    virDomainPtr (*domainLookupByID)(virConnectPtr conn, int id);

    virDomainPtr (*domainDefineXMLFlags)(virConnectPtr conn, const char *xml,
                                         unsigned int flags);
    int (*domainUndefineFlags)(virDomainPtr dom, unsigned int flags);
    int (*domainCreateWithFlags)(virDomainPtr dom, unsigned int flags);
    virDomainPtr (*domainCreateXML)(virConnectPtr conn, const char *xml,
                                    unsigned int flags);
    int (*domainDestroyFlags)(virDomainPtr dom, unsigned int flags);
    int (*domainShutdownFlags)(virDomainPtr dom, unsigned int flags);
    int (*domainReboot)(virDomainPtr dom, unsigned int flags);
    int (*domainReset)(virDomainPtr dom, unsigned int flags);
    int (*domainSuspend)(virDomainPtr dom);
    int (*domainResume)(virDomainPtr dom);

    int (*domainGetInfo)(virDomainPtr dom, virDomainInfoPtr info);
    int (*domainGetState)(virDomainPtr dom, int *state, int *reason,
                          unsigned int flags);
    char *(*domainGetXMLDesc)(virDomainPtr dom, unsigned int flags);
    char *(*domainGetOSType)(virDomainPtr dom);
    unsigned long (*domainGetMaxMemory)(virDomainPtr dom);
    int (*domainSetMemoryFlags)(virDomainPtr dom, unsigned long memory,
                                unsigned int flags);
    int (*domainSetMaxMemory)(virDomainPtr dom, unsigned long memory);
    int (*domainSetVcpusFlags)(virDomainPtr dom, unsigned int nvcpus,
                               unsigned int flags);
    int (*domainGetVcpusFlags)(virDomainPtr dom, unsigned int flags);
    int (*domainGetMaxVcpus)(virDomainPtr dom);
    int (*domainGetVcpus)(virDomainPtr dom, virVcpuInfoPtr info, int maxinfo,
                          unsigned char *cpumaps, int maplen);

    /*
     * Statistics (issue 7: answered from driver state and cached
     * statistics, never waiting for a job or a monitor).  BlockStats and
     * InterfaceStats fill the whole struct; the entry point copies
     * @size bytes of it.  connectGetAllDomainStats serves both bulk APIs:
     * @doms is NULL (all domains, filtered by @flags) or @ndoms handles.
     */
    int (*domainBlockStats)(virDomainPtr dom, const char *disk,
                            virDomainBlockStatsPtr stats);
    int (*domainBlockStatsFlags)(virDomainPtr dom, const char *disk,
                                 virTypedParameterPtr params, int *nparams,
                                 unsigned int flags);
    int (*domainInterfaceStats)(virDomainPtr dom, const char *device,
                                virDomainInterfaceStatsPtr stats);
    int (*domainMemoryStats)(virDomainPtr dom, virDomainMemoryStatPtr stats,
                             unsigned int nr_stats, unsigned int flags);
    int (*domainGetBlockInfo)(virDomainPtr dom, const char *disk,
                              virDomainBlockInfoPtr info, unsigned int flags);
    int (*connectGetAllDomainStats)(virConnectPtr conn, virDomainPtr *doms,
                                    unsigned int ndoms, unsigned int stats,
                                    virDomainStatsRecordPtr **retStats,
                                    unsigned int flags);
    int (*domainIsActive)(virDomainPtr dom);
    int (*domainIsPersistent)(virDomainPtr dom);
    int (*domainIsUpdated)(virDomainPtr dom);
    int (*domainGetAutostart)(virDomainPtr dom, int *autostart);
    int (*domainSetAutostart)(virDomainPtr dom, int autostart);
    int (*domainHasManagedSaveImage)(virDomainPtr dom, unsigned int flags);
    /* save/restore: paths arrive absolute (the entry points make them so) */
    int (*domainSaveFlags)(virDomainPtr dom, const char *to, const char *dxml,
                           unsigned int flags);
    int (*domainRestoreFlags)(virConnectPtr conn, const char *from,
                              const char *dxml, unsigned int flags);
    char *(*domainSaveImageGetXMLDesc)(virConnectPtr conn, const char *file,
                                       unsigned int flags);
    int (*domainSaveImageDefineXML)(virConnectPtr conn, const char *file,
                                    const char *dxml, unsigned int flags);
    int (*domainManagedSave)(virDomainPtr dom, unsigned int flags);
    int (*domainManagedSaveRemove)(virDomainPtr dom, unsigned int flags);
    /* core dumps: @to arrives absolute; domainCoreDump is the format-less
     * call (its own RPC procedure), drivers implement it as the raw format */
    int (*domainCoreDump)(virDomainPtr dom, const char *to, unsigned int flags);
    int (*domainCoreDumpWithFormat)(virDomainPtr dom, const char *to,
                                    unsigned int dumpformat, unsigned int flags);
    char *(*domainManagedSaveGetXMLDesc)(virDomainPtr dom, unsigned int flags);
    int (*domainManagedSaveDefineXML)(virDomainPtr dom, const char *dxml,
                                      unsigned int flags);
    /* VIR_DOMAIN_SAVE_PARAM_FILE arrives absolute when given */
    int (*domainSaveParams)(virDomainPtr dom, virTypedParameterPtr params,
                            int nparams, unsigned int flags);
    int (*domainRestoreParams)(virConnectPtr conn, virTypedParameterPtr params,
                               int nparams, unsigned int flags);
    int (*domainGetSecurityLabel)(virDomainPtr dom, virSecurityLabelPtr seclabel);
    char *(*domainGetMetadata)(virDomainPtr dom, int type, const char *uri,
                               unsigned int flags);
    int (*domainSetMetadata)(virDomainPtr dom, int type, const char *metadata,
                             const char *key, const char *uri,
                             unsigned int flags);

    int (*domainGetJobInfo)(virDomainPtr dom, virDomainJobInfoPtr info);
    int (*domainGetJobStats)(virDomainPtr dom, int *type,
                             virTypedParameterPtr *params, int *nparams,
                             unsigned int flags);
    int (*domainAbortJob)(virDomainPtr dom);
    int (*domainAbortJobFlags)(virDomainPtr dom, unsigned int flags);

    /*
     * Migration (src/api/libvirt-migrate.c drives the steps; cookies are
     * opaque bytes, *cookieout allocated with g_malloc).  The v3 steps
     * and their Params variants mirror libvirt's internal driver API.
     */
    int (*connectSupportsFeature)(virConnectPtr conn, int feature);
    char *(*domainMigrateBegin3)(virDomainPtr dom, const char *xmlin,
                                 char **cookieout, int *cookieoutlen,
                                 unsigned long flags, const char *dname,
                                 unsigned long resource);
    int (*domainMigratePrepare3)(virConnectPtr dconn, const char *cookiein,
                                 int cookieinlen, char **cookieout,
                                 int *cookieoutlen, const char *uriIn,
                                 char **uriOut, unsigned long flags,
                                 const char *dname, unsigned long resource,
                                 const char *domXML);
    int (*domainMigratePerform3)(virDomainPtr dom, const char *xmlin,
                                 const char *cookiein, int cookieinlen,
                                 char **cookieout, int *cookieoutlen,
                                 const char *dconnuri, const char *uri,
                                 unsigned long flags, const char *dname,
                                 unsigned long resource);
    virDomainPtr (*domainMigrateFinish3)(virConnectPtr dconn,
                                         const char *dname,
                                         const char *cookiein,
                                         int cookieinlen, char **cookieout,
                                         int *cookieoutlen,
                                         const char *dconnuri,
                                         const char *uri, unsigned long flags,
                                         int cancelled);
    int (*domainMigrateConfirm3)(virDomainPtr dom, const char *cookiein,
                                 int cookieinlen, unsigned long flags,
                                 int cancelled);
    char *(*domainMigrateBegin3Params)(virDomainPtr dom,
                                       virTypedParameterPtr params,
                                       int nparams, char **cookieout,
                                       int *cookieoutlen, unsigned int flags);
    int (*domainMigratePrepare3Params)(virConnectPtr dconn,
                                       virTypedParameterPtr params,
                                       int nparams, const char *cookiein,
                                       int cookieinlen, char **cookieout,
                                       int *cookieoutlen, char **uriOut,
                                       unsigned int flags);
    /* Tunnelled (destination): the incoming data arrives on @st. */
    int (*domainMigratePrepareTunnel3Params)(virConnectPtr dconn, virStreamPtr st,
                                             virTypedParameterPtr params, int nparams,
                                             const char *cookiein, int cookieinlen,
                                             char **cookieout, int *cookieoutlen,
                                             unsigned int flags);
    int (*domainMigratePerform3Params)(virDomainPtr dom, const char *dconnuri,
                                       virTypedParameterPtr params,
                                       int nparams, const char *cookiein,
                                       int cookieinlen, char **cookieout,
                                       int *cookieoutlen, unsigned int flags);
    virDomainPtr (*domainMigrateFinish3Params)(virConnectPtr dconn,
                                               virTypedParameterPtr params,
                                               int nparams,
                                               const char *cookiein,
                                               int cookieinlen,
                                               char **cookieout,
                                               int *cookieoutlen,
                                               unsigned int flags,
                                               int cancelled);
    int (*domainMigrateConfirm3Params)(virDomainPtr dom,
                                       virTypedParameterPtr params,
                                       int nparams, const char *cookiein,
                                       int cookieinlen, unsigned int flags,
                                       int cancelled);
    int (*domainMigrateSetMaxSpeed)(virDomainPtr dom, unsigned long bandwidth,
                                    unsigned int flags);
    int (*domainMigrateGetMaxSpeed)(virDomainPtr dom, unsigned long *bandwidth,
                                    unsigned int flags);
    int (*domainMigrateGetCompressionCache)(virDomainPtr dom, unsigned long long *cacheSize,
                                            unsigned int flags);
    int (*domainMigrateSetCompressionCache)(virDomainPtr dom, unsigned long long cacheSize,
                                            unsigned int flags);
    int (*domainMigrateSetMaxDowntime)(virDomainPtr dom,
                                       unsigned long long downtime,
                                       unsigned int flags);
    int (*domainMigrateGetMaxDowntime)(virDomainPtr dom,
                                       unsigned long long *downtime,
                                       unsigned int flags);
    int (*domainMigrateStartPostCopy)(virDomainPtr dom, unsigned int flags);

    /* Events: the driver owns an event state (src/api/domain_event.h). */
    int (*connectDomainEventRegister)(virConnectPtr conn,
                                      virConnectDomainEventCallback cb,
                                      void *opaque, virFreeCallback freecb);
    int (*connectDomainEventDeregister)(virConnectPtr conn,
                                        virConnectDomainEventCallback cb);
    int (*connectDomainEventRegisterAny)(virConnectPtr conn, virDomainPtr dom,
                                         int eventID,
                                         virConnectDomainEventGenericCallback cb,
                                         void *opaque, virFreeCallback freecb);
    int (*connectDomainEventDeregisterAny)(virConnectPtr conn, int callbackID);

    /* Streams: the driver binds @st to a StreamDriver (streamBind). */
    int (*domainOpenConsole)(virDomainPtr dom, const char *dev_name,
                             virStreamPtr st, unsigned int flags);
    char *(*domainScreenshot)(virDomainPtr dom, virStreamPtr st,
                              unsigned int screen, unsigned int flags);
};

/*
 * The operations of one open stream, chosen by the driver that opened it
 * (libvirt's virStreamDriver).  Same conventions as the public
 * functions: Send/Recv return a byte count, -2 when a non-blocking
 * stream would wait (no error set), -1 with an error; Recv returns 0 at
 * the end of the data.  streamFree releases the private data when the
 * last handle reference goes (after Finish/Abort, or instead of them).
 */
struct _StreamDriver {
    int (*streamSend)(virStreamPtr st, const char *data, size_t nbytes);
    int (*streamRecv)(virStreamPtr st, char *data, size_t nbytes,
                      unsigned int flags);
    int (*streamEventAddCallback)(virStreamPtr st, int events,
                                  virStreamEventCallback cb, void *opaque,
                                  virFreeCallback ff);
    int (*streamEventUpdateCallback)(virStreamPtr st, int events);
    int (*streamEventRemoveCallback)(virStreamPtr st);
    int (*streamFinish)(virStreamPtr st);
    int (*streamAbort)(virStreamPtr st);
    void (*streamFree)(virStreamPtr st);
};

/*
 * A driver that can own connections.  Drivers are tried in registration
 * order; a driver whose uriSchemes lists the URI's scheme is asked first.
 */
typedef struct {
    const char *name;
    const char *const *uriSchemes;  /* NULL-terminated, e.g. {"test", NULL} */
    bool embeddable;                /* may run in-process in a client */
    HypervisorDriver *hypervisor;
    /* daemon SIGHUP (libvirt's stateReload): re-read what is kept on disk; may be NULL */
    int (*stateReload)(void);
} ConnectDriver;

int driverRegister(ConnectDriver *driver);
size_t driverCount(void);
ConnectDriver *driverGet(size_t i);

/*
 * Implemented in src/libvirt_drivers.c (the top of the library): registers
 * every driver built in, once.  Called by virInitialize.
 */
int driversRegisterAll(void);
