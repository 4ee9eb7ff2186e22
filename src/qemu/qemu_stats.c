/* QEMU driver statistics: queries answered from driver state, /proc and cached QMP data. */
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ERR_DOMAIN VIR_FROM_QEMU

#include "api/domain_stats.h"
#include "conf/domain_obj.h"
#include "qemu/qemu_monitor.h"
#include "qemu/qemu_process.h"
#include "qemu/qemu_stats.h"
#include "util/error.h"
#include "util/log.h"
#include "util/str.h"
#include "util/uuid.h"

LOG_INIT("qemu.stats");

/*
 * Issue 7: none of these takes a domain job or waits on a busy monitor.
 *
 * - CPU and vCPU times, vCPU placement and RSS come from /proc (the vCPU
 *   threads are found by their names, "CPU N/KVM" or "CPU N/TCG", which
 *   QEMU gives them with -name debug-threads=on);
 * - memory sizes, state and device lists come from the live definition;
 * - disk sizes come from the image files;
 * - block I/O counters come from QEMU (query-blockstats) through a
 *   per-process cache.  A query refreshes the cache only when the monitor
 *   is idle, sends the command asynchronously and waits for its answer at
 *   most QEMU_STATS_WAIT_MS with no domain lock held.  Single-domain APIs
 *   answer from the most recent data; bulk stats leave out the counters
 *   that are not fresh (older than QEMU_STATS_FRESH_MS).
 */

/* A refresh is started when the cached data are older than this (ms). */
#define QEMU_STATS_REFRESH_MS 100
/* Cached data younger than this (ms) count as fresh for bulk stats. */
#define QEMU_STATS_FRESH_MS 1000
/* How long a query waits for a refresh on an idle monitor (ms). */
#define QEMU_STATS_WAIT_MS 50

struct _QemuStatsCache {
    gint refs;                  /* atomic */
    Mutex lock;                 /* protects the fields below; taken after the domain lock,
                                 * or alone (the reply callback) */
    Cond cond;                  /* broadcast when a refresh ends */
    bool refreshing;            /* a query-blockstats is queued or in flight */
    GPtrArray *block;           /* QemuMonitorBlockStats of the last answer, or NULL */
    gint64 blockUpdated;        /* monotonic µs of @block, 0 before the first */
};

static QemuStatsCache *
qemuStatsCacheNew(void)
{
    QemuStatsCache *cache = g_new0(QemuStatsCache, 1);

    cache->refs = 1;
    mutexInit(&cache->lock);
    condInit(&cache->cond);
    return cache;
}

static QemuStatsCache *
qemuStatsCacheRef(QemuStatsCache *cache)
{
    g_atomic_int_inc(&cache->refs);
    return cache;
}

/**
 * qemuStatsCacheFree:
 * @cache: a statistics cache, or NULL
 *
 * Drops the owner's reference (a refresh in flight or a waiting query
 * may keep the cache alive a little longer).
 */
void
qemuStatsCacheFree(QemuStatsCache *cache)
{
    if (!cache || !g_atomic_int_dec_and_test(&cache->refs))
        return;
    if (cache->block)
        g_ptr_array_unref(cache->block);
    condClear(&cache->cond);
    mutexClear(&cache->lock);
    g_free(cache);
}

static void
qemuStatsCacheUnref(gpointer opaque)
{
    qemuStatsCacheFree(opaque);
}

/* Completion of query-blockstats, on the driver's event-loop thread (or
 * the thread closing the monitor): touches only the cache, never the
 * domain, so it cannot deadlock with a thread holding the domain lock. */
static void
qemuStatsBlockReply(QemuMonitor *mon, json_object *reply, const virError *err, void *opaque)
{
    QemuStatsCache *cache = opaque;
    GPtrArray *list = NULL;

    if (reply)
        list = qemuMonitorJSONParseBlockStats(reply);
    if (!list)
        LOG_DEBUG("monitor '%s': query-blockstats failed: %s", qemuMonitorGetName(mon),
                  err && err->message ? err->message : "bad reply");
    errorReset();
    mutexLock(&cache->lock);
    if (list) {
        if (cache->block)
            g_ptr_array_unref(cache->block);
        cache->block = list;
        cache->blockUpdated = g_get_monotonic_time();
    }
    cache->refreshing = false;
    condBroadcast(&cache->cond);
    mutexUnlock(&cache->lock);
}

/*
 * Starts a refresh of @vm's cache (locked, active) when it is due and
 * the monitor is idle.  Returns the cache with a reference (the caller
 * waits on it or drops it), or NULL when the domain has no monitor.
 */
static QemuStatsCache *
qemuStatsKickLocked(DomainObj *vm)
{
    QemuDomainPrivate *priv = vm->privateData;
    QemuStatsCache *cache;
    bool send = false;

    if (!priv || !priv->mon || !domainObjIsActive(vm))
        return NULL;
    if (!priv->stats)
        priv->stats = qemuStatsCacheNew();
    cache = priv->stats;
    mutexLock(&cache->lock);
    if (!cache->refreshing &&
        (cache->blockUpdated == 0 ||
         g_get_monotonic_time() - cache->blockUpdated > QEMU_STATS_REFRESH_MS * 1000) &&
        qemuMonitorIsIdle(priv->mon)) {
        cache->refreshing = true;
        send = true;
    }
    mutexUnlock(&cache->lock);
    if (send &&
        qemuMonitorCommandAsync(priv->mon, qemuMonitorJSONMakeCommand("query-blockstats", NULL),
                                0, QEMU_MONITOR_TIMEOUT_DEFAULT, qemuStatsBlockReply,
                                qemuStatsCacheRef(cache), qemuStatsCacheUnref, NULL) < 0) {
        /* The monitor stopped: the process is going away. */
        errorReset();
        mutexLock(&cache->lock);
        cache->refreshing = false;
        mutexUnlock(&cache->lock);
    }
    return qemuStatsCacheRef(cache);
}

/* Waits (no domain lock held) until @cache's refresh ended or @deadline. */
static void
qemuStatsWait(QemuStatsCache *cache, gint64 deadline)
{
    mutexLock(&cache->lock);
    while (cache->refreshing && condWaitUntil(&cache->cond, &cache->lock, deadline))
        ;
    mutexUnlock(&cache->lock);
}

/*
 * Refreshes the block counters of @vm (locked, active) if the monitor is
 * idle, waiting at most QEMU_STATS_WAIT_MS with @vm unlocked.  Returns
 * with @vm locked; the caller checks again that it is active.
 */
static void
qemuStatsRefreshLocked(DomainObj *vm)
{
    QemuStatsCache *cache = qemuStatsKickLocked(vm);

    if (!cache)
        return;
    domainObjUnlock(vm);
    qemuStatsWait(cache, g_get_monotonic_time() + QEMU_STATS_WAIT_MS * 1000);
    qemuStatsCacheFree(cache);
    domainObjLock(vm);
}

/* The block counters of @disk (an alias) in the cache of @vm (locked): a
 * copy in *ret; returns the time of the data (0: none). */
static gint64
qemuStatsGetBlock(DomainObj *vm, const DomainDiskDef *disk, QemuMonitorBlockStats *ret)
{
    QemuDomainPrivate *priv = vm->privateData;
    const char *alias = disk->info.alias;
    g_autofree char *prefix = NULL;
    g_autofree char *drive = NULL;
    gint64 when = 0;
    size_t i;

    memset(ret, 0, sizeof(*ret));
    if (!priv || !priv->stats || !alias)
        return 0;
    prefix = g_strdup_printf("/machine/peripheral/%s/", alias);
    drive = g_strdup_printf("drive-%s", alias);
    mutexLock(&priv->stats->lock);
    for (i = 0; priv->stats->block && i < priv->stats->block->len; i++) {
        QemuMonitorBlockStats *b = g_ptr_array_index(priv->stats->block, i);

        if ((b->qdev && (streq(b->qdev, alias) || strPrefix(b->qdev, prefix))) ||
            (b->device && (streq(b->device, alias) || streq(b->device, drive)))) {
            *ret = *b;
            ret->device = ret->qdev = ret->nodeName = NULL;
            when = priv->stats->blockUpdated;
            break;
        }
    }
    mutexUnlock(&priv->stats->lock);
    return when;
}

static bool
qemuStatsIsFresh(gint64 when)
{
    return when > 0 && g_get_monotonic_time() - when <= QEMU_STATS_FRESH_MS * 1000;
}

/* ---- /proc ---- */

typedef struct {
    unsigned int index;         /* vCPU number */
    pid_t tid;
    unsigned long long timeNs;  /* user + system */
    unsigned long long delayNs; /* waiting on a run queue (schedstat) */
    bool hasDelay;
    int cpu;                    /* host CPU it last ran on */
} QemuStatsVcpu;

static long long
qemuStatsTickNs(void)
{
    long tck = sysconf(_SC_CLK_TCK);

    return 1000000000LL / (tck > 0 ? tck : 100);
}

/* Fields of /proc/PID[/task/TID]/stat after "(comm)": utime, stime,
 * rss (pages) and processor.  Returns 0, or -1 (no error reported). */
static int
qemuStatsReadStat(const char *path, uint64_t *utime, uint64_t *stime, int64_t *rss, int *cpu)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) fields = NULL;
    const char *p;

    if (!g_file_get_contents(path, &text, NULL, NULL) || !(p = strrchr(text, ')')))
        return -1;
    /* fields[0] is the state (field 3 of proc(5)). */
    fields = g_strsplit_set(p + 2, " \n", -1);
    if (g_strv_length(fields) < 37)
        return -1;
    if (utime && strParseUInt64(fields[11], 10, utime) < 0)
        return -1;
    if (stime && strParseUInt64(fields[12], 10, stime) < 0)
        return -1;
    if (rss && strParseInt64(fields[21], 10, rss) < 0)
        return -1;
    if (cpu && strParseInt(fields[36], 10, cpu) < 0)
        return -1;
    return 0;
}

static gint
qemuStatsVcpuCompare(gconstpointer a, gconstpointer b)
{
    const QemuStatsVcpu *va = a;
    const QemuStatsVcpu *vb = b;

    return (va->index > vb->index) - (va->index < vb->index);
}

/* The vCPU threads of @pid, sorted by index (an empty array when none
 * is found, e.g. the process is exiting). */
static GArray *
qemuStatsReadVcpus(pid_t pid)
{
    g_autofree char *taskDir = g_strdup_printf("/proc/%d/task", (int)pid);
    GArray *vcpus = g_array_new(FALSE, TRUE, sizeof(QemuStatsVcpu));
    long long tickNs = qemuStatsTickNs();
    DIR *dir;
    struct dirent *ent;

    if (!(dir = opendir(taskDir)))
        return vcpus;
    while ((ent = readdir(dir))) {
        g_autofree char *commPath = NULL;
        g_autofree char *comm = NULL;
        g_autofree char *statPath = NULL;
        g_autofree char *schedPath = NULL;
        g_autofree char *sched = NULL;
        QemuStatsVcpu v = { 0 };
        uint64_t ut = 0;
        uint64_t st = 0;
        unsigned long long run = 0;
        unsigned long long wait = 0;
        int tid;

        if (strParseInt(ent->d_name, 10, &tid) < 0)
            continue;
        commPath = g_strdup_printf("%s/%d/comm", taskDir, tid);
        if (!g_file_get_contents(commPath, &comm, NULL, NULL) ||
            sscanf(comm, "CPU %u/", &v.index) != 1)
            continue;
        statPath = g_strdup_printf("%s/%d/stat", taskDir, tid);
        if (qemuStatsReadStat(statPath, &ut, &st, NULL, &v.cpu) < 0)
            continue;
        v.tid = tid;
        v.timeNs = (ut + st) * (unsigned long long)tickNs;
        schedPath = g_strdup_printf("%s/%d/schedstat", taskDir, tid);
        if (g_file_get_contents(schedPath, &sched, NULL, NULL) &&
            sscanf(sched, "%llu %llu", &run, &wait) == 2) {
            v.delayNs = wait;
            v.hasDelay = true;
        }
        g_array_append_val(vcpus, v);
    }
    closedir(dir);
    g_array_sort(vcpus, qemuStatsVcpuCompare);
    return vcpus;
}

/* Process CPU times (ns) and RSS (KiB).  Returns 0, or -1 (no error). */
static int
qemuStatsReadProcess(pid_t pid, unsigned long long *userNs, unsigned long long *sysNs,
                     unsigned long long *rssKiB)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
    uint64_t ut = 0;
    uint64_t st = 0;
    int64_t rss = 0;
    long long tickNs = qemuStatsTickNs();
    long page = sysconf(_SC_PAGESIZE);

    if (qemuStatsReadStat(path, &ut, &st, &rss, NULL) < 0)
        return -1;
    *userNs = ut * (unsigned long long)tickNs;
    *sysNs = st * (unsigned long long)tickNs;
    *rssKiB = rss > 0 ? (unsigned long long)rss * (unsigned long long)(page > 0 ? page : 4096) /
                            1024 : 0;
    return 0;
}

/* Capacity, allocation and physical size of a file image.  Returns 0, or
 * -1 with a system error naming the file. */
static int
qemuStatsImageSize(const DomainDiskDef *disk, virDomainBlockInfoPtr info)
{
    struct stat sb;
    unsigned char hdr[32];
    FILE *f;

    if (stat(disk->src, &sb) < 0) {
        reportSystemError(errno, _("cannot stat file '%1$s'"), disk->src);
        return -1;
    }
    info->physical = (unsigned long long)sb.st_size;
    info->allocation = S_ISREG(sb.st_mode) ? (unsigned long long)sb.st_blocks * 512 :
                                             (unsigned long long)sb.st_size;
    info->capacity = info->physical;
    /* A qcow2 image tells its virtual size (big-endian u64 at offset 24). */
    if (S_ISREG(sb.st_mode) && (!disk->driverType || streq(disk->driverType, "qcow2")) &&
        (f = fopen(disk->src, "rbe"))) {
        if (fread(hdr, 1, sizeof(hdr), f) == sizeof(hdr) && memcmp(hdr, "QFI\xfb", 4) == 0) {
            unsigned long long size = 0;
            int i;

            for (i = 24; i < 32; i++)
                size = (size << 8) | hdr[i];
            info->capacity = size;
        }
        fclose(f);
    }
    return 0;
}

/* ---- lookups ---- */

static DomainObj *
qemuStatsDomObj(virDomainPtr dom)
{
    QemuDriver *driver = dom->conn->privateData;
    DomainObj *vm = domainObjListFindByUUID(driver->domains, dom->uuid);

    if (!vm) {
        char uuidstr[VIR_UUID_STRING_BUFLEN];

        uuidFormat(dom->uuid, uuidstr);
        reportError(VIR_ERR_NO_DOMAIN, _("no domain with matching uuid '%1$s' (%2$s)"), uuidstr,
                    dom->name);
        return NULL;
    }
    return vm;
}

/* Active domain with its running process, locked; NULL with an error. */
static DomainObj *
qemuStatsActiveDomObj(virDomainPtr dom)
{
    DomainObj *vm = qemuStatsDomObj(dom);

    if (!vm)
        return NULL;
    if (domainObjCheckActive(vm) < 0 || !vm->privateData ||
        qemuDomainPrivate(vm)->pid <= 0) {
        if (!errorIsSet())
            reportError(VIR_ERR_OPERATION_INVALID, "%s", _("domain is not running"));
        domainObjEndAPI(&vm);
        return NULL;
    }
    return vm;
}

/* ---- the driver entry points ---- */

/**
 * qemuStatsDomainGetVcpus:
 * @dom: an active domain
 * @info: @maxinfo entries to fill
 * @maxinfo: > 0
 * @cpumaps: NULL or @maxinfo * @maplen bytes of host-CPU affinity
 * @maplen: bytes per map
 *
 * From /proc: each vCPU thread's CPU time, last host CPU and affinity.
 *
 * Returns: the number of vCPUs filled in, or -1 with an error.
 */
int
qemuStatsDomainGetVcpus(virDomainPtr dom, virVcpuInfoPtr info, int maxinfo,
                        unsigned char *cpumaps, int maplen)
{
    DomainObj *vm;
    g_autoptr(GArray) vcpus = NULL;
    pid_t pid;
    unsigned int nvcpus;
    int n;
    int i;

    if (!(vm = qemuStatsDomObj(dom)))
        return -1;
    if (!domainObjIsActive(vm) || !vm->privateData || qemuDomainPrivate(vm)->pid <= 0) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s",
                    _("cannot list vcpus for an inactive domain"));
        domainObjEndAPI(&vm);
        return -1;
    }
    pid = qemuDomainPrivate(vm)->pid;
    nvcpus = vm->def->vcpus;
    domainObjEndAPI(&vm);

    vcpus = qemuStatsReadVcpus(pid);
    n = MIN(maxinfo, (int)nvcpus);
    for (i = 0; i < n; i++) {
        QemuStatsVcpu *v = NULL;
        guint j;

        for (j = 0; j < vcpus->len; j++) {
            if (g_array_index(vcpus, QemuStatsVcpu, j).index == (unsigned int)i)
                v = &g_array_index(vcpus, QemuStatsVcpu, j);
        }
        info[i].number = i;
        info[i].state = VIR_VCPU_RUNNING;
        info[i].cpuTime = v ? v->timeNs : 0;
        info[i].cpu = v ? v->cpu : VIR_VCPU_INFO_CPU_UNAVAILABLE;
        if (cpumaps && v) {
            cpu_set_t set;
            int c;

            CPU_ZERO(&set);
            if (sched_getaffinity(v->tid, sizeof(set), &set) == 0) {
                for (c = 0; c < maplen * 8 && c < CPU_SETSIZE; c++) {
                    if (CPU_ISSET(c, &set))
                        VIR_USE_CPU(VIR_GET_CPUMAP(cpumaps, maplen, i), c);
                }
            }
        }
    }
    return n;
}

/* The disk @path names in @vm (locked), or NULL with libvirt's error. */
static DomainDiskDef *
qemuStatsFindDisk(DomainObj *vm, const char *path)
{
    DomainDiskDef *disk = domainStatsFindDisk(vm->def, path);

    if (!disk)
        reportError(VIR_ERR_INVALID_ARG, _("invalid path: %1$s"), path);
    return disk;
}

/*
 * Block counters of @disk ("" sums every disk) from the cache, refreshed
 * when the monitor is idle.  Fails with VIR_ERR_OPERATION_TIMEOUT when
 * QEMU never answered a query-blockstats yet and is busy now.
 */
static int
qemuStatsBlockCounters(virDomainPtr dom, const char *disk, QemuMonitorBlockStats *ret)
{
    DomainObj *vm;
    size_t i;
    bool found = false;
    int rc = -1;

    memset(ret, 0, sizeof(*ret));
    if (!(vm = qemuStatsActiveDomObj(dom)))
        return -1;
    if (*disk && !qemuStatsFindDisk(vm, disk))
        goto cleanup;
    qemuStatsRefreshLocked(vm);
    if (domainObjCheckActive(vm) < 0)
        goto cleanup;
    for (i = 0; i < vm->def->ndisks; i++) {
        DomainDiskDef *d = vm->def->disks[i];
        QemuMonitorBlockStats b;

        if (*disk && d != domainStatsFindDisk(vm->def, disk))
            continue;
        if (qemuStatsGetBlock(vm, d, &b) == 0)
            continue;
        found = true;
        ret->rdBytes += b.rdBytes;
        ret->wrBytes += b.wrBytes;
        ret->rdOperations += b.rdOperations;
        ret->wrOperations += b.wrOperations;
        ret->flushOperations += b.flushOperations;
        ret->rdTotalTimeNs += b.rdTotalTimeNs;
        ret->wrTotalTimeNs += b.wrTotalTimeNs;
        ret->flushTotalTimeNs += b.flushTotalTimeNs;
    }
    if (!found && (*disk || vm->def->ndisks > 0)) {
        QemuDomainPrivate *priv = qemuDomainPrivate(vm);
        g_autofree char *cmd = NULL;
        int64_t ageMs = 0;

        if (priv->mon && (cmd = qemuMonitorGetPending(priv->mon, 0, false, &ageMs)))
            reportError(VIR_ERR_OPERATION_TIMEOUT,
                        _("no block statistics of domain '%1$s' yet: QEMU has not answered command '%2$s' for %3$lld.%4$03lld s"),
                        vm->def->name, cmd, (long long)(ageMs / 1000),
                        (long long)(ageMs % 1000));
        else
            reportError(VIR_ERR_OPERATION_FAILED,
                        _("QEMU has no block statistics for disk '%1$s' of domain '%2$s'"),
                        *disk ? disk : "*", vm->def->name);
        goto cleanup;
    }
    rc = 0;

 cleanup:
    domainObjEndAPI(&vm);
    return rc;
}

/**
 * qemuStatsDomainBlockStats:
 * @dom: an active domain
 * @disk: target or source path; "" sums every disk
 * @stats: filled (errs is -1: QEMU does not count errors)
 *
 * Returns: 0, or -1 with an error.
 */
int
qemuStatsDomainBlockStats(virDomainPtr dom, const char *disk, virDomainBlockStatsPtr stats)
{
    QemuMonitorBlockStats b;

    if (qemuStatsBlockCounters(dom, disk, &b) < 0)
        return -1;
    stats->rd_req = (long long)b.rdOperations;
    stats->rd_bytes = (long long)b.rdBytes;
    stats->wr_req = (long long)b.wrOperations;
    stats->wr_bytes = (long long)b.wrBytes;
    stats->errs = -1;
    return 0;
}

/**
 * qemuStatsDomainBlockStatsFlags:
 * @dom: an active domain
 * @disk: target or source path; "" sums every disk
 * @params: *@nparams entries to fill
 * @nparams: in: room (0 asks for the count); out: filled
 * @flags: VIR_TYPED_PARAM_STRING_OKAY only
 *
 * Returns: 0, or -1 with an error.
 */
int
qemuStatsDomainBlockStatsFlags(virDomainPtr dom, const char *disk, virTypedParameterPtr params,
                               int *nparams, unsigned int flags)
{
    QemuMonitorBlockStats b;
    struct {
        const char *field;
        unsigned long long val;
    } fields[8];
    int n = 0;
    int i;

    checkFlags(flags, VIR_TYPED_PARAM_STRING_OKAY, -1);
    if (*nparams == 0) {
        /* How many there are; libvirt answers this without the domain state. */
        DomainObj *vm = qemuStatsActiveDomObj(dom);

        if (!vm)
            return -1;
        domainObjEndAPI(&vm);
        *nparams = G_N_ELEMENTS(fields);
        return 0;
    }
    if (qemuStatsBlockCounters(dom, disk, &b) < 0)
        return -1;
    /* libvirt's order. */
    fields[n].field = VIR_DOMAIN_BLOCK_STATS_WRITE_BYTES, fields[n++].val = b.wrBytes;
    fields[n].field = VIR_DOMAIN_BLOCK_STATS_WRITE_REQ, fields[n++].val = b.wrOperations;
    fields[n].field = VIR_DOMAIN_BLOCK_STATS_READ_BYTES, fields[n++].val = b.rdBytes;
    fields[n].field = VIR_DOMAIN_BLOCK_STATS_READ_REQ, fields[n++].val = b.rdOperations;
    fields[n].field = VIR_DOMAIN_BLOCK_STATS_FLUSH_REQ, fields[n++].val = b.flushOperations;
    fields[n].field = VIR_DOMAIN_BLOCK_STATS_WRITE_TOTAL_TIMES, fields[n++].val = b.wrTotalTimeNs;
    fields[n].field = VIR_DOMAIN_BLOCK_STATS_READ_TOTAL_TIMES, fields[n++].val = b.rdTotalTimeNs;
    fields[n].field = VIR_DOMAIN_BLOCK_STATS_FLUSH_TOTAL_TIMES,
        fields[n++].val = b.flushTotalTimeNs;
    for (i = 0; i < n && i < *nparams; i++) {
        memset(&params[i], 0, sizeof(params[i]));
        g_strlcpy(params[i].field, fields[i].field, VIR_TYPED_PARAM_FIELD_LENGTH);
        params[i].type = VIR_TYPED_PARAM_LLONG;
        params[i].value.l = (long long)fields[i].val;
    }
    *nparams = i;
    return 0;
}

/* Counters of host network device @ifname from /proc/net/dev, from the
 * guest's point of view (the host receives what the guest sends). */
static int
qemuStatsTapCounters(const char *ifname, virDomainInterfaceStatsPtr stats)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    size_t i;

    if (!g_file_get_contents("/proc/net/dev", &text, NULL, NULL)) {
        reportSystemError(errno, "%s", _("cannot read '/proc/net/dev'"));
        return -1;
    }
    lines = g_strsplit(text, "\n", -1);
    for (i = 0; lines[i]; i++) {
        char *colon = strchr(lines[i], ':');
        g_autofree char *name = NULL;
        unsigned long long v[16];

        if (!colon)
            continue;
        name = g_strstrip(g_strndup(lines[i], colon - lines[i]));
        if (!streq(name, ifname))
            continue;
        if (sscanf(colon + 1,
                   "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu "
                   "%llu %llu",
                   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9],
                   &v[10], &v[11], &v[12], &v[13], &v[14], &v[15]) != 16)
            break;
        stats->rx_bytes = (long long)v[8];
        stats->rx_packets = (long long)v[9];
        stats->rx_errs = (long long)v[10];
        stats->rx_drop = (long long)v[11];
        stats->tx_bytes = (long long)v[0];
        stats->tx_packets = (long long)v[1];
        stats->tx_errs = (long long)v[2];
        stats->tx_drop = (long long)v[3];
        return 0;
    }
    reportError(VIR_ERR_INTERNAL_ERROR, _("interface '%1$s' not found on the host"), ifname);
    return -1;
}

/* The host device of @net, or NULL with an error naming why none. */
static const char *
qemuStatsNetHostDevice(const DomainNetDef *net, const char *device)
{
    if (net->type == DOMAIN_NET_TYPE_USER || !net->ifname) {
        reportError(VIR_ERR_OPERATION_UNSUPPORTED,
                    _("interface '%1$s' of type '%2$s' has no host device to count its traffic"),
                    device, domainNetTypeToString(net->type));
        return NULL;
    }
    return net->ifname;
}

/**
 * qemuStatsDomainInterfaceStats:
 * @dom: an active domain
 * @device: target device or MAC address
 * @stats: filled from the host side of its tap device
 *
 * Returns: 0, or -1 with an error.
 */
int
qemuStatsDomainInterfaceStats(virDomainPtr dom, const char *device,
                              virDomainInterfaceStatsPtr stats)
{
    DomainObj *vm;
    DomainNetDef *net;
    g_autofree char *ifname = NULL;
    const char *host;

    if (!(vm = qemuStatsActiveDomObj(dom)))
        return -1;
    if (!(net = domainStatsFindNet(vm->def, device))) {
        errorReport(VIR_FROM_DOMAIN, VIR_ERR_INVALID_ARG, __FILE__, __func__, __LINE__,
                    _("'%1$s' is not a known interface"), device);
        domainObjEndAPI(&vm);
        return -1;
    }
    if ((host = qemuStatsNetHostDevice(net, device)))
        ifname = g_strdup(host);
    domainObjEndAPI(&vm);
    if (!ifname)
        return -1;
    return qemuStatsTapCounters(ifname, stats);
}

/**
 * qemuStatsDomainMemoryStats:
 * @dom: an active domain
 * @stats: @nr_stats entries
 * @nr_stats: room
 * @flags: 0
 *
 * The balloon size from the live definition and the RSS of QEMU from
 * /proc.  The guest's own figures (swap, faults, free memory) need the
 * balloon driver's statistics, which virtkit does not poll: left out.
 *
 * Returns: the number filled in, or -1 with an error.
 */
int
qemuStatsDomainMemoryStats(virDomainPtr dom, virDomainMemoryStatPtr stats,
                           unsigned int nr_stats, unsigned int flags)
{
    DomainObj *vm;
    unsigned long long cur;
    unsigned long long ut = 0;
    unsigned long long st = 0;
    unsigned long long rss = 0;
    bool haveRss;
    pid_t pid;
    unsigned int n = 0;

    checkFlags(flags, 0, -1);
    if (!(vm = qemuStatsActiveDomObj(dom)))
        return -1;
    cur = vm->def->mem.current;
    pid = qemuDomainPrivate(vm)->pid;
    domainObjEndAPI(&vm);
    haveRss = qemuStatsReadProcess(pid, &ut, &st, &rss) == 0;
    if (n < nr_stats) {
        stats[n].tag = VIR_DOMAIN_MEMORY_STAT_ACTUAL_BALLOON;
        stats[n++].val = cur;
    }
    if (haveRss && n < nr_stats) {
        stats[n].tag = VIR_DOMAIN_MEMORY_STAT_RSS;
        stats[n++].val = rss;
    }
    return (int)n;
}

/**
 * qemuStatsDomainGetBlockInfo:
 * @dom: a domain (active or not: the sizes come from the image file)
 * @disk: target or source path
 * @info: filled
 * @flags: 0
 *
 * Returns: 0, or -1 with an error.
 */
int
qemuStatsDomainGetBlockInfo(virDomainPtr dom, const char *disk, virDomainBlockInfoPtr info,
                            unsigned int flags)
{
    DomainObj *vm;
    DomainDiskDef *d;
    g_autoptr(DomainDiskDef) copy = NULL;

    checkFlags(flags, 0, -1);
    if (!(vm = qemuStatsDomObj(dom)))
        return -1;
    if (!(d = domainStatsFindDisk(vm->def, disk))) {
        reportError(VIR_ERR_INVALID_ARG, _("invalid path %1$s not assigned to domain"), disk);
        domainObjEndAPI(&vm);
        return -1;
    }
    if (!d->src) {
        reportError(VIR_ERR_OPERATION_INVALID,
                    _("disk '%1$s' does not currently have a source assigned"), disk);
        domainObjEndAPI(&vm);
        return -1;
    }
    if (d->type != DOMAIN_DISK_TYPE_FILE && d->type != DOMAIN_DISK_TYPE_BLOCK) {
        reportError(VIR_ERR_OPERATION_UNSUPPORTED,
                    _("block info of disk '%1$s' of type '%2$s' is not supported"), disk,
                    domainDiskTypeToString(d->type));
        domainObjEndAPI(&vm);
        return -1;
    }
    copy = g_new0(DomainDiskDef, 1);
    copy->src = g_strdup(d->src);
    copy->driverType = g_strdup(d->driverType);
    copy->type = d->type;
    domainObjEndAPI(&vm);
    return qemuStatsImageSize(copy, info);
}

/* Parses a sysfs CPU list ("0-3,5") into @map (NULL: count only).
 * Returns the highest CPU + 1, or -1. */
static int
qemuStatsParseCpuList(const char *text, unsigned char *map, int maxcpus)
{
    g_auto(GStrv) ranges = g_strsplit(text, ",", -1);
    int last = -1;
    size_t i;

    for (i = 0; ranges[i]; i++) {
        g_autofree char *r = g_strstrip(g_strdup(ranges[i]));
        char *dash;
        int lo;
        int hi;
        int c;

        if (!*r)
            continue;
        if ((dash = strchr(r, '-')))
            *dash = '\0';
        if (strParseInt(r, 10, &lo) < 0 || lo < 0)
            return -1;
        hi = lo;
        if (dash && (strParseInt(dash + 1, 10, &hi) < 0 || hi < lo))
            return -1;
        for (c = lo; c <= hi && c < maxcpus; c++) {
            if (map)
                VIR_USE_CPU(map, c);
        }
        last = MAX(last, hi);
    }
    return last + 1;
}

/**
 * qemuStatsNodeGetCPUMap:
 * @conn: a connection to the QEMU driver
 * @cpumap: set to the online host CPUs (caller frees), or NULL
 * @online: set to their number, or NULL
 * @flags: 0
 *
 * From /sys/devices/system/cpu/{present,online}.
 *
 * Returns: the number of CPUs present, or -1 with an error.
 */
int
qemuStatsNodeGetCPUMap(virConnectPtr conn, unsigned char **cpumap, unsigned int *online,
                       unsigned int flags)
{
    g_autofree char *present = NULL;
    g_autofree char *onl = NULL;
    g_autofree unsigned char *map = NULL;
    int npresent;
    unsigned int count = 0;
    int c;

    checkFlags(flags, 0, -1);
    if (!g_file_get_contents("/sys/devices/system/cpu/present", &present, NULL, NULL) ||
        !g_file_get_contents("/sys/devices/system/cpu/online", &onl, NULL, NULL)) {
        reportSystemError(errno, "%s", _("cannot read the host CPU lists in /sys/devices/system/cpu"));
        return -1;
    }
    if ((npresent = qemuStatsParseCpuList(present, NULL, 0)) <= 0) {
        reportError(VIR_ERR_INTERNAL_ERROR, _("cannot parse the present CPUs '%1$s'"), present);
        return -1;
    }
    map = g_new0(unsigned char, VIR_CPU_MAPLEN(npresent));
    if (qemuStatsParseCpuList(onl, map, npresent) < 0) {
        reportError(VIR_ERR_INTERNAL_ERROR, _("cannot parse the online CPUs '%1$s'"), onl);
        return -1;
    }
    for (c = 0; c < npresent; c++) {
        if (VIR_CPU_USED(map, c))
            count++;
    }
    if (cpumap)
        *cpumap = g_steal_pointer(&map);
    if (online)
        *online = count;
    return npresent;
}

/* ---- bulk stats ---- */

#define QEMU_STATS_GROUPS \
    (VIR_DOMAIN_STATS_STATE | VIR_DOMAIN_STATS_CPU_TOTAL | VIR_DOMAIN_STATS_BALLOON | \
     VIR_DOMAIN_STATS_VCPU | VIR_DOMAIN_STATS_INTERFACE | VIR_DOMAIN_STATS_BLOCK)

#define ADD(kind, ...) \
    do { \
        if (virTypedParamsAdd##kind(params, nparams, maxparams, __VA_ARGS__) < 0) \
            return -1; \
    } while (0)

static int
qemuStatsFillVcpu(DomainObj *vm, pid_t pid, virTypedParameterPtr *params, int *nparams,
                  int *maxparams)
{
    g_autoptr(GArray) vcpus = NULL;
    char field[VIR_TYPED_PARAM_FIELD_LENGTH];
    guint i;

    ADD(UInt, "vcpu.current", vm->def->vcpus);
    ADD(UInt, "vcpu.maximum", vm->def->maxvcpus);
    if (pid <= 0)
        return 0;
    vcpus = qemuStatsReadVcpus(pid);
    for (i = 0; i < vcpus->len; i++) {
        QemuStatsVcpu *v = &g_array_index(vcpus, QemuStatsVcpu, i);

        g_snprintf(field, sizeof(field), "vcpu.%u.state", v->index);
        ADD(Int, field, VIR_VCPU_RUNNING);
        g_snprintf(field, sizeof(field), "vcpu.%u.time", v->index);
        ADD(ULLong, field, v->timeNs);
        if (v->hasDelay) {
            g_snprintf(field, sizeof(field), "vcpu.%u.delay", v->index);
            ADD(ULLong, field, v->delayNs);
        }
    }
    return 0;
}

static int
qemuStatsFillNet(DomainObj *vm, virTypedParameterPtr *params, int *nparams, int *maxparams)
{
    char field[VIR_TYPED_PARAM_FIELD_LENGTH];
    size_t i;

    ADD(UInt, "net.count", (unsigned int)vm->def->nnets);
    for (i = 0; i < vm->def->nnets; i++) {
        DomainNetDef *net = vm->def->nets[i];
        virDomainInterfaceStatsStruct st;
        const char *name = net->ifname ? net->ifname : net->info.alias;

        if (name) {
            g_snprintf(field, sizeof(field), "net.%zu.name", i);
            ADD(String, field, name);
        }
        /* Only a host device has counters; leave them out otherwise. */
        if (net->type == DOMAIN_NET_TYPE_USER || !net->ifname ||
            qemuStatsTapCounters(net->ifname, &st) < 0) {
            errorReset();
            continue;
        }
#define NET_ADD(suffix, val) \
        g_snprintf(field, sizeof(field), "net.%zu." suffix, i); \
        ADD(ULLong, field, (unsigned long long)(val))
        NET_ADD("rx.bytes", st.rx_bytes);
        NET_ADD("rx.pkts", st.rx_packets);
        NET_ADD("rx.errs", st.rx_errs);
        NET_ADD("rx.drop", st.rx_drop);
        NET_ADD("tx.bytes", st.tx_bytes);
        NET_ADD("tx.pkts", st.tx_packets);
        NET_ADD("tx.errs", st.tx_errs);
        NET_ADD("tx.drop", st.tx_drop);
#undef NET_ADD
    }
    return 0;
}

static int
qemuStatsFillBlock(DomainObj *vm, bool active, virTypedParameterPtr *params, int *nparams,
                   int *maxparams)
{
    char field[VIR_TYPED_PARAM_FIELD_LENGTH];
    size_t i;

    ADD(UInt, "block.count", (unsigned int)vm->def->ndisks);
    for (i = 0; i < vm->def->ndisks; i++) {
        DomainDiskDef *d = vm->def->disks[i];
        QemuMonitorBlockStats b;
        virDomainBlockInfo bi = { 0 };

#define BLK_ADD(kind, suffix, val) \
        g_snprintf(field, sizeof(field), "block.%zu." suffix, i); \
        ADD(kind, field, val)
        BLK_ADD(String, "name", d->dst);
        if (d->src && (d->type == DOMAIN_DISK_TYPE_FILE || d->type == DOMAIN_DISK_TYPE_BLOCK))
            BLK_ADD(String, "path", d->src);
        /* QEMU's counters, only when fresh. */
        if (active && qemuStatsIsFresh(qemuStatsGetBlock(vm, d, &b))) {
            BLK_ADD(ULLong, "rd.reqs", b.rdOperations);
            BLK_ADD(ULLong, "rd.bytes", b.rdBytes);
            BLK_ADD(ULLong, "rd.times", b.rdTotalTimeNs);
            BLK_ADD(ULLong, "wr.reqs", b.wrOperations);
            BLK_ADD(ULLong, "wr.bytes", b.wrBytes);
            BLK_ADD(ULLong, "wr.times", b.wrTotalTimeNs);
            BLK_ADD(ULLong, "fl.reqs", b.flushOperations);
            BLK_ADD(ULLong, "fl.times", b.flushTotalTimeNs);
        }
        /* Sizes from the image (a stat() and a header read: no QEMU). */
        if (d->src && (d->type == DOMAIN_DISK_TYPE_FILE || d->type == DOMAIN_DISK_TYPE_BLOCK) &&
            qemuStatsImageSize(d, &bi) == 0) {
            BLK_ADD(ULLong, "allocation", bi.allocation);
            BLK_ADD(ULLong, "capacity", bi.capacity);
            BLK_ADD(ULLong, "physical", bi.physical);
        }
        errorReset();
#undef BLK_ADD
    }
    return 0;
}

static int
qemuStatsFill(DomainObj *vm, unsigned int stats, virTypedParameterPtr *params, int *nparams,
              int *maxparams, void *opaque)
{
    QemuDomainPrivate *priv = vm->privateData;
    bool active = domainObjIsActive(vm) && priv && priv->pid > 0;
    pid_t pid = active ? priv->pid : 0;
    unsigned long long ut = 0;
    unsigned long long st = 0;
    unsigned long long rss = 0;
    bool haveProc = active && qemuStatsReadProcess(pid, &ut, &st, &rss) == 0;
    int reason = 0;
    int state = domainObjGetState(vm, &reason);

    if (stats & VIR_DOMAIN_STATS_STATE) {
        ADD(Int, "state.state", state);
        ADD(Int, "state.reason", reason);
    }
    if ((stats & VIR_DOMAIN_STATS_CPU_TOTAL) && haveProc) {
        ADD(ULLong, "cpu.time", ut + st);
        ADD(ULLong, "cpu.user", ut);
        ADD(ULLong, "cpu.system", st);
    }
    if (stats & VIR_DOMAIN_STATS_BALLOON) {
        ADD(ULLong, "balloon.current",
            active ? vm->def->mem.current : vm->def->mem.total);
        ADD(ULLong, "balloon.maximum", vm->def->mem.total);
        if (haveProc)
            ADD(ULLong, "balloon.rss", rss);
    }
    if ((stats & VIR_DOMAIN_STATS_VCPU) && qemuStatsFillVcpu(vm, pid, params, nparams,
                                                              maxparams) < 0)
        return -1;
    if ((stats & VIR_DOMAIN_STATS_INTERFACE) && active &&
        qemuStatsFillNet(vm, params, nparams, maxparams) < 0)
        return -1;
    if ((stats & VIR_DOMAIN_STATS_BLOCK) &&
        qemuStatsFillBlock(vm, active, params, nparams, maxparams) < 0)
        return -1;
    return 0;
}

#undef ADD

typedef struct {
    unsigned int flags;
    GPtrArray *caches;          /* QemuStatsCache, referenced */
} QemuStatsKickData;

static void
qemuStatsKickOne(DomainObj *vm, void *opaque)
{
    QemuStatsKickData *data = opaque;
    QemuStatsCache *cache;

    if (!domainObjMatchesListFlags(vm, data->flags))
        return;
    if ((cache = qemuStatsKickLocked(vm)))
        g_ptr_array_add(data->caches, cache);
}

/**
 * qemuStatsConnectGetAllDomainStats:
 * @conn: a connection to the QEMU driver
 * @doms: the domains of virDomainListGetStats, or NULL for all
 * @ndoms: their number
 * @stats: groups (state, cpu-total, balloon, vcpu, interface, block)
 * @retStats: set to the records
 * @flags: filters, NOWAIT, BACKING (no backing chains here), ENFORCE_STATS
 *
 * Starts a refresh of the block counters of every domain whose monitor
 * is idle, waits for them at most QEMU_STATS_WAIT_MS in all (not at all
 * with NOWAIT), then collects; counters that are not fresh are left out.
 *
 * Returns: the number of records, or -1 with an error.
 */
int
qemuStatsConnectGetAllDomainStats(virConnectPtr conn, virDomainPtr *doms, unsigned int ndoms,
                                  unsigned int stats, virDomainStatsRecordPtr **retStats,
                                  unsigned int flags)
{
    QemuDriver *driver = conn->privateData;
    QemuStatsKickData kick = { flags, NULL };
    gint64 deadline = g_get_monotonic_time() + QEMU_STATS_WAIT_MS * 1000;
    unsigned int i;

    checkFlags(flags, DOMAIN_STATS_FLAGS, -1);
    if (domainStatsCheckGroups(VIR_FROM_QEMU, &stats, QEMU_STATS_GROUPS, flags) < 0)
        return -1;

    if (stats & VIR_DOMAIN_STATS_BLOCK) {
        kick.caches = g_ptr_array_new_with_free_func(qemuStatsCacheUnref);
        if (doms) {
            for (i = 0; i < ndoms; i++) {
                DomainObj *vm = domainObjListFindByUUID(driver->domains, doms[i]->uuid);

                if (!vm)
                    continue;
                qemuStatsKickOne(vm, &kick);
                domainObjEndAPI(&vm);
            }
        } else {
            domainObjListForEach(driver->domains, qemuStatsKickOne, &kick);
        }
        if (!(flags & VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT)) {
            for (i = 0; i < kick.caches->len; i++)
                qemuStatsWait(g_ptr_array_index(kick.caches, i), deadline);
        }
        g_ptr_array_unref(kick.caches);
    }
    return domainStatsCollect(driver->domains, conn, doms, ndoms, stats, flags, qemuStatsFill,
                              NULL, retStats);
}
