/* bench-qemu: start and destroy latency of real QEMU guests, against raw QEMU.
 *
 * One source, built twice (see bench/meson.build): bench-qemu-virtkit links
 * virtkit's libvirt.so.0, bench-qemu-libvirt links the system libvirt.so.0.
 * Only the public API is used.  bench/run-bench-qemu.py drives it; the
 * workload and the figures are described in docs/benchmarks.md.
 *
 * Modes (--mode):
 *   startstop  each target in turn (the order rotates every iteration,
 *              so that a change of machine load hits all alike): after
 *              --warmup (1) untimed iterations, --runs N times
 *              virDomainCreateXML of the test guest (timed: "start"),
 *              --settle-ms of sleep, virDomainDestroy (timed: "destroy");
 *              the guest is transient.  Targets: --target LABEL=URI
 *              (repeatable; or --uri with --label), and with --argv-file
 *              "raw": the same with no management stack.  The QEMU
 *              command line of --argv-file (one argument per line, as
 *              virtkit built it) is started by fork + execve, with the QMP
 *              monitor on a unix socket this program binds and passes as an
 *              inherited fd ("@MONFD@"; as virtkit does: the fastest way to
 *              reach QMP), then the greeting is read and qmp_capabilities
 *              and cont are sent; "start" ends with the reply to cont (QEMU
 *              runs).  "destroy" is SIGTERM until waitpid() returns.
 *   parallel   --count N threads, each with its own connection, start one
 *              guest each at the same moment (barrier); "start" is the time
 *              from the barrier until the last virDomainCreateXML returned.
 *              Unless --keep, they are then destroyed the same way.
 *   rawparallel  --count raw starts at once (threads), as "parallel";
 *              in the command line "@ID@" becomes the thread's number (for
 *              the pidfile, which QEMU locks), then SIGTERM to all and
 *              waitpid() of all ("parallel_destroy_total").
 *   wait       connect (retrying every 2 ms while the daemon is not there
 *              yet) until the listing shows --count active domains named
 *              --prefix*, all running; prints the time since --t0 (a
 *              CLOCK_MONOTONIC time in seconds, taken by the caller just
 *              before it started the daemon).
 *   destroyall destroy every active domain named --prefix* (in parallel).
 *
 * Every figure is a wall time taken with clock_gettime(CLOCK_MONOTONIC).
 * Output: a human summary, or with --json one JSON object per line.  Exit
 * status 0, or 1 when something fails.
 */

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "bench-util.h"

#ifndef BENCH_QEMU_TARGET
# define BENCH_QEMU_TARGET "unknown"
#endif

#define BENCH_QEMU_MAX_ARGS 256
#define BENCH_QEMU_MAX_GUESTS 1024

typedef struct {
    const char *mode;
    const char *uri;
    const char *label;
    const char *kernel;
    const char *serialDir;
    const char *argvFile;
    const char *tmpDir;
    const char *prefix;
    const char *virtType;
    const char *cmdline;
    int runs;
    int count;
    int memoryMiB;
    int settleMs;
    int warmup;
    double t0;
    double timeout;
    bool keep;
    bool json;
} BenchQemuOptions;

static BenchQemuOptions opts = {
    .mode = "startstop",
    .label = BENCH_QEMU_TARGET,
    .prefix = "benchq-",
    .virtType = "qemu",
    .cmdline = "heartbeat_ms=1000 wss_mib=0 check_ms=0 tick_hz=10",
    .runs = 10,
    .count = 50,
    .memoryMiB = 128,
    .settleMs = 100,
    .warmup = 1,
    .timeout = 60,
};

#define BENCH_QEMU_MAX_TARGETS 8

/* A target of the startstop mode: a URI, or raw QEMU (uri NULL). */
typedef struct {
    const char *label;
    const char *uri;
    virConnectPtr conn;
    double *start;
    double *destroy;
} BenchQemuTarget;

static BenchQemuTarget targets[BENCH_QEMU_MAX_TARGETS];
static int ntargets;

static void
benchQemuAddTarget(const char *label, const char *uri)
{
    if (ntargets < BENCH_QEMU_MAX_TARGETS) {
        targets[ntargets].label = label;
        targets[ntargets].uri = uri;
        ntargets++;
    }
}

static double
benchQemuNow(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static void
benchQemuSleepMs(int ms)
{
    struct timespec ts = { ms / 1000, (long) (ms % 1000) * 1000000L };

    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

static int
benchQemuCompareDouble(const void *a, const void *b)
{
    double x = *(const double *) a;
    double y = *(const double *) b;

    return (x > y) - (x < y);
}

static double
benchQemuMedian(double *v, size_t n)
{
    if (n == 0)
        return 0;
    qsort(v, n, sizeof(*v), benchQemuCompareDouble);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static long
benchQemuSelfKiB(const char *field)
{
    char line[256];
    size_t len = strlen(field);
    long kib = -1;
    FILE *f = fopen("/proc/self/status", "r");

    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f)) {
        if (strncmp(line, field, len) == 0 && line[len] == ':') {
            kib = strtol(line + len + 1, NULL, 10);
            break;
        }
    }
    fclose(f);
    return kib;
}

/* The library the API came from. */
static const char *
benchQemuLibrary(void)
{
    Dl_info info;

    if (dladdr((void *) virConnectOpen, &info) && info.dli_fname)
        return info.dli_fname;
    return "?";
}

static void
benchQemuPrintSamples(const char *label, const char *figure, double *v, size_t n)
{
    double sum = 0;
    double med;
    size_t i;

    for (i = 0; i < n; i++)
        sum += v[i];
    med = benchQemuMedian(v, n);
    if (opts.json) {
        printf("{\"bench\":\"qemu\",\"label\":");
        benchJsonString(label);
        printf(",\"mode\":");
        benchJsonString(opts.mode);
        printf(",\"figure\":");
        benchJsonString(figure);
        printf(",\"n\":%zu,\"median_ms\":%.3f,\"min_ms\":%.3f,\"max_ms\":%.3f,"
               "\"mean_ms\":%.3f,\"samples_ms\":[", n, med * 1e3, n ? v[0] * 1e3 : 0,
               n ? v[n - 1] * 1e3 : 0, n ? sum / (double) n * 1e3 : 0);
        for (i = 0; i < n; i++)
            printf("%s%.3f", i ? "," : "", v[i] * 1e3);
        printf("]}\n");
    } else {
        printf("%-10s %-12s %-10s n=%-3zu median %8.2f ms  min %8.2f  max %8.2f\n", label,
               opts.mode, figure, n, med * 1e3, n ? v[0] * 1e3 : 0, n ? v[n - 1] * 1e3 : 0);
    }
    fflush(stdout);
}

static void
benchQemuPrintValue(const char *figure, double value, const char *unit)
{
    if (opts.json) {
        printf("{\"bench\":\"qemu\",\"label\":");
        benchJsonString(opts.label);
        printf(",\"mode\":");
        benchJsonString(opts.mode);
        printf(",\"figure\":");
        benchJsonString(figure);
        printf(",\"value\":%.3f,\"unit\":", value);
        benchJsonString(unit);
        printf("}\n");
    } else {
        printf("%-10s %-12s %-22s %10.2f %s\n", opts.label, opts.mode, figure, value, unit);
    }
    fflush(stdout);
}

/* ---- through the API ---- */

static char *
benchQemuXML(const char *name)
{
    char *xml = NULL;
    char serial[1024] = "";

    if (opts.serialDir)
        snprintf(serial, sizeof(serial),
                 "    <serial type='file'><source path='%s/%s.serial'/>"
                 "<target port='0'/></serial>\n", opts.serialDir, name);
    if (asprintf(&xml,
                 "<domain type='%s'>\n"
                 "  <name>%s</name>\n"
                 "  <memory unit='MiB'>%d</memory>\n"
                 "  <vcpu>1</vcpu>\n"
                 "  <os><type arch='x86_64' machine='pc'>hvm</type><kernel>%s</kernel>"
                 "<cmdline>%s</cmdline></os>\n"
                 "  <features><acpi/></features>\n"
                 "  <devices>\n%s"
                 "  </devices>\n"
                 "</domain>\n",
                 opts.virtType, name, opts.memoryMiB, opts.kernel, opts.cmdline, serial) < 0)
        return NULL;
    return xml;
}

static virConnectPtr
benchQemuOpen(void)
{
    virConnectPtr conn = virConnectOpen(opts.uri);

    if (!conn)
        benchFail("bench-qemu", opts.uri);
    return conn;
}

/* ---- parallel ---- */

typedef struct {
    int index;
    virConnectPtr conn;
    virDomainPtr dom;
    pthread_barrier_t *barrier;
    bool destroy;
    double end;
    double latency;
    bool failed;
} BenchQemuThread;

static void *
benchQemuThreadRun(void *opaque)
{
    BenchQemuThread *t = opaque;
    double t0;

    pthread_barrier_wait(t->barrier);
    t0 = benchQemuNow();
    if (t->destroy) {
        if (virDomainDestroy(t->dom) < 0) {
            benchFail("bench-qemu", "virDomainDestroy");
            t->failed = true;
        }
    } else {
        char name[64];
        char *xml;

        snprintf(name, sizeof(name), "%s%d", opts.prefix, t->index);
        if (!(xml = benchQemuXML(name)) || !(t->dom = virDomainCreateXML(t->conn, xml, 0))) {
            benchFail("bench-qemu", "virDomainCreateXML");
            t->failed = true;
        }
        free(xml);
    }
    t->end = benchQemuNow();
    t->latency = t->end - t0;
    return NULL;
}

/* Runs @n threads of @ts at once; returns the wall time, or -1 on failure. */
static double
benchQemuRunThreads(BenchQemuThread *ts, int n, bool destroy)
{
    pthread_t *tids = calloc(n, sizeof(pthread_t));
    pthread_barrier_t barrier;
    double start;
    double end = 0;
    bool failed = false;
    int i;

    pthread_barrier_init(&barrier, NULL, n + 1);
    for (i = 0; i < n; i++) {
        ts[i].barrier = &barrier;
        ts[i].destroy = destroy;
        ts[i].failed = false;
        pthread_create(&tids[i], NULL, benchQemuThreadRun, &ts[i]);
    }
    start = benchQemuNow();
    pthread_barrier_wait(&barrier);
    for (i = 0; i < n; i++) {
        pthread_join(tids[i], NULL);
        if (ts[i].failed)
            failed = true;
        if (ts[i].end > end)
            end = ts[i].end;
    }
    pthread_barrier_destroy(&barrier);
    free(tids);
    return failed ? -1 : end - start;
}

static int
benchQemuParallel(void)
{
    BenchQemuThread *ts = calloc(opts.count, sizeof(*ts));
    double *lat = calloc(opts.count, sizeof(double));
    double total;
    int ret = -1;
    int i;

    for (i = 0; i < opts.count; i++) {
        ts[i].index = i;
        if (!(ts[i].conn = benchQemuOpen()))
            goto cleanup;
    }
    if ((total = benchQemuRunThreads(ts, opts.count, false)) < 0)
        goto cleanup;
    benchQemuPrintValue("parallel_start_total", total * 1e3, "ms");
    for (i = 0; i < opts.count; i++)
        lat[i] = ts[i].latency;
    benchQemuPrintSamples(opts.label, "parallel_start_each", lat, opts.count);
    benchQemuPrintValue("client_rss", (double) benchQemuSelfKiB("VmRSS"), "KiB");
    benchQemuPrintValue("client_hwm", (double) benchQemuSelfKiB("VmHWM"), "KiB");
    if (!opts.keep) {
        if ((total = benchQemuRunThreads(ts, opts.count, true)) < 0)
            goto cleanup;
        benchQemuPrintValue("parallel_destroy_total", total * 1e3, "ms");
    }
    ret = 0;

 cleanup:
    for (i = 0; i < opts.count; i++) {
        if (ts[i].dom)
            virDomainFree(ts[i].dom);
        if (ts[i].conn)
            virConnectClose(ts[i].conn);
    }
    free(ts);
    free(lat);
    return ret;
}

/* Active domains named opts.prefix*; how many run (state RUNNING). */
static int
benchQemuListOurs(virConnectPtr conn, virDomainPtr **retDoms, int *retRunning)
{
    virDomainPtr *doms = NULL;
    int n = virConnectListAllDomains(conn, &doms, VIR_CONNECT_LIST_DOMAINS_ACTIVE);
    int ours = 0;
    int running = 0;
    int i;

    if (n < 0)
        return -1;
    for (i = 0; i < n; i++) {
        int state = 0;
        int reason = 0;

        if (strncmp(virDomainGetName(doms[i]), opts.prefix, strlen(opts.prefix)) != 0) {
            virDomainFree(doms[i]);
            continue;
        }
        if (virDomainGetState(doms[i], &state, &reason, 0) == 0 && state == VIR_DOMAIN_RUNNING)
            running++;
        doms[ours++] = doms[i];
    }
    *retDoms = doms;
    *retRunning = running;
    return ours;
}

static void
benchQemuFreeDoms(virDomainPtr *doms, int n)
{
    int i;

    for (i = 0; i < n; i++)
        virDomainFree(doms[i]);
    free(doms);
}

static int
benchQemuWait(void)
{
    double deadline = benchQemuNow() + opts.timeout;
    double firstConnect = 0;
    int attempts = 0;

    virSetErrorFunc(NULL, benchIgnoreError);
    while (benchQemuNow() < deadline) {
        virConnectPtr conn = virConnectOpen(opts.uri);
        virDomainPtr *doms = NULL;
        int running = 0;
        int n;

        attempts++;
        if (!conn) {
            benchQemuSleepMs(2);
            continue;
        }
        if (!firstConnect)
            firstConnect = benchQemuNow();
        n = benchQemuListOurs(conn, &doms, &running);
        if (n >= 0)
            benchQemuFreeDoms(doms, n);
        virConnectClose(conn);
        if (n == opts.count && running == opts.count) {
            double now = benchQemuNow();

            benchQemuPrintValue("first_connect", (firstConnect - opts.t0) * 1e3, "ms");
            benchQemuPrintValue("all_running", (now - opts.t0) * 1e3, "ms");
            return 0;
        }
        benchQemuSleepMs(2);
    }
    fprintf(stderr, "bench-qemu: %d domains '%s*' not all running after %.0f s (%d attempts)\n",
            opts.count, opts.prefix, opts.timeout, attempts);
    return -1;
}

static int
benchQemuDestroyAll(void)
{
    virConnectPtr conn = benchQemuOpen();
    virDomainPtr *doms = NULL;
    BenchQemuThread *ts = NULL;
    int running = 0;
    int n;
    int i;
    double total;

    if (!conn)
        return -1;
    if ((n = benchQemuListOurs(conn, &doms, &running)) < 0) {
        benchFail("bench-qemu", "virConnectListAllDomains");
        virConnectClose(conn);
        return -1;
    }
    ts = calloc(n > 0 ? n : 1, sizeof(*ts));
    for (i = 0; i < n; i++)
        ts[i].dom = doms[i];
    total = n > 0 ? benchQemuRunThreads(ts, n, true) : 0;
    if (total >= 0)
        benchQemuPrintValue("destroyall_total", total * 1e3, "ms");
    free(ts);
    benchQemuFreeDoms(doms, n);
    virConnectClose(conn);
    return total < 0 ? -1 : 0;
}

/* ---- raw QEMU ---- */

typedef struct {
    int fd;
    char buf[65536];
    size_t len;
} BenchQmp;

/* Reads the next line (a QMP message) into @out; -1 on EOF or error. */
static int
benchQmpReadLine(BenchQmp *q, char **out)
{
    for (;;) {
        char *nl = memchr(q->buf, '\n', q->len);
        ssize_t n;

        if (nl) {
            size_t l = (size_t) (nl - q->buf);

            *out = strndup(q->buf, l);
            memmove(q->buf, nl + 1, q->len - l - 1);
            q->len -= l + 1;
            return 0;
        }
        if (q->len == sizeof(q->buf))
            return -1;
        n = read(q->fd, q->buf + q->len, sizeof(q->buf) - q->len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        q->len += (size_t) n;
    }
}

/* Sends @cmd and waits for its reply, skipping events; -1 on error. */
static int
benchQmpCommand(BenchQmp *q, const char *cmd)
{
    size_t len = strlen(cmd);
    char *line = NULL;

    if (write(q->fd, cmd, len) != (ssize_t) len)
        return -1;
    for (;;) {
        if (benchQmpReadLine(q, &line) < 0)
            return -1;
        if (strstr(line, "\"return\"")) {
            free(line);
            return 0;
        }
        if (strstr(line, "\"error\"")) {
            fprintf(stderr, "bench-qemu: QMP error: %s\n", line);
            free(line);
            return -1;
        }
        free(line);     /* an event */
    }
}

static int
benchQemuReadArgv(char **argv, int max)
{
    FILE *f = fopen(opts.argvFile, "r");
    char line[8192];
    int n = 0;

    if (!f) {
        fprintf(stderr, "bench-qemu: cannot open %s: %s\n", opts.argvFile, strerror(errno));
        return -1;
    }
    while (n < max - 1 && fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = '\0';
        argv[n++] = strdup(line);
    }
    fclose(f);
    argv[n] = NULL;
    return n;
}

/* "@MONFD@" in an argument becomes @fd, "@ID@" becomes @id. */
static char *
benchQemuSubst(const char *arg, int fd, int id)
{
    const char *at;
    char *out = NULL;

    if ((at = strstr(arg, "@MONFD@"))) {
        if (asprintf(&out, "%.*s%d%s", (int) (at - arg), arg, fd, at + 7) < 0)
            return NULL;
    } else if ((at = strstr(arg, "@ID@"))) {
        if (asprintf(&out, "%.*s%d%s", (int) (at - arg), arg, id, at + 4) < 0)
            return NULL;
    } else {
        out = strdup(arg);
    }
    return out;
}

/* One raw start: fills @retPid and @q; returns the start time in s, or -1. */
static double
benchQemuRawStart(char **tmpl, int nargs, int id, const char *sock, const char *log,
                  pid_t *retPid, BenchQmp *q)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    char *argv[BENCH_QEMU_MAX_ARGS];
    char *envp[] = { "LC_ALL=C", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin",
                     NULL };
    char *line = NULL;
    double t0 = benchQemuNow();
    double ret = -1;
    int lfd = -1;
    int logFd = -1;
    int nullFd = -1;
    int i;
    pid_t pid;

    snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", sock);
    unlink(sock);
    if ((lfd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 ||
        bind(lfd, (struct sockaddr *) &addr, sizeof(addr)) < 0 || listen(lfd, 4) < 0) {
        fprintf(stderr, "bench-qemu: cannot listen on %s: %s\n", sock, strerror(errno));
        goto cleanup;
    }
    for (i = 0; i < nargs; i++)
        argv[i] = benchQemuSubst(tmpl[i], lfd, id);
    argv[nargs] = NULL;
    logFd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    nullFd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if ((pid = fork()) == 0) {
        setsid();
        dup2(nullFd, 0);
        dup2(logFd, 1);
        dup2(logFd, 2);
        execve(argv[0], argv, envp);
        _exit(127);
    }
    for (i = 0; i < nargs; i++)
        free(argv[i]);
    if (pid < 0)
        goto cleanup;
    *retPid = pid;
    close(lfd);
    lfd = -1;
    if ((q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
        connect(q->fd, (struct sockaddr *) &addr, sizeof(addr)) < 0)
        goto cleanup;
    q->len = 0;
    if (benchQmpReadLine(q, &line) < 0 || !strstr(line, "\"QMP\"")) {
        fprintf(stderr, "bench-qemu: no QMP greeting (see %s)\n", log);
        goto cleanup;
    }
    if (benchQmpCommand(q, "{\"execute\":\"qmp_capabilities\"}\n") < 0 ||
        benchQmpCommand(q, "{\"execute\":\"cont\"}\n") < 0) {
        fprintf(stderr, "bench-qemu: QMP failed (see %s)\n", log);
        goto cleanup;
    }
    ret = benchQemuNow() - t0;

 cleanup:
    free(line);
    if (lfd >= 0)
        close(lfd);
    if (logFd >= 0)
        close(logFd);
    if (nullFd >= 0)
        close(nullFd);
    return ret;
}

/* One raw start + destroy; -1 on failure. */
static int
benchQemuRawOnce(char **tmpl, int nargs, double *retStart, double *retDestroy)
{
    BenchQmp *q = calloc(1, sizeof(*q));
    char sock[108];
    char log[4096];
    pid_t pid = -1;
    double t0;
    int status;

    snprintf(sock, sizeof(sock), "%s/raw.monitor", opts.tmpDir);
    snprintf(log, sizeof(log), "%s/raw.log", opts.tmpDir);
    q->fd = -1;
    *retStart = benchQemuRawStart(tmpl, nargs, 0, sock, log, &pid, q);
    if (*retStart >= 0)
        benchQemuSleepMs(opts.settleMs);
    t0 = benchQemuNow();
    if (pid > 0) {
        kill(pid, SIGTERM);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    }
    *retDestroy = benchQemuNow() - t0;
    if (q->fd >= 0)
        close(q->fd);
    free(q);
    unlink(sock);
    return *retStart < 0 ? -1 : 0;
}

/* One virDomainCreateXML + virDomainDestroy of guest @name on @conn. */
static int
benchQemuApiOnce(virConnectPtr conn, const char *name, double *retStart, double *retDestroy)
{
    char *xml = benchQemuXML(name);
    virDomainPtr dom;
    double t0;
    double t1;

    if (!xml)
        return -1;
    t0 = benchQemuNow();
    dom = virDomainCreateXML(conn, xml, 0);
    t1 = benchQemuNow();
    free(xml);
    if (!dom) {
        benchFail("bench-qemu", "virDomainCreateXML");
        return -1;
    }
    *retStart = t1 - t0;
    benchQemuSleepMs(opts.settleMs);
    t0 = benchQemuNow();
    if (virDomainDestroy(dom) < 0) {
        benchFail("bench-qemu", "virDomainDestroy");
        virDomainFree(dom);
        return -1;
    }
    *retDestroy = benchQemuNow() - t0;
    virDomainFree(dom);
    return 0;
}

/*
 * startstop: the targets (--target LABEL=URI, and "raw" with --argv-file)
 * take turns, one start/destroy each per iteration, in an order that
 * rotates, so that a change of machine load hits all of them alike.
 */
static int
benchQemuStartStop(void)
{
    char *tmpl[BENCH_QEMU_MAX_ARGS];
    int nargs = 0;
    int ret = -1;
    int i;
    int k;

    if (opts.argvFile) {
        if ((nargs = benchQemuReadArgv(tmpl, BENCH_QEMU_MAX_ARGS)) <= 0)
            return -1;
        benchQemuAddTarget("raw", NULL);
    }
    if (opts.uri && ntargets == (opts.argvFile ? 1 : 0))
        benchQemuAddTarget(opts.label, opts.uri);
    for (k = 0; k < ntargets; k++) {
        BenchQemuTarget *t = &targets[k];

        t->start = calloc(opts.runs, sizeof(double));
        t->destroy = calloc(opts.runs, sizeof(double));
        if (t->uri && !(t->conn = virConnectOpen(t->uri))) {
            benchFail("bench-qemu", t->uri);
            goto cleanup;
        }
    }
    for (i = -opts.warmup; i < opts.runs; i++) {
        for (k = 0; k < ntargets; k++) {
            BenchQemuTarget *t = &targets[(k + (i < 0 ? 0 : i)) % ntargets];
            char name[128];
            double st = 0;
            double de = 0;
            int rc;

            snprintf(name, sizeof(name), "%s%s-%d", opts.prefix, t->label, i + opts.warmup);
            if (t->uri)
                rc = benchQemuApiOnce(t->conn, name, &st, &de);
            else
                rc = benchQemuRawOnce(tmpl, nargs, &st, &de);
            if (rc < 0)
                goto cleanup;
            if (i >= 0) {
                t->start[i] = st;
                t->destroy[i] = de;
            }
        }
    }
    for (k = 0; k < ntargets; k++) {
        benchQemuPrintSamples(targets[k].label, "start", targets[k].start, opts.runs);
        benchQemuPrintSamples(targets[k].label, "destroy", targets[k].destroy, opts.runs);
    }
    ret = 0;

 cleanup:
    for (k = 0; k < ntargets; k++) {
        free(targets[k].start);
        free(targets[k].destroy);
        if (targets[k].conn)
            virConnectClose(targets[k].conn);
    }
    for (i = 0; i < nargs; i++)
        free(tmpl[i]);
    return ret;
}

typedef struct {
    char **tmpl;
    int nargs;
    int id;
    pthread_barrier_t *barrier;
    pid_t pid;
    BenchQmp q;
    double end;
    double latency;
} BenchQemuRawThread;

static void *
benchQemuRawThreadRun(void *opaque)
{
    BenchQemuRawThread *t = opaque;
    char sock[108];
    char log[4096];

    snprintf(sock, sizeof(sock), "%s/raw-%d.monitor", opts.tmpDir, t->id);
    snprintf(log, sizeof(log), "%s/raw-%d.log", opts.tmpDir, t->id);
    pthread_barrier_wait(t->barrier);
    t->latency = benchQemuRawStart(t->tmpl, t->nargs, t->id, sock, log, &t->pid, &t->q);
    t->end = benchQemuNow();
    unlink(sock);
    return NULL;
}

/* --count raw QEMUs started at once by as many threads, then SIGTERM to all. */
static int
benchQemuRawParallel(void)
{
    char *tmpl[BENCH_QEMU_MAX_ARGS];
    BenchQemuRawThread *ts = calloc(opts.count, sizeof(*ts));
    pthread_t *tids = calloc(opts.count, sizeof(pthread_t));
    double *lat = calloc(opts.count, sizeof(double));
    pthread_barrier_t barrier;
    double start;
    double end = 0;
    bool failed = false;
    int nargs;
    int i;

    if ((nargs = benchQemuReadArgv(tmpl, BENCH_QEMU_MAX_ARGS)) <= 0)
        return -1;
    pthread_barrier_init(&barrier, NULL, opts.count + 1);
    for (i = 0; i < opts.count; i++) {
        ts[i].tmpl = tmpl;
        ts[i].nargs = nargs;
        ts[i].id = i;
        ts[i].barrier = &barrier;
        ts[i].pid = -1;
        ts[i].q.fd = -1;
        pthread_create(&tids[i], NULL, benchQemuRawThreadRun, &ts[i]);
    }
    start = benchQemuNow();
    pthread_barrier_wait(&barrier);
    for (i = 0; i < opts.count; i++) {
        pthread_join(tids[i], NULL);
        if (ts[i].latency < 0)
            failed = true;
        lat[i] = ts[i].latency;
        if (ts[i].end > end)
            end = ts[i].end;
    }
    if (!failed) {
        benchQemuPrintValue("parallel_start_total", (end - start) * 1e3, "ms");
        benchQemuPrintSamples(opts.label, "parallel_start_each", lat, opts.count);
    }
    start = benchQemuNow();
    for (i = 0; i < opts.count; i++) {
        if (ts[i].pid > 0)
            kill(ts[i].pid, SIGTERM);
    }
    for (i = 0; i < opts.count; i++) {
        int status;

        if (ts[i].pid > 0) {
            while (waitpid(ts[i].pid, &status, 0) < 0 && errno == EINTR)
                ;
        }
        if (ts[i].q.fd >= 0)
            close(ts[i].q.fd);
    }
    if (!failed)
        benchQemuPrintValue("parallel_destroy_total", (benchQemuNow() - start) * 1e3, "ms");
    pthread_barrier_destroy(&barrier);
    for (i = 0; i < nargs; i++)
        free(tmpl[i]);
    free(ts);
    free(tids);
    free(lat);
    return failed ? -1 : 0;
}

static void *
benchQemuEventLoop(void *opaque)
{
    (void) opaque;
    for (;;)
        virEventRunDefaultImpl();
    return NULL;
}

static void
benchQemuUsage(void)
{
    fprintf(stderr,
            "usage: bench-qemu-" BENCH_QEMU_TARGET
            " --mode startstop|parallel|rawparallel|wait|destroyall\n"
            "       [--uri URI | --target LABEL=URI...] [--kernel ELF] [--serial-dir DIR]\n"
            "       [--argv-file F --tmp-dir D]\n"
            "       [--runs N] [--warmup N] [--count N] [--keep] [--prefix P] [--settle-ms MS]\n"
            "       [--memory MIB] [--type qemu|kvm] [--cmdline TEXT] [--t0 SECS]\n"
            "       [--timeout SECS] [--label L] [--json]\n");
}

int
main(int argc, char **argv)
{
    int i;
    int rc;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;

#define BENCH_QEMU_ARG(flag) (strcmp(a, flag) == 0 && v && ++i)
        if (strcmp(a, "--json") == 0)
            opts.json = true;
        else if (strcmp(a, "--keep") == 0)
            opts.keep = true;
        else if (BENCH_QEMU_ARG("--mode"))
            opts.mode = v;
        else if (BENCH_QEMU_ARG("--uri"))
            opts.uri = v;
        else if (BENCH_QEMU_ARG("--target") && strchr(v, '=')) {
            char *label = strdup(v);

            *strchr(label, '=') = '\0';
            benchQemuAddTarget(label, strchr(v, '=') + 1);
        }
        else if (BENCH_QEMU_ARG("--label"))
            opts.label = v;
        else if (BENCH_QEMU_ARG("--kernel"))
            opts.kernel = v;
        else if (BENCH_QEMU_ARG("--serial-dir"))
            opts.serialDir = v;
        else if (BENCH_QEMU_ARG("--argv-file"))
            opts.argvFile = v;
        else if (BENCH_QEMU_ARG("--tmp-dir"))
            opts.tmpDir = v;
        else if (BENCH_QEMU_ARG("--prefix"))
            opts.prefix = v;
        else if (BENCH_QEMU_ARG("--type"))
            opts.virtType = v;
        else if (BENCH_QEMU_ARG("--cmdline"))
            opts.cmdline = v;
        else if (BENCH_QEMU_ARG("--runs"))
            opts.runs = atoi(v);
        else if (BENCH_QEMU_ARG("--count"))
            opts.count = atoi(v);
        else if (BENCH_QEMU_ARG("--memory"))
            opts.memoryMiB = atoi(v);
        else if (BENCH_QEMU_ARG("--warmup"))
            opts.warmup = atoi(v);
        else if (BENCH_QEMU_ARG("--settle-ms"))
            opts.settleMs = atoi(v);
        else if (BENCH_QEMU_ARG("--t0"))
            opts.t0 = strtod(v, NULL);
        else if (BENCH_QEMU_ARG("--timeout"))
            opts.timeout = strtod(v, NULL);
        else {
            benchQemuUsage();
            return 2;
        }
#undef BENCH_QEMU_ARG
    }
    if (opts.runs < 1 || opts.count < 0 || opts.count > BENCH_QEMU_MAX_GUESTS ||
        (opts.count == 0 && strcmp(opts.mode, "wait") != 0)) {
        benchQemuUsage();
        return 2;
    }

    if (strcmp(opts.mode, "rawparallel") == 0) {
        if (!opts.argvFile || !opts.tmpDir) {
            benchQemuUsage();
            return 2;
        }
        return benchQemuRawParallel() < 0 ? 1 : 0;
    }

    if ((!opts.uri && strcmp(opts.mode, "startstop") != 0) ||
        (!opts.kernel && (strcmp(opts.mode, "startstop") == 0 ||
                          strcmp(opts.mode, "parallel") == 0)) ||
        (strcmp(opts.mode, "startstop") == 0 && !opts.uri && ntargets == 0 &&
         !opts.argvFile) || (opts.argvFile && !opts.tmpDir)) {
        benchQemuUsage();
        return 2;
    }
    if (virInitialize() < 0) {
        benchFail("bench-qemu", "virInitialize");
        return 1;
    }
    /* qemu:///embed needs a registered event loop; a thread runs it. */
    if (virEventRegisterDefaultImpl() < 0) {
        benchFail("bench-qemu", "virEventRegisterDefaultImpl");
        return 1;
    }
    {
        pthread_t loop;

        pthread_create(&loop, NULL, benchQemuEventLoop, NULL);
        pthread_detach(loop);
    }
    virSetErrorFunc(NULL, benchIgnoreError);
    if (!opts.json)
        printf("%-10s library %s\n", opts.label, benchQemuLibrary());
    else {
        printf("{\"bench\":\"qemu\",\"label\":");
        benchJsonString(opts.label);
        printf(",\"library\":");
        benchJsonString(benchQemuLibrary());
        printf("}\n");
    }

    if (strcmp(opts.mode, "startstop") == 0)
        rc = benchQemuStartStop();
    else if (strcmp(opts.mode, "parallel") == 0)
        rc = benchQemuParallel();
    else if (strcmp(opts.mode, "wait") == 0)
        rc = benchQemuWait();
    else if (strcmp(opts.mode, "destroyall") == 0)
        rc = benchQemuDestroyAll();
    else {
        benchQemuUsage();
        return 2;
    }
    return rc < 0 ? 1 : 0;
}
