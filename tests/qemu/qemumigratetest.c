/* Live migration between two qemu:///embed roots (two hosts) with real TCG guests. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <glib.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "api/migrate_steps.h"

/*
 * Each case gets two roots, A (source) and B (destination): two driver
 * instances with their own host UUID, so one process holds both hosts and
 * QEMU's data crosses 127.0.0.1.  The guest is tests/guest's vkguest: its
 * heartbeat must go on on B's serial log after the migration, and its
 * memory check must never print CORRUPT.  Every QEMU is found through the
 * pidfiles of both roots and killed + reaped by pid at the end of the case;
 * a watchdog (alarm) kills the recorded pids if the run hangs.
 * Environment: VKGUEST (the guest kernel), TEST_CASE=NAME (one case).
 */

#define HARD_TIMEOUT_S 280
#define streq0(a, b) (g_strcmp0((a), (b)) == 0)
#define WAIT_MS 30000
#define MAX_PIDS 64

static const char *vkguest;
static char *logPath;           /* the driver's QMP debug log (for caseSpice) */
static char *rootA;
static char *rootB;
static virConnectPtr connA;
static virConnectPtr connB;
static virConnectPtr connExtra[3];  /* a case's own connections, closed after it */
static int failures;
static int ntests;
static bool privateMounts;      /* this process has its own mount namespace (root) */

static GMutex evLock;
static GPtrArray *events;       /* "HOST NAME type detail", protected by evLock */
static int jobCompleted[2];     /* JOB_COMPLETED events per host */
static int iterations[2];       /* MIGRATION_ITERATION events per host */
static int callbacks[2][3] = { { -1, -1, -1 }, { -1, -1, -1 } };

static volatile pid_t watchPids[MAX_PIDS];

static void
watchdog(int sig)
{
    static const char msg[] = "# hard timeout: killing QEMU and exiting\n";
    size_t i;

    (void)sig;
    for (i = 0; i < MAX_PIDS; i++) {
        if (watchPids[i] > 0)
            kill(watchPids[i], SIGKILL);
    }
    if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
        _exit(2);
    _exit(1);
}

static void
rememberPid(pid_t pid)
{
    size_t i;

    for (i = 0; i < MAX_PIDS; i++) {
        if (watchPids[i] == pid)
            return;
        if (watchPids[i] == 0) {
            watchPids[i] = pid;
            return;
        }
    }
}

static void
forgetPid(pid_t pid)
{
    size_t i;

    for (i = 0; i < MAX_PIDS; i++) {
        if (watchPids[i] == pid)
            watchPids[i] = 0;
    }
}

#define CHECK(cond, ...) \
    do { \
        if (!(cond)) { \
            virErrorPtr e_ = virGetLastError(); \
            printf("# %s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
            printf(__VA_ARGS__); \
            printf("\n# last error: %s\n", e_ && e_->message ? e_->message : "none"); \
            return -1; \
        } \
    } while (0)

static gint64
nowMs(void)
{
    return g_get_monotonic_time() / 1000;
}

/* ---- events ---- */

static gpointer
eventLoop(gpointer opaque)
{
    for (;;)
        virEventRunDefaultImpl();
    return NULL;
}

static int
onLifecycle(virConnectPtr c, virDomainPtr dom, int type, int detail, void *opaque)
{
    g_mutex_lock(&evLock);
    g_ptr_array_add(events, g_strdup_printf("%s %s %d %d", (const char *)opaque,
                                            virDomainGetName(dom), type, detail));
    g_mutex_unlock(&evLock);
    return 0;
}

static void
onJobCompleted(virConnectPtr c, virDomainPtr dom, virTypedParameterPtr params, int nparams,
               void *opaque)
{
    g_mutex_lock(&evLock);
    jobCompleted[streq0(opaque, "B")]++;
    g_mutex_unlock(&evLock);
}

static void
onIteration(virConnectPtr c, virDomainPtr dom, int iteration, void *opaque)
{
    g_mutex_lock(&evLock);
    iterations[streq0(opaque, "B")]++;
    g_mutex_unlock(&evLock);
}

/* The lifecycle events of @name on @host so far, "type detail" joined by ", ". */
static char *
eventsOf(const char *host, const char *name)
{
    GString *out = g_string_new(NULL);
    g_autofree char *prefix = g_strdup_printf("%s %s ", host, name);
    size_t i;

    g_mutex_lock(&evLock);
    for (i = 0; i < events->len; i++) {
        const char *ev = g_ptr_array_index(events, i);

        if (g_str_has_prefix(ev, prefix))
            g_string_append_printf(out, "%s%s", out->len ? ", " : "", ev + strlen(prefix));
    }
    g_mutex_unlock(&evLock);
    return g_string_free(out, FALSE);
}

static bool
waitEvents(const char *host, const char *name, const char *want)
{
    gint64 deadline = nowMs() + WAIT_MS;

    while (nowMs() < deadline) {
        g_autofree char *got = eventsOf(host, name);

        if (strstr(got, want))
            return true;
        g_usleep(10000);
    }
    return false;
}

/* ---- connections and guests ---- */

static virConnectPtr
openConn(const char *root, int idx)
{
    g_autofree char *uri = g_strdup_printf("qemu:///embed?root=%s", root);
    virConnectPtr c;
    const char *tag = idx ? "B" : "A";

    if (!(c = virConnectOpen(uri)))
        return NULL;
    callbacks[idx][0] =
        virConnectDomainEventRegisterAny(c, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                         VIR_DOMAIN_EVENT_CALLBACK(onLifecycle), (void *)tag,
                                         NULL);
    callbacks[idx][1] =
        virConnectDomainEventRegisterAny(c, NULL, VIR_DOMAIN_EVENT_ID_JOB_COMPLETED,
                                         VIR_DOMAIN_EVENT_CALLBACK(onJobCompleted),
                                         (void *)tag, NULL);
    callbacks[idx][2] =
        virConnectDomainEventRegisterAny(c, NULL, VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION,
                                         VIR_DOMAIN_EVENT_CALLBACK(onIteration), (void *)tag,
                                         NULL);
    return c;
}

static void
closeConn(virConnectPtr *c, int idx)
{
    size_t i;

    if (!*c)
        return;
    for (i = 0; i < 3; i++) {
        if (callbacks[idx][i] >= 0)
            virConnectDomainEventDeregisterAny(*c, callbacks[idx][i]);
        callbacks[idx][i] = -1;
    }
    virConnectClose(*c);
    *c = NULL;
}

static char *
guestXML(const char *name, int memMiB, const char *cmdline)
{
    return g_strdup_printf(
        "<domain type='qemu'>\n"
        "  <name>%s</name>\n"
        "  <memory unit='MiB'>%d</memory>\n"
        "  <vcpu>1</vcpu>\n"
        "  <os><type arch='x86_64' machine='pc'>hvm</type><kernel>%s</kernel>"
        "<cmdline>%s</cmdline></os>\n"
        "  <features><acpi/></features>\n"
        "  <devices>\n"
        "    <serial type='file'><source path='%s/%s.serial'/><target port='0'/></serial>\n"
        "  </devices>\n"
        "</domain>\n",
        name, memMiB, vkguest, cmdline, rootA, name);
}

/* The live XML of @dom with the serial log moved to root B (same ABI). */
static char *
destXML(virDomainPtr dom)
{
    g_autofree char *xml = virDomainGetXMLDesc(dom, 0);
    g_auto(GStrv) parts = NULL;

    if (!xml)
        return NULL;
    parts = g_strsplit(xml, rootA, -1);
    return g_strjoinv(rootB, parts);
}

static pid_t
qemuPid(const char *root, const char *name)
{
    g_autofree char *path = g_strdup_printf("%s/run/qemu/%s.pid", root, name);
    g_autofree char *text = NULL;
    long pid;

    if (!g_file_get_contents(path, &text, NULL, NULL))
        return 0;
    pid = strtol(text, NULL, 10);
    if (pid > 0)
        rememberPid((pid_t)pid);
    return (pid_t)pid;
}

static bool
pidGone(pid_t pid)
{
    gint64 deadline = nowMs() + WAIT_MS;

    while (nowMs() < deadline) {
        if (kill(pid, 0) < 0 && errno == ESRCH)
            return true;
        /* our child, already dead but not reaped by the driver yet? */
        g_usleep(20000);
    }
    return false;
}

static bool
waitState(virDomainPtr dom, int state, int reason)
{
    gint64 deadline = nowMs() + WAIT_MS;
    int s = -1;
    int r = -1;

    while (nowMs() < deadline) {
        if (virDomainGetState(dom, &s, &r, 0) == 0 && s == state && r == reason)
            return true;
        g_usleep(10000);
    }
    printf("# state %d/%d, wanted %d/%d\n", s, r, state, reason);
    return false;
}

static char *
serialPath(const char *root, const char *name)
{
    return g_strdup_printf("%s/%s.serial", root, name);
}

static bool
waitSerial(const char *root, const char *name, const char *text)
{
    g_autofree char *path = serialPath(root, name);
    gint64 deadline = nowMs() + WAIT_MS;

    while (nowMs() < deadline) {
        g_autofree char *data = NULL;

        if (g_file_get_contents(path, &data, NULL, NULL) && strstr(data, text))
            return true;
        g_usleep(20000);
    }
    return false;
}

/* The number of the last HEARTBEAT line of a serial log, -1 if none. */
static long
lastHeartbeat(const char *root, const char *name)
{
    g_autofree char *path = serialPath(root, name);
    g_autofree char *data = NULL;
    const char *p;
    const char *last = NULL;

    if (!g_file_get_contents(path, &data, NULL, NULL))
        return -1;
    for (p = data; (p = strstr(p, "HEARTBEAT ")); p++)
        last = p;
    return last ? strtol(last + strlen("HEARTBEAT "), NULL, 10) : -1;
}

static bool
serialHas(const char *root, const char *name, const char *text)
{
    g_autofree char *path = serialPath(root, name);
    g_autofree char *data = NULL;

    return g_file_get_contents(path, &data, NULL, NULL) && strstr(data, text);
}

/* The guest carries on on B: its heartbeat continues past @after, it passes a
 * memory check there, and nothing was corrupted. */
static int
checkGuestOnB(const char *name, long after)
{
    g_autofree char *next = g_strdup_printf("HEARTBEAT %ld ", after + 5);

    CHECK(waitSerial(rootB, name, next), "heartbeat %ld on B", after + 5);
    CHECK(waitSerial(rootB, name, "CHECK OK"), "memory check on B");
    CHECK(!serialHas(rootB, name, "CORRUPT") && !serialHas(rootA, name, "CORRUPT"),
          "no CORRUPT");
    CHECK(!serialHas(rootB, name, "HEARTBEAT 0 "), "B continued the guest, did not boot it");
    return 0;
}

static void
killRoot(const char *root)
{
    g_autofree char *dir = g_strdup_printf("%s/run/qemu", root);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *entry;

    while (d && (entry = g_dir_read_name(d))) {
        if (g_str_has_suffix(entry, ".pid")) {
            g_autofree char *name = g_strndup(entry, strlen(entry) - 4);

            qemuPid(root, name);
        }
    }
}

static void
killAll(void)
{
    size_t i;

    killRoot(rootA);
    killRoot(rootB);
    for (i = 0; i < MAX_PIDS; i++) {
        pid_t pid = watchPids[i];

        if (pid <= 0)
            continue;
        if (kill(pid, SIGKILL) == 0 || errno != ESRCH)
            waitpid(pid, NULL, 0);
        watchPids[i] = 0;
    }
}

/* ---- a migration in a thread (so that the test can act during it) ---- */

typedef struct {
    virDomainPtr dom;
    unsigned int flags;
    unsigned long long bandwidth;   /* MiB/s, 0 = none */
    int acInitial;                  /* auto_converge.initial, 0 = none */
    const char *const *compression; /* compression methods, NULL-terminated, or NULL */
    bool compressTune;              /* compression.mt.* and compression.xbzrle.cache */
    unsigned long long pcBandwidth; /* bandwidth.postcopy, MiB/s, 0 = none */
    const char *unknownParam;       /* a parameter libvirt does not know, or NULL */
    char *dxml;
    virDomainPtr ddom;              /* result */
    int code;                       /* error code on failure */
    char *message;
    GThread *thread;
} Mig;

static int
migParams(Mig *m, virTypedParameterPtr *params, int *nparams)
{
    int max = 0;
    size_t i;

    *params = NULL;
    *nparams = 0;
    if (virTypedParamsAddString(params, nparams, &max, VIR_MIGRATE_PARAM_URI,
                                "tcp://127.0.0.1") < 0 ||
        virTypedParamsAddString(params, nparams, &max, VIR_MIGRATE_PARAM_LISTEN_ADDRESS,
                                "127.0.0.1") < 0 ||
        (m->dxml && virTypedParamsAddString(params, nparams, &max,
                                            VIR_MIGRATE_PARAM_DEST_XML, m->dxml) < 0) ||
        (m->bandwidth && virTypedParamsAddULLong(params, nparams, &max,
                                                 VIR_MIGRATE_PARAM_BANDWIDTH,
                                                 m->bandwidth) < 0) ||
        (m->acInitial && (virTypedParamsAddInt(params, nparams, &max,
                                               VIR_MIGRATE_PARAM_AUTO_CONVERGE_INITIAL,
                                               m->acInitial) < 0 ||
                          virTypedParamsAddInt(params, nparams, &max,
                                               VIR_MIGRATE_PARAM_AUTO_CONVERGE_INCREMENT,
                                               20) < 0)))
        return -1;
    if ((m->pcBandwidth && virTypedParamsAddULLong(params, nparams, &max,
                                                   VIR_MIGRATE_PARAM_BANDWIDTH_POSTCOPY,
                                                   m->pcBandwidth) < 0) ||
        (m->unknownParam && virTypedParamsAddString(params, nparams, &max, m->unknownParam,
                                                    "1") < 0))
        return -1;
    for (i = 0; m->compression && m->compression[i]; i++) {
        if (virTypedParamsAddString(params, nparams, &max, VIR_MIGRATE_PARAM_COMPRESSION,
                                    m->compression[i]) < 0)
            return -1;
    }
    if (m->compressTune &&
        (virTypedParamsAddInt(params, nparams, &max, VIR_MIGRATE_PARAM_COMPRESSION_MT_LEVEL,
                              1) < 0 ||
         virTypedParamsAddInt(params, nparams, &max, VIR_MIGRATE_PARAM_COMPRESSION_MT_THREADS,
                              2) < 0 ||
         virTypedParamsAddInt(params, nparams, &max, VIR_MIGRATE_PARAM_COMPRESSION_MT_DTHREADS,
                              2) < 0 ||
         virTypedParamsAddULLong(params, nparams, &max,
                                 VIR_MIGRATE_PARAM_COMPRESSION_XBZRLE_CACHE,
                                 8ULL * 1024 * 1024) < 0))
        return -1;
    return 0;
}

static gpointer
migThread(gpointer opaque)
{
    Mig *m = opaque;
    virTypedParameterPtr params = NULL;
    int nparams = 0;

    if (migParams(m, &params, &nparams) == 0)
        m->ddom = virDomainMigrate3(m->dom, connB, params, nparams, m->flags);
    if (!m->ddom) {
        virErrorPtr e = virGetLastError();

        m->code = e ? e->code : -1;
        m->message = g_strdup(e && e->message ? e->message : "");
    }
    virTypedParamsFree(params, nparams);
    return NULL;
}

static void
migStart(Mig *m)
{
    m->thread = g_thread_new("migrate", migThread, m);
}

static void
migJoin(Mig *m)
{
    if (m->thread)
        g_thread_join(m->thread);
    m->thread = NULL;
}

static void
migClear(Mig *m)
{
    migJoin(m);
    if (m->ddom)
        virDomainFree(m->ddom);
    g_free(m->dxml);
    g_free(m->message);
    memset(m, 0, sizeof(*m));
}

/* Wait until the source reports an active job that moved data; checks that
 * every job query answers at once. */
static bool
waitTransferring(virDomainPtr dom, unsigned long long atLeast)
{
    gint64 deadline = nowMs() + WAIT_MS;

    while (nowMs() < deadline) {
        virDomainJobInfo info;
        gint64 t0 = nowMs();
        int rc = virDomainGetJobInfo(dom, &info);

        if (nowMs() - t0 > 500) {
            printf("# virDomainGetJobInfo took %lld ms\n", (long long)(nowMs() - t0));
            return false;
        }
        if (rc == 0 && info.type == VIR_DOMAIN_JOB_UNBOUNDED && info.dataProcessed >= atLeast)
            return true;
        g_usleep(50000);
    }
    return false;
}

static virDomainPtr
startGuest(const char *name, int memMiB, const char *cmdline, bool persistent)
{
    g_autofree char *xml = guestXML(name, memMiB, cmdline);
    virDomainPtr dom;

    if (persistent) {
        if (!(dom = virDomainDefineXML(connA, xml)))
            return NULL;
        if (virDomainCreate(dom) < 0) {
            virDomainFree(dom);
            return NULL;
        }
    } else if (!(dom = virDomainCreateXML(connA, xml, 0))) {
        return NULL;
    }
    qemuPid(rootA, name);
    return dom;
}

/* ---- cases ---- */

/* A persistent guest moves with PERSIST_DEST | UNDEFINE_SOURCE; a migration to
 * the same host is refused first. */
static int
caseLive(void)
{
    Mig m = { 0 };
    virDomainPtr dom;
    virDomainPtr other;
    virTypedParameterPtr stats = NULL;
    int nstats = 0;
    int type = -1;
    int op = -1;
    long hb;
    pid_t srcPid;
    g_autofree char *evA = NULL;
    g_autofree char *evB = NULL;
    int state;
    int reason;

    CHECK((dom = startGuest("live", 64, "heartbeat_ms=50 dirty_mib_s=4 wss_mib=8", true)),
          "start");
    srcPid = qemuPid(rootA, "live");
    CHECK(waitSerial(rootA, "live", "CHECK OK"), "guest running on A");

    /* same host: refused before anything starts */
    CHECK(!virDomainMigrate(dom, connA, VIR_MIGRATE_LIVE, NULL, "tcp://127.0.0.1", 0),
          "migration to the same host");
    CHECK(virGetLastError()->code == VIR_ERR_INTERNAL_ERROR &&
              strstr(virGetLastError()->message, "same host"),
          "same-host error");
    CHECK(virDomainGetState(dom, &state, &reason, 0) == 0 && state == VIR_DOMAIN_RUNNING,
          "still running on A");

    m.dom = dom;
    m.flags = VIR_MIGRATE_LIVE | VIR_MIGRATE_PERSIST_DEST | VIR_MIGRATE_UNDEFINE_SOURCE;
    m.dxml = destXML(dom);
    migStart(&m);
    migJoin(&m);
    CHECK(m.ddom, "migration: %s", m.message);
    hb = lastHeartbeat(rootA, "live");
    qemuPid(rootB, "live");
    CHECK(waitState(m.ddom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_MIGRATED), "B running/migrated");
    CHECK(virDomainIsPersistent(m.ddom) == 1, "persistent on B");
    CHECK(pidGone(srcPid), "source QEMU %d gone", srcPid);
    CHECK(!(other = virDomainLookupByName(connA, "live")) &&
              virGetLastError()->code == VIR_ERR_NO_DOMAIN,
          "undefined on A");
    CHECK(checkGuestOnB("live", hb) == 0, "guest on B");
    CHECK(waitEvents("A", "live", "5 3"), "STOPPED_MIGRATED on A");
    evA = eventsOf("A", "live");
    evB = eventsOf("B", "live");
    CHECK(strstr(evA, "3 1, 5 3, 1 0") != NULL, "events on A '%s'", evA);
    CHECK(streq0(evB, "2 1, 0 0, 4 1"), "events on B '%s'", evB);
    CHECK(jobCompleted[0] == 1 && jobCompleted[1] == 0, "JOB_COMPLETED %d/%d",
          jobCompleted[0], jobCompleted[1]);
    CHECK(virDomainGetJobStats(m.ddom, &type, &stats, &nstats,
                               VIR_DOMAIN_JOB_STATS_COMPLETED) == 0 &&
              type == VIR_DOMAIN_JOB_COMPLETED &&
              virTypedParamsGetInt(stats, nstats, VIR_DOMAIN_JOB_OPERATION, &op) == 1 &&
              op == VIR_DOMAIN_JOB_OPERATION_MIGRATION_IN,
          "completed stats on B: type %d op %d", type, op);
    {
        unsigned long long total = 0;
        unsigned long long down = 0;

        /* the source's statistics came with the Perform cookie */
        CHECK(virTypedParamsGetULLong(stats, nstats, VIR_DOMAIN_JOB_MEMORY_TOTAL, &total) == 1 &&
                  total >= 64ULL * 1024 * 1024 &&
                  virTypedParamsGetULLong(stats, nstats, VIR_DOMAIN_JOB_DOWNTIME, &down) == 1,
              "source statistics on B: memory %llu downtime %llu", total, down);
    }
    virTypedParamsFree(stats, nstats);
    stats = NULL;
    nstats = 0;
    /* and on the shut-off source definition... which UNDEFINE_SOURCE removed */
    CHECK(virDomainGetJobStats(dom, &type, &stats, &nstats, VIR_DOMAIN_JOB_STATS_COMPLETED) < 0,
          "no completed stats of an undefined domain");
    CHECK(virDomainDestroy(m.ddom) == 0, "destroy on B");
    migClear(&m);
    virDomainFree(dom);
    return 0;
}

/* Job control: a guest dirtying memory faster than 1 MiB/s never converges;
 * job info answers, max downtime changes, abort puts everything back; then a
 * new migration converges once the speed is raised on the fly. */
static int
caseJobControl(void)
{
    Mig m = { 0 };
    virDomainPtr dom;
    virDomainPtr gone;
    unsigned long speed = 0;
    unsigned long long downtime = 0;
    virDomainJobInfo info;
    long hb;
    g_autofree char *evA = NULL;
    g_autofree char *evB = NULL;
    g_autofree char *next = NULL;

    CHECK((dom = startGuest("job", 96, "heartbeat_ms=50 dirty_mib_s=30 wss_mib=32", false)),
          "start");
    CHECK(waitSerial(rootA, "job", "CHECK OK"), "guest running on A");

    m.dom = dom;
    m.flags = VIR_MIGRATE_LIVE;
    m.bandwidth = 1;
    m.dxml = destXML(dom);
    migStart(&m);
    CHECK(waitTransferring(dom, 256 * 1024), "transfer under way");
    CHECK(virDomainMigrateGetMaxSpeed(dom, &speed, 0) == 0 && speed == 1, "speed %lu", speed);
    CHECK(virDomainMigrateSetMaxDowntime(dom, 500, 0) == 0, "set max downtime");
    CHECK(virDomainMigrateGetMaxDowntime(dom, &downtime, 0) == 0 && downtime == 500,
          "downtime %llu", downtime);
    g_usleep(1500 * 1000);
    CHECK(virDomainGetJobInfo(dom, &info) == 0 && info.type == VIR_DOMAIN_JOB_UNBOUNDED &&
              info.dataProcessed < 8ULL * 1024 * 1024 && info.dataRemaining > 0,
          "limited to 1 MiB/s: processed %llu after %llu ms", info.dataProcessed,
          info.timeElapsed);
    CHECK(virDomainAbortJob(dom) == 0, "abort");
    migJoin(&m);
    CHECK(!m.ddom && m.code == VIR_ERR_OPERATION_ABORTED, "aborted: %d %s", m.code, m.message);
    CHECK(waitState(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED), "A still running");
    hb = lastHeartbeat(rootA, "job");
    next = g_strdup_printf("HEARTBEAT %ld ", hb + 5);
    CHECK(waitSerial(rootA, "job", next), "heartbeat goes on on A");
    CHECK(!(gone = virDomainLookupByName(connB, "job")), "nothing left on B");
    CHECK(waitEvents("B", "job", "5 5"), "STOPPED_FAILED on B");
    evB = eventsOf("B", "job");
    CHECK(streq0(evB, "2 1, 5 5"), "events on B '%s'", evB);
    evA = eventsOf("A", "job");
    CHECK(!strstr(evA, "3 1"), "no SUSPENDED on A: '%s'", evA);
    CHECK(iterations[0] >= 1 && iterations[1] == 0, "MIGRATION_ITERATION %d/%d", iterations[0],
          iterations[1]);
    CHECK(virDomainGetJobInfo(dom, &info) == 0 && info.type == VIR_DOMAIN_JOB_NONE,
          "no job after the abort");
    migClear(&m);

    /* again; raising the speed on the fly lets it converge */
    m.dom = dom;
    m.flags = VIR_MIGRATE_LIVE;
    m.bandwidth = 1;
    m.dxml = destXML(dom);
    migStart(&m);
    CHECK(waitTransferring(dom, 256 * 1024), "second transfer under way");
    CHECK(virDomainMigrateSetMaxSpeed(dom, 10000, 0) == 0, "raise the speed");
    migJoin(&m);
    CHECK(m.ddom, "migration after the speed change: %s", m.message);
    hb = lastHeartbeat(rootA, "job");
    qemuPid(rootB, "job");
    CHECK(waitState(m.ddom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_MIGRATED), "B running");
    CHECK(checkGuestOnB("job", hb) == 0, "guest on B");
    CHECK(virDomainDestroy(m.ddom) == 0, "destroy on B");
    migClear(&m);
    virDomainFree(dom);
    return 0;
}

/* Post-copy: the same non-converging guest switches to post-copy. */
static int
casePostcopy(void)
{
    Mig m = { 0 };
    virDomainPtr dom;
    long hb;
    g_autofree char *evA = NULL;
    g_autofree char *evB = NULL;
    pid_t srcPid;

    CHECK((dom = startGuest("pc", 96, "heartbeat_ms=50 dirty_mib_s=30 wss_mib=32", false)),
          "start");
    srcPid = qemuPid(rootA, "pc");
    CHECK(waitSerial(rootA, "pc", "CHECK OK"), "guest running on A");
    CHECK(virDomainMigrateStartPostCopy(dom, 0) < 0 &&
              virGetLastError()->code == VIR_ERR_OPERATION_INVALID,
          "post-copy without a migration refused");
    m.dom = dom;
    m.flags = VIR_MIGRATE_LIVE | VIR_MIGRATE_POSTCOPY;
    m.bandwidth = 2;
    m.dxml = destXML(dom);
    migStart(&m);
    CHECK(waitTransferring(dom, 256 * 1024), "transfer under way");
    CHECK(virDomainMigrateStartPostCopy(dom, 0) == 0, "start post-copy");
    migJoin(&m);
    CHECK(m.ddom, "post-copy migration: %s", m.message);
    hb = lastHeartbeat(rootA, "pc");
    qemuPid(rootB, "pc");
    CHECK(waitState(m.ddom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_MIGRATED), "B running");
    CHECK(pidGone(srcPid), "source QEMU gone");
    CHECK(checkGuestOnB("pc", hb) == 0, "guest on B");
    CHECK(waitEvents("A", "pc", "5 3"), "STOPPED_MIGRATED on A");
    evA = eventsOf("A", "pc");
    evB = eventsOf("B", "pc");
    CHECK(g_str_has_suffix(evA, "3 1, 3 7, 5 3"), "events on A '%s'", evA);
    CHECK(streq0(evB, "2 1, 4 3, 4 1"), "events on B '%s'", evB);
    CHECK(virDomainDestroy(m.ddom) == 0, "destroy on B");
    migClear(&m);
    virDomainFree(dom);
    return 0;
}

/* The destination's QEMU is killed during the transfer: the guest runs on. */
static int
caseKillDest(void)
{
    Mig m = { 0 };
    virDomainPtr dom;
    virDomainPtr gone;
    pid_t dstPid;
    long hb;
    g_autofree char *next = NULL;
    g_autofree char *evB = NULL;

    CHECK((dom = startGuest("kd", 96, "heartbeat_ms=50 dirty_mib_s=30 wss_mib=32", false)),
          "start");
    CHECK(waitSerial(rootA, "kd", "CHECK OK"), "guest running on A");
    m.dom = dom;
    m.flags = VIR_MIGRATE_LIVE;
    m.bandwidth = 1;
    m.dxml = destXML(dom);
    migStart(&m);
    CHECK(waitTransferring(dom, 256 * 1024), "transfer under way");
    CHECK((dstPid = qemuPid(rootB, "kd")) > 0, "destination QEMU");
    CHECK(kill(dstPid, SIGKILL) == 0, "kill destination QEMU");
    migJoin(&m);
    CHECK(!m.ddom, "migration failed");
    CHECK(waitState(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED), "A still running");
    hb = lastHeartbeat(rootA, "kd");
    next = g_strdup_printf("HEARTBEAT %ld ", hb + 5);
    CHECK(waitSerial(rootA, "kd", next), "heartbeat goes on on A");
    CHECK(!serialHas(rootA, "kd", "CORRUPT"), "no CORRUPT");
    CHECK(!(gone = virDomainLookupByName(connB, "kd")), "nothing left on B");
    CHECK(waitEvents("B", "kd", "5 5"), "STOPPED_FAILED on B");
    evB = eventsOf("B", "kd");
    CHECK(streq0(evB, "2 1, 5 5"), "events on B '%s'", evB);
    CHECK(pidGone(dstPid), "destination QEMU reaped");
    migClear(&m);
    virDomainFree(dom);
    return 0;
}

/* Two roots configured with the same host_uuid are the same host. */
static int
caseHostUUID(void)
{
    const char *conf = "host_uuid = \"3f8d2c1a-5b6e-4f70-8a91-b2c3d4e5f607\"\n";
    g_autofree char *confA = g_build_filename(rootA, "etc", "qemu.conf", NULL);
    g_autofree char *confB = g_build_filename(rootB, "etc", "qemu.conf", NULL);
    virDomainPtr dom;

    closeConn(&connA, 0);
    closeConn(&connB, 1);
    CHECK(g_file_set_contents(confA, conf, -1, NULL) && g_file_set_contents(confB, conf, -1, NULL),
          "write qemu.conf");
    CHECK((connA = openConn(rootA, 0)) && (connB = openConn(rootB, 1)), "reopen");
    CHECK((dom = startGuest("hu", 64, "heartbeat_ms=50", false)), "start");
    CHECK(!virDomainMigrate(dom, connB, VIR_MIGRATE_LIVE, NULL, "tcp://127.0.0.1", 0) &&
              virGetLastError()->code == VIR_ERR_INTERNAL_ERROR &&
              strstr(virGetLastError()->message, "3f8d2c1a-5b6e-4f70-8a91-b2c3d4e5f607"),
          "same host refused");
    CHECK(!virDomainLookupByName(connB, "hu"), "nothing on B");
    CHECK(virDomainDestroy(dom) == 0, "destroy");
    virDomainFree(dom);

    /* a bad one makes the open fail, naming it */
    closeConn(&connB, 1);
    CHECK(g_file_set_contents(confB, "host_uuid = \"nope\"\n", -1, NULL), "write qemu.conf");
    CHECK(!(connB = openConn(rootB, 1)) && strstr(virGetLastErrorMessage(), "host_uuid"),
          "bad host_uuid refused");
    return 0;
}

/* Non-live with VIR_MIGRATE_PAUSED: the source pauses first, the
 * destination keeps the guest paused until it is resumed there. */
static int
caseNonLivePaused(void)
{
    Mig m = { 0 };
    virDomainPtr dom;
    long hb;
    g_autofree char *evA = NULL;
    g_autofree char *evB = NULL;
    g_autofree char *next = NULL;

    CHECK((dom = startGuest("nl", 64, "heartbeat_ms=50 dirty_mib_s=4 wss_mib=8", false)),
          "start");
    CHECK(waitSerial(rootA, "nl", "CHECK OK"), "guest running on A");
    m.dom = dom;
    m.flags = VIR_MIGRATE_PAUSED;
    m.dxml = destXML(dom);
    migStart(&m);
    migJoin(&m);
    CHECK(m.ddom, "migration: %s", m.message);
    hb = lastHeartbeat(rootA, "nl");
    qemuPid(rootB, "nl");
    CHECK(waitState(m.ddom, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER), "B paused/user");
    CHECK(waitEvents("A", "nl", "5 3"), "STOPPED_MIGRATED on A");
    evA = eventsOf("A", "nl");
    evB = eventsOf("B", "nl");
    CHECK(g_str_has_suffix(evA, "3 1, 5 3"), "events on A '%s'", evA);
    CHECK(streq0(evB, "2 1, 3 0"), "events on B '%s'", evB);
    g_usleep(300 * 1000);
    CHECK(lastHeartbeat(rootB, "nl") < 0, "no heartbeat on B while paused");
    CHECK(virDomainResume(m.ddom) == 0, "resume on B");
    next = g_strdup_printf("HEARTBEAT %ld ", hb + 5);
    CHECK(waitSerial(rootB, "nl", next), "heartbeat on B after resume");
    CHECK(!serialHas(rootB, "nl", "CORRUPT"), "no CORRUPT");
    CHECK(virDomainDestroy(m.ddom) == 0, "destroy on B");
    migClear(&m);
    virDomainFree(dom);
    return 0;
}

/* A free TCP port on 127.0.0.1 (bound and released). */
static int
freePort(void)
{
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof(sa);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int port = -1;

    if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
        getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
        port = ntohs(sa.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

/* SPICE clients are told where the destination's display is
 * (client_migrate_info with the port from the Prepare cookie). */
static int
caseSpice(void)
{
    Mig m = { 0 };
    virDomainPtr dom;
    int p1 = freePort();
    int p2 = freePort();
    g_autofree char *xml = NULL;
    g_autofree char *log = NULL;
    g_autofree char *want = NULL;
    g_autofree char *src = NULL;
    g_autofree char *dst = NULL;
    long hb;

    CHECK(p1 > 0 && p2 > 0 && p1 != p2, "ports %d %d", p1, p2);
    xml = guestXML("sp", 64, "heartbeat_ms=50 dirty_mib_s=4 wss_mib=8");
    {
        g_autofree char *gfx = g_strdup_printf(
            "    <graphics type='spice' port='%d' autoport='no' listen='127.0.0.1'/>\n"
            "  </devices>", p1);
        g_auto(GStrv) parts = g_strsplit(xml, "  </devices>", -1);

        g_free(xml);
        xml = g_strjoinv(gfx, parts);
    }
    CHECK((dom = virDomainCreateXML(connA, xml, 0)), "start with SPICE");
    qemuPid(rootA, "sp");
    CHECK(waitSerial(rootA, "sp", "CHECK OK"), "guest running on A");
    m.dom = dom;
    m.flags = VIR_MIGRATE_LIVE;
    src = g_strdup_printf("port='%d'", p1);
    dst = g_strdup_printf("port='%d'", p2);
    {
        g_autofree char *d = destXML(dom);
        g_auto(GStrv) parts = g_strsplit(d, src, -1);

        m.dxml = g_strjoinv(dst, parts);
    }
    migStart(&m);
    migJoin(&m);
    CHECK(m.ddom, "migration: %s", m.message);
    hb = lastHeartbeat(rootA, "sp");
    qemuPid(rootB, "sp");
    CHECK(checkGuestOnB("sp", hb) == 0, "guest on B");
    CHECK(g_file_get_contents(logPath, &log, NULL, NULL), "QMP log %s", logPath);
    want = g_strdup_printf("\"port\":%d", p2);
    {
        const char *at = strstr(log, "client_migrate_info");

        CHECK(at && strstr(at, "\"hostname\":\"127.0.0.1\"") && strstr(at, want),
              "client_migrate_info to 127.0.0.1:%d sent", p2);
    }
    CHECK(virDomainDestroy(m.ddom) == 0, "destroy on B");
    migClear(&m);
    virDomainFree(dom);
    return 0;
}

/* AUTO_CONVERGE: a guest dirtying memory faster than the bandwidth limit
 * converges once QEMU throttles its CPU (throttle reported in the stats). */
static int
caseAutoConverge(void)
{
    Mig m = { 0 };
    virDomainPtr dom;
    virTypedParameterPtr stats = NULL;
    int nstats = 0;
    int type = -1;
    int throttle = -1;
    gint64 deadline;
    long hb;

    CHECK((dom = startGuest("ac", 64, "heartbeat_ms=50 dirty_mib_s=40 wss_mib=8", false)),
          "start");
    CHECK(waitSerial(rootA, "ac", "CHECK OK"), "guest running on A");
    m.dom = dom;
    m.flags = VIR_MIGRATE_LIVE | VIR_MIGRATE_AUTO_CONVERGE;
    m.bandwidth = 16;
    m.acInitial = 80;
    m.dxml = destXML(dom);
    migStart(&m);
    CHECK(waitTransferring(dom, 256 * 1024), "transfer under way");
    /* the throttle shows in the job statistics while it runs */
    deadline = nowMs() + WAIT_MS;
    while (nowMs() < deadline && throttle <= 0) {
        if (virDomainGetJobStats(dom, &type, &stats, &nstats, 0) == 0 &&
            type == VIR_DOMAIN_JOB_UNBOUNDED)
            virTypedParamsGetInt(stats, nstats, VIR_DOMAIN_JOB_AUTO_CONVERGE_THROTTLE, &throttle);
        else if (type == VIR_DOMAIN_JOB_NONE)
            break;
        virTypedParamsFree(stats, nstats);
        stats = NULL;
        nstats = 0;
        g_usleep(50000);
    }
    migJoin(&m);
    CHECK(m.ddom, "migration: %s", m.message);
    CHECK(throttle >= 80, "CPU throttled (%d%%)", throttle);
    hb = lastHeartbeat(rootA, "ac");
    qemuPid(rootB, "ac");
    CHECK(checkGuestOnB("ac", hb) == 0, "guest on B");
    CHECK(virDomainDestroy(m.ddom) == 0, "destroy on B");
    migClear(&m);
    virDomainFree(dom);
    return 0;
}

/* SetMaxDowntime during the transfer reaches QEMU: a guest that does not
 * converge within 300 ms of downtime at 16 MiB/s (pass after pass) does
 * once 5 s are allowed. */
static int
caseDowntime(void)
{
    Mig m = { 0 };
    virDomainPtr dom;
    virTypedParameterPtr stats = NULL;
    int nstats = 0;
    int type = -1;
    unsigned long long down = 0;
    unsigned long long iter = 0;
    long hb;

    CHECK((dom = startGuest("dt", 64, "heartbeat_ms=50 dirty_mib_s=60 wss_mib=8", false)),
          "start");
    CHECK(waitSerial(rootA, "dt", "CHECK OK"), "guest running on A");
    m.dom = dom;
    m.flags = VIR_MIGRATE_LIVE;
    m.bandwidth = 16;
    m.dxml = destXML(dom);
    migStart(&m);
    /* three passes over the dirty working set without converging */
    CHECK(waitTransferring(dom, 26ULL * 1024 * 1024), "several passes done");
    CHECK(virDomainGetJobStats(dom, &type, &stats, &nstats, 0) == 0 &&
              type == VIR_DOMAIN_JOB_UNBOUNDED &&
              virTypedParamsGetULLong(stats, nstats, VIR_DOMAIN_JOB_MEMORY_ITERATION, &iter) == 1 &&
              iter >= 3,
          "not converged at 300 ms after %llu passes", iter);
    virTypedParamsFree(stats, nstats);
    stats = NULL;
    nstats = 0;
    CHECK(virDomainMigrateSetMaxDowntime(dom, 5000, 0) == 0, "allow 5 s of downtime");
    migJoin(&m);
    CHECK(m.ddom, "migration: %s", m.message);
    hb = lastHeartbeat(rootA, "dt");
    qemuPid(rootB, "dt");
    CHECK(virDomainGetJobStats(m.ddom, &type, &stats, &nstats,
                               VIR_DOMAIN_JOB_STATS_COMPLETED) == 0 &&
              virTypedParamsGetULLong(stats, nstats, VIR_DOMAIN_JOB_DOWNTIME, &down) == 1,
          "downtime reported");
    virTypedParamsFree(stats, nstats);
    CHECK(checkGuestOnB("dt", hb) == 0, "guest on B");
    CHECK(virDomainDestroy(m.ddom) == 0, "destroy on B");
    migClear(&m);
    virDomainFree(dom);
    return 0;
}

/* Starts a POSTCOPY migration of @dom at 1 MiB/s, the post-copy phase at
 * 1 MiB/s too (so that it lasts), and waits until it moves data. */
static int
migStartSlowPostcopy(Mig *m, virDomainPtr dom)
{
    CHECK(virDomainMigrateSetMaxSpeed(dom, 1, VIR_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY) == 0,
          "post-copy bandwidth");
    m->dom = dom;
    m->flags = VIR_MIGRATE_LIVE | VIR_MIGRATE_POSTCOPY;
    m->bandwidth = 1;
    m->dxml = destXML(dom);
    migStart(m);
    CHECK(waitTransferring(dom, 256 * 1024), "transfer under way");
    return 0;
}

/* Post-copy failure: the destination's QEMU dies after the switch.  The
 * source keeps the guest paused with POSTCOPY_FAILED and never resumes it. */
static int
casePostcopyFail(void)
{
    Mig m = { 0 };
    virDomainPtr dom;
    pid_t dstPid;
    long hb;
    int state;
    int reason;
    g_autofree char *evA = NULL;

    CHECK((dom = startGuest("pcf", 96, "heartbeat_ms=50 dirty_mib_s=30 wss_mib=32", false)),
          "start");
    CHECK(waitSerial(rootA, "pcf", "CHECK OK"), "guest running on A");
    CHECK(migStartSlowPostcopy(&m, dom) == 0, "slow post-copy migration started");
    CHECK(virDomainMigrateStartPostCopy(dom, 0) == 0, "start post-copy");
    CHECK(waitState(dom, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_POSTCOPY), "A paused/postcopy");
    CHECK(virDomainAbortJob(dom) < 0 && virGetLastError()->code == VIR_ERR_OPERATION_INVALID,
          "no abort in post-copy");
    CHECK((dstPid = qemuPid(rootB, "pcf")) > 0, "destination QEMU");
    CHECK(kill(dstPid, SIGKILL) == 0, "kill destination QEMU");
    migJoin(&m);
    CHECK(!m.ddom, "migration failed");
    CHECK(waitState(dom, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_POSTCOPY_FAILED),
          "A paused/postcopy-failed");
    hb = lastHeartbeat(rootA, "pcf");
    g_usleep(1000 * 1000);
    CHECK(lastHeartbeat(rootA, "pcf") == hb, "never resumed on A");
    CHECK(virDomainGetState(dom, &state, &reason, 0) == 0 && state == VIR_DOMAIN_PAUSED &&
              reason == VIR_DOMAIN_PAUSED_POSTCOPY_FAILED,
          "still paused/postcopy-failed (%d/%d)", state, reason);
    evA = eventsOf("A", "pcf");
    CHECK(g_str_has_suffix(evA, "3 1, 3 7, 3 8"), "events on A '%s'", evA);
    CHECK(!strstr(strstr(evA, "3 1"), "4 "), "no RESUMED on A after the start '%s'", evA);
    migClear(&m);
    virDomainFree(dom);
    return 0;
}

/*
 * virDomainAbortJobFlags(VIR_DOMAIN_ABORT_JOB_POSTCOPY): refused before the
 * switch to post-copy (and without a job), then QEMU's migrate-pause breaks
 * the post-copy migration: the guest stays paused (POSTCOPY_FAILED) on both
 * hosts, never resumed, as libvirt 9.0 leaves it for a recovery.
 */
static int
casePostcopyAbort(void)
{
    Mig m = { 0 };
    virDomainPtr dom;
    virDomainPtr ddom = NULL;
    g_autofree char *log = NULL;
    long hb;

    CHECK((dom = startGuest("pca", 96, "heartbeat_ms=50 dirty_mib_s=30 wss_mib=32", false)),
          "start");
    CHECK(waitSerial(rootA, "pca", "CHECK OK"), "guest running on A");
    CHECK(virDomainAbortJobFlags(dom, VIR_DOMAIN_ABORT_JOB_POSTCOPY) < 0 &&
              virGetLastError()->code == VIR_ERR_OPERATION_INVALID &&
              strstr(virGetLastError()->message,
                     "current job is not outgoing migration in post-copy mode"),
          "no job: refused");
    CHECK(virDomainAbortJobFlags(dom, 2) < 0 && virGetLastError()->code == VIR_ERR_INVALID_ARG,
          "unknown flag refused");
    CHECK(migStartSlowPostcopy(&m, dom) == 0, "slow post-copy migration started");
    CHECK(virDomainAbortJobFlags(dom, VIR_DOMAIN_ABORT_JOB_POSTCOPY) < 0 &&
              virGetLastError()->code == VIR_ERR_OPERATION_INVALID,
          "pre-copy: refused");
    CHECK(virDomainMigrateStartPostCopy(dom, 0) == 0, "start post-copy");
    CHECK(waitState(dom, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_POSTCOPY), "A paused/postcopy");
    CHECK((ddom = virDomainLookupByName(connB, "pca")), "on B");
    qemuPid(rootB, "pca");
    CHECK(waitState(ddom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_POSTCOPY), "B running/postcopy");
    CHECK(virDomainAbortJobFlags(dom, VIR_DOMAIN_ABORT_JOB_POSTCOPY) == 0,
          "post-copy interrupted");
    migJoin(&m);
    CHECK(!m.ddom, "migration failed");
    CHECK(waitState(dom, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_POSTCOPY_FAILED),
          "A paused/postcopy-failed");
    CHECK(waitState(ddom, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_POSTCOPY_FAILED),
          "B paused/postcopy-failed");
    hb = lastHeartbeat(rootA, "pca");
    g_usleep(500 * 1000);
    CHECK(lastHeartbeat(rootA, "pca") == hb, "never resumed on A");
    CHECK(g_file_get_contents(logPath, &log, NULL, NULL), "QMP log %s", logPath);
    CHECK(strstr(log, "\"execute\":\"migrate-pause\""), "migrate-pause sent to QEMU");
    virDomainDestroy(ddom);
    virDomainFree(ddom);
    virDomainDestroy(dom);
    migClear(&m);
    virDomainFree(dom);
    return 0;
}

/* The source's QEMU dies during post-copy: the destination keeps the guest
 * paused with POSTCOPY_FAILED (never killed, never resumed by itself). */
static int
casePostcopySourceKilled(void)
{
    Mig m = { 0 };
    virDomainPtr dom;
    virDomainPtr ddom;
    pid_t srcPid;
    long hb;
    g_autofree char *evB = NULL;

    CHECK((dom = startGuest("pcs", 96, "heartbeat_ms=50 dirty_mib_s=30 wss_mib=32", false)),
          "start");
    CHECK(waitSerial(rootA, "pcs", "CHECK OK"), "guest running on A");
    srcPid = qemuPid(rootA, "pcs");
    CHECK(migStartSlowPostcopy(&m, dom) == 0, "slow post-copy migration started");
    CHECK(virDomainMigrateStartPostCopy(dom, 0) == 0, "start post-copy");
    CHECK(waitState(dom, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_POSTCOPY), "A paused/postcopy");
    CHECK((ddom = virDomainLookupByName(connB, "pcs")), "on B");
    qemuPid(rootB, "pcs");
    CHECK(waitState(ddom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_POSTCOPY), "B running/postcopy");
    CHECK(kill(srcPid, SIGKILL) == 0, "kill source QEMU");
    migJoin(&m);
    CHECK(!m.ddom, "migration failed");
    CHECK(waitState(ddom, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_POSTCOPY_FAILED),
          "B paused/postcopy-failed");
    hb = lastHeartbeat(rootB, "pcs");
    g_usleep(500 * 1000);
    CHECK(lastHeartbeat(rootB, "pcs") == hb, "B stays paused");
    evB = eventsOf("B", "pcs");
    CHECK(streq0(evB, "2 1, 4 3, 3 8"), "events on B '%s'", evB);
    CHECK(waitEvents("A", "pcs", "5 5"), "STOPPED_FAILED on A (its QEMU died)");
    CHECK(!virDomainLookupByName(connA, "pcs"), "transient source gone");
    virDomainFree(ddom);
    migClear(&m);
    virDomainFree(dom);
    return 0;
}

/* Peer-to-peer (the source driver opens the destination itself), offline
 * migration of a defined guest, and a destination XML that changes the ABI. */
static int
caseP2POffline(void)
{
    g_autofree char *uriB = g_strdup_printf("qemu:///embed?root=%s", rootB);
    g_autofree char *xml = guestXML("off", 64, "heartbeat_ms=50");
    g_autofree char *bad = NULL;
    virTypedParameterPtr params = NULL;
    int nparams = 0;
    int max = 0;
    virDomainPtr dom;
    virDomainPtr ddom;
    virDomainPtr other;
    Mig m = { 0 };
    long hb;
    int state;

    /* offline: the definition moves, nothing runs */
    CHECK((dom = virDomainDefineXML(connA, xml)), "define");
    CHECK((ddom = virDomainMigrate(dom, connB, VIR_MIGRATE_OFFLINE | VIR_MIGRATE_PERSIST_DEST |
                                                   VIR_MIGRATE_UNDEFINE_SOURCE,
                                   NULL, NULL, 0)),
          "offline migration");
    CHECK(virDomainIsPersistent(ddom) == 1 && virDomainIsActive(ddom) == 0, "defined on B");
    CHECK(!(other = virDomainLookupByName(connA, "off")), "undefined on A");
    virDomainFree(ddom);
    virDomainFree(dom);

    CHECK((dom = startGuest("p2p", 64, "heartbeat_ms=50 dirty_mib_s=4 wss_mib=8", false)),
          "start");
    CHECK(waitSerial(rootA, "p2p", "CHECK OK"), "guest running on A");

    /* a destination XML with another ABI is refused before anything starts */
    m.dom = dom;
    bad = destXML(dom);
    {
        g_auto(GStrv) parts = g_strsplit(bad, "<vcpu placement='static'>1</vcpu>", -1);

        g_free(bad);
        bad = g_strjoinv("<vcpu placement='static'>2</vcpu>", parts);
    }
    CHECK(strstr(bad, ">2</vcpu>"), "ABI-changing XML made");
    CHECK(virTypedParamsAddString(&params, &nparams, &max, VIR_MIGRATE_PARAM_DEST_XML, bad) == 0,
          "params");
    CHECK(!virDomainMigrate3(dom, connB, params, nparams, VIR_MIGRATE_LIVE) &&
              virGetLastError()->code == VIR_ERR_CONFIG_UNSUPPORTED,
          "ABI change refused");
    virTypedParamsFree(params, nparams);
    params = NULL;
    nparams = max = 0;
    CHECK(virDomainGetState(dom, &state, NULL, 0) == 0 && state == VIR_DOMAIN_RUNNING,
          "still running on A");

    m.dxml = destXML(dom);
    CHECK(migParams(&m, &params, &nparams) == 0, "params");
    CHECK(virDomainMigrateToURI3(dom, uriB, params, nparams,
                                 VIR_MIGRATE_LIVE | VIR_MIGRATE_PEER2PEER) == 0,
          "p2p migration");
    virTypedParamsFree(params, nparams);
    hb = lastHeartbeat(rootA, "p2p");
    CHECK((ddom = virDomainLookupByName(connB, "p2p")), "on B");
    qemuPid(rootB, "p2p");
    CHECK(waitState(ddom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_MIGRATED), "B running");
    CHECK(checkGuestOnB("p2p", hb) == 0, "guest on B");
    CHECK(virDomainDestroy(ddom) == 0, "destroy on B");
    virDomainFree(ddom);
    virDomainFree(dom);
    migClear(&m);
    return 0;
}

/* A tunnelled peer-to-peer migration in a thread: ToURI3 to B's embed URI. */
typedef struct {
    virDomainPtr dom;
    char *dxml;
    unsigned long long bandwidth;
    int rc;
    int code;
    char *message;
} TunnelMig;

static gpointer
tunnelThread(gpointer opaque)
{
    TunnelMig *t = opaque;
    g_autofree char *uriB = g_strdup_printf("qemu:///embed?root=%s", rootB);
    virTypedParameterPtr params = NULL;
    int nparams = 0;
    int max = 0;

    t->rc = -1;
    if (virTypedParamsAddString(&params, &nparams, &max, VIR_MIGRATE_PARAM_DEST_XML,
                                t->dxml) == 0 &&
        (!t->bandwidth || virTypedParamsAddULLong(&params, &nparams, &max,
                                                  VIR_MIGRATE_PARAM_BANDWIDTH,
                                                  t->bandwidth) == 0))
        t->rc = virDomainMigrateToURI3(t->dom, uriB, params, nparams,
                                       VIR_MIGRATE_LIVE | VIR_MIGRATE_PEER2PEER |
                                       VIR_MIGRATE_TUNNELLED);
    if (t->rc < 0) {
        virErrorPtr e = virGetLastError();

        t->code = e ? e->code : -1;
        t->message = g_strdup(e && e->message ? e->message : "");
    }
    virTypedParamsFree(params, nparams);
    return NULL;
}

/*
 * Tunnelled (P2P | TUNNELLED): the data goes from A's QEMU through the
 * driver's pump thread and the migration stream into B's QEMU.  First an
 * abort during the transfer (the guest stays on A, B keeps nothing), then
 * a migration that completes: the heartbeat goes on on B, the source QEMU
 * is gone, the events are those of any live migration.
 */
static int
caseTunnel(void)
{
    TunnelMig t = { 0 };
    GThread *th;
    virDomainPtr dom;
    virDomainPtr ddom;
    virDomainPtr gone;
    pid_t srcPid;
    long hb;
    g_autofree char *next = NULL;
    g_autofree char *evA = NULL;
    g_autofree char *evB = NULL;
    g_autofree char *dxml = NULL;

    CHECK((dom = startGuest("tun", 64, "heartbeat_ms=50 dirty_mib_s=4 wss_mib=8", false)),
          "start");
    srcPid = qemuPid(rootA, "tun");
    CHECK(waitSerial(rootA, "tun", "CHECK OK"), "guest running on A");
    dxml = destXML(dom);

    /* TUNNELLED without PEER2PEER: libvirt's refusal */
    CHECK(!virDomainMigrate(dom, connB, VIR_MIGRATE_LIVE | VIR_MIGRATE_TUNNELLED, NULL, NULL, 0) &&
              virGetLastError()->code == VIR_ERR_OPERATION_INVALID &&
              strstr(virGetLastError()->message, "without using peer2peer flag"),
          "TUNNELLED without PEER2PEER refused");

    /* abort during the transfer */
    t.dom = dom;
    t.dxml = dxml;
    t.bandwidth = 1;
    th = g_thread_new("tunnel", tunnelThread, &t);
    if (!waitTransferring(dom, 256 * 1024)) {
        g_thread_join(th);
        CHECK(false, "tunnelled transfer under way (rc %d: %s)", t.rc, t.message);
    }
    CHECK(virDomainAbortJob(dom) == 0, "abort");
    g_thread_join(th);
    CHECK(t.rc < 0 && t.code == VIR_ERR_OPERATION_ABORTED, "aborted: %d %s", t.code, t.message);
    g_clear_pointer(&t.message, g_free);
    CHECK(waitState(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED), "A still running");
    hb = lastHeartbeat(rootA, "tun");
    next = g_strdup_printf("HEARTBEAT %ld ", hb + 5);
    CHECK(waitSerial(rootA, "tun", next), "heartbeat goes on on A");
    CHECK(!(gone = virDomainLookupByName(connB, "tun")), "nothing left on B");
    CHECK(waitEvents("B", "tun", "5 5"), "STOPPED_FAILED on B");
    evB = eventsOf("B", "tun");
    CHECK(streq0(evB, "2 1, 5 5"), "events on B after the abort '%s'", evB);
    g_clear_pointer(&evB, g_free);

    /* and now through */
    virDomainMigrateSetMaxSpeed(dom, 8192, 0);
    t.bandwidth = 0;
    th = g_thread_new("tunnel", tunnelThread, &t);
    g_thread_join(th);
    CHECK(t.rc == 0, "tunnelled migration: %s", t.message);
    hb = lastHeartbeat(rootA, "tun");
    CHECK((ddom = virDomainLookupByName(connB, "tun")), "on B");
    qemuPid(rootB, "tun");
    CHECK(waitState(ddom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_MIGRATED), "B running/migrated");
    CHECK(pidGone(srcPid), "source QEMU %d gone", srcPid);
    CHECK(checkGuestOnB("tun", hb) == 0, "guest on B (heartbeat, no CORRUPT)");
    CHECK(waitEvents("A", "tun", "5 3"), "STOPPED_MIGRATED on A");
    evA = eventsOf("A", "tun");
    evB = eventsOf("B", "tun");
    CHECK(g_str_has_suffix(evA, "2 0, 3 1, 5 3"), "events on A '%s'", evA);
    CHECK(streq0(evB, "2 1, 5 5, 2 1, 4 1"), "events on B '%s'", evB);
    CHECK(virDomainDestroy(ddom) == 0, "destroy on B");
    virDomainFree(ddom);
    virDomainFree(dom);
    return 0;
}

/*
 * Both "daemons" die (kill -9) in the middle of a transfer: a child process
 * (this program with --child) holds the two driver instances and migrates;
 * once the transfer runs it is killed.  Opening the roots again recovers
 * from the recorded phases: the source cancels and keeps the guest
 * running, the destination kills its half-received guest.
 */
static int
caseRestart(const char *self)
{
    g_autofree char *line = NULL;
    const char *argv[] = { self, "--child", rootA, rootB, NULL };
    virDomainPtr dom;
    virDomainPtr gone;
    GPid child;
    int out = -1;
    FILE *fp;
    char buf[256] = "";
    pid_t srcPid;
    pid_t dstPid;
    long hb;
    int state;
    int reason;
    g_autofree char *next = NULL;
    g_autofree char *status = NULL;
    g_autofree char *statusPath = g_strdup_printf("%s/run/qemu/rs.xml", rootA);

    /* the child owns both roots: no driver instance here meanwhile */
    closeConn(&connA, 0);
    closeConn(&connB, 1);
    CHECK(g_spawn_async_with_pipes(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL,
                                   NULL, &child, NULL, &out, NULL, NULL),
          "spawn the child");
    rememberPid(child);
    fp = fdopen(out, "r");
    while (fp && fgets(buf, sizeof(buf), fp) && !g_str_has_prefix(buf, "MIGRATING"))
        ;
    CHECK(g_str_has_prefix(buf, "MIGRATING"), "child migrating (last line '%s')", buf);
    srcPid = qemuPid(rootA, "rs");
    dstPid = qemuPid(rootB, "rs");
    CHECK(g_file_get_contents(statusPath, &status, NULL, NULL) &&
              strstr(status, "phase='S_PERFORM'"),
          "S_PERFORM recorded in the status XML");
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    forgetPid(child);
    if (fp)
        fclose(fp);
    CHECK(srcPid > 0 && dstPid > 0, "both QEMUs were started");

    CHECK((connA = openConn(rootA, 0)) && (connB = openConn(rootB, 1)), "reopen the roots");
    CHECK((dom = virDomainLookupByName(connA, "rs")), "guest still on A");
    CHECK(virDomainGetState(dom, &state, &reason, 0) == 0 && state == VIR_DOMAIN_RUNNING,
          "running on A after recovery (%d/%d)", state, reason);
    CHECK(!(gone = virDomainLookupByName(connB, "rs")), "nothing left on B");
    CHECK(pidGone(dstPid), "destination QEMU killed by the recovery");
    CHECK(kill(srcPid, 0) == 0, "source QEMU alive");
    hb = lastHeartbeat(rootA, "rs");
    next = g_strdup_printf("HEARTBEAT %ld ", hb + 5);
    CHECK(waitSerial(rootA, "rs", next), "heartbeat goes on on A");
    CHECK(!serialHas(rootA, "rs", "CORRUPT"), "no CORRUPT");
    g_free(status);
    status = NULL;
    CHECK(g_file_get_contents(statusPath, &status, NULL, NULL) && !strstr(status, "<migration"),
          "no migration recorded any more");
    virDomainFree(dom);
    return 0;
}

/*
 * Both daemons die during post-copy: after the restart the guest runs on B
 * only (running/postcopy until its QEMU completes the transfer, then
 * running/migrated), the source stays paused and is never resumed.
 */
static int
caseRestartPostcopy(const char *self)
{
    const char *argv[] = { self, "--child-postcopy", rootA, rootB, NULL };
    virDomainPtr dom;
    virDomainPtr ddom;
    GPid child;
    int out = -1;
    FILE *fp;
    char buf[256] = "";
    int state;
    int reason;
    long hbA;
    long hbB;
    g_autofree char *next = NULL;

    closeConn(&connA, 0);
    closeConn(&connB, 1);
    CHECK(g_spawn_async_with_pipes(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL,
                                   NULL, &child, NULL, &out, NULL, NULL),
          "spawn the child");
    rememberPid(child);
    fp = fdopen(out, "r");
    while (fp && fgets(buf, sizeof(buf), fp) && !g_str_has_prefix(buf, "POSTCOPY"))
        ;
    qemuPid(rootA, "rp");
    qemuPid(rootB, "rp");
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    forgetPid(child);
    if (fp)
        fclose(fp);
    CHECK(g_str_has_prefix(buf, "POSTCOPY"), "child in post-copy (last line '%s')", buf);

    CHECK((connA = openConn(rootA, 0)) && (connB = openConn(rootB, 1)), "reopen the roots");
    CHECK((dom = virDomainLookupByName(connA, "rp")), "source kept");
    CHECK((ddom = virDomainLookupByName(connB, "rp")), "destination kept");
    CHECK(virDomainGetState(dom, &state, &reason, 0) == 0 && state == VIR_DOMAIN_PAUSED &&
              reason == VIR_DOMAIN_PAUSED_POSTCOPY,
          "A paused/postcopy (%d/%d)", state, reason);
    CHECK(virDomainGetState(ddom, &state, &reason, 0) == 0 && state == VIR_DOMAIN_RUNNING,
          "B running (%d/%d)", state, reason);
    hbA = lastHeartbeat(rootA, "rp");
    hbB = lastHeartbeat(rootB, "rp");
    next = g_strdup_printf("HEARTBEAT %ld ", MAX(hbA, hbB) + 5);
    CHECK(waitSerial(rootB, "rp", next), "heartbeat goes on on B (from %ld/%ld)", hbA, hbB);
    CHECK(lastHeartbeat(rootA, "rp") == hbA, "never resumed on A");
    CHECK(waitState(ddom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_MIGRATED),
          "B running/migrated once its QEMU completed the transfer");
    CHECK(waitSerial(rootB, "rp", "CHECK OK") && !serialHas(rootB, "rp", "CORRUPT"),
          "memory intact on B");
    virDomainFree(ddom);
    virDomainFree(dom);
    return 0;
}

/* The child of caseRestart: start the guest on A, migrate it slowly to B. */
static int
childMain(const char *a, const char *b, bool postcopy)
{
    Mig m = { 0 };
    virDomainPtr dom;
    const char *name = postcopy ? "rp" : "rs";

    rootA = (char *)a;
    rootB = (char *)b;
    events = g_ptr_array_new_with_free_func(g_free);
    if (!(connA = openConn(rootA, 0)) || !(connB = openConn(rootB, 1)) ||
        !(dom = startGuest(name, 96, "heartbeat_ms=50 dirty_mib_s=30 wss_mib=32", false)) ||
        !waitSerial(rootA, name, "CHECK OK"))
        return 1;
    m.dom = dom;
    m.flags = VIR_MIGRATE_LIVE | (postcopy ? VIR_MIGRATE_POSTCOPY : 0);
    m.bandwidth = 1;
    m.dxml = destXML(dom);
    /* post-copy at 8 MiB/s: the transfer outlives the daemons for a while */
    if (postcopy && virDomainMigrateSetMaxSpeed(dom, 8, VIR_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY) < 0)
        return 1;
    migStart(&m);
    if (!waitTransferring(dom, 256 * 1024))
        return 1;
    if (postcopy) {
        if (virDomainMigrateStartPostCopy(dom, 0) < 0 ||
            !waitState(dom, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_POSTCOPY))
            return 1;
        printf("POSTCOPY\n");
    } else {
        printf("MIGRATING\n");
    }
    fflush(stdout);
    for (;;)
        pause();
    return 0;
}

/* ---- the TIMEOUT watchdog (run with VIRTKIT_MIGRATION_TIMEOUT_MS set: --timeouts) ---- */

/*
 * A managed-direct client drives the steps itself (the private step entry
 * points virtkitd uses) and vanishes after one of them.  Each phase that
 * waits for the peer's next step then gets the table's TIMEOUT after
 * VIRTKIT_MIGRATION_TIMEOUT_MS (1500 ms in meson's qemumigratetest-timeout).
 */
typedef struct {
    virTypedParameterPtr params;
    int nparams;
    int maxparams;
    char *cookieA;                  /* Begin -> Prepare */
    char *cookieB;                  /* Prepare -> Perform */
    char *cookieC;                  /* Perform -> Finish */
    int lenA;
    int lenB;
    int lenC;
    char *uriOut;
    char *xml;
    unsigned int flags;             /* VIR_MIGRATE_LIVE when 0 */
    unsigned long long bandwidth;   /* Perform's, MiB/s, 0 = none */
    int rc;                         /* stepPerformThread's result */
} Steps;

static unsigned int
stepsFlags(const Steps *st)
{
    return st->flags ? st->flags : VIR_MIGRATE_LIVE;
}

static void
stepsClear(Steps *st)
{
    virTypedParamsFree(st->params, st->nparams);
    g_free(st->cookieA);
    g_free(st->cookieB);
    g_free(st->cookieC);
    g_free(st->uriOut);
    g_free(st->xml);
    memset(st, 0, sizeof(*st));
}

static int
stepBegin(Steps *st, virDomainPtr dom)
{
    g_autofree char *dxml = destXML(dom);

    if (!dxml || !(st->xml = virtkitDomainMigrateBegin3Params(dom, NULL, 0, &st->cookieA,
                                                              &st->lenA, stepsFlags(st))))
        return -1;
    /* the caller's destination XML (serial log on B), as virsh passes it */
    return virTypedParamsAddString(&st->params, &st->nparams, &st->maxparams,
                                   VIR_MIGRATE_PARAM_DEST_XML, dxml);
}

static int
stepPrepare(Steps *st)
{
    if (virTypedParamsAddString(&st->params, &st->nparams, &st->maxparams,
                                VIR_MIGRATE_PARAM_LISTEN_ADDRESS, "127.0.0.1") < 0 ||
        virTypedParamsAddString(&st->params, &st->nparams, &st->maxparams,
                                VIR_MIGRATE_PARAM_URI, "tcp://127.0.0.1") < 0)
        return -1;
    return virtkitDomainMigratePrepare3Params(connB, st->params, st->nparams, st->cookieA,
                                              st->lenA, &st->cookieB, &st->lenB, &st->uriOut,
                                              stepsFlags(st));
}

static int
stepPerform(Steps *st, virDomainPtr dom)
{
    virTypedParameterPtr params = NULL;
    int nparams = 0;
    int maxparams = 0;
    int rc = -1;

    /* without a Prepare: a well-formed URI nobody listens on */
    if (virTypedParamsAddString(&params, &nparams, &maxparams, VIR_MIGRATE_PARAM_URI,
                                st->uriOut ? st->uriOut : "tcp://127.0.0.1:9") == 0 &&
        (!st->bandwidth || virTypedParamsAddULLong(&params, &nparams, &maxparams,
                                                   VIR_MIGRATE_PARAM_BANDWIDTH,
                                                   st->bandwidth) == 0))
        rc = virtkitDomainMigratePerform3Params(dom, NULL, params, nparams, st->cookieB,
                                                st->lenB, &st->cookieC, &st->lenC,
                                                stepsFlags(st));
    virTypedParamsFree(params, nparams);
    return rc;
}

typedef struct {
    Steps *st;
    virDomainPtr dom;
} StepsPerform;

static gpointer
stepPerformThread(gpointer opaque)
{
    StepsPerform *p = opaque;

    p->st->rc = stepPerform(p->st, p->dom);
    return NULL;
}

/* The code of the last error, or -1 when the call succeeded. */
static int
lastCode(void)
{
    virErrorPtr e = virGetLastError();

    return e ? e->code : -1;
}

/* Wait until @dom reports no job; returns the ms it took, -1 if it never did. */
static gint64
waitNoJob(virDomainPtr dom)
{
    gint64 start = nowMs();

    while (nowMs() - start < WAIT_MS) {
        virDomainJobInfo info;

        if (virDomainGetJobInfo(dom, &info) == 0 && info.type == VIR_DOMAIN_JOB_NONE)
            return nowMs() - start;
        g_usleep(20000);
    }
    return -1;
}

static bool
jobActive(virDomainPtr dom)
{
    virDomainJobInfo info;

    return virDomainGetJobInfo(dom, &info) == 0 && info.type == VIR_DOMAIN_JOB_UNBOUNDED;
}

static bool
statusNamesMigration(const char *root, const char *name)
{
    g_autofree char *path = g_strdup_printf("%s/run/qemu/%s.xml", root, name);
    g_autofree char *text = NULL;

    return g_file_get_contents(path, &text, NULL, NULL) && strstr(text, "<migration");
}

/*
 * Begin, then the client is gone: S_BEGIN -> S_CANCELLED.  The source job
 * ends (no job after about the timeout, not before), the guest keeps
 * running, a late Perform is refused (OPERATION_INVALID) and a new
 * migration can begin.
 */
static int
caseTimeoutAfterBegin(void)
{
    Steps st = { 0 };
    Steps again = { 0 };
    virDomainPtr dom;
    gint64 t0;
    gint64 took;
    long hb;
    int state = -1;
    int reason = -1;
    g_autofree char *next = NULL;
    g_autofree char *evA = NULL;

    CHECK((dom = startGuest("tb", 64, "heartbeat_ms=50 dirty_mib_s=1 wss_mib=4", false)),
          "start");
    CHECK(waitSerial(rootA, "tb", "CHECK OK"), "guest running on A");
    t0 = nowMs();
    CHECK(stepBegin(&st, dom) == 0, "Begin");
    CHECK(jobActive(dom), "a migration job after Begin");
    CHECK((took = waitNoJob(dom)) >= 0, "the job ends after the timeout");
    took = nowMs() - t0;
    CHECK(took >= 1000, "not before the timeout (%lld ms)", (long long)took);
    CHECK(virDomainGetState(dom, &state, &reason, 0) == 0 && state == VIR_DOMAIN_RUNNING,
          "still running (%d/%d)", state, reason);
    hb = lastHeartbeat(rootA, "tb");
    next = g_strdup_printf("HEARTBEAT %ld ", hb + 5);
    CHECK(waitSerial(rootA, "tb", next), "heartbeat goes on on A");
    evA = eventsOf("A", "tb");
    CHECK(!strstr(evA, "3 "), "no SUSPENDED on A: '%s'", evA);
    CHECK(!statusNamesMigration(rootA, "tb"), "no migration in the status XML");
    /* the late client */
    CHECK(stepPerform(&st, dom) < 0 && lastCode() == VIR_ERR_OPERATION_INVALID,
          "a late Perform is refused with OPERATION_INVALID (got %d)", lastCode());
    CHECK(virDomainGetState(dom, &state, &reason, 0) == 0 && state == VIR_DOMAIN_RUNNING,
          "still running after the late Perform (%d/%d)", state, reason);
    /* a new migration can begin (and is cancelled by its client) */
    CHECK(stepBegin(&again, dom) == 0, "a new Begin");
    CHECK(virtkitDomainMigrateConfirm3Params(dom, again.params, again.nparams, NULL, 0,
                                             VIR_MIGRATE_LIVE, 1) == 0,
          "Confirm cancelled");
    CHECK(waitNoJob(dom) >= 0, "no job after the cancelled Confirm");
    stepsClear(&st);
    stepsClear(&again);
    virDomainFree(dom);
    return 0;
}

/*
 * Begin + Prepare, then the client is gone: the destination (D_INCOMING ->
 * D_FAILED) kills its incoming QEMU and drops the transient domain
 * (STARTED_MIGRATED then STOPPED_FAILED), the source (S_BEGIN ->
 * S_CANCELLED) keeps running without a job.  A late Finish finds no
 * domain (NO_DOMAIN); a new migration then goes through.
 */
static int
caseTimeoutAfterPrepare(void)
{
    Steps st = { 0 };
    Mig m = { 0 };
    virDomainPtr dom;
    virDomainPtr ddom;
    virDomainPtr late;
    pid_t srcPid;
    pid_t dstPid;
    gint64 t0;
    long hb;
    int state = -1;
    int reason = -1;
    g_autofree char *evB = NULL;
    g_autofree char *next = NULL;

    CHECK((dom = startGuest("tp", 64, "heartbeat_ms=50 dirty_mib_s=1 wss_mib=4", false)),
          "start");
    CHECK(waitSerial(rootA, "tp", "CHECK OK"), "guest running on A");
    srcPid = qemuPid(rootA, "tp");
    t0 = nowMs();
    CHECK(stepBegin(&st, dom) == 0, "Begin");
    CHECK(stepPrepare(&st) == 0, "Prepare");
    CHECK((dstPid = qemuPid(rootB, "tp")) > 0, "destination QEMU started");
    CHECK((ddom = virDomainLookupByName(connB, "tp")), "incoming domain on B");
    CHECK(virDomainGetState(ddom, &state, &reason, 0) == 0 && state == VIR_DOMAIN_PAUSED &&
              reason == VIR_DOMAIN_PAUSED_MIGRATION,
          "B paused/migration before the timeout (%d/%d)", state, reason);
    CHECK(jobActive(ddom), "incoming job on B");
    virDomainFree(ddom);

    CHECK(pidGone(dstPid), "destination QEMU %d killed after the timeout", (int)dstPid);
    forgetPid(dstPid);
    CHECK(nowMs() - t0 >= 1000, "not before the timeout (%lld ms)", (long long)(nowMs() - t0));
    CHECK(waitEvents("B", "tp", "5 5"), "STOPPED_FAILED on B");
    evB = eventsOf("B", "tp");
    CHECK(streq0(evB, "2 1, 5 5"), "events on B '%s'", evB);
    CHECK(!(late = virDomainLookupByName(connB, "tp")) && lastCode() == VIR_ERR_NO_DOMAIN,
          "the transient domain is gone from B");
    CHECK(waitNoJob(dom) >= 0, "no job left on A");
    CHECK(virDomainGetState(dom, &state, &reason, 0) == 0 && state == VIR_DOMAIN_RUNNING,
          "A still running (%d/%d)", state, reason);
    CHECK(kill(srcPid, 0) == 0, "source QEMU alive");
    hb = lastHeartbeat(rootA, "tp");
    next = g_strdup_printf("HEARTBEAT %ld ", hb + 5);
    CHECK(waitSerial(rootA, "tp", next), "heartbeat goes on on A");

    /* the late client: Finish finds no migration, Perform neither */
    CHECK(!(late = virtkitDomainMigrateFinish3Params(connB, st.params, st.nparams, NULL, 0,
                                                     NULL, NULL, VIR_MIGRATE_LIVE, 0)) &&
              lastCode() == VIR_ERR_NO_DOMAIN,
          "a late Finish fails with NO_DOMAIN (got %d)", lastCode());
    CHECK(stepPerform(&st, dom) < 0 && lastCode() == VIR_ERR_OPERATION_INVALID,
          "a late Perform is refused with OPERATION_INVALID (got %d)", lastCode());
    stepsClear(&st);

    /* a new migration starts and goes through */
    m.dom = dom;
    m.flags = VIR_MIGRATE_LIVE;
    m.dxml = destXML(dom);
    migStart(&m);
    migJoin(&m);
    CHECK(m.ddom, "a new migration: %s", m.message);
    hb = lastHeartbeat(rootA, "tp");
    qemuPid(rootB, "tp");
    CHECK(checkGuestOnB("tp", hb) == 0, "guest on B");
    CHECK(virDomainDestroy(m.ddom) == 0, "destroy on B");
    migClear(&m);
    virDomainFree(dom);
    return 0;
}

/*
 * Begin + Prepare + Perform (the transfer completes), then the client is
 * gone: as the table says, the source (S_DONE_PRECOPY -> S_UNKNOWN) stays
 * paused/migration -- it cannot know whether the destination runs the
 * guest -- without a job, never resumed by the driver; the destination
 * (D_INCOMING -> D_FAILED) kills its QEMU.  Late Finish / Confirm calls
 * fail; the operator can resume the source.
 */
static int
caseTimeoutAfterPerform(void)
{
    Steps st = { 0 };
    virDomainPtr dom;
    virDomainPtr late;
    pid_t srcPid;
    pid_t dstPid;
    long hb;
    int state = -1;
    int reason = -1;
    g_autofree char *evA = NULL;
    g_autofree char *evB = NULL;
    g_autofree char *next = NULL;

    CHECK((dom = startGuest("tf", 64, "heartbeat_ms=50 dirty_mib_s=1 wss_mib=4", false)),
          "start");
    CHECK(waitSerial(rootA, "tf", "CHECK OK"), "guest running on A");
    srcPid = qemuPid(rootA, "tf");
    CHECK(stepBegin(&st, dom) == 0, "Begin");
    CHECK(stepPrepare(&st) == 0, "Prepare");
    CHECK((dstPid = qemuPid(rootB, "tf")) > 0, "destination QEMU started");
    CHECK(stepPerform(&st, dom) == 0, "Perform");
    CHECK(virDomainGetState(dom, &state, &reason, 0) == 0 && state == VIR_DOMAIN_PAUSED &&
              reason == VIR_DOMAIN_PAUSED_MIGRATION,
          "A paused/migration after Perform (%d/%d)", state, reason);
    CHECK(jobActive(dom), "the migration job waits for Confirm");

    CHECK(pidGone(dstPid), "destination QEMU %d killed after the timeout", (int)dstPid);
    forgetPid(dstPid);
    CHECK(waitEvents("B", "tf", "5 5"), "STOPPED_FAILED on B");
    evB = eventsOf("B", "tf");
    CHECK(streq0(evB, "2 1, 5 5"), "events on B '%s'", evB);
    CHECK(!(late = virDomainLookupByName(connB, "tf")), "the domain is gone from B");
    CHECK(waitNoJob(dom) >= 0, "no job left on A");
    CHECK(virDomainGetState(dom, &state, &reason, 0) == 0 && state == VIR_DOMAIN_PAUSED &&
              reason == VIR_DOMAIN_PAUSED_MIGRATION,
          "A stays paused/migration (%d/%d)", state, reason);
    CHECK(kill(srcPid, 0) == 0, "source QEMU alive");
    hb = lastHeartbeat(rootA, "tf");
    g_usleep(500 * 1000);
    CHECK(lastHeartbeat(rootA, "tf") == hb, "never resumed by the driver");
    evA = eventsOf("A", "tf");
    CHECK(g_str_has_suffix(evA, ", 3 1") && strstr(evA, "3 1") == evA + strlen(evA) - 3,
          "SUSPENDED_MIGRATED last and once on A: '%s'", evA);
    CHECK(!statusNamesMigration(rootA, "tf"), "no migration in the status XML");

    /* the late client */
    CHECK(!(late = virtkitDomainMigrateFinish3Params(connB, st.params, st.nparams, st.cookieC,
                                                     st.lenC, NULL, NULL, VIR_MIGRATE_LIVE,
                                                     0)) &&
              lastCode() == VIR_ERR_NO_DOMAIN,
          "a late Finish fails with NO_DOMAIN (got %d)", lastCode());
    CHECK(virtkitDomainMigrateConfirm3Params(dom, st.params, st.nparams, NULL, 0,
                                             VIR_MIGRATE_LIVE, 0) < 0 &&
              lastCode() == VIR_ERR_OPERATION_INVALID,
          "a late Confirm fails with OPERATION_INVALID (got %d)", lastCode());
    CHECK(virDomainGetState(dom, &state, &reason, 0) == 0 && state == VIR_DOMAIN_PAUSED,
          "still paused after the late calls (%d/%d)", state, reason);
    /* the operator decides: the guest is whole on A */
    CHECK(virDomainResume(dom) == 0, "resume on A");
    next = g_strdup_printf("HEARTBEAT %ld ", hb + 5);
    CHECK(waitSerial(rootA, "tf", next), "heartbeat goes on on A after the resume");
    CHECK(!serialHas(rootA, "tf", "CORRUPT"), "no CORRUPT");
    stepsClear(&st);
    virDomainFree(dom);
    return 0;
}

/*
 * Post-copy, then the client is gone after Perform: the source
 * (S_DONE_POSTCOPY -> S_POSTCOPY_FAILED) and the destination (D_POSTCOPY
 * -> D_POSTCOPY_DONE once its QEMU has every page -> D_POSTCOPY_FAILED)
 * both stay paused with POSTCOPY_FAILED, as the table says: never resumed,
 * never killed, no job left; late Finish / Confirm calls fail.
 */
static int
caseTimeoutAfterPerformPostcopy(void)
{
    Steps st = { 0 };
    StepsPerform sp = { &st, NULL };
    GThread *thread;
    virDomainPtr dom;
    virDomainPtr ddom;
    virDomainPtr late;
    pid_t srcPid;
    pid_t dstPid;
    long hb;
    int state = -1;
    int reason = -1;
    g_autofree char *evA = NULL;
    g_autofree char *evB = NULL;

    CHECK((dom = startGuest("tq", 96, "heartbeat_ms=50 dirty_mib_s=30 wss_mib=32", false)),
          "start");
    srcPid = qemuPid(rootA, "tq");
    CHECK(waitSerial(rootA, "tq", "CHECK OK"), "guest running on A");
    st.flags = VIR_MIGRATE_LIVE | VIR_MIGRATE_POSTCOPY;
    st.bandwidth = 2;
    CHECK(stepBegin(&st, dom) == 0, "Begin");
    CHECK(stepPrepare(&st) == 0, "Prepare");
    CHECK((dstPid = qemuPid(rootB, "tq")) > 0, "destination QEMU started");
    sp.dom = dom;
    thread = g_thread_new("perform", stepPerformThread, &sp);
    if (!waitTransferring(dom, 256 * 1024) || virDomainMigrateStartPostCopy(dom, 0) < 0) {
        g_thread_join(thread);
        CHECK(false, "post-copy started");
    }
    g_thread_join(thread);
    CHECK(st.rc == 0, "Perform in post-copy");
    CHECK((ddom = virDomainLookupByName(connB, "tq")), "the guest on B");
    CHECK(waitState(dom, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_POSTCOPY_FAILED),
          "A paused/postcopy-failed after the timeout");
    CHECK(waitState(ddom, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_POSTCOPY_FAILED),
          "B paused/postcopy-failed after the timeout");
    CHECK(waitNoJob(dom) >= 0 && waitNoJob(ddom) >= 0, "no job left on either host");
    CHECK(kill(srcPid, 0) == 0 && kill(dstPid, 0) == 0, "neither QEMU killed");
    CHECK(waitEvents("A", "tq", "3 8") && waitEvents("B", "tq", "3 8"),
          "SUSPENDED_POSTCOPY_FAILED on both hosts");
    evA = eventsOf("A", "tq");
    evB = eventsOf("B", "tq");
    CHECK(g_str_has_suffix(evA, "3 1, 3 7, 3 8"), "events on A '%s'", evA);
    CHECK(streq0(evB, "2 1, 4 3, 4 1, 3 8"), "events on B '%s'", evB);
    g_usleep(300 * 1000);
    hb = lastHeartbeat(rootB, "tq");
    g_usleep(500 * 1000);
    CHECK(lastHeartbeat(rootB, "tq") == hb, "B's guest stays paused");
    CHECK(!statusNamesMigration(rootA, "tq") && !statusNamesMigration(rootB, "tq"),
          "no migration in the status XMLs");
    /* the late client */
    CHECK(!(late = virtkitDomainMigrateFinish3Params(connB, st.params, st.nparams, st.cookieC,
                                                     st.lenC, NULL, NULL, stepsFlags(&st),
                                                     0)) &&
              lastCode() == VIR_ERR_NO_DOMAIN,
          "a late Finish fails with NO_DOMAIN (got %d)", lastCode());
    CHECK(virtkitDomainMigrateConfirm3Params(dom, st.params, st.nparams, NULL, 0,
                                             stepsFlags(&st), 0) < 0 &&
              lastCode() == VIR_ERR_OPERATION_INVALID,
          "a late Confirm fails with OPERATION_INVALID (got %d)", lastCode());
    CHECK(virDomainGetState(dom, &state, &reason, 0) == 0 && state == VIR_DOMAIN_PAUSED &&
              reason == VIR_DOMAIN_PAUSED_POSTCOPY_FAILED,
          "A still paused/postcopy-failed (%d/%d)", state, reason);
    stepsClear(&st);
    virDomainFree(ddom);
    virDomainFree(dom);
    return 0;
}

/*
 * A transfer that takes longer than the timeout (1 MiB/s) completes: the
 * destination's wait restarts while its QEMU receives.
 */
static int
caseTimeoutNotDuringTransfer(void)
{
    Mig m = { 0 };
    virDomainPtr dom;
    gint64 t0;
    long hb;

    CHECK((dom = startGuest("tx", 64, "heartbeat_ms=50 dirty_mib_s=0 wss_mib=6", false)),
          "start");
    CHECK(waitSerial(rootA, "tx", "CHECK OK"), "guest running on A");
    m.dom = dom;
    m.flags = VIR_MIGRATE_LIVE;
    m.bandwidth = 1;
    m.dxml = destXML(dom);
    t0 = nowMs();
    migStart(&m);
    migJoin(&m);
    CHECK(m.ddom, "migration slower than the timeout: %s", m.message);
    CHECK(nowMs() - t0 >= 3000, "the transfer took %lld ms (longer than the timeout?)",
          (long long)(nowMs() - t0));
    hb = lastHeartbeat(rootA, "tx");
    qemuPid(rootB, "tx");
    CHECK(checkGuestOnB("tx", hb) == 0, "guest on B");
    CHECK(virDomainDestroy(m.ddom) == 0, "destroy on B");
    migClear(&m);
    virDomainFree(dom);
    return 0;
}

/* ---- a client whose connection closes (run with --disconnect: timeout 60 s) ---- */

/*
 * The client drives Begin3 on its own connection to A and Prepare3 on its
 * own connection to B, then closes them (as a vanishing virsh: its
 * daemon-side connections close).  With VIRTKIT_MIGRATION_TIMEOUT_MS at
 * 60 s, what happens within seconds is the close: B kills its incoming
 * QEMU and drops the transient domain (STARTED_MIGRATED, STOPPED_FAILED),
 * A's job ends with the guest running on.  Closing a connection that ran
 * no step (to B) changes nothing; the suite's own connections stay open
 * throughout.
 */
static int
caseDisconnectAfterPrepare(void)
{
    Steps st = { 0 };
    g_autofree char *uriA = g_strdup_printf("qemu:///embed?root=%s", rootA);
    g_autofree char *uriB = g_strdup_printf("qemu:///embed?root=%s", rootB);
    virDomainPtr dom;
    virDomainPtr mine;
    virDomainPtr ddom;
    pid_t dstPid;
    gint64 t0;
    gint64 took;
    long hb;
    int state = -1;
    int reason = -1;
    g_autofree char *evB = NULL;
    g_autofree char *next = NULL;

    CHECK(connExtra[0] = virConnectOpen(uriA), "the client's connection to A");
    CHECK(connExtra[1] = virConnectOpen(uriB), "the client's connection to B");
    CHECK(connExtra[2] = virConnectOpen(uriB), "an idle connection to B");
    CHECK((dom = startGuest("dc", 64, "heartbeat_ms=50 dirty_mib_s=1 wss_mib=4", false)),
          "start");
    CHECK(waitSerial(rootA, "dc", "CHECK OK"), "guest running on A");
    CHECK((mine = virDomainLookupByName(connExtra[0], "dc")), "the client's handle");
    CHECK(stepBegin(&st, mine) == 0, "Begin on the client's connection");
    virDomainFree(mine);    /* the handle holds its connection */
    CHECK(virTypedParamsAddString(&st.params, &st.nparams, &st.maxparams,
                                  VIR_MIGRATE_PARAM_LISTEN_ADDRESS, "127.0.0.1") == 0 &&
              virTypedParamsAddString(&st.params, &st.nparams, &st.maxparams,
                                      VIR_MIGRATE_PARAM_URI, "tcp://127.0.0.1") == 0,
          "parameters");
    CHECK(virtkitDomainMigratePrepare3Params(connExtra[1], st.params, st.nparams, st.cookieA,
                                             st.lenA, &st.cookieB, &st.lenB, &st.uriOut,
                                             VIR_MIGRATE_LIVE) == 0,
          "Prepare on the client's connection");
    CHECK((dstPid = qemuPid(rootB, "dc")) > 0, "destination QEMU started");

    /* an unrelated close: nothing happens */
    virConnectClose(connExtra[2]);
    connExtra[2] = NULL;
    g_usleep(1000 * 1000);
    CHECK(kill(dstPid, 0) == 0, "destination QEMU alive after an idle connection closed");
    CHECK((ddom = virDomainLookupByName(connB, "dc")), "incoming domain on B");
    CHECK(virDomainGetState(ddom, &state, &reason, 0) == 0 && state == VIR_DOMAIN_PAUSED &&
              reason == VIR_DOMAIN_PAUSED_MIGRATION,
          "B paused/migration (%d/%d)", state, reason);
    CHECK(jobActive(ddom), "incoming job on B");
    virDomainFree(ddom);

    /* the client's connection to B closes */
    t0 = nowMs();
    virConnectClose(connExtra[1]);
    connExtra[1] = NULL;
    CHECK(pidGone(dstPid), "destination QEMU %d killed", (int)dstPid);
    forgetPid(dstPid);
    took = nowMs() - t0;
    CHECK(took < 10000, "B's QEMU gone %lld ms after the close (timeout 60 s)", (long long)took);
    CHECK(waitEvents("B", "dc", "5 5"), "STOPPED_FAILED on B");
    evB = eventsOf("B", "dc");
    CHECK(streq0(evB, "2 1, 5 5"), "events on B '%s'", evB);
    CHECK(!(ddom = virDomainLookupByName(connB, "dc")) && lastCode() == VIR_ERR_NO_DOMAIN,
          "the transient domain is gone from B");
    CHECK(jobActive(dom), "A still waits for Perform on the client's open connection");

    /* the client's connection to A closes */
    t0 = nowMs();
    virConnectClose(connExtra[0]);
    connExtra[0] = NULL;
    CHECK((took = waitNoJob(dom)) >= 0 && took < 10000, "A's job ends at once (%lld ms)",
          (long long)took);
    CHECK(virDomainGetState(dom, &state, &reason, 0) == 0 && state == VIR_DOMAIN_RUNNING,
          "A still running (%d/%d)", state, reason);
    hb = lastHeartbeat(rootA, "dc");
    next = g_strdup_printf("HEARTBEAT %ld ", hb + 5);
    CHECK(waitSerial(rootA, "dc", next), "heartbeat goes on on A");
    CHECK(!statusNamesMigration(rootA, "dc"), "no migration in A's status XML");
    printf("# B's QEMU gone and A's job ended within seconds of the closes\n");
    stepsClear(&st);
    virDomainFree(dom);
    return 0;
}

/* ---- runner ---- */

typedef enum {
    MODE_PLAIN,
    MODE_TIMEOUTS,      /* --timeouts (VIRTKIT_MIGRATION_TIMEOUT_MS short) */
    MODE_DISCONNECT,    /* --disconnect (VIRTKIT_MIGRATION_TIMEOUT_MS 60 s) */
} CaseMode;

typedef struct {
    const char *name;
    int (*func)(void);
    CaseMode mode;      /* runs only in that mode */
} Case;

static const char *selfPath;

static int
caseRestartSelf(void)
{
    return caseRestart(selfPath);
}

static int
caseRestartPostcopySelf(void)
{
    return caseRestartPostcopy(selfPath);
}

/*
 * VIR_MIGRATE_COMPRESSED as libvirt 9.0 maps it: bad combinations are
 * refused before anything starts (libvirt's messages); xbzrle + mt with
 * their tuning reach QEMU (capabilities on both sides, compress-level /
 * threads / xbzrle-cache-size on the source, decompress-threads on the
 * destination) and the guest arrives intact.
 */
static int
caseCompressed(void)
{
    static const char *const both[] = { "xbzrle", "mt", NULL };
    static const char *const mtOnly[] = { "mt", NULL };
    static const char *const bad[] = { "lz4", NULL };
    static const char *const twice[] = { "mt", "mt", NULL };
    static const struct {
        const char *const *methods;
        bool tune;
        const char *message;
    } refused[] = {
        { mtOnly, true, "Turn xbzrle compression on to tune it" },
        { NULL, true, "Turn multithread compression on to tune it" },
        { bad, false, "Unsupported compression method 'lz4'" },
        { twice, false, "Compression method 'mt' is specified twice" },
    };
    Mig m = { 0 };
    virDomainPtr dom;
    g_autofree char *log = NULL;
    unsigned long long cache = 0;
    int state = -1;
    long hb;
    size_t i;

    CHECK((dom = startGuest("cz", 64, "heartbeat_ms=50 dirty_mib_s=4 wss_mib=8", false)),
          "start");
    CHECK(waitSerial(rootA, "cz", "CHECK OK"), "guest running on A");
    /* the XBZRLE cache: QEMU's default, then set and read back from QEMU */
    CHECK(virDomainMigrateGetCompressionCache(dom, &cache, 0) == 0 && cache == 64 << 20,
          "compression cache: QEMU's default 64 MiB (got %llu)", cache);
    CHECK(virDomainMigrateSetCompressionCache(dom, 16 << 20, 0) == 0, "set compression cache");
    CHECK(virDomainMigrateGetCompressionCache(dom, &cache, 0) == 0 && cache == 16 << 20,
          "compression cache read back from QEMU (got %llu)", cache);
    CHECK(virDomainMigrateGetCompressionCache(dom, &cache, 1) < 0 &&
              virGetLastError()->code == VIR_ERR_INVALID_ARG,
          "compression cache: unknown flag refused");
    CHECK(g_file_get_contents(logPath, &log, NULL, NULL), "QMP log %s", logPath);
    CHECK(strstr(log, "\"xbzrle-cache-size\":16777216"), "xbzrle-cache-size sent to QEMU");
    g_clear_pointer(&log, g_free);
    for (i = 0; i < G_N_ELEMENTS(refused); i++) {
        m.dom = dom;
        m.flags = VIR_MIGRATE_LIVE | VIR_MIGRATE_COMPRESSED;
        m.compression = refused[i].methods;
        m.compressTune = refused[i].tune;
        m.dxml = destXML(dom);
        migStart(&m);
        migJoin(&m);
        CHECK(!m.ddom && m.code == VIR_ERR_INVALID_ARG && m.message &&
              strstr(m.message, refused[i].message),
              "refused: %s (got %d %s)", refused[i].message, m.code,
              m.message ? m.message : "success");
        migClear(&m);
    }
    /*
     * Refused by QEMU on B: the destination's capabilities go pipelined
     * with migrate-incoming behind qmp_capabilities, and the first error
     * of that batch is the one reported; B's QEMU is stopped, nothing is
     * left there.
     */
    m.dom = dom;
    m.flags = VIR_MIGRATE_LIVE | VIR_MIGRATE_COMPRESSED | VIR_MIGRATE_PARALLEL;
    m.compression = mtOnly;
    m.dxml = destXML(dom);
    migStart(&m);
    migJoin(&m);
    CHECK(!m.ddom && m.code == VIR_ERR_INTERNAL_ERROR && m.message &&
          strstr(m.message, "unable to execute QEMU command 'migrate-set-capabilities': "
                            "Multifd is not compatible with compress"),
          "refused by QEMU (got %d %s)", m.code, m.message ? m.message : "success");
    CHECK(!virDomainLookupByName(connB, "cz"), "nothing left on B");
    migClear(&m);
    CHECK(virDomainGetState(dom, &state, NULL, 0) == 0 && state == VIR_DOMAIN_RUNNING,
          "still running on A after the refusals");
    m.dom = dom;
    m.flags = VIR_MIGRATE_LIVE | VIR_MIGRATE_COMPRESSED;
    m.compression = both;
    m.compressTune = true;
    m.dxml = destXML(dom);
    migStart(&m);
    migJoin(&m);
    CHECK(m.ddom, "compressed migration: %s", m.message);
    hb = lastHeartbeat(rootA, "cz");
    qemuPid(rootB, "cz");
    CHECK(checkGuestOnB("cz", hb) == 0, "guest on B");
    CHECK(g_file_get_contents(logPath, &log, NULL, NULL), "QMP log %s", logPath);
    CHECK(strstr(log, "{\"capability\":\"xbzrle\",\"state\":true}") &&
          strstr(log, "{\"capability\":\"compress\",\"state\":true}") &&
          strstr(log, "\"compress-level\":1") && strstr(log, "\"compress-threads\":2") &&
          strstr(log, "\"decompress-threads\":2") &&
          strstr(log, "\"xbzrle-cache-size\":8388608"),
          "xbzrle + compress and their parameters sent to QEMU");
    CHECK(virDomainDestroy(m.ddom) == 0, "destroy on B");
    migClear(&m);
    virDomainFree(dom);
    return 0;
}

/*
 * bandwidth.postcopy becomes QEMU's max-postcopy-bandwidth in bytes/s on
 * both sides (as libvirt 9.0); a parameter libvirt's QEMU driver does not
 * know is refused before anything starts.
 */
static int
caseParams(void)
{
    Mig m = { 0 };
    virDomainPtr dom;
    g_autofree char *log = NULL;
    g_auto(GStrv) parts = NULL;
    int state = -1;
    long hb;

    CHECK((dom = startGuest("pm", 64, "heartbeat_ms=50", false)), "start");
    CHECK(waitSerial(rootA, "pm", "CHECK OK"), "guest running on A");
    m.dom = dom;
    m.flags = VIR_MIGRATE_LIVE;
    m.unknownParam = "x-no-such-param";
    m.dxml = destXML(dom);
    migStart(&m);
    migJoin(&m);
    CHECK(!m.ddom && m.code == VIR_ERR_ARGUMENT_UNSUPPORTED && m.message &&
          strstr(m.message, "parameter 'x-no-such-param' not supported"),
          "unknown parameter refused (got %d %s)", m.code, m.message ? m.message : "success");
    migClear(&m);
    CHECK(virDomainGetState(dom, &state, NULL, 0) == 0 && state == VIR_DOMAIN_RUNNING,
          "still running on A after the refusal");
    m.dom = dom;
    m.flags = VIR_MIGRATE_LIVE;
    m.pcBandwidth = 7;
    m.dxml = destXML(dom);
    migStart(&m);
    migJoin(&m);
    CHECK(m.ddom, "migration with bandwidth.postcopy: %s", m.message);
    hb = lastHeartbeat(rootA, "pm");
    qemuPid(rootB, "pm");
    CHECK(checkGuestOnB("pm", hb) == 0, "guest on B");
    CHECK(g_file_get_contents(logPath, &log, NULL, NULL), "QMP log %s", logPath);
    parts = g_strsplit(log, "\"max-postcopy-bandwidth\":7340032", -1);
    CHECK(g_strv_length(parts) == 3, "max-postcopy-bandwidth 7 MiB/s sent to both QEMUs (%u)",
          g_strv_length(parts) - 1);
    CHECK(virDomainDestroy(m.ddom) == 0, "destroy on B");
    migClear(&m);
    virDomainFree(dom);
    return 0;
}

/* A sparse 64 MiB disk image at @path. */
static bool
makeImage(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    bool ok;

    if (fd < 0)
        return false;
    ok = ftruncate(fd, 64 << 20) == 0;
    return close(fd) == 0 && ok;
}

/* A guest with IDE disks: @rwImg writable (or NULL), @roImg read-only virtio (or NULL). */
static char *
diskGuestXML(const char *name, const char *rwImg, const char *roImg)
{
    g_autofree char *rw = rwImg ? g_strdup_printf(
        "    <disk type='file' device='disk'><driver name='qemu' type='raw'/>"
        "<source file='%s'/><target dev='hda' bus='ide'/></disk>\n", rwImg) : g_strdup("");
    g_autofree char *ro = roImg ? g_strdup_printf(
        "    <disk type='file' device='disk'><driver name='qemu' type='raw'/>"
        "<source file='%s'/><target dev='vdb' bus='virtio'/><readonly/></disk>\n", roImg) :
        g_strdup("");

    return g_strdup_printf(
        "<domain type='qemu'>\n"
        "  <name>%s</name>\n"
        "  <memory unit='MiB'>64</memory>\n"
        "  <vcpu>1</vcpu>\n"
        "  <os><type arch='x86_64' machine='pc'>hvm</type><kernel>%s</kernel>"
        "<cmdline>heartbeat_ms=50</cmdline></os>\n"
        "  <features><acpi/></features>\n"
        "  <devices>\n%s%s"
        "    <serial type='file'><source path='%s/%s.serial'/><target port='0'/></serial>\n"
        "  </devices>\n"
        "</domain>\n",
        name, vkguest, rw, ro, rootA, name);
}

/*
 * Without VIR_MIGRATE_UNSAFE a guest with a writable disk on a local file
 * system is refused as libvirt 9.0 refuses it (VIR_ERR_MIGRATE_UNSAFE);
 * with the flag it migrates; read-only disks do not count.
 */
static int
caseUnsafe(void)
{
    g_autofree char *rwA = g_build_filename(rootA, "rw.img", NULL);
    g_autofree char *rwB = g_build_filename(rootB, "rw.img", NULL);
    g_autofree char *roA = g_build_filename(rootA, "ro.img", NULL);
    g_autofree char *roB = g_build_filename(rootB, "ro.img", NULL);
    g_autofree char *xml = NULL;
    g_autofree char *next = NULL;
    Mig m = { 0 };
    virDomainPtr dom;
    virDomainPtr other;
    int state = -1;
    long hb;

    CHECK(makeImage(rwA) && makeImage(rwB) && makeImage(roA) && makeImage(roB), "images");
    xml = diskGuestXML("us", rwA, roA);
    CHECK((dom = virDomainCreateXML(connA, xml, 0)), "start with a local disk");
    qemuPid(rootA, "us");
    CHECK(waitSerial(rootA, "us", "HEARTBEAT 2 "), "guest running on A");
    m.dom = dom;
    m.flags = VIR_MIGRATE_LIVE;
    m.dxml = destXML(dom);
    migStart(&m);
    migJoin(&m);
    CHECK(!m.ddom && m.code == VIR_ERR_MIGRATE_UNSAFE && m.message &&
          streq0(m.message, "Unsafe migration: Migration without shared storage is unsafe"),
          "local disk refused (got %d %s)", m.code, m.message ? m.message : "success");
    migClear(&m);
    CHECK(virDomainGetState(dom, &state, NULL, 0) == 0 && state == VIR_DOMAIN_RUNNING,
          "still running on A after the refusal");
    CHECK(!(other = virDomainLookupByName(connB, "us")), "nothing on B");
    virResetLastError();
    m.dom = dom;
    m.flags = VIR_MIGRATE_LIVE | VIR_MIGRATE_UNSAFE;
    m.dxml = destXML(dom);
    migStart(&m);
    migJoin(&m);
    CHECK(m.ddom, "migration with VIR_MIGRATE_UNSAFE: %s", m.message);
    hb = lastHeartbeat(rootA, "us");
    qemuPid(rootB, "us");
    next = g_strdup_printf("HEARTBEAT %ld ", hb + 3);
    CHECK(waitSerial(rootB, "us", next), "guest on B");
    CHECK(virDomainDestroy(m.ddom) == 0, "destroy on B");
    migClear(&m);
    virDomainFree(dom);

    /* read-only disks only: safe */
    g_free(xml);
    xml = diskGuestXML("ro", NULL, roA);
    CHECK((dom = virDomainCreateXML(connA, xml, 0)), "start with a read-only disk");
    qemuPid(rootA, "ro");
    CHECK(waitSerial(rootA, "ro", "HEARTBEAT 2 "), "read-only guest running on A");
    m.dom = dom;
    m.flags = VIR_MIGRATE_LIVE;
    m.dxml = destXML(dom);
    migStart(&m);
    migJoin(&m);
    CHECK(m.ddom, "read-only disks migrate without VIR_MIGRATE_UNSAFE: %s", m.message);
    qemuPid(rootB, "ro");
    CHECK(virDomainDestroy(m.ddom) == 0, "destroy on B");
    migClear(&m);
    virDomainFree(dom);
    return 0;
}

/* Fill the file system holding @dir until it has no room left. */
static bool
fillFs(const char *dir)
{
    g_autofree char *path = g_build_filename(dir, "filler", NULL);
    char buf[4096] = { 0 };
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    bool full = false;

    if (fd < 0)
        return false;
    for (;;) {
        if (write(fd, buf, sizeof(buf)) < 0) {
            full = errno == ENOSPC;
            break;
        }
    }
    close(fd);
    return full;
}

static GPtrArray *ioErrors;      /* "srcPath devAlias action reason", under evLock */
static int ioErrorCount;

static void
onIOErrorReason(virConnectPtr c, virDomainPtr dom, const char *srcPath, const char *devAlias,
                int action, const char *reason, void *opaque)
{
    g_mutex_lock(&evLock);
    g_ptr_array_add(ioErrors, g_strdup_printf("%s %s %d %s", srcPath, devAlias, action, reason));
    g_mutex_unlock(&evLock);
}

static void
onIOError(virConnectPtr c, virDomainPtr dom, const char *srcPath, const char *devAlias,
          int action, void *opaque)
{
    g_mutex_lock(&evLock);
    ioErrorCount++;
    g_mutex_unlock(&evLock);
}

/* After a refused or aborted migration of "ioerr": paused on the I/O error
 * on A, nothing on B. */
static bool
ioErrorPausedOnAOnly(virDomainPtr dom, const char *when)
{
    virDomainPtr other;
    int state = -1;
    int reason = -1;

    if (virDomainGetState(dom, &state, &reason, 0) < 0 || state != VIR_DOMAIN_PAUSED ||
        reason != VIR_DOMAIN_PAUSED_IOERROR) {
        printf("# state on A %s: %d/%d, wanted paused/ioerror\n", when, state, reason);
        return false;
    }
    if ((other = virDomainLookupByName(connB, "ioerr"))) {
        virDomainFree(other);
        printf("# the guest is left on B %s\n", when);
        return false;
    }
    virResetLastError();
    return true;
}

/*
 * VIR_MIGRATE_ABORT_ON_ERROR: the guest's disk (error_policy='stop') lives
 * on a small tmpfs of this process's own mount namespace; once the
 * transfer runs the file system is filled, the guest's next write fails
 * with ENOSPC and QEMU pauses it (run state io-error).  The migration is
 * aborted with libvirt's error, the guest stays paused (IOERROR) on A and
 * nothing is left on B.  Needs root (mount namespace); skipped otherwise.
 */
static int
caseAbortOnError(void)
{
    g_autofree char *dir = g_build_filename(rootA, "disk", NULL);
    g_autofree char *dirB = g_build_filename(rootB, "disk", NULL);
    g_autofree char *img = g_build_filename(dir, "disk.img", NULL);
    g_autofree char *imgB = g_build_filename(dirB, "disk.img", NULL);
    g_autofree char *xml = NULL;
    g_autofree char *ioWant = NULL;
    g_autofree char *lifecycle = NULL;
    Mig m = { 0 };
    virDomainPtr dom = NULL;
    int cbReason;
    int cbPlain;
    bool ioSeen = false;

    if (!privateMounts) {
        printf("# SKIP abort-on-error: needs root for a private tmpfs\n");
        return 0;
    }
    CHECK(g_mkdir_with_parents(dir, 0700) == 0 && g_mkdir_with_parents(dirB, 0700) == 0,
          "disk dirs");
    CHECK(mount("vkmigdisk", dir, "tmpfs", 0, "size=1m") == 0, "mount tmpfs: %s",
          g_strerror(errno));
    /* sparse 64 MiB disks: every guest write takes a new page of the tmpfs */
    CHECK(makeImage(img) && makeImage(imgB), "disk images");
    ioErrors = g_ptr_array_new_with_free_func(g_free);
    ioErrorCount = 0;
    cbReason = virConnectDomainEventRegisterAny(connA, NULL, VIR_DOMAIN_EVENT_ID_IO_ERROR_REASON,
                                                VIR_DOMAIN_EVENT_CALLBACK(onIOErrorReason),
                                                NULL, NULL);
    cbPlain = virConnectDomainEventRegisterAny(connA, NULL, VIR_DOMAIN_EVENT_ID_IO_ERROR,
                                               VIR_DOMAIN_EVENT_CALLBACK(onIOError), NULL, NULL);
    CHECK(cbReason >= 0 && cbPlain >= 0, "I/O error callbacks");
    xml = g_strdup_printf(
        "<domain type='qemu'>\n"
        "  <name>ioerr</name>\n"
        "  <memory unit='MiB'>64</memory>\n"
        "  <vcpu>1</vcpu>\n"
        "  <os><type arch='x86_64' machine='pc'>hvm</type><kernel>%s</kernel>"
        "<cmdline>heartbeat_ms=50 dirty_mib_s=8 wss_mib=16 disk_write_ms=100</cmdline></os>\n"
        "  <features><acpi/></features>\n"
        "  <devices>\n"
        "    <disk type='file' device='disk'>\n"
        "      <driver name='qemu' type='raw' error_policy='stop' rerror_policy='report'/>\n"
        "      <source file='%s'/><target dev='hda' bus='ide'/>\n"
        "    </disk>\n"
        "    <serial type='file'><source path='%s/ioerr.serial'/><target port='0'/></serial>\n"
        "  </devices>\n"
        "</domain>\n",
        vkguest, img, rootA);
    if (!(dom = virDomainCreateXML(connA, xml, 0)))
        goto fail;
    qemuPid(rootA, "ioerr");
    if (!waitSerial(rootA, "ioerr", "DISKWRITE 3 ok")) {
        printf("# the guest's disk writes do not work\n");
        goto fail;
    }
    m.dom = dom;
    /* the local disk: UNSAFE, as libvirt would want */
    m.flags = VIR_MIGRATE_LIVE | VIR_MIGRATE_ABORT_ON_ERROR | VIR_MIGRATE_UNSAFE;
    m.bandwidth = 2;            /* below the guest's dirty rate: never converges */
    m.dxml = destXML(dom);
    migStart(&m);
    if (!waitTransferring(dom, 1)) {
        printf("# the transfer did not start\n");
        goto fail;
    }
    if (!fillFs(dir)) {
        printf("# cannot fill the tmpfs\n");
        goto fail;
    }
    migJoin(&m);
    if (m.ddom || m.code != VIR_ERR_OPERATION_FAILED || !m.message ||
        !strstr(m.message, "job 'migration out' failed due to I/O error")) {
        printf("# migration: %d %s\n", m.code, m.message ? m.message : "succeeded");
        goto fail;
    }
    if (!ioErrorPausedOnAOnly(dom, "after the abort"))
        goto fail;
    /* BLOCK_IO_ERROR as libvirt reports it: the disk's path and alias,
     * action pause, reason enospc; SUSPENDED_IOERROR once */
    ioWant = g_strdup_printf("%s ide0-0-0 %d enospc", img, VIR_DOMAIN_EVENT_IO_ERROR_PAUSE);
    g_mutex_lock(&evLock);
    ioSeen = ioErrors->len > 0 && streq0(g_ptr_array_index(ioErrors, 0), ioWant) &&
             ioErrorCount == (int)ioErrors->len;
    if (!ioSeen)
        printf("# I/O error events: %u with reason (first '%s'), %d without; wanted '%s'\n",
               ioErrors->len,
               ioErrors->len ? (const char *)g_ptr_array_index(ioErrors, 0) : "",
               ioErrorCount, ioWant);
    g_mutex_unlock(&evLock);
    if (!ioSeen)
        goto fail;
    lifecycle = eventsOf("A", "ioerr");
    if (!strstr(lifecycle, "3 2") || strstr(strstr(lifecycle, "3 2") + 3, "3 2")) {
        printf("# lifecycle on A: %s (wanted one SUSPENDED_IOERROR: 3 2)\n", lifecycle);
        goto fail;
    }
    migClear(&m);

    /*
     * Again, with the guest already paused on the I/O error before the
     * migration starts: libvirt 9.0 refuses it in Begin.
     */
    memset(&m, 0, sizeof(m));
    m.dom = dom;
    m.flags = VIR_MIGRATE_LIVE | VIR_MIGRATE_ABORT_ON_ERROR | VIR_MIGRATE_UNSAFE;
    m.bandwidth = 2;
    m.dxml = destXML(dom);
    migStart(&m);
    migJoin(&m);
    if (m.ddom || m.code != VIR_ERR_OPERATION_INVALID || !m.message ||
        !strstr(m.message, "cannot migrate domain with I/O error")) {
        printf("# migration of the paused guest: %d %s\n", m.code,
               m.message ? m.message : "succeeded");
        goto fail;
    }
    if (!ioErrorPausedOnAOnly(dom, "after the second try"))
        goto fail;
    migClear(&m);
    virDomainDestroy(dom);
    virDomainFree(dom);
    killAll();
    umount2(dir, MNT_DETACH);
    virConnectDomainEventDeregisterAny(connA, cbReason);
    virConnectDomainEventDeregisterAny(connA, cbPlain);
    g_clear_pointer(&ioErrors, g_ptr_array_unref);
    return 0;

 fail:
    virConnectDomainEventDeregisterAny(connA, cbReason);
    virConnectDomainEventDeregisterAny(connA, cbPlain);
    g_clear_pointer(&ioErrors, g_ptr_array_unref);
    migClear(&m);
    if (dom) {
        virDomainDestroy(dom);
        virDomainFree(dom);
    }
    killAll();
    umount2(dir, MNT_DETACH);
    return -1;
}

static const Case cases[] = {
    { "live", caseLive },
    { "job-control", caseJobControl },
    { "postcopy", casePostcopy },
    { "kill-destination", caseKillDest },
    { "postcopy-failure", casePostcopyFail },
    { "postcopy-source-killed", casePostcopySourceKilled },
    { "postcopy-abort", casePostcopyAbort },
    { "p2p-offline-abi", caseP2POffline },
    { "tunnelled", caseTunnel },
    { "downtime", caseDowntime },
    { "auto-converge", caseAutoConverge },
    { "compressed", caseCompressed },
    { "params", caseParams },
    { "abort-on-error", caseAbortOnError },
    { "unsafe", caseUnsafe },
    { "spice", caseSpice },
    { "nonlive-paused", caseNonLivePaused },
    { "host-uuid", caseHostUUID },
    { "restart", caseRestartSelf },
    { "restart-postcopy", caseRestartPostcopySelf },
    { "timeout-after-begin", caseTimeoutAfterBegin, MODE_TIMEOUTS },
    { "timeout-after-prepare", caseTimeoutAfterPrepare, MODE_TIMEOUTS },
    { "timeout-after-perform", caseTimeoutAfterPerform, MODE_TIMEOUTS },
    { "timeout-after-perform-postcopy", caseTimeoutAfterPerformPostcopy, MODE_TIMEOUTS },
    { "timeout-not-during-transfer", caseTimeoutNotDuringTransfer, MODE_TIMEOUTS },
    { "disconnect-after-prepare", caseDisconnectAfterPrepare, MODE_DISCONNECT },
};

static CaseMode runMode;         /* --timeouts / --disconnect: only those cases */

static void
removeTree(const char *path)
{
    g_autoptr(GDir) d = g_dir_open(path, 0, NULL);
    const char *entry;

    while (d && (entry = g_dir_read_name(d))) {
        g_autofree char *child = g_build_filename(path, entry, NULL);

        if (g_file_test(child, G_FILE_TEST_IS_DIR) && !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
            removeTree(child);
        else
            unlink(child);
    }
    rmdir(path);
}

static void
runCase(const Case *c)
{
    g_autofree char *tmplA = g_build_filename(g_get_tmp_dir(), "vkmigA-XXXXXX", NULL);
    g_autofree char *tmplB = g_build_filename(g_get_tmp_dir(), "vkmigB-XXXXXX", NULL);
    const char *only = getenv("TEST_CASE");
    int rc = -1;
    size_t i;

    if (only && !streq0(only, c->name))
        return;
    if (c->mode != runMode)
        return;
    ntests++;
    rootA = g_mkdtemp(tmplA);
    rootB = g_mkdtemp(tmplB);
    g_mutex_lock(&evLock);
    g_ptr_array_set_size(events, 0);
    memset(jobCompleted, 0, sizeof(jobCompleted));
    memset(iterations, 0, sizeof(iterations));
    g_mutex_unlock(&evLock);

    if ((connA = openConn(rootA, 0)) && (connB = openConn(rootB, 1)))
        rc = c->func();
    else
        printf("# cannot open the connections: %s\n", virGetLastErrorMessage());
    for (i = 0; i < G_N_ELEMENTS(connExtra); i++) {
        if (connExtra[i])
            virConnectClose(connExtra[i]);
        connExtra[i] = NULL;
    }
    closeConn(&connA, 0);
    closeConn(&connB, 1);
    killAll();
    if (rc < 0)
        failures++;
    printf("%s %d - %s\n", rc < 0 ? "not ok" : "ok", ntests, c->name);
    fflush(stdout);
    if (rc == 0) {
        removeTree(rootA);
        removeTree(rootB);
    } else {
        printf("# roots kept: %s %s\n", rootA, rootB);
    }
    rootA = rootB = NULL;
}

int
main(int argc, char **argv)
{
    size_t i;

    vkguest = getenv("VKGUEST");
    selfPath = argv[0];
    if (argc == 4 && g_str_has_prefix(argv[1], "--child")) {
        if (virEventRegisterDefaultImpl() < 0)
            return 1;
        g_thread_unref(g_thread_new("events", eventLoop, NULL));
        return childMain(argv[2], argv[3], streq0(argv[1], "--child-postcopy"));
    }
    if (argc == 2 && streq0(argv[1], "--timeouts")) {
        /* before any thread starts: the drivers read it on theirs */
        runMode = MODE_TIMEOUTS;
        if (!getenv("VIRTKIT_MIGRATION_TIMEOUT_MS"))
            g_setenv("VIRTKIT_MIGRATION_TIMEOUT_MS", "1500", TRUE);
    }
    if (argc == 2 && streq0(argv[1], "--disconnect")) {
        runMode = MODE_DISCONNECT;
        if (!getenv("VIRTKIT_MIGRATION_TIMEOUT_MS"))
            g_setenv("VIRTKIT_MIGRATION_TIMEOUT_MS", "60000", TRUE);
    }
    /*
     * Before any thread starts, so that every thread and QEMU shares it:
     * a mount namespace of our own for caseAbortOnError's tmpfs (root only;
     * its mounts vanish with this process).
     */
    if (runMode == MODE_PLAIN && geteuid() == 0 && unshare(CLONE_NEWNS) == 0 &&
        mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0)
        privateMounts = true;
    signal(SIGALRM, watchdog);
    alarm(HARD_TIMEOUT_S);
    /* QMP traffic of this process to a file: caseSpice reads it */
    logPath = g_strdup_printf("%s/vkmigqmp-%d.log", g_get_tmp_dir(), (int)getpid());
    {
        g_autofree char *outputs = g_strdup_printf("1:file:%s", logPath);

        g_setenv("VIRTKIT_LOG_FILTERS", "1:qemu.monitor 3:*", TRUE);
        g_setenv("VIRTKIT_LOG_OUTPUTS", outputs, TRUE);
    }
    if (!g_file_test("/usr/bin/qemu-system-x86_64", G_FILE_TEST_IS_EXECUTABLE) || !vkguest ||
        !g_file_test(vkguest, G_FILE_TEST_EXISTS)) {
        printf("1..0 # SKIP qemu-system-x86_64 or VKGUEST missing\n");
        return 0;
    }
    events = g_ptr_array_new_with_free_func(g_free);
    if (virEventRegisterDefaultImpl() < 0)
        return 1;
    g_thread_unref(g_thread_new("events", eventLoop, NULL));

    for (i = 0; i < G_N_ELEMENTS(cases); i++)
        runCase(&cases[i]);
    printf("1..%d\n", ntests);
    if (!failures)
        unlink(logPath);
    else
        printf("# QMP log kept: %s\n", logPath);
    return failures ? 1 : 0;
}
