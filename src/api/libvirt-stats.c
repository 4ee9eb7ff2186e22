/* Public API: domain statistics (vCPUs, block, interface, memory, bulk stats). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define ERR_DOMAIN VIR_FROM_DOMAIN
#include "api/entry.h"

/*
 * The argument checks and their wording are libvirt 9.0's, observed
 * through its public API (tests/api/apientrytest.c holds the table).
 * Issue 7: the drivers answer these from their state and cached
 * statistics; none of them waits for a domain job or a monitor.
 */

#define STATS_CHECK_POSITIVE(arg, label) \
    do { \
        if ((arg) <= 0) { \
            reportInvalidArg(#arg, _("%1$s in %2$s must be greater than zero"), \
                             #arg, __func__); \
            goto label; \
        } \
    } while (0)

/**
 * virDomainGetVcpus:
 * @domain: an active domain
 * @info: array of @maxinfo entries filled with one vCPU each
 * @maxinfo: size of @info (> 0)
 * @cpumaps: NULL, or @maxinfo * @maplen bytes receiving each vCPU's
 *           host-CPU affinity
 * @maplen: bytes per map (> 0 with @cpumaps, 0 without)
 *
 * Returns: the number of vCPUs filled in, or -1 on error.
 */
int
virDomainGetVcpus(virDomainPtr domain, virVcpuInfoPtr info, int maxinfo,
                  unsigned char *cpumaps, int maplen)
{
    virConnectPtr conn;
    int ret;

    errorReset();
    ENTRY_CHECK_DOMAIN(domain, -1);
    conn = domain->conn;
    ENTRY_CHECK_NON_NULL(info, error);
    STATS_CHECK_POSITIVE(maxinfo, error);
    /* A map length without maps would make drivers write through NULL. */
    if (cpumaps) {
        STATS_CHECK_POSITIVE(maplen, error);
    } else if (maplen != 0) {
        /* libvirt 9.0's wording for this case. */
        reportInvalidArg("maplen", _("%1$s in %2$s must not be zero"), "maplen", __func__);
        goto error;
    }
    if (cpumaps && (long long)maxinfo * maplen > INT_MAX) {
        reportError(VIR_ERR_OVERFLOW, _("input too large: %1$d * %2$d"), maxinfo, maplen);
        goto error;
    }
    ENTRY_DRIVER_FUNC(conn, domainGetVcpus, error);
    memset(info, 0, sizeof(*info) * (size_t)maxinfo);
    if (cpumaps)
        memset(cpumaps, 0, (size_t)maxinfo * (size_t)maplen);
    if ((ret = conn->driver->domainGetVcpus(domain, info, maxinfo, cpumaps, maplen)) < 0)
        goto error;
    return ret;

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virDomainBlockStats:
 * @dom: an active domain
 * @disk: the disk's target name ("vda") or source path
 * @stats: filled with the counters (-1 for those unknown)
 * @size: sizeof(*@stats) as the caller knows it (at most ours)
 *
 * Returns: 0, or -1 on error.
 */
int
virDomainBlockStats(virDomainPtr dom, const char *disk,
                    virDomainBlockStatsPtr stats, size_t size)
{
    virConnectPtr conn;
    virDomainBlockStatsStruct all;

    errorReset();
    ENTRY_CHECK_DOMAIN(dom, -1);
    conn = dom->conn;
    ENTRY_CHECK_NON_NULL(disk, error);
    ENTRY_CHECK_NON_NULL(stats, error);
    if (size > sizeof(all)) {
        reportInvalidArg("size", _("size must not exceed %1$zu"), sizeof(all));
        goto error;
    }
    ENTRY_DRIVER_FUNC(conn, domainBlockStats, error);
    memset(&all, 0xff, sizeof(all));
    if (conn->driver->domainBlockStats(dom, disk, &all) < 0)
        goto error;
    memcpy(stats, &all, size);
    return 0;

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virDomainBlockStatsFlags:
 * @dom: an active domain
 * @disk: the disk's target name or source path ("" for all disks where
 *        the driver supports it)
 * @params: array of *@nparams entries, or NULL when *@nparams is 0
 * @nparams: in: size of @params (0 asks for the number supported);
 *           out: number filled in
 * @flags: virTypedParameterFlags
 *
 * Returns: 0, or -1 on error.
 */
int
virDomainBlockStatsFlags(virDomainPtr dom, const char *disk,
                         virTypedParameterPtr params, int *nparams,
                         unsigned int flags)
{
    virConnectPtr conn;

    errorReset();
    ENTRY_CHECK_DOMAIN(dom, -1);
    conn = dom->conn;
    ENTRY_CHECK_NON_NULL(disk, error);
    ENTRY_CHECK_NON_NULL(nparams, error);
    ENTRY_CHECK_NON_NEGATIVE(*nparams, error);
    if (*nparams != 0)
        ENTRY_CHECK_NON_NULL(params, error);
    /* Every virtkit peer understands string parameters. */
    flags |= VIR_TYPED_PARAM_STRING_OKAY;
    ENTRY_DRIVER_FUNC(conn, domainBlockStatsFlags, error);
    if (conn->driver->domainBlockStatsFlags(dom, disk, params, nparams, flags) < 0)
        goto error;
    return 0;

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virDomainInterfaceStats:
 * @dom: an active domain
 * @device: the interface's target device name ("vnet0") or MAC address
 * @stats: filled with the counters (-1 for those unknown)
 * @size: sizeof(*@stats) as the caller knows it (at most ours)
 *
 * Returns: 0, or -1 on error.
 */
int
virDomainInterfaceStats(virDomainPtr dom, const char *device,
                        virDomainInterfaceStatsPtr stats, size_t size)
{
    virConnectPtr conn;
    virDomainInterfaceStatsStruct all;

    errorReset();
    ENTRY_CHECK_DOMAIN(dom, -1);
    conn = dom->conn;
    ENTRY_CHECK_NON_NULL(device, error);
    ENTRY_CHECK_NON_NULL(stats, error);
    if (size > sizeof(all)) {
        reportInvalidArg("size", _("size must not exceed %1$zu"), sizeof(all));
        goto error;
    }
    ENTRY_DRIVER_FUNC(conn, domainInterfaceStats, error);
    memset(&all, 0xff, sizeof(all));
    if (conn->driver->domainInterfaceStats(dom, device, &all) < 0)
        goto error;
    memcpy(stats, &all, size);
    return 0;

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virDomainMemoryStats:
 * @dom: a domain
 * @stats: array of @nr_stats entries, or NULL
 * @nr_stats: size of @stats (more than VIR_DOMAIN_MEMORY_STAT_NR are
 *            never filled)
 * @flags: none defined for the drivers here (0)
 *
 * Returns: the number of statistics filled in (0 when @stats is NULL or
 * @nr_stats is 0), or -1 on error.
 */
int
virDomainMemoryStats(virDomainPtr dom, virDomainMemoryStatPtr stats,
                     unsigned int nr_stats, unsigned int flags)
{
    virConnectPtr conn;
    int ret;

    errorReset();
    ENTRY_CHECK_DOMAIN(dom, -1);
    conn = dom->conn;
    if (!stats || nr_stats == 0)
        return 0;
    if (nr_stats > VIR_DOMAIN_MEMORY_STAT_NR)
        nr_stats = VIR_DOMAIN_MEMORY_STAT_NR;
    ENTRY_DRIVER_FUNC(conn, domainMemoryStats, error);
    if ((ret = conn->driver->domainMemoryStats(dom, stats, nr_stats, flags)) < 0)
        goto error;
    return ret;

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virDomainGetBlockInfo:
 * @dom: a domain
 * @disk: the disk's target name or source path
 * @info: filled with capacity, allocation and physical size in bytes
 * @flags: none defined (0)
 *
 * Returns: 0, or -1 on error.
 */
int
virDomainGetBlockInfo(virDomainPtr dom, const char *disk,
                      virDomainBlockInfoPtr info, unsigned int flags)
{
    virConnectPtr conn;

    errorReset();
    ENTRY_CHECK_DOMAIN(dom, -1);
    conn = dom->conn;
    ENTRY_CHECK_NON_NULL(disk, error);
    if (!*disk) {
        reportInvalidArg("disk", _("string %1$s in %2$s must not be empty"), "disk", __func__);
        goto error;
    }
    ENTRY_CHECK_NON_NULL(info, error);
    memset(info, 0, sizeof(*info));
    ENTRY_DRIVER_FUNC(conn, domainGetBlockInfo, error);
    if (conn->driver->domainGetBlockInfo(dom, disk, info, flags) < 0)
        goto error;
    return 0;

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virConnectGetAllDomainStats:
 * @conn: a connection
 * @stats: virDomainStatsTypes groups (0: every group the driver has)
 * @retStats: where to store a NULL-terminated array of records (free it
 *            with virDomainStatsRecordListFree)
 * @flags: virConnectGetAllDomainStatsFlags (list filters, ENFORCE_STATS,
 *         NOWAIT, BACKING; the driver checks them)
 *
 * Returns: the number of records, or -1 on error.
 */
int
virConnectGetAllDomainStats(virConnectPtr conn, unsigned int stats,
                            virDomainStatsRecordPtr **retStats,
                            unsigned int flags)
{
    int ret;

    errorReset();
    if (retStats)
        *retStats = NULL;
    ENTRY_CHECK_CONN(conn, -1);
    ENTRY_CHECK_NON_NULL(retStats, error);
    ENTRY_DRIVER_FUNC(conn, connectGetAllDomainStats, error);
    if ((ret = conn->driver->connectGetAllDomainStats(conn, NULL, 0, stats, retStats,
                                                      flags)) < 0)
        goto error;
    return ret;

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virDomainListGetStats:
 * @doms: NULL-terminated array of domains of one connection
 * @stats: as for virConnectGetAllDomainStats
 * @retStats: as for virConnectGetAllDomainStats
 * @flags: as for virConnectGetAllDomainStats
 *
 * Returns: the number of records, or -1 on error.
 */
int
virDomainListGetStats(virDomainPtr *doms, unsigned int stats,
                      virDomainStatsRecordPtr **retStats, unsigned int flags)
{
    virConnectPtr conn = NULL;
    virDomainPtr *next;
    unsigned int ndoms = 0;
    int ret;

    errorReset();
    if (retStats)
        *retStats = NULL;
    ENTRY_CHECK_NON_NULL(doms, error);
    ENTRY_CHECK_NON_NULL(retStats, error);
    if (!*doms) {
        reportError(VIR_ERR_INVALID_ARG,
                    _("doms array in %1$s must contain at least one domain"), __func__);
        goto error;
    }
    ENTRY_CHECK_DOMAIN(doms[0], -1);
    conn = doms[0]->conn;
    ENTRY_DRIVER_FUNC(conn, connectGetAllDomainStats, error);
    for (next = doms; *next; next++) {
        ENTRY_CHECK_DOMAIN(*next, -1);
        if ((*next)->conn != conn) {
            reportError(VIR_ERR_INVALID_ARG, "%s",
                        _("domains in 'doms' array must belong to a single connection"));
            goto error;
        }
        ndoms++;
    }
    if ((ret = conn->driver->connectGetAllDomainStats(conn, doms, ndoms, stats, retStats,
                                                      flags)) < 0)
        goto error;
    return ret;

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virDomainStatsRecordListFree:
 * @stats: a NULL-terminated array from virConnectGetAllDomainStats or
 *         virDomainListGetStats, or NULL
 *
 * Frees every record (its domain handle and parameters) and the array.
 */
void
virDomainStatsRecordListFree(virDomainStatsRecordPtr *stats)
{
    virDomainStatsRecordPtr *next;

    if (!stats)
        return;
    for (next = stats; *next; next++) {
        virTypedParamsFree((*next)->params, (*next)->nparams);
        if ((*next)->dom)
            virDomainFree((*next)->dom);
        g_free(*next);
    }
    g_free(stats);
}
