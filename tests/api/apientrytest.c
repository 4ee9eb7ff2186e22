/* Entry-point checks of every public function: one table row per bad call. */
#include <limits.h>
#include <string.h>

#include "mockdriver.h"
#include "api/domain_records.h"
#include "api/migrate_steps.h"

/*
 * Each row is a call that must fail before (or, for NO_SUPPORT, at) the
 * driver, with libvirt 9.0's exact error: code, error domain and message,
 * as observed through Debian's libvirt with the same calls.  The failure
 * must reach the error handler exactly once and, for calls made on a
 * valid connection, be copied to that connection.
 */

typedef struct {
    virConnectPtr conn;     /* mock:/// */
    virConnectPtr ro;       /* mock:/// read-only */
    virConnectPtr econn;    /* mockempty:/// */
    virDomainPtr dom;
    virDomainPtr rodom;
    virDomainPtr edom;
    virStreamPtr s;         /* unopened streams of conn, ro, econn */
    virStreamPtr ros;
    virStreamPtr es;
    virStreamPtr nbs;       /* non-blocking, of conn */
} Ctx;

enum { ON_NONE, ON_CONN, ON_RO, ON_EMPTY };

static void closecb(virConnectPtr c, int reason, void *opaque) { }
static int lifecb(virConnectPtr c, virDomainPtr d, int ev, int det, void *o) { return 0; }
static void gencb(virConnectPtr c, virDomainPtr d, void *o) { }
static void stcb(virStreamPtr s, int events, void *o) { }
static int source(virStreamPtr s, char *data, size_t n, void *o) { return 0; }
static int sink(virStreamPtr s, const char *data, size_t n, void *o) { return (int)n; }

#define GENERIC(cb) ((virConnectDomainEventGenericCallback)(void (*)(void))(cb))

#define INVCONN(f) VIR_ERR_INVALID_CONN, VIR_FROM_DOMAIN, ON_NONE, \
    "invalid connection pointer in " #f
#define INVDOM(f) VIR_ERR_INVALID_DOMAIN, VIR_FROM_DOM, ON_NONE, \
    "invalid domain pointer in " #f
#define NULLARG(on, a, f) VIR_ERR_INVALID_ARG, VIR_FROM_DOMAIN, on, \
    #a " in " #f " must not be NULL"
#define MUSTNULL(on, a, f) VIR_ERR_INVALID_ARG, VIR_FROM_DOMAIN, on, \
    #a " in " #f " must be NULL"
#define NONZERO(a, f) VIR_ERR_INVALID_ARG, VIR_FROM_DOMAIN, ON_CONN, \
    #a " in " #f " must not be zero"
#define NONNEG(a, f) VIR_ERR_INVALID_ARG, VIR_FROM_DOMAIN, ON_CONN, \
    #a " in " #f " must be zero or greater"
#define EXCL(a, b) VIR_ERR_INVALID_ARG, VIR_FROM_DOMAIN, ON_CONN, \
    "Flags '" #a "' and '" #b "' are mutually exclusive"
#define REQ(needed, by) VIR_ERR_INVALID_ARG, VIR_FROM_DOMAIN, ON_CONN, \
    "Flag '" #needed "' is required by flag '" #by "'"
#define RO(f) VIR_ERR_OPERATION_DENIED, VIR_FROM_DOMAIN, ON_RO, \
    "operation forbidden: read only access prevents " #f
#define NOSUP(f) VIR_ERR_NO_SUPPORT, VIR_FROM_DOMAIN, ON_EMPTY, \
    "this function is not supported by the connection driver: " #f
#define INVSTREAM(f) VIR_ERR_INVALID_STREAM, VIR_FROM_STREAMS, ON_NONE, \
    "invalid stream pointer in " #f
#define STNULL(a, f) VIR_ERR_INVALID_ARG, VIR_FROM_STREAMS, ON_CONN, \
    #a " in " #f " must not be NULL"
#define STNOSUP(f) VIR_ERR_NO_SUPPORT, VIR_FROM_STREAMS, ON_CONN, \
    "this function is not supported by the connection driver: " #f
#define OVERFLOW(v) VIR_ERR_OVERFLOW, VIR_FROM_DOMAIN, ON_CONN, \
    "numerical overflow: input too large: " #v

/* The statistics APIs (issue 7). */
#define POSITIVE(a, f) VIR_ERR_INVALID_ARG, VIR_FROM_DOMAIN, ON_CONN, \
    #a " in " #f " must be greater than zero"
#define STATS_CASES(INT, PTR, ZERO, UID) \
    INT(virDomainGetVcpus(NULL, vi, 1, NULL, 0), INVDOM(virDomainGetVcpus)) \
    INT(virDomainBlockStats(NULL, "vda", &bs, sizeof(bs)), INVDOM(virDomainBlockStats)) \
    INT(virDomainBlockStatsFlags(NULL, "vda", params, &nparams, 0), \
        INVDOM(virDomainBlockStatsFlags)) \
    INT(virDomainInterfaceStats(NULL, "vnet0", &ifs, sizeof(ifs)), \
        INVDOM(virDomainInterfaceStats)) \
    INT(virDomainMemoryStats(NULL, ms, 1, 0), INVDOM(virDomainMemoryStats)) \
    INT(virDomainGetBlockInfo(NULL, "vda", &bi, 0), INVDOM(virDomainGetBlockInfo)) \
    INT(virConnectGetAllDomainStats(NULL, 0, &recs, 0), INVCONN(virConnectGetAllDomainStats)) \
    INT(virNodeGetCPUMap(NULL, NULL, NULL, 0), INVCONN(virNodeGetCPUMap)) \
    INT(virNodeGetCPUMap(c->econn, NULL, NULL, 0), NOSUP(virNodeGetCPUMap)) \
    INT(virDomainGetVcpus(c->dom, NULL, 1, NULL, 0), NULLARG(ON_CONN, info, virDomainGetVcpus)) \
    INT(virDomainGetVcpus(c->dom, vi, 0, NULL, 0), POSITIVE(maxinfo, virDomainGetVcpus)) \
    INT(virDomainGetVcpus(c->dom, vi, -1, NULL, 0), POSITIVE(maxinfo, virDomainGetVcpus)) \
    INT(virDomainGetVcpus(c->dom, vi, 1, cpumap, 0), POSITIVE(maplen, virDomainGetVcpus)) \
    INT(virDomainGetVcpus(c->dom, vi, 1, NULL, 1), NONZERO(maplen, virDomainGetVcpus)) \
    INT(virDomainGetVcpus(c->dom, vi, INT_MAX, cpumap, INT_MAX), \
        OVERFLOW(2147483647 * 2147483647)) \
    INT(virDomainBlockStats(c->dom, NULL, &bs, sizeof(bs)), \
        NULLARG(ON_CONN, disk, virDomainBlockStats)) \
    INT(virDomainBlockStats(c->dom, "vda", NULL, sizeof(bs)), \
        NULLARG(ON_CONN, stats, virDomainBlockStats)) \
    INT(virDomainBlockStats(c->dom, "vda", &bs, sizeof(bs) + 8), \
        VIR_ERR_INVALID_ARG, VIR_FROM_DOMAIN, ON_CONN, "size must not exceed 40") \
    INT(virDomainBlockStatsFlags(c->dom, NULL, params, &nparams, 0), \
        NULLARG(ON_CONN, disk, virDomainBlockStatsFlags)) \
    INT(virDomainBlockStatsFlags(c->dom, "vda", params, NULL, 0), \
        NULLARG(ON_CONN, nparams, virDomainBlockStatsFlags)) \
    INT(virDomainBlockStatsFlags(c->dom, "vda", params, &npneg, 0), \
        NONNEG(*nparams, virDomainBlockStatsFlags)) \
    INT(virDomainBlockStatsFlags(c->dom, "vda", NULL, &np2, 0), \
        NULLARG(ON_CONN, params, virDomainBlockStatsFlags)) \
    INT(virDomainInterfaceStats(c->dom, NULL, &ifs, sizeof(ifs)), \
        NULLARG(ON_CONN, device, virDomainInterfaceStats)) \
    INT(virDomainInterfaceStats(c->dom, "vnet0", NULL, sizeof(ifs)), \
        NULLARG(ON_CONN, stats, virDomainInterfaceStats)) \
    INT(virDomainInterfaceStats(c->dom, "vnet0", &ifs, sizeof(ifs) + 8), \
        VIR_ERR_INVALID_ARG, VIR_FROM_DOMAIN, ON_CONN, "size must not exceed 64") \
    INT(virDomainGetBlockInfo(c->dom, NULL, &bi, 0), \
        NULLARG(ON_CONN, disk, virDomainGetBlockInfo)) \
    INT(virDomainGetBlockInfo(c->dom, "", &bi, 0), VIR_ERR_INVALID_ARG, VIR_FROM_DOMAIN, \
        ON_CONN, "string disk in virDomainGetBlockInfo must not be empty") \
    INT(virDomainGetBlockInfo(c->dom, "vda", NULL, 0), \
        NULLARG(ON_CONN, info, virDomainGetBlockInfo)) \
    INT(virConnectGetAllDomainStats(c->conn, 0, NULL, 0), \
        NULLARG(ON_CONN, retStats, virConnectGetAllDomainStats)) \
    INT(virDomainListGetStats(NULL, 0, &recs, 0), \
        NULLARG(ON_NONE, doms, virDomainListGetStats)) \
    INT(virDomainListGetStats(nodoms, 0, &recs, 0), VIR_ERR_INVALID_ARG, VIR_FROM_DOMAIN, \
        ON_NONE, "invalid argument: doms array in virDomainListGetStats must contain at least one domain") \
    INT(virDomainGetVcpus(c->edom, vi, 1, NULL, 0), NOSUP(virDomainGetVcpus)) \
    INT(virDomainBlockStats(c->edom, "vda", &bs, sizeof(bs)), NOSUP(virDomainBlockStats)) \
    INT(virDomainBlockStatsFlags(c->edom, "vda", params, &nparams, 0), \
        NOSUP(virDomainBlockStatsFlags)) \
    INT(virDomainInterfaceStats(c->edom, "vnet0", &ifs, sizeof(ifs)), \
        NOSUP(virDomainInterfaceStats)) \
    INT(virDomainMemoryStats(c->edom, ms, 1, 0), NOSUP(virDomainMemoryStats)) \
    INT(virDomainGetBlockInfo(c->edom, "vda", &bi, 0), NOSUP(virDomainGetBlockInfo)) \
    INT(virConnectGetAllDomainStats(c->econn, 0, &recs, 0), NOSUP(virConnectGetAllDomainStats)) \
    INT(virDomainListGetStats(edoms, 0, &recs, 0), NOSUP(virDomainListGetStats))

/* Return-value kinds: INT fails with -1, PTR with NULL, ZERO with 0, UID with (unsigned)-1. */
#define CASES(INT, PTR, ZERO, UID) \
    /* invalid connection */ \
    INT(virConnectClose(NULL), VIR_ERR_INVALID_CONN, VIR_FROM_NONE, ON_NONE, \
        "invalid connection pointer in virConnectClose") \
    INT(virConnectRef(NULL), INVCONN(virConnectRef)) \
    PTR(virConnectGetType(NULL), INVCONN(virConnectGetType)) \
    INT(virConnectGetVersion(NULL, &ul), INVCONN(virConnectGetVersion)) \
    INT(virConnectGetLibVersion(NULL, &ul), INVCONN(virConnectGetLibVersion)) \
    PTR(virConnectGetHostname(NULL), INVCONN(virConnectGetHostname)) \
    PTR(virConnectGetURI(NULL), INVCONN(virConnectGetURI)) \
    PTR(virConnectGetCapabilities(NULL), INVCONN(virConnectGetCapabilities)) \
    PTR(virConnectGetDomainCapabilities(NULL, NULL, NULL, NULL, NULL, 0), \
        INVCONN(virConnectGetDomainCapabilities)) \
    INT(virConnectGetMaxVcpus(NULL, NULL), INVCONN(virConnectGetMaxVcpus)) \
    INT(virConnectIsAlive(NULL), INVCONN(virConnectIsAlive)) \
    INT(virConnectSetKeepAlive(NULL, 5, 3), INVCONN(virConnectSetKeepAlive)) \
    INT(virConnectIsSecure(NULL), INVCONN(virConnectIsSecure)) \
    INT(virConnectIsEncrypted(NULL), INVCONN(virConnectIsEncrypted)) \
    INT(virConnectRegisterCloseCallback(NULL, closecb, NULL, NULL), \
        INVCONN(virConnectRegisterCloseCallback)) \
    INT(virConnectUnregisterCloseCallback(NULL, closecb), \
        INVCONN(virConnectUnregisterCloseCallback)) \
    INT(virNodeGetInfo(NULL, &ni), INVCONN(virNodeGetInfo)) \
    INT(virNodeGetSecurityModel(NULL, &sm), INVCONN(virNodeGetSecurityModel)) \
    ZERO(virNodeGetFreeMemory(NULL), INVCONN(virNodeGetFreeMemory)) \
    INT(virConnectListAllDomains(NULL, &doms, 0), INVCONN(virConnectListAllDomains)) \
    INT(virtkitConnectListAllDomainRecords(NULL, 0, &drecs), \
        INVCONN(virtkitConnectListAllDomainRecords)) \
    INT(virtkitConnectListAllDomainRecords(c->conn, 0, NULL), \
        NULLARG(ON_CONN, records, virtkitConnectListAllDomainRecords)) \
    INT(virConnectNumOfDomains(NULL), INVCONN(virConnectNumOfDomains)) \
    INT(virConnectListDomains(NULL, ids, 4), INVCONN(virConnectListDomains)) \
    INT(virConnectNumOfDefinedDomains(NULL), INVCONN(virConnectNumOfDefinedDomains)) \
    INT(virConnectListDefinedDomains(NULL, names, 4), \
        INVCONN(virConnectListDefinedDomains)) \
    PTR(virDomainLookupByName(NULL, "mock"), INVCONN(virDomainLookupByName)) \
    PTR(virDomainLookupByUUID(NULL, uuid), INVCONN(virDomainLookupByUUID)) \
    PTR(virDomainLookupByUUIDString(NULL, MOCK_UUID_STR), \
        INVCONN(virDomainLookupByUUIDString)) \
    PTR(virDomainLookupByID(NULL, 1), INVCONN(virDomainLookupByID)) \
    PTR(virDomainDefineXML(NULL, xml), INVCONN(virDomainDefineXML)) \
    PTR(virDomainDefineXMLFlags(NULL, xml, 0), INVCONN(virDomainDefineXMLFlags)) \
    PTR(virDomainCreateXML(NULL, xml, 0), INVCONN(virDomainCreateXML)) \
    INT(virConnectDomainEventRegister(NULL, lifecb, NULL, NULL), \
        INVCONN(virConnectDomainEventRegister)) \
    INT(virConnectDomainEventDeregister(NULL, lifecb), \
        INVCONN(virConnectDomainEventDeregister)) \
    INT(virConnectDomainEventRegisterAny(NULL, NULL, 0, gencb, NULL, NULL), \
        INVCONN(virConnectDomainEventRegisterAny)) \
    INT(virConnectDomainEventDeregisterAny(NULL, 0), \
        INVCONN(virConnectDomainEventDeregisterAny)) \
    /* invalid domain */ \
    INT(virDomainFree(NULL), INVDOM(virDomainFree)) \
    INT(virDomainRef(NULL), INVDOM(virDomainRef)) \
    PTR(virDomainGetConnect(NULL), INVDOM(virDomainGetConnect)) \
    INT(virDomainUndefine(NULL), INVDOM(virDomainUndefine)) \
    INT(virDomainUndefineFlags(NULL, 0), INVDOM(virDomainUndefineFlags)) \
    INT(virDomainCreate(NULL), INVDOM(virDomainCreate)) \
    INT(virDomainCreateWithFlags(NULL, 0), INVDOM(virDomainCreateWithFlags)) \
    INT(virDomainDestroy(NULL), INVDOM(virDomainDestroy)) \
    INT(virDomainDestroyFlags(NULL, 0), INVDOM(virDomainDestroyFlags)) \
    INT(virDomainShutdown(NULL), INVDOM(virDomainShutdown)) \
    INT(virDomainShutdownFlags(NULL, 0), INVDOM(virDomainShutdownFlags)) \
    INT(virDomainReboot(NULL, 0), INVDOM(virDomainReboot)) \
    INT(virDomainReset(NULL, 0), INVDOM(virDomainReset)) \
    INT(virDomainSuspend(NULL), INVDOM(virDomainSuspend)) \
    INT(virDomainResume(NULL), INVDOM(virDomainResume)) \
    INT(virDomainGetInfo(NULL, &di), INVDOM(virDomainGetInfo)) \
    INT(virDomainGetState(NULL, &st, &rs, 0), INVDOM(virDomainGetState)) \
    PTR(virDomainGetXMLDesc(NULL, 0), INVDOM(virDomainGetXMLDesc)) \
    PTR(virDomainGetName(NULL), INVDOM(virDomainGetName)) \
    INT(virDomainGetUUID(NULL, uuid), INVDOM(virDomainGetUUID)) \
    INT(virDomainGetUUIDString(NULL, uuidstr), INVDOM(virDomainGetUUIDString)) \
    UID(virDomainGetID(NULL), INVDOM(virDomainGetID)) \
    PTR(virDomainGetOSType(NULL), INVDOM(virDomainGetOSType)) \
    ZERO(virDomainGetMaxMemory(NULL), INVDOM(virDomainGetMaxMemory)) \
    INT(virDomainSetMemory(NULL, 1024), INVDOM(virDomainSetMemory)) \
    INT(virDomainSetMemoryFlags(NULL, 1024, 0), INVDOM(virDomainSetMemoryFlags)) \
    INT(virDomainSetMaxMemory(NULL, 1024), INVDOM(virDomainSetMaxMemory)) \
    INT(virDomainSetVcpus(NULL, 1), INVDOM(virDomainSetVcpus)) \
    INT(virDomainSetVcpusFlags(NULL, 1, 0), INVDOM(virDomainSetVcpusFlags)) \
    INT(virDomainGetVcpusFlags(NULL, 0), INVDOM(virDomainGetVcpusFlags)) \
    INT(virDomainGetMaxVcpus(NULL), INVDOM(virDomainGetMaxVcpus)) \
    INT(virDomainIsActive(NULL), INVDOM(virDomainIsActive)) \
    INT(virDomainIsPersistent(NULL), INVDOM(virDomainIsPersistent)) \
    INT(virDomainIsUpdated(NULL), INVDOM(virDomainIsUpdated)) \
    INT(virDomainGetAutostart(NULL, &st), INVDOM(virDomainGetAutostart)) \
    INT(virDomainSetAutostart(NULL, 1), INVDOM(virDomainSetAutostart)) \
    INT(virDomainGetJobInfo(NULL, &ji), INVDOM(virDomainGetJobInfo)) \
    INT(virDomainGetJobStats(NULL, &type, &params, &nparams, 0), \
        INVDOM(virDomainGetJobStats)) \
    INT(virDomainAbortJob(NULL), INVDOM(virDomainAbortJob)) \
    INT(virDomainHasManagedSaveImage(NULL, 0), INVDOM(virDomainHasManagedSaveImage)) \
    INT(virDomainSave(NULL, "/x"), INVDOM(virDomainSave)) \
    INT(virDomainSaveFlags(NULL, "/x", NULL, 0), INVDOM(virDomainSaveFlags)) \
    INT(virDomainManagedSave(NULL, 0), INVDOM(virDomainManagedSave)) \
    INT(virDomainManagedSaveRemove(NULL, 0), INVDOM(virDomainManagedSaveRemove)) \
    INT(virDomainRestore(NULL, "/x"), INVCONN(virDomainRestore)) \
    INT(virDomainRestoreFlags(NULL, "/x", NULL, 0), INVCONN(virDomainRestoreFlags)) \
    PTR(virDomainSaveImageGetXMLDesc(NULL, "/x", 0), INVCONN(virDomainSaveImageGetXMLDesc)) \
    INT(virDomainSaveImageDefineXML(NULL, "/x", "<a/>", 0), \
        INVCONN(virDomainSaveImageDefineXML)) \
    INT(virDomainGetSecurityLabel(NULL, &sl), INVDOM(virDomainGetSecurityLabel)) \
    PTR(virDomainGetMetadata(NULL, 0, NULL, 0), INVDOM(virDomainGetMetadata)) \
    INT(virDomainSetMetadata(NULL, 0, "x", NULL, NULL, 0), INVDOM(virDomainSetMetadata)) \
    /* NULL and out-of-range arguments */ \
    INT(virConnectGetVersion(c->conn, NULL), NULLARG(ON_CONN, hvVer, virConnectGetVersion)) \
    INT(virConnectGetLibVersion(c->conn, NULL), \
        NULLARG(ON_CONN, libVer, virConnectGetLibVersion)) \
    INT(virConnectRegisterCloseCallback(c->conn, NULL, NULL, NULL), \
        NULLARG(ON_CONN, cb, virConnectRegisterCloseCallback)) \
    INT(virConnectUnregisterCloseCallback(c->conn, NULL), \
        NULLARG(ON_CONN, cb, virConnectUnregisterCloseCallback)) \
    INT(virNodeGetInfo(c->conn, NULL), NULLARG(ON_CONN, info, virNodeGetInfo)) \
    INT(virNodeGetSecurityModel(c->conn, NULL), \
        NULLARG(ON_CONN, secmodel, virNodeGetSecurityModel)) \
    INT(virConnectListDomains(c->conn, NULL, 4), \
        NULLARG(ON_CONN, ids, virConnectListDomains)) \
    INT(virConnectListDomains(c->conn, ids, -1), NONNEG(maxids, virConnectListDomains)) \
    INT(virConnectListDomains(c->conn, NULL, -1), NONNEG(maxids, virConnectListDomains)) \
    INT(virConnectListDefinedDomains(c->conn, NULL, 4), \
        NULLARG(ON_CONN, names, virConnectListDefinedDomains)) \
    INT(virConnectListDefinedDomains(c->conn, names, -1), \
        NONNEG(maxnames, virConnectListDefinedDomains)) \
    PTR(virDomainLookupByName(c->conn, NULL), \
        NULLARG(ON_CONN, name, virDomainLookupByName)) \
    PTR(virDomainLookupByUUID(c->conn, NULL), \
        NULLARG(ON_CONN, uuid, virDomainLookupByUUID)) \
    PTR(virDomainLookupByUUIDString(c->conn, NULL), \
        NULLARG(ON_CONN, uuidstr, virDomainLookupByUUIDString)) \
    PTR(virDomainLookupByUUIDString(c->conn, "garbage"), \
        VIR_ERR_INVALID_ARG, VIR_FROM_DOMAIN, ON_CONN, "Invalid UUID") \
    PTR(virDomainLookupByID(c->conn, -1), NONNEG(id, virDomainLookupByID)) \
    PTR(virDomainDefineXML(c->conn, NULL), NULLARG(ON_CONN, xml, virDomainDefineXML)) \
    PTR(virDomainDefineXMLFlags(c->conn, NULL, 0), \
        NULLARG(ON_CONN, xml, virDomainDefineXMLFlags)) \
    PTR(virDomainCreateXML(c->conn, NULL, 0), \
        NULLARG(ON_CONN, xmlDesc, virDomainCreateXML)) \
    INT(virDomainSave(c->dom, NULL), NULLARG(ON_CONN, to, virDomainSave)) \
    INT(virDomainSaveFlags(c->dom, NULL, NULL, 6), NULLARG(ON_CONN, to, virDomainSaveFlags)) \
    INT(virDomainSaveFlags(c->dom, "/x", NULL, 6), \
        EXCL(VIR_DOMAIN_SAVE_RUNNING, VIR_DOMAIN_SAVE_PAUSED)) \
    INT(virDomainRestore(c->conn, NULL), NULLARG(ON_CONN, from, virDomainRestore)) \
    INT(virDomainRestoreFlags(c->conn, NULL, NULL, 6), \
        NULLARG(ON_CONN, from, virDomainRestoreFlags)) \
    INT(virDomainRestoreFlags(c->conn, "/x", NULL, 6), \
        EXCL(VIR_DOMAIN_SAVE_RUNNING, VIR_DOMAIN_SAVE_PAUSED)) \
    PTR(virDomainSaveImageGetXMLDesc(c->conn, NULL, 0), \
        NULLARG(ON_CONN, file, virDomainSaveImageGetXMLDesc)) \
    INT(virDomainSaveImageDefineXML(c->conn, NULL, "<a/>", 0), \
        NULLARG(ON_CONN, file, virDomainSaveImageDefineXML)) \
    INT(virDomainSaveImageDefineXML(c->conn, "/x", NULL, 0), \
        NULLARG(ON_CONN, dxml, virDomainSaveImageDefineXML)) \
    INT(virDomainSaveImageDefineXML(c->conn, "/x", "<a/>", 6), \
        EXCL(VIR_DOMAIN_SAVE_RUNNING, VIR_DOMAIN_SAVE_PAUSED)) \
    INT(virDomainManagedSave(c->dom, 6), EXCL(VIR_DOMAIN_SAVE_RUNNING, VIR_DOMAIN_SAVE_PAUSED)) \
    INT(virDomainGetInfo(c->dom, NULL), NULLARG(ON_CONN, info, virDomainGetInfo)) \
    INT(virDomainGetState(c->dom, NULL, NULL, 0), \
        NULLARG(ON_CONN, state, virDomainGetState)) \
    INT(virDomainGetUUID(c->dom, NULL), NULLARG(ON_CONN, uuid, virDomainGetUUID)) \
    INT(virDomainGetUUIDString(c->dom, NULL), \
        NULLARG(ON_CONN, buf, virDomainGetUUIDString)) \
    INT(virDomainSetMemory(c->dom, 0), NONZERO(memory, virDomainSetMemory)) \
    INT(virDomainSetMaxMemory(c->dom, 0), NONZERO(memory, virDomainSetMaxMemory)) \
    INT(virDomainSetMemoryFlags(c->dom, 0, 0), NONZERO(memory, virDomainSetMemoryFlags)) \
    INT(virDomainSetMemory(c->dom, ULONG_MAX), OVERFLOW(18446744073709551615)) \
    INT(virDomainSetMaxMemory(c->dom, ULONG_MAX), OVERFLOW(18446744073709551615)) \
    INT(virDomainSetMemoryFlags(c->dom, ULONG_MAX, 0), OVERFLOW(18446744073709551615)) \
    INT(virDomainSetMaxMemory(c->dom, LLONG_MAX / 1024), OVERFLOW(9007199254740991)) \
    INT(virDomainSetVcpus(c->dom, 0), NONZERO(nvcpus, virDomainSetVcpus)) \
    INT(virDomainSetVcpusFlags(c->dom, 0, 0), NONZERO(nvcpus, virDomainSetVcpusFlags)) \
    INT(virDomainSetVcpusFlags(c->dom, 1, VIR_DOMAIN_VCPU_GUEST | VIR_DOMAIN_AFFECT_CONFIG), \
        EXCL(VIR_DOMAIN_VCPU_GUEST, VIR_DOMAIN_AFFECT_CONFIG)) \
    INT(virDomainSetVcpusFlags(c->dom, 0, VIR_DOMAIN_VCPU_GUEST | VIR_DOMAIN_AFFECT_CONFIG), \
        EXCL(VIR_DOMAIN_VCPU_GUEST, VIR_DOMAIN_AFFECT_CONFIG)) \
    INT(virDomainSetVcpusFlags(c->dom, 1, VIR_DOMAIN_VCPU_MAXIMUM), \
        REQ(VIR_DOMAIN_AFFECT_CONFIG, VIR_DOMAIN_VCPU_MAXIMUM)) \
    INT(virDomainSetVcpusFlags(c->dom, 0, VIR_DOMAIN_VCPU_MAXIMUM | VIR_DOMAIN_AFFECT_LIVE), \
        REQ(VIR_DOMAIN_AFFECT_CONFIG, VIR_DOMAIN_VCPU_MAXIMUM)) \
    INT(virDomainSetVcpusFlags(c->dom, 1, VIR_DOMAIN_VCPU_MAXIMUM | VIR_DOMAIN_VCPU_GUEST), \
        REQ(VIR_DOMAIN_AFFECT_CONFIG, VIR_DOMAIN_VCPU_MAXIMUM)) \
    INT(virDomainGetVcpusFlags(c->dom, VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG), \
        EXCL(VIR_DOMAIN_AFFECT_LIVE, VIR_DOMAIN_AFFECT_CONFIG)) \
    INT(virDomainGetAutostart(c->dom, NULL), \
        NULLARG(ON_CONN, autostart, virDomainGetAutostart)) \
    INT(virDomainGetJobInfo(c->dom, NULL), NULLARG(ON_CONN, info, virDomainGetJobInfo)) \
    INT(virDomainGetJobStats(c->dom, NULL, &params, &nparams, 0), \
        NULLARG(ON_CONN, type, virDomainGetJobStats)) \
    INT(virDomainGetJobStats(c->dom, &type, NULL, &nparams, 0), \
        NULLARG(ON_CONN, params, virDomainGetJobStats)) \
    INT(virDomainGetJobStats(c->dom, &type, &params, NULL, 0), \
        NULLARG(ON_CONN, nparams, virDomainGetJobStats)) \
    INT(virDomainGetJobStats(c->dom, &type, &params, &nparams, \
                             VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED), \
        REQ(VIR_DOMAIN_JOB_STATS_COMPLETED, VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED)) \
    INT(virDomainGetSecurityLabel(c->dom, NULL), \
        NULLARG(ON_CONN, seclabel, virDomainGetSecurityLabel)) \
    PTR(virDomainGetMetadata(c->dom, 99, NULL, 0), VIR_ERR_INVALID_ARG, VIR_FROM_DOMAIN, \
        ON_CONN, "invalid argument: unknown metadata type '99'") \
    PTR(virDomainGetMetadata(c->dom, VIR_DOMAIN_METADATA_ELEMENT, NULL, 0), \
        NULLARG(ON_CONN, uri, virDomainGetMetadata)) \
    PTR(virDomainGetMetadata(c->dom, VIR_DOMAIN_METADATA_DESCRIPTION, "http://x/", 0), \
        MUSTNULL(ON_CONN, uri, virDomainGetMetadata)) \
    PTR(virDomainGetMetadata(c->dom, VIR_DOMAIN_METADATA_TITLE, "http://x/", 0), \
        MUSTNULL(ON_CONN, uri, virDomainGetMetadata)) \
    PTR(virDomainGetMetadata(c->dom, 0, NULL, 3), \
        EXCL(VIR_DOMAIN_AFFECT_LIVE, VIR_DOMAIN_AFFECT_CONFIG)) \
    PTR(virDomainGetMetadata(c->dom, 99, NULL, 3), \
        EXCL(VIR_DOMAIN_AFFECT_LIVE, VIR_DOMAIN_AFFECT_CONFIG)) \
    INT(virDomainSetMetadata(c->dom, 99, "x", NULL, NULL, 0), VIR_ERR_INVALID_ARG, \
        VIR_FROM_DOMAIN, ON_CONN, "invalid argument: unknown metadata type '99'") \
    INT(virDomainSetMetadata(c->dom, VIR_DOMAIN_METADATA_ELEMENT, "<x/>", NULL, NULL, 0), \
        NULLARG(ON_CONN, uri, virDomainSetMetadata)) \
    INT(virDomainSetMetadata(c->dom, VIR_DOMAIN_METADATA_ELEMENT, "<x/>", "k", NULL, 0), \
        NULLARG(ON_CONN, uri, virDomainSetMetadata)) \
    INT(virDomainSetMetadata(c->dom, VIR_DOMAIN_METADATA_ELEMENT, "<x/>", NULL, "http://x/", 0), \
        NULLARG(ON_CONN, key, virDomainSetMetadata)) \
    INT(virDomainSetMetadata(c->dom, VIR_DOMAIN_METADATA_DESCRIPTION, "d", "k", NULL, 0), \
        MUSTNULL(ON_CONN, key, virDomainSetMetadata)) \
    INT(virDomainSetMetadata(c->dom, VIR_DOMAIN_METADATA_DESCRIPTION, "d", NULL, "u", 0), \
        MUSTNULL(ON_CONN, uri, virDomainSetMetadata)) \
    INT(virDomainSetMetadata(c->dom, VIR_DOMAIN_METADATA_DESCRIPTION, "d", "k", "u", 0), \
        MUSTNULL(ON_CONN, uri, virDomainSetMetadata)) \
    INT(virDomainSetMetadata(c->dom, VIR_DOMAIN_METADATA_TITLE, "a\nb", "k", NULL, 0), \
        VIR_ERR_INVALID_ARG, VIR_FROM_DOMAIN, ON_CONN, "metadata title can't contain newlines") \
    INT(virConnectDomainEventRegisterAny(c->conn, NULL, -1, gencb, NULL, NULL), \
        NONNEG(eventID, virConnectDomainEventRegisterAny)) \
    INT(virConnectDomainEventRegisterAny(c->conn, NULL, 1000, gencb, NULL, NULL), \
        VIR_ERR_INVALID_ARG, VIR_FROM_DOMAIN, ON_CONN, "eventID must be less than 27") \
    INT(virConnectDomainEventRegisterAny(c->conn, NULL, 1000, NULL, NULL, NULL), \
        NULLARG(ON_CONN, cb, virConnectDomainEventRegisterAny)) \
    INT(virConnectDomainEventRegisterAny(c->conn, c->rodom, -1, NULL, NULL, NULL), \
        VIR_ERR_INVALID_ARG, VIR_FROM_DOMAIN, ON_CONN, "domain 'mock' must match connection") \
    INT(virConnectDomainEventDeregisterAny(c->conn, -1), \
        NONNEG(callbackID, virConnectDomainEventDeregisterAny)) \
    INT(virConnectDomainEventRegister(c->conn, NULL, NULL, NULL), \
        NULLARG(ON_CONN, cb, virConnectDomainEventRegister)) \
    INT(virConnectDomainEventDeregister(c->conn, NULL), \
        NULLARG(ON_CONN, cb, virConnectDomainEventDeregister)) \
    /* read-only connections */ \
    PTR(virDomainDefineXML(c->ro, xml), RO(virDomainDefineXML)) \
    PTR(virDomainDefineXML(c->ro, NULL), RO(virDomainDefineXML)) \
    PTR(virDomainDefineXMLFlags(c->ro, xml, 0), RO(virDomainDefineXMLFlags)) \
    PTR(virDomainCreateXML(c->ro, xml, 0), RO(virDomainCreateXML)) \
    INT(virDomainUndefine(c->rodom), RO(virDomainUndefine)) \
    INT(virDomainSave(c->rodom, "/x"), RO(virDomainSave)) \
    INT(virDomainSaveFlags(c->rodom, NULL, NULL, 6), RO(virDomainSaveFlags)) \
    INT(virDomainRestore(c->ro, NULL), RO(virDomainRestore)) \
    INT(virDomainRestoreFlags(c->ro, "/x", NULL, 0), RO(virDomainRestoreFlags)) \
    PTR(virDomainSaveImageGetXMLDesc(c->ro, "/x", 0), RO(virDomainSaveImageGetXMLDesc)) \
    INT(virDomainSaveImageDefineXML(c->ro, "/x", "<a/>", 0), \
        RO(virDomainSaveImageDefineXML)) \
    INT(virDomainManagedSave(c->rodom, 6), RO(virDomainManagedSave)) \
    INT(virDomainManagedSaveRemove(c->rodom, 0), RO(virDomainManagedSaveRemove)) \
    INT(virDomainUndefineFlags(c->rodom, 0), RO(virDomainUndefineFlags)) \
    INT(virDomainCreate(c->rodom), RO(virDomainCreate)) \
    INT(virDomainCreateWithFlags(c->rodom, 0), RO(virDomainCreateWithFlags)) \
    INT(virDomainDestroy(c->rodom), RO(virDomainDestroy)) \
    INT(virDomainDestroyFlags(c->rodom, 0), RO(virDomainDestroyFlags)) \
    INT(virDomainShutdown(c->rodom), RO(virDomainShutdown)) \
    INT(virDomainShutdownFlags(c->rodom, 0), RO(virDomainShutdownFlags)) \
    INT(virDomainReboot(c->rodom, 0), RO(virDomainReboot)) \
    INT(virDomainReset(c->rodom, 0), RO(virDomainReset)) \
    INT(virDomainSuspend(c->rodom), RO(virDomainSuspend)) \
    INT(virDomainResume(c->rodom), RO(virDomainResume)) \
    INT(virDomainSetMemory(c->rodom, 1024), RO(virDomainSetMemory)) \
    INT(virDomainSetMemory(c->rodom, 0), RO(virDomainSetMemory)) \
    INT(virDomainSetMemoryFlags(c->rodom, 1024, 0), RO(virDomainSetMemoryFlags)) \
    INT(virDomainSetMaxMemory(c->rodom, 0), RO(virDomainSetMaxMemory)) \
    INT(virDomainSetVcpus(c->rodom, 1), RO(virDomainSetVcpus)) \
    INT(virDomainSetVcpusFlags(c->rodom, 1, 0), RO(virDomainSetVcpusFlags)) \
    INT(virDomainGetVcpusFlags(c->rodom, VIR_DOMAIN_VCPU_GUEST), RO(virDomainGetVcpusFlags)) \
    INT(virDomainGetVcpusFlags(c->rodom, VIR_DOMAIN_VCPU_GUEST | 3), \
        RO(virDomainGetVcpusFlags)) \
    INT(virDomainSetAutostart(c->rodom, 1), RO(virDomainSetAutostart)) \
    INT(virDomainAbortJob(c->rodom), RO(virDomainAbortJob)) \
    INT(virDomainSetMetadata(c->rodom, 0, "x", NULL, NULL, 0), RO(virDomainSetMetadata)) \
    PTR(virDomainGetXMLDesc(c->rodom, VIR_DOMAIN_XML_SECURE), VIR_ERR_OPERATION_DENIED, \
        VIR_FROM_DOMAIN, ON_RO, "operation forbidden: virDomainGetXMLDesc with secure flag") \
    PTR(virDomainGetXMLDesc(c->rodom, VIR_DOMAIN_XML_MIGRATABLE), VIR_ERR_OPERATION_DENIED, \
        VIR_FROM_DOMAIN, ON_RO, "operation forbidden: virDomainGetXMLDesc with secure flag") \
    /* a driver without the entry */ \
    INT(virConnectGetVersion(c->econn, &ul), NOSUP(virConnectGetVersion)) \
    PTR(virConnectGetHostname(c->econn), NOSUP(virConnectGetHostname)) \
    PTR(virConnectGetCapabilities(c->econn), NOSUP(virConnectGetCapabilities)) \
    PTR(virConnectGetDomainCapabilities(c->econn, NULL, NULL, NULL, NULL, 0), \
        NOSUP(virConnectGetDomainCapabilities)) \
    INT(virConnectGetMaxVcpus(c->econn, NULL), NOSUP(virConnectGetMaxVcpus)) \
    INT(virConnectIsAlive(c->econn), NOSUP(virConnectIsAlive)) \
    INT(virConnectSetKeepAlive(c->econn, 5, 3), NOSUP(virConnectSetKeepAlive)) \
    INT(virConnectIsSecure(c->econn), NOSUP(virConnectIsSecure)) \
    INT(virConnectIsEncrypted(c->econn), NOSUP(virConnectIsEncrypted)) \
    INT(virNodeGetInfo(c->econn, &ni), NOSUP(virNodeGetInfo)) \
    INT(virNodeGetSecurityModel(c->econn, &sm), NOSUP(virNodeGetSecurityModel)) \
    ZERO(virNodeGetFreeMemory(c->econn), NOSUP(virNodeGetFreeMemory)) \
    INT(virConnectListAllDomains(c->econn, &doms, 0), NOSUP(virConnectListAllDomains)) \
    INT(virtkitConnectListAllDomainRecords(c->econn, 0, &drecs), \
        NOSUP(virConnectListAllDomains)) \
    INT(virConnectNumOfDomains(c->econn), NOSUP(virConnectNumOfDomains)) \
    INT(virConnectListDomains(c->econn, ids, 4), NOSUP(virConnectListDomains)) \
    INT(virConnectNumOfDefinedDomains(c->econn), NOSUP(virConnectNumOfDefinedDomains)) \
    INT(virConnectListDefinedDomains(c->econn, names, 4), \
        NOSUP(virConnectListDefinedDomains)) \
    PTR(virDomainLookupByName(c->econn, "mock"), NOSUP(virDomainLookupByName)) \
    PTR(virDomainLookupByUUID(c->econn, uuid), NOSUP(virDomainLookupByUUID)) \
    PTR(virDomainLookupByUUIDString(c->econn, MOCK_UUID_STR), \
        NOSUP(virDomainLookupByUUID)) \
    PTR(virDomainLookupByID(c->econn, 1), NOSUP(virDomainLookupByID)) \
    PTR(virDomainDefineXML(c->econn, xml), NOSUP(virDomainDefineXML)) \
    PTR(virDomainDefineXMLFlags(c->econn, xml, 0), NOSUP(virDomainDefineXMLFlags)) \
    PTR(virDomainCreateXML(c->econn, xml, 0), NOSUP(virDomainCreateXML)) \
    INT(virConnectDomainEventRegister(c->econn, lifecb, NULL, NULL), \
        NOSUP(virConnectDomainEventRegister)) \
    INT(virConnectDomainEventDeregister(c->econn, lifecb), \
        NOSUP(virConnectDomainEventDeregister)) \
    INT(virConnectDomainEventRegisterAny(c->econn, NULL, 0, gencb, NULL, NULL), \
        NOSUP(virConnectDomainEventRegisterAny)) \
    INT(virConnectDomainEventDeregisterAny(c->econn, 0), \
        NOSUP(virConnectDomainEventDeregisterAny)) \
    INT(virDomainUndefine(c->edom), NOSUP(virDomainUndefine)) \
    INT(virDomainUndefineFlags(c->edom, 0), NOSUP(virDomainUndefineFlags)) \
    INT(virDomainCreate(c->edom), NOSUP(virDomainCreate)) \
    INT(virDomainCreateWithFlags(c->edom, 0), NOSUP(virDomainCreateWithFlags)) \
    INT(virDomainDestroy(c->edom), NOSUP(virDomainDestroy)) \
    INT(virDomainDestroyFlags(c->edom, 0), NOSUP(virDomainDestroyFlags)) \
    INT(virDomainShutdown(c->edom), NOSUP(virDomainShutdown)) \
    INT(virDomainShutdownFlags(c->edom, 0), NOSUP(virDomainShutdownFlags)) \
    INT(virDomainReboot(c->edom, 0), NOSUP(virDomainReboot)) \
    INT(virDomainReset(c->edom, 0), NOSUP(virDomainReset)) \
    INT(virDomainSuspend(c->edom), NOSUP(virDomainSuspend)) \
    INT(virDomainResume(c->edom), NOSUP(virDomainResume)) \
    INT(virDomainGetInfo(c->edom, &di), NOSUP(virDomainGetInfo)) \
    INT(virDomainGetState(c->edom, &st, &rs, 0), NOSUP(virDomainGetState)) \
    PTR(virDomainGetXMLDesc(c->edom, 0), NOSUP(virDomainGetXMLDesc)) \
    PTR(virDomainGetOSType(c->edom), NOSUP(virDomainGetOSType)) \
    ZERO(virDomainGetMaxMemory(c->edom), NOSUP(virDomainGetMaxMemory)) \
    INT(virDomainSetMemory(c->edom, 1024), NOSUP(virDomainSetMemory)) \
    INT(virDomainSetMemoryFlags(c->edom, 1024, 0), NOSUP(virDomainSetMemoryFlags)) \
    INT(virDomainSetMaxMemory(c->edom, 1024), NOSUP(virDomainSetMaxMemory)) \
    INT(virDomainSetVcpus(c->edom, 1), NOSUP(virDomainSetVcpus)) \
    INT(virDomainSetVcpusFlags(c->edom, 1, 0), NOSUP(virDomainSetVcpusFlags)) \
    INT(virDomainGetVcpusFlags(c->edom, 0), NOSUP(virDomainGetVcpusFlags)) \
    INT(virDomainGetMaxVcpus(c->edom), NOSUP(virDomainGetMaxVcpus)) \
    INT(virDomainIsActive(c->edom), NOSUP(virDomainIsActive)) \
    INT(virDomainIsPersistent(c->edom), NOSUP(virDomainIsPersistent)) \
    INT(virDomainIsUpdated(c->edom), NOSUP(virDomainIsUpdated)) \
    INT(virDomainGetAutostart(c->edom, &st), NOSUP(virDomainGetAutostart)) \
    INT(virDomainSetAutostart(c->edom, 1), NOSUP(virDomainSetAutostart)) \
    INT(virDomainHasManagedSaveImage(c->edom, 0), NOSUP(virDomainHasManagedSaveImage)) \
    INT(virDomainSave(c->edom, "/x"), NOSUP(virDomainSave)) \
    INT(virDomainSaveFlags(c->edom, "/x", NULL, 0), NOSUP(virDomainSaveFlags)) \
    INT(virDomainRestore(c->econn, "/x"), NOSUP(virDomainRestore)) \
    INT(virDomainRestoreFlags(c->econn, "/x", NULL, 0), NOSUP(virDomainRestoreFlags)) \
    PTR(virDomainSaveImageGetXMLDesc(c->econn, "/x", 0), NOSUP(virDomainSaveImageGetXMLDesc)) \
    INT(virDomainSaveImageDefineXML(c->econn, "/x", "<a/>", 0), \
        NOSUP(virDomainSaveImageDefineXML)) \
    INT(virDomainManagedSave(c->edom, 0), NOSUP(virDomainManagedSave)) \
    INT(virDomainManagedSaveRemove(c->edom, 0), NOSUP(virDomainManagedSaveRemove)) \
    INT(virDomainGetSecurityLabel(c->edom, &sl), NOSUP(virDomainGetSecurityLabel)) \
    PTR(virDomainGetMetadata(c->edom, 0, NULL, 0), NOSUP(virDomainGetMetadata)) \
    INT(virDomainSetMetadata(c->edom, 0, "x", NULL, NULL, 0), NOSUP(virDomainSetMetadata)) \
    INT(virDomainGetJobInfo(c->edom, &ji), NOSUP(virDomainGetJobInfo)) \
    INT(virDomainGetJobStats(c->edom, &type, &params, &nparams, 0), \
        NOSUP(virDomainGetJobStats)) \
    INT(virDomainAbortJob(c->edom), NOSUP(virDomainAbortJob)) \
    STATS_CASES(INT, PTR, ZERO, UID) \
    /* streams (libvirt 9.0's answers for the same calls on test:///default) */ \
    PTR(virStreamNew(NULL, 0), VIR_ERR_INVALID_CONN, VIR_FROM_STREAMS, ON_NONE, \
        "invalid connection pointer in virStreamNew") \
    INT(virStreamRef(NULL), INVSTREAM(virStreamRef)) \
    INT(virStreamSend(NULL, "x", 1), INVSTREAM(virStreamSend)) \
    INT(virStreamSend(c->s, NULL, 1), STNULL(data, virStreamSend)) \
    INT(virStreamSend(c->s, "x", 1), STNOSUP(virStreamSend)) \
    INT(virStreamRecv(NULL, buf, 1), INVSTREAM(virStreamRecv)) \
    INT(virStreamRecv(c->s, NULL, 1), STNULL(data, virStreamRecv)) \
    INT(virStreamRecv(c->s, buf, 1), STNOSUP(virStreamRecv)) \
    INT(virStreamRecvFlags(NULL, buf, 1, 0), INVSTREAM(virStreamRecvFlags)) \
    INT(virStreamRecvFlags(c->s, buf, 1, 0), STNOSUP(virStreamRecvFlags)) \
    INT(virStreamSendAll(NULL, NULL, NULL), INVSTREAM(virStreamSendAll)) \
    INT(virStreamSendAll(c->s, NULL, NULL), STNULL(handler, virStreamSendAll)) \
    INT(virStreamSendAll(c->nbs, source, NULL), VIR_ERR_OPERATION_INVALID, VIR_FROM_STREAMS, \
        ON_CONN, "Requested operation is not valid: data sources cannot be used for " \
        "non-blocking streams") \
    INT(virStreamRecvAll(NULL, NULL, NULL), INVSTREAM(virStreamRecvAll)) \
    INT(virStreamRecvAll(c->s, NULL, NULL), STNULL(handler, virStreamRecvAll)) \
    INT(virStreamRecvAll(c->nbs, sink, NULL), VIR_ERR_OPERATION_INVALID, VIR_FROM_STREAMS, \
        ON_CONN, "Requested operation is not valid: data sinks cannot be used for " \
        "non-blocking streams") \
    INT(virStreamEventAddCallback(NULL, 1, stcb, NULL, NULL), \
        INVSTREAM(virStreamEventAddCallback)) \
    INT(virStreamEventAddCallback(c->s, 1, stcb, NULL, NULL), \
        STNOSUP(virStreamEventAddCallback)) \
    INT(virStreamEventUpdateCallback(NULL, 1), INVSTREAM(virStreamEventUpdateCallback)) \
    INT(virStreamEventUpdateCallback(c->s, 1), STNOSUP(virStreamEventUpdateCallback)) \
    INT(virStreamEventRemoveCallback(NULL), INVSTREAM(virStreamEventRemoveCallback)) \
    INT(virStreamEventRemoveCallback(c->s), STNOSUP(virStreamEventRemoveCallback)) \
    INT(virStreamFinish(NULL), INVSTREAM(virStreamFinish)) \
    INT(virStreamFinish(c->s), STNOSUP(virStreamFinish)) \
    INT(virStreamAbort(NULL), INVSTREAM(virStreamAbort)) \
    INT(virStreamFree(NULL), INVSTREAM(virStreamFree)) \
    PTR(virDomainScreenshot(NULL, c->s, 0, 0), INVDOM(virDomainScreenshot)) \
    PTR(virDomainScreenshot(c->dom, NULL, 0, 0), VIR_ERR_INVALID_STREAM, VIR_FROM_STREAMS, \
        ON_CONN, "invalid stream pointer in virDomainScreenshot") \
    PTR(virDomainScreenshot(c->rodom, c->s, 0, 0), RO(virDomainScreenshot)) \
    PTR(virDomainScreenshot(c->dom, c->ros, 0, 0), VIR_ERR_INVALID_ARG, VIR_FROM_DOMAIN, \
        ON_CONN, "stream must match connection of domain 'mock'") \
    PTR(virDomainScreenshot(c->edom, c->es, 0, 0), NOSUP(virDomainScreenshot)) \
    INT(virDomainOpenConsole(NULL, NULL, c->s, 0), INVDOM(virDomainOpenConsole)) \
    INT(virDomainOpenConsole(c->dom, NULL, NULL, 0), VIR_ERR_INVALID_STREAM, VIR_FROM_STREAMS, \
        ON_CONN, "invalid stream pointer in virDomainOpenConsole") \
    INT(virDomainOpenConsole(c->rodom, NULL, c->s, 0), RO(virDomainOpenConsole)) \
    INT(virDomainOpenConsole(c->dom, NULL, c->ros, 0), VIR_ERR_INVALID_ARG, VIR_FROM_DOMAIN, \
        ON_CONN, "stream must match connection of domain 'mock'") \
    INT(virDomainOpenConsole(c->edom, NULL, c->es, 0), NOSUP(virDomainOpenConsole)) \
    /* migration (observed with Debian's libvirt 9.0, test:///default) */ \
    PTR(virDomainMigrate(NULL, c->conn, 0, NULL, NULL, 0), INVDOM(virDomainMigrate)) \
    PTR(virDomainMigrate(c->dom, NULL, 0, NULL, NULL, 0), \
        VIR_ERR_INVALID_CONN, VIR_FROM_DOMAIN, ON_CONN, \
        "invalid connection pointer in virDomainMigrate") \
    PTR(virDomainMigrate(c->rodom, c->conn, 0, NULL, NULL, 0), RO(virDomainMigrate)) \
    PTR(virDomainMigrate(c->dom, c->ro, 0, NULL, NULL, 0), \
        VIR_ERR_OPERATION_DENIED, VIR_FROM_DOMAIN, ON_CONN, \
        "operation forbidden: read only access prevents virDomainMigrate") \
    PTR(virDomainMigrate(c->dom, c->conn, \
                         VIR_MIGRATE_NON_SHARED_DISK | VIR_MIGRATE_NON_SHARED_INC, \
                         NULL, NULL, 0), \
        EXCL(VIR_MIGRATE_NON_SHARED_DISK, VIR_MIGRATE_NON_SHARED_INC)) \
    PTR(virDomainMigrate(c->dom, c->conn, VIR_MIGRATE_TUNNELLED, NULL, NULL, 0), \
        VIR_ERR_OPERATION_INVALID, VIR_FROM_DOMAIN, ON_CONN, \
        "Requested operation is not valid: cannot perform tunnelled migration without " \
        "using peer2peer flag") \
    PTR(virDomainMigrate2(NULL, c->conn, NULL, 0, NULL, NULL, 0), INVDOM(virDomainMigrate2)) \
    PTR(virDomainMigrate2(c->dom, NULL, NULL, 0, NULL, NULL, 0), \
        VIR_ERR_INVALID_CONN, VIR_FROM_DOMAIN, ON_CONN, \
        "invalid connection pointer in virDomainMigrate2") \
    PTR(virDomainMigrate2(c->rodom, c->conn, NULL, 0, NULL, NULL, 0), \
        RO(virDomainMigrate2)) \
    PTR(virDomainMigrate2(c->dom, c->ro, NULL, 0, NULL, NULL, 0), \
        VIR_ERR_OPERATION_DENIED, VIR_FROM_DOMAIN, ON_CONN, \
        "operation forbidden: read only access prevents virDomainMigrate2") \
    PTR(virDomainMigrate2(c->dom, c->conn, NULL, \
                          VIR_MIGRATE_NON_SHARED_DISK | VIR_MIGRATE_NON_SHARED_INC, \
                          NULL, NULL, 0), \
        EXCL(VIR_MIGRATE_NON_SHARED_DISK, VIR_MIGRATE_NON_SHARED_INC)) \
    PTR(virDomainMigrate3(NULL, c->conn, NULL, 0, 0), INVDOM(virDomainMigrate3)) \
    PTR(virDomainMigrate3(c->rodom, c->conn, NULL, 0, 0), RO(virDomainMigrate3)) \
    PTR(virDomainMigrate3(c->dom, c->ro, NULL, 0, 0), \
        VIR_ERR_OPERATION_DENIED, VIR_FROM_DOMAIN, ON_CONN, \
        "operation forbidden: read only access prevents virDomainMigrate3") \
    PTR(virDomainMigrate3(c->dom, c->conn, NULL, 0, \
                          VIR_MIGRATE_NON_SHARED_DISK | VIR_MIGRATE_NON_SHARED_INC), \
        EXCL(VIR_MIGRATE_NON_SHARED_DISK, VIR_MIGRATE_NON_SHARED_INC)) \
    PTR(virDomainMigrate3(c->dom, c->conn, NULL, 0, VIR_MIGRATE_TUNNELLED), \
        VIR_ERR_INVALID_ARG, VIR_FROM_DOMAIN, ON_CONN, \
        "cannot perform tunnelled migration without using peer2peer flag") \
    INT(virDomainMigrateToURI(NULL, "x", 0, NULL, 0), INVDOM(virDomainMigrateToURI)) \
    INT(virDomainMigrateToURI(c->rodom, "x", 0, NULL, 0), RO(virDomainMigrateToURI)) \
    INT(virDomainMigrateToURI(c->dom, NULL, VIR_MIGRATE_PEER2PEER, NULL, 0), \
        NULLARG(ON_CONN, duri, virDomainMigrateToURI)) \
    INT(virDomainMigrateToURI(c->dom, NULL, 0, NULL, 0), \
        NULLARG(ON_CONN, duri, virDomainMigrateToURI)) \
    INT(virDomainMigrateToURI(c->dom, "x", \
                              VIR_MIGRATE_NON_SHARED_DISK | VIR_MIGRATE_NON_SHARED_INC, \
                              NULL, 0), \
        EXCL(VIR_MIGRATE_NON_SHARED_DISK, VIR_MIGRATE_NON_SHARED_INC)) \
    /* parallel connections cannot be tunnelled: where each variant checks it */ \
    PTR(virDomainMigrate(c->dom, c->conn, VIR_MIGRATE_TUNNELLED | VIR_MIGRATE_PARALLEL, \
                         NULL, NULL, 0), \
        EXCL(VIR_MIGRATE_TUNNELLED, VIR_MIGRATE_PARALLEL)) \
    PTR(virDomainMigrate(c->dom, c->conn, VIR_MIGRATE_TUNNELLED | VIR_MIGRATE_PARALLEL | \
                         VIR_MIGRATE_NON_SHARED_DISK | VIR_MIGRATE_NON_SHARED_INC, \
                         NULL, NULL, 0), \
        EXCL(VIR_MIGRATE_NON_SHARED_DISK, VIR_MIGRATE_NON_SHARED_INC)) \
    PTR(virDomainMigrate2(c->dom, c->conn, NULL, VIR_MIGRATE_TUNNELLED | VIR_MIGRATE_PARALLEL | \
                          VIR_MIGRATE_PEER2PEER, NULL, NULL, 0), \
        EXCL(VIR_MIGRATE_TUNNELLED, VIR_MIGRATE_PARALLEL)) \
    PTR(virDomainMigrate3(c->dom, c->conn, NULL, 0, \
                          VIR_MIGRATE_TUNNELLED | VIR_MIGRATE_PARALLEL), \
        VIR_ERR_INVALID_ARG, VIR_FROM_DOMAIN, ON_CONN, \
        "cannot perform tunnelled migration without using peer2peer flag") \
    INT(virDomainMigrateToURI(c->dom, "x", VIR_MIGRATE_TUNNELLED | VIR_MIGRATE_PARALLEL | \
                              VIR_MIGRATE_NON_SHARED_DISK | VIR_MIGRATE_NON_SHARED_INC, \
                              NULL, 0), \
        EXCL(VIR_MIGRATE_TUNNELLED, VIR_MIGRATE_PARALLEL)) \
    INT(virDomainMigrateToURI2(c->dom, "x", NULL, NULL, VIR_MIGRATE_TUNNELLED | \
                               VIR_MIGRATE_PARALLEL | VIR_MIGRATE_PEER2PEER, NULL, 0), \
        EXCL(VIR_MIGRATE_TUNNELLED, VIR_MIGRATE_PARALLEL)) \
    INT(virDomainMigrateToURI3(c->dom, "x", NULL, 0, \
                               VIR_MIGRATE_TUNNELLED | VIR_MIGRATE_PARALLEL), \
        EXCL(VIR_MIGRATE_TUNNELLED, VIR_MIGRATE_PARALLEL)) \
    INT(virDomainMigrateToURI2(NULL, "x", NULL, NULL, 0, NULL, 0), \
        INVDOM(virDomainMigrateToURI2)) \
    INT(virDomainMigrateToURI2(c->rodom, "x", NULL, NULL, 0, NULL, 0), \
        RO(virDomainMigrateToURI2)) \
    INT(virDomainMigrateToURI3(NULL, "x", NULL, 0, 0), INVDOM(virDomainMigrateToURI3)) \
    INT(virDomainMigrateToURI3(c->rodom, "x", NULL, 0, 0), RO(virDomainMigrateToURI3)) \
    INT(virDomainMigrateSetMaxSpeed(NULL, 1, 0), INVDOM(virDomainMigrateSetMaxSpeed)) \
    INT(virDomainMigrateSetMaxSpeed(c->rodom, 1, 0), RO(virDomainMigrateSetMaxSpeed)) \
    INT(virDomainMigrateSetMaxSpeed(c->edom, 1, 0), NOSUP(virDomainMigrateSetMaxSpeed)) \
    INT(virDomainMigrateGetMaxSpeed(NULL, &ul, 0), INVDOM(virDomainMigrateGetMaxSpeed)) \
    INT(virDomainMigrateGetMaxSpeed(c->dom, NULL, 0), \
        NULLARG(ON_CONN, bandwidth, virDomainMigrateGetMaxSpeed)) \
    INT(virDomainMigrateGetMaxSpeed(c->rodom, &ul, 0), RO(virDomainMigrateGetMaxSpeed)) \
    INT(virDomainMigrateGetMaxSpeed(c->edom, &ul, 0), NOSUP(virDomainMigrateGetMaxSpeed)) \
    INT(virDomainMigrateSetMaxDowntime(NULL, 1, 0), INVDOM(virDomainMigrateSetMaxDowntime)) \
    INT(virDomainMigrateSetMaxDowntime(c->rodom, 1, 0), RO(virDomainMigrateSetMaxDowntime)) \
    INT(virDomainMigrateSetMaxDowntime(c->edom, 1, 0), \
        NOSUP(virDomainMigrateSetMaxDowntime)) \
    INT(virDomainMigrateGetMaxDowntime(NULL, &ull, 0), INVDOM(virDomainMigrateGetMaxDowntime)) \
    INT(virDomainMigrateGetMaxDowntime(c->dom, NULL, 0), \
        NULLARG(ON_CONN, downtime, virDomainMigrateGetMaxDowntime)) \
    INT(virDomainMigrateGetMaxDowntime(c->edom, &ull, 0), \
        NOSUP(virDomainMigrateGetMaxDowntime)) \
    INT(virDomainMigrateGetCompressionCache(NULL, &ull, 0), \
        INVDOM(virDomainMigrateGetCompressionCache)) \
    INT(virDomainMigrateGetCompressionCache(c->dom, NULL, 0), \
        NULLARG(ON_CONN, cacheSize, virDomainMigrateGetCompressionCache)) \
    INT(virDomainMigrateGetCompressionCache(c->edom, &ull, 0), \
        NOSUP(virDomainMigrateGetCompressionCache)) \
    INT(virDomainMigrateSetCompressionCache(NULL, 1, 0), \
        INVDOM(virDomainMigrateSetCompressionCache)) \
    INT(virDomainMigrateSetCompressionCache(c->rodom, 1, 0), \
        RO(virDomainMigrateSetCompressionCache)) \
    INT(virDomainMigrateSetCompressionCache(c->edom, 1, 0), \
        NOSUP(virDomainMigrateSetCompressionCache)) \
    INT(virDomainAbortJobFlags(NULL, 0), INVDOM(virDomainAbortJobFlags)) \
    INT(virDomainAbortJobFlags(c->rodom, 0), RO(virDomainAbortJobFlags)) \
    INT(virDomainAbortJobFlags(c->edom, 0), NOSUP(virDomainAbortJobFlags)) \
    INT(virDomainMigrateStartPostCopy(NULL, 0), INVDOM(virDomainMigrateStartPostCopy)) \
    INT(virDomainMigrateStartPostCopy(c->rodom, 0), RO(virDomainMigrateStartPostCopy)) \
    INT(virDomainMigrateStartPostCopy(c->edom, 0), NOSUP(virDomainMigrateStartPostCopy)) \
    /* the steps virtkitd dispatches (src/api/migrate_steps.h): libvirt 9.0's \
     * internal virDomainMigrate*3Params, probed through LIBVIRT_PRIVATE_9.0.0 */ \
    PTR(virtkitDomainMigrateBegin3Params(NULL, NULL, 0, &cookie, &cookielen, 0), \
        INVDOM(virDomainMigrateBegin3Params)) \
    PTR(virtkitDomainMigrateBegin3Params(c->rodom, NULL, 0, &cookie, &cookielen, 0), \
        RO(virDomainMigrateBegin3Params)) \
    PTR(virtkitDomainMigrateBegin3Params(c->edom, NULL, 0, &cookie, &cookielen, 0), \
        NOSUP(virDomainMigrateBegin3Params)) \
    INT(virtkitDomainMigratePrepare3Params(NULL, NULL, 0, NULL, 0, &cookie, &cookielen, \
                                           &uriout, 0), \
        VIR_ERR_INVALID_CONN, VIR_FROM_DOMAIN, ON_NONE, \
        "invalid connection pointer in virDomainMigratePrepare3Params") \
    INT(virtkitDomainMigratePrepare3Params(c->ro, NULL, 0, NULL, 0, &cookie, &cookielen, \
                                           &uriout, 0), \
        RO(virDomainMigratePrepare3Params)) \
    INT(virtkitDomainMigratePrepare3Params(c->econn, NULL, 0, NULL, 0, &cookie, &cookielen, \
                                           &uriout, 0), \
        NOSUP(virDomainMigratePrepare3Params)) \
    INT(virtkitDomainMigratePerform3Params(NULL, NULL, NULL, 0, NULL, 0, &cookie, &cookielen, \
                                           0), \
        INVDOM(virDomainMigratePerform3Params)) \
    INT(virtkitDomainMigratePerform3Params(c->rodom, NULL, NULL, 0, NULL, 0, &cookie, \
                                           &cookielen, 0), \
        RO(virDomainMigratePerform3Params)) \
    INT(virtkitDomainMigratePerform3Params(c->edom, NULL, NULL, 0, NULL, 0, &cookie, \
                                           &cookielen, 0), \
        NOSUP(virDomainMigratePerform3Params)) \
    PTR(virtkitDomainMigrateFinish3Params(NULL, NULL, 0, NULL, 0, &cookie, &cookielen, 0, 0), \
        VIR_ERR_INVALID_CONN, VIR_FROM_DOMAIN, ON_NONE, \
        "invalid connection pointer in virDomainMigrateFinish3Params") \
    PTR(virtkitDomainMigrateFinish3Params(c->ro, NULL, 0, NULL, 0, &cookie, &cookielen, 0, 0), \
        RO(virDomainMigrateFinish3Params)) \
    PTR(virtkitDomainMigrateFinish3Params(c->econn, NULL, 0, NULL, 0, &cookie, &cookielen, 0, \
                                          0), \
        NOSUP(virDomainMigrateFinish3Params)) \
    INT(virtkitDomainMigrateConfirm3Params(NULL, NULL, 0, NULL, 0, 0, 0), \
        INVDOM(virDomainMigrateConfirm3Params)) \
    INT(virtkitDomainMigrateConfirm3Params(c->rodom, NULL, 0, NULL, 0, 0, 0), \
        RO(virDomainMigrateConfirm3Params)) \
    INT(virtkitDomainMigrateConfirm3Params(c->edom, NULL, 0, NULL, 0, 0, 0), \
        NOSUP(virDomainMigrateConfirm3Params))

typedef struct {
    const char *call;
    int code;
    int domain;
    int on;
    const char *message;
} EntryCase;

/* Two levels, so that INVCONN(...) and friends expand to their four fields. */
#define ROW(call, ...) ROW_(#call, __VA_ARGS__)
#define ROW_(text, code, domain, on, msg) { text, code, domain, on, msg },
static const EntryCase entryCases[] = {
    CASES(ROW, ROW, ROW, ROW)
};

/*
 * Runs case @idx; returns true when the call returned its failure value.
 */
static bool
entryRun(size_t idx, Ctx *c)
{
    size_t i = 0;
    unsigned long ul = 0;
    unsigned long long ull = 0;
    char *cookie = NULL;
    int cookielen = 0;
    char *uriout = NULL;
    virNodeInfo ni;
    virSecurityModel sm;
    virDomainPtr *doms = NULL;
    DomainRecords *drecs = NULL;
    int ids[4];
    char *names[4];
    unsigned char uuid[VIR_UUID_BUFLEN] = { 0 };
    char uuidstr[VIR_UUID_STRING_BUFLEN];
    virDomainInfo di;
    int st = 0;
    int rs = 0;
    virDomainJobInfo ji;
    virTypedParameterPtr params = NULL;
    int nparams = 0;
    int type = 0;
    virSecurityLabel sl;
    const char *xml = "<domain/>";
    virVcpuInfo vi[1];
    unsigned char cpumap[1];
    virDomainBlockStatsStruct bs;
    virDomainInterfaceStatsStruct ifs;
    virDomainMemoryStatStruct ms[1];
    virDomainBlockInfo bi;
    virDomainStatsRecordPtr *recs = NULL;
    virDomainPtr nodoms[1] = { NULL };
    virDomainPtr edoms[2] = { c->edom, NULL };
    int npneg = -1;
    int np2 = 2;
    char buf[4];

#define RUN_INT(call, ...) if (idx == i++) return (call) == -1;
#define RUN_PTR(call, ...) if (idx == i++) return (call) == NULL;
#define RUN_ZERO(call, ...) if (idx == i++) return (call) == 0;
#define RUN_UID(call, ...) if (idx == i++) return (call) == (unsigned int)-1;
    CASES(RUN_INT, RUN_PTR, RUN_ZERO, RUN_UID)
    g_assert_not_reached();
}

static int handlerCalls;
static int handlerCode;

static void
entryHandler(void *userData, virErrorPtr err)
{
    handlerCalls++;
    handlerCode = err->code;
}

static void
entryTestCase(gconstpointer data)
{
    const EntryCase *tc = data;
    Ctx *c = NULL;
    virErrorPtr err = NULL;
    virConnectPtr on = NULL;
    static Ctx ctx;
    static bool ready;

    if (!ready) {
        mockDriverRegister();
        ctx.conn = virConnectOpen("mock:///");
        ctx.ro = virConnectOpenReadOnly("mock:///");
        ctx.econn = virConnectOpen("mockempty:///");
        g_assert_nonnull(ctx.conn);
        g_assert_nonnull(ctx.ro);
        g_assert_nonnull(ctx.econn);
        ctx.dom = virDomainLookupByName(ctx.conn, "mock");
        ctx.rodom = virDomainLookupByName(ctx.ro, "mock");
        ctx.edom = domainHandleNew(ctx.econn, "mock", mockDriverUUID(), 1);
        g_assert_nonnull(ctx.dom);
        g_assert_nonnull(ctx.rodom);
        ctx.s = virStreamNew(ctx.conn, 0);
        ctx.ros = virStreamNew(ctx.ro, 0);
        ctx.es = virStreamNew(ctx.econn, 0);
        ctx.nbs = virStreamNew(ctx.conn, VIR_STREAM_NONBLOCK);
        g_assert_nonnull(ctx.s);
        g_assert_nonnull(ctx.nbs);
        virSetErrorFunc(NULL, entryHandler);
        ready = true;
    }
    c = &ctx;

    virConnResetLastError(c->conn);
    virConnResetLastError(c->ro);
    virConnResetLastError(c->econn);
    handlerCalls = 0;

    if (!entryRun(tc - entryCases, c))
        g_error("%s: did not return its failure value", tc->call);
    if (!(err = virGetLastError()))
        g_error("%s: no error set", tc->call);
    if (err->code != tc->code || err->domain != tc->domain ||
        g_strcmp0(err->message, tc->message) != 0)
        g_error("%s:\n expected code %d domain %d '%s'\n got      code %d domain %d '%s'",
                tc->call, tc->code, tc->domain, tc->message,
                err->code, err->domain, err->message);
    if (err->level != VIR_ERR_ERROR)
        g_error("%s: level %d", tc->call, err->level);
    if (handlerCalls != 1 || handlerCode != tc->code)
        g_error("%s: handler called %d times (code %d)", tc->call,
                handlerCalls, handlerCode);

    switch (tc->on) {
    case ON_CONN: on = c->conn; break;
    case ON_RO: on = c->ro; break;
    case ON_EMPTY: on = c->econn; break;
    default: break;
    }
    if (on && virConnGetLastError(on)->code != tc->code)
        g_error("%s: connection error code %d, expected %d", tc->call,
                virConnGetLastError(on)->code, tc->code);
}

/*
 * virtkitd's listing for a driver without connectListAllDomainRecords
 * (the mock): its connectListAllDomains, flags passed on, handles read
 * into records.
 */
static void
recordsFromHandles(void)
{
    virConnectPtr conn = NULL;
    DomainRecords *records = NULL;

    mockDriverRegister();
    conn = virConnectOpen("mock:///");
    g_assert_nonnull(conn);
    g_assert_cmpint(virtkitConnectListAllDomainRecords(conn, VIR_CONNECT_LIST_DOMAINS_ACTIVE,
                                                       &records), ==, 1);
    g_assert_cmpuint(mockDriverLastFlags(), ==, VIR_CONNECT_LIST_DOMAINS_ACTIVE);
    g_assert_nonnull(records);
    g_assert_cmpuint(records->n, ==, 1);
    g_assert_cmpstr(records->records[0].name, ==, "mock");
    g_assert_cmpuint(records->records[0].nameLen, ==, 4);
    g_assert_cmpmem(records->records[0].uuid, VIR_UUID_BUFLEN, mockDriverUUID(), VIR_UUID_BUFLEN);
    g_assert_cmpint(records->records[0].id, ==, 1);
    virtkitDomainRecordsFree(records);
    virConnectClose(conn);
}

int
main(int argc, char **argv)
{
    size_t i;

    g_test_init(&argc, &argv, NULL);
    for (i = 0; i < G_N_ELEMENTS(entryCases); i++) {
        g_autofree char *path = g_strdup_printf("/api/entry/%03zu", i);

        g_test_add_data_func(path, &entryCases[i], entryTestCase);
    }
    g_test_add_func("/api/entry/records-from-handles", recordsFromHandles);
    return g_test_run();
}
