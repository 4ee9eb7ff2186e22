/* REMOTE_PROGRAM statistics procedures: vCPUs, block, interface, memory, bulk stats. */
#include <stdlib.h>
#include <string.h>

#define ERR_DOMAIN VIR_FROM_REMOTE

#include "remote/remote_dispatch_stats.h"
#include "remote/remote_dispatch_client.h"
#include "remote/remote_protocol.h"
#include "rpc/rpc_server_client.h"
#include "util/error.h"

/*
 * Each handler decodes, checks the wire limits (as libvirtd does, before
 * the call), calls the public API on the client's connection and encodes
 * the answer.  All are queries (issue 7): they run on the priority
 * workers and the drivers answer them without waiting for a job.
 */

static int
remoteDispatchDomainGetVcpus(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_get_vcpus_args *args = argsp;
    remote_domain_get_vcpus_ret *ret = retp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);
    g_autofree virVcpuInfoPtr info = NULL;
    g_autofree unsigned char *cpumaps = NULL;
    int n;
    int i;

    if (!dom)
        return -1;
    if (args->maxinfo > REMOTE_VCPUINFO_MAX) {
        reportError(VIR_ERR_RPC, "%s", _("maxinfo > REMOTE_VCPUINFO_MAX"));
        return -1;
    }
    if (args->maxinfo > 0 && args->maplen > 0 &&
        (long long)args->maxinfo * args->maplen > REMOTE_CPUMAPS_MAX) {
        reportError(VIR_ERR_RPC, "%s", _("maxinfo * maplen > REMOTE_CPUMAPS_MAX"));
        return -1;
    }
    info = g_new0(virVcpuInfo, MAX(args->maxinfo, 1));
    if (args->maplen > 0 && args->maxinfo > 0)
        cpumaps = g_new0(unsigned char, (size_t)args->maxinfo * (size_t)args->maplen);
    if ((n = virDomainGetVcpus(dom, info, args->maxinfo, cpumaps, args->maplen)) < 0)
        return remoteDispatchAPIError();
    ret->info.info_val = g_new0(remote_vcpu_info, MAX(n, 1));
    ret->info.info_len = n;
    for (i = 0; i < n; i++) {
        ret->info.info_val[i].number = info[i].number;
        ret->info.info_val[i].state = info[i].state;
        ret->info.info_val[i].cpu_time = info[i].cpuTime;
        ret->info.info_val[i].cpu = info[i].cpu;
    }
    /* libvirt sends the maps of every requested vCPU slot. */
    if (cpumaps) {
        ret->cpumaps.cpumaps_len = (u_int)(args->maxinfo * args->maplen);
        ret->cpumaps.cpumaps_val = (char *)g_steal_pointer(&cpumaps);
    }
    return 0;
}

static int
remoteDispatchDomainBlockStats(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_block_stats_args *args = argsp;
    remote_domain_block_stats_ret *ret = retp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);
    virDomainBlockStatsStruct st;

    if (!dom)
        return -1;
    if (virDomainBlockStats(dom, args->path, &st, sizeof(st)) < 0)
        return remoteDispatchAPIError();
    ret->rd_req = st.rd_req;
    ret->rd_bytes = st.rd_bytes;
    ret->wr_req = st.wr_req;
    ret->wr_bytes = st.wr_bytes;
    ret->errs = st.errs;
    return 0;
}

static int
remoteDispatchDomainBlockStatsFlags(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_block_stats_flags_args *args = argsp;
    remote_domain_block_stats_flags_ret *ret = retp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);
    virTypedParameterPtr params = NULL;
    int nparams = args->nparams;
    int rc;

    if (!dom)
        return -1;
    if (nparams > REMOTE_DOMAIN_BLOCK_STATS_PARAMETERS_MAX) {
        reportError(VIR_ERR_RPC, "%s", _("nparams too large"));
        return -1;
    }
    if (nparams > 0)
        params = g_new0(virTypedParameter, nparams);
    if (virDomainBlockStatsFlags(dom, args->path, params, &nparams, args->flags) < 0) {
        g_free(params);
        return remoteDispatchAPIError();
    }
    ret->nparams = nparams;
    if (args->nparams == 0) {
        /* Only the count was asked for. */
        g_free(params);
        return 0;
    }
    rc = remoteDispatchSerializeParams(params, nparams,
                                       REMOTE_DOMAIN_BLOCK_STATS_PARAMETERS_MAX,
                                       &ret->params.params_val, &ret->params.params_len);
    virTypedParamsFree(params, nparams);
    return rc;
}

static int
remoteDispatchDomainInterfaceStats(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_interface_stats_args *args = argsp;
    remote_domain_interface_stats_ret *ret = retp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);
    virDomainInterfaceStatsStruct st;

    if (!dom)
        return -1;
    if (virDomainInterfaceStats(dom, args->device, &st, sizeof(st)) < 0)
        return remoteDispatchAPIError();
    ret->rx_bytes = st.rx_bytes;
    ret->rx_packets = st.rx_packets;
    ret->rx_errs = st.rx_errs;
    ret->rx_drop = st.rx_drop;
    ret->tx_bytes = st.tx_bytes;
    ret->tx_packets = st.tx_packets;
    ret->tx_errs = st.tx_errs;
    ret->tx_drop = st.tx_drop;
    return 0;
}

static int
remoteDispatchDomainMemoryStats(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_memory_stats_args *args = argsp;
    remote_domain_memory_stats_ret *ret = retp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);
    g_autofree virDomainMemoryStatPtr stats = NULL;
    int n;
    int i;

    if (!dom)
        return -1;
    if (args->maxStats > REMOTE_DOMAIN_MEMORY_STATS_MAX) {
        reportError(VIR_ERR_RPC, "%s", _("maxStats > REMOTE_DOMAIN_MEMORY_STATS_MAX"));
        return -1;
    }
    stats = g_new0(virDomainMemoryStatStruct, MAX(args->maxStats, 1));
    if ((n = virDomainMemoryStats(dom, stats, args->maxStats, args->flags)) < 0)
        return remoteDispatchAPIError();
    ret->stats.stats_val = g_new0(remote_domain_memory_stat, MAX(n, 1));
    ret->stats.stats_len = n;
    for (i = 0; i < n; i++) {
        ret->stats.stats_val[i].tag = stats[i].tag;
        ret->stats.stats_val[i].val = stats[i].val;
    }
    return 0;
}

static int
remoteDispatchDomainGetBlockInfo(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_get_block_info_args *args = argsp;
    remote_domain_get_block_info_ret *ret = retp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);
    virDomainBlockInfo info;

    if (!dom)
        return -1;
    if (virDomainGetBlockInfo(dom, args->path, &info, args->flags) < 0)
        return remoteDispatchAPIError();
    ret->allocation = info.allocation;
    ret->capacity = info.capacity;
    ret->physical = info.physical;
    return 0;
}

static int
remoteDispatchNodeGetCPUMap(REMOTE_DISPATCH_PARAMS)
{
    remote_node_get_cpu_map_args *args = argsp;
    remote_node_get_cpu_map_ret *ret = retp;
    g_autoptr(virConnect) conn = remoteDispatchClientGetConn(remoteDispatchClientGet(client));
    unsigned char *cpumap = NULL;
    unsigned int online = 0;
    int n;

    if (!conn)
        return -1;
    if ((n = virNodeGetCPUMap(conn, args->need_map ? &cpumap : NULL,
                              args->need_online ? &online : NULL, args->flags)) < 0)
        return remoteDispatchAPIError();
    if (cpumap) {
        ret->cpumap.cpumap_len = VIR_CPU_MAPLEN(n);
        ret->cpumap.cpumap_val = (char *)cpumap;
    }
    ret->online = online;
    ret->ret = n;
    return 0;
}

/* Both bulk APIs: a non-empty @doms list is virDomainListGetStats. */
static int
remoteDispatchConnectGetAllDomainStats(REMOTE_DISPATCH_PARAMS)
{
    remote_connect_get_all_domain_stats_args *args = argsp;
    remote_connect_get_all_domain_stats_ret *ret = retp;
    g_autoptr(virConnect) conn = remoteDispatchClientGetConn(remoteDispatchClientGet(client));
    virDomainPtr *doms = NULL;
    virDomainStatsRecordPtr *recs = NULL;
    u_int ndoms = args->doms.doms_len;
    int n = -1;
    int i;
    int rc = -1;

    if (!conn)
        return -1;
    if (ndoms) {
        doms = g_new0(virDomainPtr, ndoms + 1);
        for (i = 0; i < (int)ndoms; i++) {
            if (!(doms[i] = remoteDispatchClientGetDomain(client, &args->doms.doms_val[i])))
                goto cleanup;
        }
        n = virDomainListGetStats(doms, args->stats, &recs, args->flags);
    } else {
        n = virConnectGetAllDomainStats(conn, args->stats, &recs, args->flags);
    }
    if (n < 0) {
        rc = remoteDispatchAPIError();
        goto cleanup;
    }
    if (n > REMOTE_DOMAIN_LIST_MAX) {
        reportError(VIR_ERR_RPC, _("Too many domain stats records '%1$d' for limit '%2$d'"), n,
                    REMOTE_DOMAIN_LIST_MAX);
        goto cleanup;
    }
    ret->retStats.retStats_val = g_new0(remote_domain_stats_record, MAX(n, 1));
    ret->retStats.retStats_len = n;
    for (i = 0; i < n; i++) {
        remote_domain_stats_record *w = &ret->retStats.retStats_val[i];

        remoteDispatchMakeDomain(recs[i]->dom, &w->dom);
        if (remoteDispatchSerializeParams(recs[i]->params, recs[i]->nparams,
                                          REMOTE_CONNECT_GET_ALL_DOMAIN_STATS_MAX,
                                          &w->params.params_val, &w->params.params_len) < 0)
            goto cleanup;
    }
    rc = 0;

 cleanup:
    virDomainStatsRecordListFree(recs);
    if (doms) {
        for (i = 0; doms[i]; i++)
            virDomainFree(doms[i]);
        g_free(doms);
    }
    return rc;
}

const RpcServerProc remoteDispatchStatsProcs[] = {
    REMOTE_PROC_AR(DOMAIN_GET_VCPUS, domain_get_vcpus, "virDomainGetVcpus",
                   remoteDispatchDomainGetVcpus, REMOTE_PROC_QUERY),
    REMOTE_PROC_AR(DOMAIN_BLOCK_STATS, domain_block_stats, "virDomainBlockStats",
                   remoteDispatchDomainBlockStats, REMOTE_PROC_QUERY),
    REMOTE_PROC_AR(DOMAIN_BLOCK_STATS_FLAGS, domain_block_stats_flags,
                   "virDomainBlockStatsFlags", remoteDispatchDomainBlockStatsFlags,
                   REMOTE_PROC_QUERY),
    REMOTE_PROC_AR(DOMAIN_INTERFACE_STATS, domain_interface_stats, "virDomainInterfaceStats",
                   remoteDispatchDomainInterfaceStats, REMOTE_PROC_QUERY),
    REMOTE_PROC_AR(DOMAIN_MEMORY_STATS, domain_memory_stats, "virDomainMemoryStats",
                   remoteDispatchDomainMemoryStats, REMOTE_PROC_QUERY),
    REMOTE_PROC_AR(DOMAIN_GET_BLOCK_INFO, domain_get_block_info, "virDomainGetBlockInfo",
                   remoteDispatchDomainGetBlockInfo, REMOTE_PROC_QUERY),
    REMOTE_PROC_AR(NODE_GET_CPU_MAP, node_get_cpu_map, "virNodeGetCPUMap",
                   remoteDispatchNodeGetCPUMap, REMOTE_PROC_QUERY),
    REMOTE_PROC_AR(CONNECT_GET_ALL_DOMAIN_STATS, connect_get_all_domain_stats,
                   "virConnectGetAllDomainStats", remoteDispatchConnectGetAllDomainStats,
                   REMOTE_PROC_QUERY),
};

const size_t remoteDispatchStatsProcsCount = G_N_ELEMENTS(remoteDispatchStatsProcs);
