/* vk_migrate.c: migrate (virsh's options, progress and timeout handling) and the migration tunables
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <libvirt/libvirt.h>

#include "vk_migrate.h"
#include "vk_ctl.h"
#include "vk_domain.h"
#include "vk_util.h"

/*
 * migrate follows virsh 9.0: the options become VIR_MIGRATE_* flags and
 * VIR_MIGRATE_PARAM_* parameters; without --p2p the tool opens the
 * destination itself and calls virDomainMigrate3 (managed direct), with
 * --p2p it calls virDomainMigrateToURI3 and the source daemon connects to
 * DESTURI.  The call runs on its own thread while this one watches the
 * job every 500 ms: --verbose prints virsh's "\rMigration: [ 42 %]" on
 * stderr, --timeout suspends the guest or switches to post-copy, Ctrl-C
 * aborts the job.
 */

static G_GNUC_PRINTF(2, 3) void vkMigrateNumericError(VkCtl *ctl, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    vkError(ctl, "%s", msg);
}

/* A number as virsh's "wrapping" unsigned long options read it (-1 = max). */
static int
vkMigrateOptULWrap(VkCtl *ctl, const VkCmd *cmd, const char *name, unsigned long long *ret)
{
    const char *raw = vkCmdOptRaw(cmd, name);
    char *end = NULL;
    gint64 neg;

    if (!raw)
        return 0;
    errno = 0;
    if (raw[0] == '-') {
        neg = g_ascii_strtoll(raw, &end, 10);
        if (errno != 0 || end == raw || *end != '\0')
            goto error;
        *ret = (unsigned long long)neg;
        return 1;
    }
    *ret = g_ascii_strtoull(raw, &end, 10);
    if (errno != 0 || end == raw || *end != '\0')
        goto error;
    return 1;

error:
    vkMigrateNumericError(ctl, "Numeric value '%s' for <%s> option is malformed or out of range",
                          raw, name);
    return -1;
}

/* An unsigned long long option without wrapping. */
static int
vkMigrateOptULL(VkCtl *ctl, const VkCmd *cmd, const char *name, unsigned long long *ret)
{
    const char *raw = vkCmdOptRaw(cmd, name);
    const char *end = NULL;

    if (!raw)
        return 0;
    if (vkParseULLPrefix(raw, ret, &end) < 0 || *end != '\0') {
        vkMigrateNumericError(
            ctl, "Numeric value '%s' for <%s> option is malformed or out of range", raw, name);
        return -1;
    }
    return 1;
}

/* ---- migrate ---- */

typedef struct {
    virDomainPtr dom;    /* borrowed */
    virConnectPtr dconn; /* borrowed; NULL with --p2p */
    const char *desturi;
    virTypedParameterPtr params;
    int nparams;
    unsigned int flags;

    gint done;   /* atomic: the call returned */
    int ret;     /* valid once done */
    char *error; /* message of the failure */
    int code;
} VkMigrateJob;

static gpointer
vkMigrateThread(gpointer opaque)
{
    VkMigrateJob *job = opaque;
    int rc;

    if (job->dconn) {
        virDomainPtr ddom =
            virDomainMigrate3(job->dom, job->dconn, job->params, job->nparams, job->flags);

        rc = ddom ? 0 : -1;
        if (ddom)
            virDomainFree(ddom);
    } else {
        rc = virDomainMigrateToURI3(job->dom, job->desturi, job->params, job->nparams, job->flags);
    }
    if (rc < 0) {
        virErrorPtr err = virGetLastError();

        job->error = g_strdup(err && err->message ? err->message : "migration failed");
        job->code = err ? err->code : VIR_ERR_INTERNAL_ERROR;
    }
    job->ret = rc;
    g_atomic_int_set(&job->done, 1);
    return NULL;
}

static volatile sig_atomic_t vkMigrateInterrupted;

static void
vkMigrateOnSigint(int sig G_GNUC_UNUSED)
{
    vkMigrateInterrupted = 1;
}

/* virsh's progress line (virshPrintJobProgress). */
static void
vkMigrateProgress(unsigned long long remaining, unsigned long long total)
{
    int progress = 100;

    if (remaining != 0) {
        progress = (int)(100.0 - (double)remaining * 100.0 / (double)total);
        if (progress >= 100)
            progress = 99; /* not complete: never show 100 % */
    }
    fflush(stdout);
    fprintf(stderr, "\rMigration: [%3d %%]", progress);
    fflush(stderr);
}

/* Reads a file option's content (--xml, --persistent-xml). */
static char *
vkMigrateReadFile(VkCtl *ctl, const char *path)
{
    g_autoptr(GError) gerr = NULL;
    char *text = NULL;
    FILE *f = fopen(path, "re");

    if (!f) {
        vkError(ctl, "Failed to open file '%s': %s", path, g_strerror(errno));
        return NULL;
    }
    fclose(f);
    if (!g_file_get_contents(path, &text, NULL, &gerr)) {
        vkError(ctl, "Failed to read file '%s': %s", path, gerr->message);
        return NULL;
    }
    return text;
}

static int
vkMigrateBuildParams(VkCtl *ctl, const VkCmd *cmd, virTypedParameterPtr *params, int *nparams,
                     int *maxparams)
{
    static const struct {
        const char *opt;
        const char *param;
    } strings[] = {
        {"migrateuri", VIR_MIGRATE_PARAM_URI},
        {"graphicsuri", VIR_MIGRATE_PARAM_GRAPHICS_URI},
        {"listen-address", VIR_MIGRATE_PARAM_LISTEN_ADDRESS},
        {"dname", VIR_MIGRATE_PARAM_DEST_NAME},
    };
    static const struct {
        const char *opt;
        const char *param;
    } files[] = {
        {"xml", VIR_MIGRATE_PARAM_DEST_XML},
        {"persistent-xml", VIR_MIGRATE_PARAM_PERSIST_XML},
    };
    unsigned long long ull = 0;
    unsigned int ui = 0;
    size_t i;
    int rc;

    for (i = 0; i < G_N_ELEMENTS(strings); i++) {
        const char *val = NULL;

        if (vkCmdOptString(ctl, cmd, strings[i].opt, &val) < 0)
            return -1;
        if (val && virTypedParamsAddString(params, nparams, maxparams, strings[i].param, val) < 0)
            return -1;
    }
    for (i = 0; i < G_N_ELEMENTS(files); i++) {
        const char *path = NULL;
        g_autofree char *text = NULL;

        if (vkCmdOptString(ctl, cmd, files[i].opt, &path) < 0)
            return -1;
        if (!path)
            continue;
        if (!(text = vkMigrateReadFile(ctl, path)))
            return -1;
        if (virTypedParamsAddString(params, nparams, maxparams, files[i].param, text) < 0)
            return -1;
    }
    if ((rc = vkMigrateOptULWrap(ctl, cmd, "bandwidth", &ull)) < 0)
        return -1;
    if (rc > 0 &&
        virTypedParamsAddULLong(params, nparams, maxparams, VIR_MIGRATE_PARAM_BANDWIDTH, ull) < 0)
        return -1;
    if ((rc = vkMigrateOptULWrap(ctl, cmd, "postcopy-bandwidth", &ull)) < 0)
        return -1;
    if (rc > 0 && virTypedParamsAddULLong(params, nparams, maxparams,
                                          VIR_MIGRATE_PARAM_BANDWIDTH_POSTCOPY, ull) < 0)
        return -1;
    if ((rc = vkCmdOptUInt(ctl, cmd, "parallel-connections", &ui)) < 0)
        return -1;
    if (rc > 0 && virTypedParamsAddInt(params, nparams, maxparams,
                                       VIR_MIGRATE_PARAM_PARALLEL_CONNECTIONS, (int)ui) < 0)
        return -1;
    return 0;
}

static unsigned int
vkMigrateFlags(const VkCmd *cmd)
{
    static const struct {
        const char *opt;
        unsigned int flag;
    } map[] = {
        {"live", VIR_MIGRATE_LIVE},
        {"p2p", VIR_MIGRATE_PEER2PEER},
        {"tunnelled", VIR_MIGRATE_TUNNELLED},
        {"persistent", VIR_MIGRATE_PERSIST_DEST},
        {"undefinesource", VIR_MIGRATE_UNDEFINE_SOURCE},
        {"suspend", VIR_MIGRATE_PAUSED},
        {"change-protection", VIR_MIGRATE_CHANGE_PROTECTION},
        {"unsafe", VIR_MIGRATE_UNSAFE},
        {"compressed", VIR_MIGRATE_COMPRESSED},
        {"auto-converge", VIR_MIGRATE_AUTO_CONVERGE},
        {"abort-on-error", VIR_MIGRATE_ABORT_ON_ERROR},
        {"offline", VIR_MIGRATE_OFFLINE},
        {"postcopy", VIR_MIGRATE_POSTCOPY},
        {"parallel", VIR_MIGRATE_PARALLEL},
    };
    unsigned int flags = 0;
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(map); i++) {
        if (vkCmdOptBool(cmd, map[i].opt))
            flags |= map[i].flag;
    }
    return flags;
}

/*
 * Watches the job until the migration call returns: progress, timeout
 * action, Ctrl-C.  Returns when @job is done.
 */
static void
vkMigrateWatch(VkCtl *ctl, VkMigrateJob *job, bool verbose, int timeoutSec, bool timeoutPostcopy,
               bool postcopyAfterPrecopy)
{
    gint64 start = g_get_monotonic_time();
    gint64 nextPoll = start;
    bool timeoutDone = false;
    bool postcopyStarted = false;
    bool aborted = false;

    while (!g_atomic_int_get(&job->done)) {
        virDomainJobInfo info;
        gint64 now;

        g_usleep(50 * 1000);
        if (g_atomic_int_get(&job->done))
            break;
        if (vkMigrateInterrupted && !aborted) {
            aborted = true;
            if (virDomainAbortJob(job->dom) < 0)
                vkReportError(ctl);
        }
        now = g_get_monotonic_time();
        if (now < nextPoll)
            continue;
        nextPoll = now + 500 * 1000; /* virsh asks every 500 ms */
        memset(&info, 0, sizeof(info));
        if (virDomainGetJobInfo(job->dom, &info) < 0) {
            vkResetError(ctl);
            continue;
        }
        if (info.type != VIR_DOMAIN_JOB_BOUNDED && info.type != VIR_DOMAIN_JOB_UNBOUNDED)
            continue;
        if (verbose && info.dataTotal > 0)
            vkMigrateProgress(info.dataRemaining, info.dataTotal);
        if (postcopyAfterPrecopy && !postcopyStarted && info.dataProcessed > 0 &&
            info.dataProcessed >= info.dataTotal) {
            /* one pass of pre-copy is through */
            postcopyStarted = true;
            if (virDomainMigrateStartPostCopy(job->dom, 0) < 0)
                vkResetError(ctl);
        }
        if (timeoutSec > 0 && !timeoutDone &&
            g_get_monotonic_time() - start >= (gint64)timeoutSec * G_USEC_PER_SEC) {
            timeoutDone = true;
            if (timeoutPostcopy) {
                vkDebug(ctl, VK_LOG_DEBUG, "migration timed out, switching to post-copy");
                if (virDomainMigrateStartPostCopy(job->dom, 0) < 0)
                    vkReportError(ctl);
            } else {
                vkDebug(ctl, VK_LOG_DEBUG, "migration timed out, suspending the domain");
                if (virDomainSuspend(job->dom) < 0)
                    vkReportError(ctl);
            }
        }
    }
}

/**
 * vkMigrateCmdMigrate:
 * @ctl: run state
 * @cmd: parsed "migrate" command
 *
 * Migrates a domain as virsh's migrate does.
 *
 * Returns: true on success.
 */
bool
vkMigrateCmdMigrate(VkCtl *ctl, const VkCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    virConnectPtr dconn = NULL;
    const char *desturi = NULL;
    virTypedParameterPtr params = NULL;
    int nparams = 0;
    int maxparams = 0;
    bool live = vkCmdOptBool(cmd, "live");
    bool verbose = vkCmdOptBool(cmd, "verbose");
    bool timeoutSuspend = vkCmdOptBool(cmd, "timeout-suspend");
    bool timeoutPostcopy = vkCmdOptBool(cmd, "timeout-postcopy");
    bool postcopyAfterPrecopy = vkCmdOptBool(cmd, "postcopy-after-precopy");
    int timeoutSec = 0;
    int rc;
    VkMigrateJob job = {0};
    GThread *thread;
    struct sigaction sa;
    struct sigaction oldsa;
    bool ret = false;

    if (!vkCmdCheckExclusive(ctl, live, "live", vkCmdOptBool(cmd, "offline"), "offline") ||
        !vkCmdCheckExclusive(ctl, timeoutSuspend, "timeout-suspend", timeoutPostcopy,
                             "timeout-postcopy") ||
        !vkCmdCheckRequires(ctl, timeoutPostcopy, "timeout-postcopy", vkCmdOptBool(cmd, "postcopy"),
                            "postcopy") ||
        !vkCmdCheckRequires(ctl, vkCmdOptRaw(cmd, "persistent-xml") != NULL, "persistent-xml",
                            vkCmdOptBool(cmd, "persistent"), "persistent") ||
        !vkCmdCheckRequires(ctl, postcopyAfterPrecopy, "postcopy-after-precopy",
                            vkCmdOptBool(cmd, "postcopy"), "postcopy"))
        return false;
    if ((rc = vkCmdOptInt(ctl, cmd, "timeout", &timeoutSec)) < 0)
        return false;
    if (rc > 0) {
        if (timeoutSec < 0) {
            vkMigrateNumericError(ctl,
                                  "Numeric value '%s' for <%s> option is malformed or "
                                  "out of range",
                                  vkCmdOptRaw(cmd, "timeout"), "timeout");
            return false;
        }
        if (!live) {
            vkError(ctl, "%s", "migrate: Unexpected timeout for offline migration");
            return false;
        }
    } else if (timeoutSuspend || timeoutPostcopy) {
        vkError(ctl, "%s", "migrate: Unexpected --timeout-* option without --timeout");
        return false;
    }

    if (!(dom = vkDomainLookup(ctl, cmd, "domain", VK_DOMAIN_BY_ANY, NULL)))
        return false;
    if (vkCmdOptString(ctl, cmd, "desturi", &desturi) < 0)
        return false;
    if (vkMigrateBuildParams(ctl, cmd, &params, &nparams, &maxparams) < 0) {
        vkReportError(ctl);
        goto cleanup;
    }

    job.dom = dom;
    job.desturi = desturi;
    job.params = params;
    job.nparams = nparams;
    job.flags = vkMigrateFlags(cmd);
    if (!(job.flags & VIR_MIGRATE_PEER2PEER)) {
        /* managed direct: this tool drives the steps over both connections */
        if (!(dconn = virConnectOpenAuth(desturi, virConnectAuthPtrDefault, 0))) {
            vkReportError(ctl);
            goto cleanup;
        }
        job.dconn = dconn;
    }

    vkMigrateInterrupted = 0;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = vkMigrateOnSigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &oldsa);
    thread = g_thread_new("vk-migrate", vkMigrateThread, &job);
    vkMigrateWatch(ctl, &job, verbose, timeoutSec, timeoutPostcopy, postcopyAfterPrecopy);
    g_thread_join(thread);
    sigaction(SIGINT, &oldsa, NULL);

    if (job.ret == 0) {
        if (verbose)
            vkMigrateProgress(0, 1);
        ret = true;
    } else {
        vkSetError(ctl, job.error);
        vkReportError(ctl);
    }

cleanup:
    g_free(job.error);
    virTypedParamsFree(params, nparams);
    if (dconn)
        virConnectClose(dconn);
    return ret;
}

/* ---- tunables ---- */

/**
 * vkMigrateCmdSetspeed:
 * @ctl: run state
 * @cmd: parsed "migrate-setspeed" command
 *
 * Sets the maximum migration bandwidth (MiB/s), --postcopy for the
 * post-copy phase.
 *
 * Returns: true on success.
 */
bool
vkMigrateCmdSetspeed(VkCtl *ctl, const VkCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    unsigned long long bandwidth = 0;
    unsigned int flags = 0;

    if (!(dom = vkDomainLookup(ctl, cmd, "domain", VK_DOMAIN_BY_ANY, NULL)))
        return false;
    if (vkMigrateOptULWrap(ctl, cmd, "bandwidth", &bandwidth) < 0)
        return false;
    if (vkCmdOptBool(cmd, "postcopy"))
        flags |= VIR_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY;
    if (bandwidth > G_MAXULONG) {
        vkMigrateNumericError(ctl,
                              "Numeric value '%s' for <%s> option is malformed or "
                              "out of range",
                              vkCmdOptRaw(cmd, "bandwidth"), "bandwidth");
        return false;
    }
    return virDomainMigrateSetMaxSpeed(dom, (unsigned long)bandwidth, flags) == 0;
}

/**
 * vkMigrateCmdGetspeed:
 * @ctl: run state
 * @cmd: parsed "migrate-getspeed" command
 *
 * Prints the maximum migration bandwidth in MiB/s.
 *
 * Returns: true on success.
 */
bool
vkMigrateCmdGetspeed(VkCtl *ctl, const VkCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    unsigned long bandwidth = 0;
    unsigned int flags = 0;

    if (!(dom = vkDomainLookup(ctl, cmd, "domain", VK_DOMAIN_BY_ANY, NULL)))
        return false;
    if (vkCmdOptBool(cmd, "postcopy"))
        flags |= VIR_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY;
    if (virDomainMigrateGetMaxSpeed(dom, &bandwidth, flags) < 0)
        return false;
    vkPrint(ctl, "%lu\n", bandwidth);
    return true;
}

/**
 * vkMigrateCmdCompcache:
 * @ctl: run state
 * @cmd: parsed "migrate-compcache" command
 *
 * Sets the XBZRLE compression cache (--size, bytes) when given, then prints
 * its size as virsh does ("Compression cache: 64.000 MiB").
 *
 * Returns: true on success.
 */
bool
vkMigrateCmdCompcache(VkCtl *ctl, const VkCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    unsigned long long size = 0;
    const char *unit = NULL;
    double value;
    int rc;

    if (!(dom = vkDomainLookup(ctl, cmd, "domain", VK_DOMAIN_BY_ANY, NULL)))
        return false;
    if ((rc = vkMigrateOptULL(ctl, cmd, "size", &size)) < 0)
        return false;
    if (rc > 0 && virDomainMigrateSetCompressionCache(dom, size, 0) < 0)
        return false;
    if (virDomainMigrateGetCompressionCache(dom, &size, 0) < 0)
        return false;
    value = vkPrettyCapacity(size, &unit);
    /* no newline of its own: the one every command gets ends the line */
    vkPrint(ctl, "Compression cache: %.3f %s", value, unit);
    return true;
}

/**
 * vkMigrateCmdSetmaxdowntime:
 * @ctl: run state
 * @cmd: parsed "migrate-setmaxdowntime" command
 *
 * Sets the maximum tolerable downtime (ms) of a live migration.
 *
 * Returns: true on success.
 */
bool
vkMigrateCmdSetmaxdowntime(VkCtl *ctl, const VkCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    unsigned long long downtime = 0;

    if (!(dom = vkDomainLookup(ctl, cmd, "domain", VK_DOMAIN_BY_ANY, NULL)))
        return false;
    if (vkMigrateOptULL(ctl, cmd, "downtime", &downtime) < 0)
        return false;
    if (downtime < 1) {
        vkError(ctl, "%s", "migrate: Invalid downtime");
        return false;
    }
    return virDomainMigrateSetMaxDowntime(dom, downtime, 0) == 0;
}

/**
 * vkMigrateCmdGetmaxdowntime:
 * @ctl: run state
 * @cmd: parsed "migrate-getmaxdowntime" command
 *
 * Prints the maximum tolerable downtime in ms.
 *
 * Returns: true on success.
 */
bool
vkMigrateCmdGetmaxdowntime(VkCtl *ctl, const VkCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    unsigned long long downtime = 0;

    if (!(dom = vkDomainLookup(ctl, cmd, "domain", VK_DOMAIN_BY_ANY, NULL)))
        return false;
    if (virDomainMigrateGetMaxDowntime(dom, &downtime, 0) < 0)
        return false;
    vkPrint(ctl, "%llu\n", downtime);
    return true;
}

/**
 * vkMigrateCmdPostcopy:
 * @ctl: run state
 * @cmd: parsed "migrate-postcopy" command
 *
 * Switches a running migration (started with --postcopy) to post-copy.
 *
 * Returns: true on success.
 */
bool
vkMigrateCmdPostcopy(VkCtl *ctl, const VkCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;

    if (!(dom = vkDomainLookup(ctl, cmd, "domain", VK_DOMAIN_BY_ANY, NULL)))
        return false;
    return virDomainMigrateStartPostCopy(dom, 0) == 0;
}
