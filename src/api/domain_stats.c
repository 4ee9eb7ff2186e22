/* The common body of the drivers' bulk statistics (virConnectGetAllDomainStats). */
#define ERR_DOMAIN VIR_FROM_DOMAIN

#include "api/domain_stats.h"
#include "api/datatypes.h"
#include "api/domain_export.h"
#include "util/error.h"
#include "util/mac.h"
#include "util/str.h"

/**
 * domainStatsCheckGroups:
 * @stats: in: the groups asked for (0: all); out: the groups to collect
 * @supported: the groups the driver has
 * @flags: the API's flags (only ENFORCE_STATS matters here)
 * @errDomain: the driver's VIR_FROM_* for the error
 *
 * As libvirt's drivers: groups a driver lacks are silently left out,
 * unless ENFORCE_STATS asks to fail on them.
 *
 * Returns: 0, or -1 with VIR_ERR_ARGUMENT_UNSUPPORTED naming the bits.
 */
int
domainStatsCheckGroups(int errDomain, unsigned int *stats, unsigned int supported,
                       unsigned int flags)
{
    if (*stats == 0) {
        *stats = supported;
        return 0;
    }
    if ((flags & VIR_CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS) && (*stats & ~supported)) {
        errorReport(errDomain, VIR_ERR_ARGUMENT_UNSUPPORTED, __FILE__, __func__, __LINE__,
                    _("Stats types bits 0x%1$x are not supported by this daemon"),
                    *stats & ~supported);
        return -1;
    }
    *stats &= supported;
    return 0;
}

typedef struct {
    virConnectPtr conn;
    unsigned int stats;
    unsigned int flags;
    DomainStatsFillFunc fill;
    void *opaque;
    GPtrArray *recs;        /* virDomainStatsRecordPtr */
    int failed;
} DomainStatsData;

static void
domainStatsOne(DomainObj *vm, void *opaque)
{
    DomainStatsData *data = opaque;
    virDomainStatsRecordPtr rec;
    int maxparams = 0;

    if (data->failed || !domainObjMatchesListFlags(vm, data->flags))
        return;
    rec = g_new0(virDomainStatsRecord, 1);
    if (data->fill(vm, data->stats, &rec->params, &rec->nparams, &maxparams,
                   data->opaque) < 0) {
        virTypedParamsFree(rec->params, rec->nparams);
        g_free(rec);
        data->failed = 1;
        return;
    }
    rec->dom = domainObjHandleNew(data->conn, vm);
    g_ptr_array_add(data->recs, rec);
}

/**
 * domainStatsCollect:
 * @list: the driver's domains
 * @conn: the connection the returned handles belong to
 * @doms: the domains asked for (virDomainListGetStats), or NULL for all
 * @ndoms: their number
 * @stats: the groups to collect (after domainStatsCheckGroups)
 * @flags: the API's flags; the list filters apply to both APIs
 * @fill: fills one domain's parameters
 * @opaque: passed to @fill
 * @retStats: where to store the NULL-terminated records (caller frees
 *            them with virDomainStatsRecordListFree)
 *
 * A domain of @doms that no longer exists is skipped (it went away
 * between the caller's lookup and this call), as libvirt does.
 *
 * Returns: the number of records, or -1 with an error reported.
 */
int
domainStatsCollect(DomainObjList *list, virConnectPtr conn, virDomainPtr *doms,
                   unsigned int ndoms, unsigned int stats, unsigned int flags,
                   DomainStatsFillFunc fill, void *opaque,
                   virDomainStatsRecordPtr **retStats)
{
    DomainStatsData data = { conn, stats, flags, fill, opaque, NULL, 0 };
    unsigned int i;
    int n;

    data.recs = g_ptr_array_new();
    if (doms) {
        for (i = 0; i < ndoms && !data.failed; i++) {
            DomainObj *vm = domainObjListFindByUUID(list, doms[i]->uuid);

            if (!vm)
                continue;
            domainStatsOne(vm, &data);
            domainObjEndAPI(&vm);
        }
    } else {
        domainObjListForEach(list, domainStatsOne, &data);
    }
    n = (int)data.recs->len;
    g_ptr_array_add(data.recs, NULL);
    if (data.failed) {
        virDomainStatsRecordListFree((virDomainStatsRecordPtr *)g_ptr_array_free(data.recs,
                                                                                 FALSE));
        return -1;
    }
    *retStats = (virDomainStatsRecordPtr *)g_ptr_array_free(data.recs, FALSE);
    return n;
}

/**
 * domainStatsFindDisk:
 * @def: a definition
 * @path: a target name or a source path, as libvirt's stats APIs accept
 *
 * Returns: the disk (owned by @def), or NULL.
 */
DomainDiskDef *
domainStatsFindDisk(const DomainDef *def, const char *path)
{
    size_t i;

    for (i = 0; i < def->ndisks; i++) {
        if (streq(def->disks[i]->dst, path))
            return def->disks[i];
    }
    for (i = 0; i < def->ndisks; i++) {
        if (def->disks[i]->src && streq(def->disks[i]->src, path))
            return def->disks[i];
    }
    return NULL;
}

/**
 * domainStatsFindNet:
 * @def: a definition
 * @device: a target device name or a MAC address
 *
 * Returns: the interface (owned by @def), or NULL.
 */
DomainNetDef *
domainStatsFindNet(const DomainDef *def, const char *device)
{
    MacAddr mac;
    size_t i;

    for (i = 0; i < def->nnets; i++) {
        if (def->nets[i]->ifname && streq(def->nets[i]->ifname, device))
            return def->nets[i];
    }
    if (macParse(device, &mac) == 0)
        return domainNetByMAC(def, &mac);
    return NULL;
}
