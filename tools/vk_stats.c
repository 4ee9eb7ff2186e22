/* vk_stats.c: statistics commands: domstats, vcpuinfo, domblkstat, domifstat, dommemstat, domblkinfo */
#include <inttypes.h>
#include <string.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "vk_cmd.h"
#include "vk_ctl.h"
#include "vk_domain.h"
#include "vk_stats.h"
#include "vk_table.h"
#include "vk_util.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlDoc, xmlFreeDoc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlXPathContext, xmlXPathFreeContext);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlXPathObject, xmlXPathFreeObject);

/* Output formats and messages follow virsh 9.0 (tests/cli/conformance.py
 * compares them with Debian's virsh). */

/* A typed parameter as virsh prints it: @raw as libvirt's own formatting
 * (booleans 1/0, doubles %g), otherwise yes/no and %f.  Caller owns. */
static char *
vkStatsParamText(const virTypedParameter *param, bool raw)
{
    switch (param->type) {
    case VIR_TYPED_PARAM_INT:
        return g_strdup_printf("%d", param->value.i);
    case VIR_TYPED_PARAM_UINT:
        return g_strdup_printf("%u", param->value.ui);
    case VIR_TYPED_PARAM_LLONG:
        return g_strdup_printf("%lld", param->value.l);
    case VIR_TYPED_PARAM_ULLONG:
        return g_strdup_printf("%llu", param->value.ul);
    case VIR_TYPED_PARAM_DOUBLE:
        return g_strdup_printf(raw ? "%g" : "%f", param->value.d);
    case VIR_TYPED_PARAM_BOOLEAN:
        return g_strdup(raw ? (param->value.b ? "1" : "0") : (param->value.b ? "yes" : "no"));
    case VIR_TYPED_PARAM_STRING:
        return g_strdup(param->value.s ? param->value.s : "");
    default:
        return g_strdup_printf("unimplemented parameter type %d", param->type);
    }
}

static void
vkStatsDomainFree(gpointer dom)
{
    virDomainFree(dom);
}

/* Looks a domain up by id, UUID or name as vkDomainLookup does, from a
 * bare word.  Prints "failed to get domain" on failure. */
static virDomainPtr
vkStatsLookupWord(VkCtl *ctl, const char *word)
{
    virDomainPtr dom = NULL;
    int id;

    if (vkParseInt(word, &id) == 0 && id >= 0)
        dom = virDomainLookupByID(ctl->conn, id);
    if (!dom && strlen(word) == VIR_UUID_STRING_BUFLEN - 1)
        dom = virDomainLookupByUUIDString(ctl->conn, word);
    if (!dom)
        dom = virDomainLookupByName(ctl->conn, word);
    vkResetError(ctl);
    if (!dom)
        vkError(ctl, "failed to get domain '%s'", word);
    return dom;
}

/**
 * vkStatsCmdDomstats:
 * @ctl: run state
 * @cmd: parsed "domstats" command
 *
 * Bulk statistics of the listed domains (virDomainListGetStats) or of all
 * domains matching the --list-* filters (virConnectGetAllDomainStats).
 *
 * Returns: true on success.
 */
bool
vkStatsCmdDomstats(VkCtl *ctl, const VkCmd *cmd)
{
    static const struct {
        const char *opt;
        unsigned int bit;
    } groups[] = {
        { "state", VIR_DOMAIN_STATS_STATE },
        { "cpu-total", VIR_DOMAIN_STATS_CPU_TOTAL },
        { "balloon", VIR_DOMAIN_STATS_BALLOON },
        { "vcpu", VIR_DOMAIN_STATS_VCPU },
        { "interface", VIR_DOMAIN_STATS_INTERFACE },
        { "block", VIR_DOMAIN_STATS_BLOCK },
        { "perf", VIR_DOMAIN_STATS_PERF },
        { "iothread", VIR_DOMAIN_STATS_IOTHREAD },
        { "memory", VIR_DOMAIN_STATS_MEMORY },
        { "dirtyrate", VIR_DOMAIN_STATS_DIRTYRATE },
        { "vm", VIR_DOMAIN_STATS_VM },
    }, filters[] = {
        { "list-active", VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE },
        { "list-inactive", VIR_CONNECT_GET_ALL_DOMAINS_STATS_INACTIVE },
        { "list-persistent", VIR_CONNECT_GET_ALL_DOMAINS_STATS_PERSISTENT },
        { "list-transient", VIR_CONNECT_GET_ALL_DOMAINS_STATS_TRANSIENT },
        { "list-running", VIR_CONNECT_GET_ALL_DOMAINS_STATS_RUNNING },
        { "list-paused", VIR_CONNECT_GET_ALL_DOMAINS_STATS_PAUSED },
        { "list-shutoff", VIR_CONNECT_GET_ALL_DOMAINS_STATS_SHUTOFF },
        { "list-other", VIR_CONNECT_GET_ALL_DOMAINS_STATS_OTHER },
        { "enforce", VIR_CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS },
        { "backing", VIR_CONNECT_GET_ALL_DOMAINS_STATS_BACKING },
        { "nowait", VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT },
    };
    g_autoptr(GPtrArray) doms = g_ptr_array_new_with_free_func(vkStatsDomainFree);
    virDomainStatsRecordPtr *recs = NULL;
    virDomainStatsRecordPtr *next;
    const VkCmdOpt *opt = NULL;
    bool raw = vkCmdOptBool(cmd, "raw");
    unsigned int stats = 0;
    unsigned int flags = 0;
    size_t i;
    int n;
    int j;

    for (i = 0; i < G_N_ELEMENTS(groups); i++) {
        if (vkCmdOptBool(cmd, groups[i].opt))
            stats |= groups[i].bit;
    }
    for (i = 0; i < G_N_ELEMENTS(filters); i++) {
        if (vkCmdOptBool(cmd, filters[i].opt))
            flags |= filters[i].bit;
    }
    while ((opt = vkCmdOptArgvNext(cmd, opt))) {
        virDomainPtr dom = vkStatsLookupWord(ctl, opt->value);

        if (!dom)
            return false;
        g_ptr_array_add(doms, dom);
    }
    if (doms->len > 0) {
        g_ptr_array_add(doms, NULL);
        n = virDomainListGetStats((virDomainPtr *)doms->pdata, stats, &recs, flags);
        /* take the terminator out again without "freeing" it */
        g_ptr_array_steal_index(doms, doms->len - 1);
    } else {
        n = virConnectGetAllDomainStats(ctl->conn, stats, &recs, flags);
    }
    if (n < 0)
        return false;

    for (next = recs; next && *next; next++) {
        /* a blank line between records (the shell adds the last one) */
        if (next != recs)
            vkPrint(ctl, "\n");
        vkPrint(ctl, "Domain: '%s'\n", virDomainGetName((*next)->dom));
        for (j = 0; j < (*next)->nparams; j++) {
            g_autofree char *text = vkStatsParamText(&(*next)->params[j], raw);

            vkPrint(ctl, "  %s=%s\n", (*next)->params[j].field, text);
        }
    }
    virDomainStatsRecordListFree(recs);
    return true;
}

/* Number of host CPUs, for the affinity maps (0 when unknown): as virsh,
 * virNodeGetCPUMap; for a driver without it, the CPUs of the host topology
 * in the capabilities, else the node info. */
static int
vkStatsHostCpus(VkCtl *ctl)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(xmlXPathContext) ctxt = NULL;
    g_autoptr(xmlXPathObject) obj = NULL;
    virNodeInfo ni;
    char *caps;
    int n;

    /* virsh's source */
    if ((n = virNodeGetCPUMap(ctl->conn, NULL, NULL, 0)) > 0)
        return n;
    vkResetError(ctl);
    if ((caps = virConnectGetCapabilities(ctl->conn))) {
        doc = xmlReadMemory(caps, (int)strlen(caps), "caps.xml", NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
        free(caps);
        if (doc && (ctxt = xmlXPathNewContext(doc)) &&
            (obj = xmlXPathEval(BAD_CAST "count(/capabilities/host/topology/cells/cell/cpus/cpu)",
                                ctxt)) &&
            obj->type == XPATH_NUMBER && obj->floatval >= 1)
            return (int)obj->floatval;
    }
    vkResetError(ctl);
    if (virNodeGetInfo(ctl->conn, &ni) < 0) {
        vkResetError(ctl);
        return 0;
    }
    return (int)(ni.nodes * ni.sockets * ni.cores * ni.threads);
}

/* "0-7 (out of 8)": the usable CPUs of @map as ranges. */
static char *
vkStatsPrettyMap(const unsigned char *map, int maxcpu)
{
    g_autoptr(GString) out = g_string_new(NULL);
    int c = 0;

    while (c < maxcpu) {
        int start;

        if (!VIR_CPU_USED(map, c)) {
            c++;
            continue;
        }
        start = c;
        while (c + 1 < maxcpu && VIR_CPU_USED(map, c + 1))
            c++;
        if (out->len)
            g_string_append_c(out, ',');
        if (start == c)
            g_string_append_printf(out, "%d", start);
        else
            g_string_append_printf(out, "%d-%d", start, c);
        c++;
    }
    g_string_append_printf(out, " (out of %d)", maxcpu);
    return g_string_free(g_steal_pointer(&out), FALSE);
}

/**
 * vkStatsCmdVcpuinfo:
 * @ctl: run state
 * @cmd: parsed "vcpuinfo" command
 *
 * Returns: true on success.
 */
bool
vkStatsCmdVcpuinfo(VkCtl *ctl, const VkCmd *cmd)
{
    static const char *const states[] = { "offline", "running", "blocked" };
    g_autoptr(virDomain) dom = NULL;
    g_autofree virVcpuInfoPtr info = NULL;
    g_autofree unsigned char *maps = NULL;
    bool pretty = vkCmdOptBool(cmd, "pretty");
    virDomainInfo di;
    int maxcpu;
    int maplen;
    int n;
    int i;
    int c;

    if (!(dom = vkDomainLookup(ctl, cmd, "domain", VK_DOMAIN_BY_ANY, NULL)))
        return false;
    if ((maxcpu = vkStatsHostCpus(ctl)) <= 0)
        maxcpu = 1;
    if (virDomainGetInfo(dom, &di) < 0)
        return false;
    maplen = VIR_CPU_MAPLEN(maxcpu);
    info = g_new0(virVcpuInfo, MAX(di.nrVirtCpu, 1));
    maps = g_new0(unsigned char, (size_t)MAX(di.nrVirtCpu, 1) * maplen);
    if ((n = virDomainGetVcpus(dom, info, MAX(di.nrVirtCpu, 1), maps, maplen)) < 0)
        return false;
    for (i = 0; i < n; i++) {
        unsigned char *map = VIR_GET_CPUMAP(maps, maplen, i);

        if (i > 0)
            vkPrint(ctl, "\n");
        vkPrint(ctl, "%-15s %d\n", "VCPU:", info[i].number);
        vkPrint(ctl, "%-15s %d\n", "CPU:", info[i].cpu);
        vkPrint(ctl, "%-15s %s\n", "State:",
                info[i].state >= 0 && info[i].state < (int)G_N_ELEMENTS(states) ?
                    states[info[i].state] : "no state");
        vkPrint(ctl, "%-15s %.1lfs\n", "CPU time:", (double)info[i].cpuTime / 1000000000.0);
        vkPrint(ctl, "%-15s ", "CPU Affinity:");
        if (pretty) {
            g_autofree char *text = vkStatsPrettyMap(map, maxcpu);

            vkPrint(ctl, "%s", text);
        } else {
            for (c = 0; c < maxcpu; c++)
                vkPrint(ctl, "%c", VIR_CPU_USED(map, c) ? 'y' : '-');
        }
        vkPrint(ctl, "\n");
    }
    return true;
}

/* virsh's table: the flags API's field, the old API's name, the human label. */
static const struct {
    const char *field;
    const char *legacy;
    const char *human;
} vkStatsBlkFields[] = {
    { VIR_DOMAIN_BLOCK_STATS_READ_REQ, "rd_req", "number of read operations:" },
    { VIR_DOMAIN_BLOCK_STATS_READ_BYTES, "rd_bytes", "number of bytes read:" },
    { VIR_DOMAIN_BLOCK_STATS_WRITE_REQ, "wr_req", "number of write operations:" },
    { VIR_DOMAIN_BLOCK_STATS_WRITE_BYTES, "wr_bytes", "number of bytes written:" },
    { VIR_DOMAIN_BLOCK_STATS_ERRS, "errs", "error count:" },
    { VIR_DOMAIN_BLOCK_STATS_FLUSH_REQ, NULL, "number of flush operations:" },
    { VIR_DOMAIN_BLOCK_STATS_READ_TOTAL_TIMES, NULL, "total duration of reads (ns):" },
    { VIR_DOMAIN_BLOCK_STATS_WRITE_TOTAL_TIMES, NULL, "total duration of writes (ns):" },
    { VIR_DOMAIN_BLOCK_STATS_FLUSH_TOTAL_TIMES, NULL, "total duration of flushes (ns):" },
};

/* One line of domblkstat's old-API output; negative values are unknown. */
static void
vkStatsBlkLegacy(VkCtl *ctl, const char *device, bool human, size_t idx, long long value)
{
    if (value < 0)
        return;
    vkPrint(ctl, "%s %-*s %lld\n", device, human ? 31 : 0,
            human ? vkStatsBlkFields[idx].human : vkStatsBlkFields[idx].legacy, value);
}

/**
 * vkStatsCmdDomblkstat:
 * @ctl: run state
 * @cmd: parsed "domblkstat" command
 *
 * Uses virDomainBlockStatsFlags, or virDomainBlockStats when the driver
 * lacks it, as virsh.
 *
 * Returns: true on success.
 */
bool
vkStatsCmdDomblkstat(VkCtl *ctl, const VkCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    const char *name = NULL;
    const char *device = "";
    bool human = vkCmdOptBool(cmd, "human");
    virTypedParameterPtr params = NULL;
    int nparams = 0;
    size_t i;
    int k;

    if (!(dom = vkDomainLookup(ctl, cmd, "domain", VK_DOMAIN_BY_ANY, &name)))
        return false;
    if (vkCmdOptString(ctl, cmd, "device", &device) < 0)
        return false;
    if (!device)
        device = "";

    if (virDomainBlockStatsFlags(dom, device, NULL, &nparams, 0) < 0) {
        virDomainBlockStatsStruct st;

        /* virsh prints only the library's error here */
        if (vkLastErrorCode(ctl) != VIR_ERR_NO_SUPPORT)
            return false;
        vkResetError(ctl);
        if (virDomainBlockStats(dom, device, &st, sizeof(st)) < 0) {
            vkError(ctl, "Failed to get block stats %s %s", name, device);
            return false;
        }
        if (human) {
            vkPrint(ctl, "Device: %s\n", device);
            device = "";
        }
        vkStatsBlkLegacy(ctl, device, human, 0, st.rd_req);
        vkStatsBlkLegacy(ctl, device, human, 1, st.rd_bytes);
        vkStatsBlkLegacy(ctl, device, human, 2, st.wr_req);
        vkStatsBlkLegacy(ctl, device, human, 3, st.wr_bytes);
        vkStatsBlkLegacy(ctl, device, human, 4, st.errs);
        return true;
    }
    params = g_new0(virTypedParameter, MAX(nparams, 1));
    if (virDomainBlockStatsFlags(dom, device, params, &nparams, 0) < 0) {
        vkError(ctl, "Failed to get block stats for domain '%s' device '%s'", name, device);
        g_free(params);
        return false;
    }
    if (human) {
        vkPrint(ctl, "Device: %s\n", device);
        device = "";
    }
    for (i = 0; i < G_N_ELEMENTS(vkStatsBlkFields); i++) {
        virTypedParameterPtr par = NULL;
        g_autofree char *text = NULL;
        const char *field;

        for (k = 0; k < nparams; k++) {
            if (params[k].field[0] && strcmp(params[k].field, vkStatsBlkFields[i].field) == 0)
                par = &params[k];
        }
        if (!par)
            continue;
        text = vkStatsParamText(par, false);
        /* printed: the second pass skips it */
        par->field[0] = '\0';
        field = human ? vkStatsBlkFields[i].human :
                vkStatsBlkFields[i].legacy ? vkStatsBlkFields[i].legacy :
                vkStatsBlkFields[i].field;
        vkPrint(ctl, "%s %-*s %s\n", device, human ? 31 : 0, field, text);
    }
    for (k = 0; k < nparams; k++) {
        g_autofree char *text = NULL;

        if (!params[k].field[0])
            continue;
        text = vkStatsParamText(&params[k], false);
        vkPrint(ctl, "%s %s %s\n", device, params[k].field, text);
    }
    virTypedParamsFree(params, nparams);
    return true;
}

/**
 * vkStatsCmdDomifstat:
 * @ctl: run state
 * @cmd: parsed "domifstat" command
 *
 * Returns: true on success.
 */
bool
vkStatsCmdDomifstat(VkCtl *ctl, const VkCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    const char *name = NULL;
    const char *device = NULL;
    virDomainInterfaceStatsStruct st;

    if (!(dom = vkDomainLookup(ctl, cmd, "domain", VK_DOMAIN_BY_ANY, &name)))
        return false;
    if (vkCmdOptString(ctl, cmd, "interface", &device) < 0)
        return false;
    if (virDomainInterfaceStats(dom, device, &st, sizeof(st)) < 0) {
        vkError(ctl, "Failed to get interface stats %s %s", name, device);
        return false;
    }
#define IFSTAT(field) \
    if (st.field >= 0) \
        vkPrint(ctl, "%s %s %lld\n", device, #field, st.field)
    IFSTAT(rx_bytes);
    IFSTAT(rx_packets);
    IFSTAT(rx_errs);
    IFSTAT(rx_drop);
    IFSTAT(tx_bytes);
    IFSTAT(tx_packets);
    IFSTAT(tx_errs);
    IFSTAT(tx_drop);
#undef IFSTAT
    return true;
}

/**
 * vkStatsCmdDommemstat:
 * @ctl: run state
 * @cmd: parsed "dommemstat" command
 *
 * Returns: true on success.
 */
bool
vkStatsCmdDommemstat(VkCtl *ctl, const VkCmd *cmd)
{
    static const char *const names[] = {
        [VIR_DOMAIN_MEMORY_STAT_SWAP_IN] = "swap_in",
        [VIR_DOMAIN_MEMORY_STAT_SWAP_OUT] = "swap_out",
        [VIR_DOMAIN_MEMORY_STAT_MAJOR_FAULT] = "major_fault",
        [VIR_DOMAIN_MEMORY_STAT_MINOR_FAULT] = "minor_fault",
        [VIR_DOMAIN_MEMORY_STAT_UNUSED] = "unused",
        [VIR_DOMAIN_MEMORY_STAT_AVAILABLE] = "available",
        [VIR_DOMAIN_MEMORY_STAT_ACTUAL_BALLOON] = "actual",
        [VIR_DOMAIN_MEMORY_STAT_RSS] = "rss",
        [VIR_DOMAIN_MEMORY_STAT_USABLE] = "usable",
        [VIR_DOMAIN_MEMORY_STAT_LAST_UPDATE] = "last_update",
        [VIR_DOMAIN_MEMORY_STAT_DISK_CACHES] = "disk_caches",
        [VIR_DOMAIN_MEMORY_STAT_HUGETLB_PGALLOC] = "hugetlb_pgalloc",
        [VIR_DOMAIN_MEMORY_STAT_HUGETLB_PGFAIL] = "hugetlb_pgfail",
    };
    g_autoptr(virDomain) dom = NULL;
    const char *name = NULL;
    virDomainMemoryStatStruct stats[VIR_DOMAIN_MEMORY_STAT_NR];
    int n;
    int i;

    if (!(dom = vkDomainLookup(ctl, cmd, "domain", VK_DOMAIN_BY_ANY, &name)))
        return false;
    if (vkCmdOptRaw(cmd, "period")) {
        vkError(ctl, "%s", "Unable to change balloon collection period.");
        return false;
    }
    if ((n = virDomainMemoryStats(dom, stats, VIR_DOMAIN_MEMORY_STAT_NR, 0)) < 0) {
        vkError(ctl, "Failed to get memory statistics for domain %s", name);
        return false;
    }
    for (i = 0; i < n; i++) {
        if (stats[i].tag >= 0 && stats[i].tag < (int)G_N_ELEMENTS(names) && names[stats[i].tag])
            vkPrint(ctl, "%s %llu\n", names[stats[i].tag], stats[i].val);
    }
    return true;
}

/* A size as domblkinfo prints it: bytes, or "1.000 TiB" with --human. */
static char *
vkStatsSize(unsigned long long val, bool human)
{
    const char *unit;
    double v;

    if (!human)
        return g_strdup_printf("%llu", val);
    v = vkPrettyCapacity(val, &unit);
    return g_strdup_printf("%.3lf %s", v, unit);
}

/* The target names of every disk in the domain's XML, read with XPath as
 * vk_devices.c does (a NULL-terminated list, caller frees), or NULL with
 * an error printed. */
static char **
vkStatsDiskTargets(VkCtl *ctl, virDomainPtr dom)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(xmlXPathContext) ctxt = NULL;
    g_autoptr(xmlXPathObject) obj = NULL;
    g_autoptr(GPtrArray) out = g_ptr_array_new();
    char *xml;
    int i;

    if (!(xml = virDomainGetXMLDesc(dom, 0)))
        return NULL;
    doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    free(xml);
    if (!doc || !(ctxt = xmlXPathNewContext(doc))) {
        vkError(ctl, "%s", "Failed to parse domain description xml");
        return NULL;
    }
    obj = xmlXPathEval(BAD_CAST "/domain/devices/disk/target/@dev", ctxt);
    for (i = 0; obj && obj->nodesetval && i < obj->nodesetval->nodeNr; i++) {
        xmlChar *dev = xmlNodeGetContent(obj->nodesetval->nodeTab[i]);

        g_ptr_array_add(out, g_strdup((const char *)dev));
        xmlFree(dev);
    }
    g_ptr_array_add(out, NULL);
    return (char **)g_ptr_array_free(g_steal_pointer(&out), FALSE);
}

/**
 * vkStatsCmdDomblkinfo:
 * @ctl: run state
 * @cmd: parsed "domblkinfo" command
 *
 * Returns: true on success.
 */
bool
vkStatsCmdDomblkinfo(VkCtl *ctl, const VkCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    const char *device = NULL;
    bool human = vkCmdOptBool(cmd, "human");
    bool all = vkCmdOptBool(cmd, "all");
    virDomainBlockInfo info;

    if (!(dom = vkDomainLookup(ctl, cmd, "domain", VK_DOMAIN_BY_ANY, NULL)))
        return false;
    if (vkCmdOptString(ctl, cmd, "device", &device) < 0)
        return false;
    if (!all && !device) {
        vkError(ctl, "%s", "command 'domblkinfo' requires <device> option");
        return false;
    }
    if (all) {
        g_auto(GStrv) targets = NULL;
        g_autoptr(VkTable) table = vkTableNew("Target", "Capacity", "Allocation", "Physical",
                                               NULL);
        size_t i;

        if (!(targets = vkStatsDiskTargets(ctl, dom)))
            return false;
        for (i = 0; targets[i]; i++) {
            g_autofree char *cap = NULL;
            g_autofree char *alloc = NULL;
            g_autofree char *phys = NULL;

            if (virDomainGetBlockInfo(dom, targets[i], &info, 0) < 0) {
                /* virsh shows '-' for a disk without a source */
                if (vkLastErrorCode(ctl) != VIR_ERR_OPERATION_INVALID)
                    return false;
                vkResetError(ctl);
                vkTableAddRow(table, targets[i], "-", "-", "-", NULL);
                continue;
            }
            cap = vkStatsSize(info.capacity, human);
            alloc = vkStatsSize(info.allocation, human);
            phys = vkStatsSize(info.physical, human);
            vkTableAddRow(table, targets[i], cap, alloc, phys, NULL);
        }
        vkTablePrint(table, ctl);
        return true;
    }
    if (virDomainGetBlockInfo(dom, device, &info, 0) < 0)
        return false;
    if (human) {
        g_autofree char *cap = vkStatsSize(info.capacity, true);
        g_autofree char *alloc = vkStatsSize(info.allocation, true);
        g_autofree char *phys = vkStatsSize(info.physical, true);

        vkPrint(ctl, "%-15s %s\n", "Capacity:", cap);
        vkPrint(ctl, "%-15s %s\n", "Allocation:", alloc);
        vkPrint(ctl, "%-15s %s\n", "Physical:", phys);
    } else {
        vkPrint(ctl, "%-15s %llu\n", "Capacity:", info.capacity);
        vkPrint(ctl, "%-15s %llu\n", "Allocation:", info.allocation);
        vkPrint(ctl, "%-15s %llu\n", "Physical:", info.physical);
    }
    return true;
}
