/* bench-rpc: calls per second and latency of small API calls over a daemon's unix socket.
 *
 * One source, built twice (see bench/meson.build): bench-rpc-virtkit links
 * virtkit's libvirt.so.0, bench-rpc-libvirt links the system libvirt.so.0.
 * Only the public API is used, so the same client code runs against either
 * daemon (virtkitd or Debian's libvirtd); bench/run-bench-rpc.py starts the
 * daemons and runs the four combinations.
 *
 * Clients are threads of this process, each with its own connection (its
 * own socket), opened before the timed part.  For every operation and
 * client count, all threads start together, run a short untimed warm-up,
 * then call the operation back to back for --seconds; each call is timed
 * with clock_gettime(CLOCK_MONOTONIC).  Reported: calls per second (all
 * calls of all threads over the wall time of the timed window), and the
 * median and 99th percentile of the per-call latencies of all threads.
 *
 * Operations, on the URI's node (test:///default behind the daemon):
 *   getinfo       virDomainGetInfo on the domain "test"
 *   libversion    virConnectGetLibVersion
 *   list1         virConnectListAllDomains with the default single domain
 *   list1001      virConnectListAllDomains after --domains (1,000) more are
 *                 defined through a separate set-up connection, which stays
 *                 open for the whole run (libvirtd's test driver state lives
 *                 as long as a connection to it); they are undefined at the
 *                 end.  Freeing the returned handles is not in the latency,
 *                 but is in the rate.
 *
 * Cost per call (--daemon-pid PID): besides the latencies, what each call
 * costs in CPU time and in thread sleeps, figures that the load of other
 * processes on the machine changes much less than the latencies.  Client:
 * getrusage(RUSAGE_THREAD) of every client thread over its warm-up and
 * timed calls (user + system time, voluntary context switches, i.e. the
 * times the thread went to sleep).  Daemon: the sum over its threads of
 * /proc/PID/task/TID/schedstat (nanoseconds on a CPU) and the voluntary
 * context switches of /proc/PID/task/TID/status, read before the threads
 * start and after they end (a daemon thread that exits in between is
 * missed).  Divided by the number of calls (warm-up included).
 *
 * Output: a human summary, or with --json one JSON object per line (what
 * bench/run-bench-rpc.py reads).  Exit status 0, or 1 when a call fails.
 */

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "bench-util.h"

#ifndef BENCH_RPC_TARGET
# define BENCH_RPC_TARGET "unknown"
#endif

#define BENCH_RPC_NAME_PREFIX "bench-rpc-"
#define BENCH_RPC_MAX_CLIENTS 256
#define BENCH_RPC_MAX_COUNTS 16
#define BENCH_RPC_WARMUP_SECS 0.2

typedef enum {
    BENCH_RPC_OP_GETINFO,
    BENCH_RPC_OP_LIBVERSION,
    BENCH_RPC_OP_LIST,
} BenchRpcOp;

typedef struct {
    const char *uri;
    const char *label;
    bool json;
    int ndomains;
    double seconds;
    int nclientCounts;
    int clientCounts[BENCH_RPC_MAX_COUNTS];
    long daemonPid;               /* 0: no cost figures */
} BenchRpcOptions;

/* CPU time and sleeps of a thread or a process. */
typedef struct {
    double cpu;                   /* seconds */
    double vcsw;                  /* voluntary context switches */
} BenchRpcCost;

/* One client thread of one measurement. */
typedef struct {
    const BenchRpcOptions *opts;
    BenchRpcOp op;
    int expect;                   /* domains a listing must return */
    virConnectPtr conn;
    virDomainPtr dom;
    pthread_barrier_t *barrier;
    const double *startp;         /* common start, written by the main thread */
    double *samples;              /* latencies, seconds */
    size_t nsamples;
    size_t allocSamples;
    double end;                   /* time of the last call's end */
    size_t ncalls;                /* warm-up included */
    BenchRpcCost cost;            /* of this thread over its calls */
    bool failed;
} BenchRpcThread;

static double
benchRpcNow(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static int
benchRpcCompareDouble(const void *a, const void *b)
{
    double x = *(const double *) a;
    double y = *(const double *) b;

    return (x > y) - (x < y);
}

/* The @q quantile (0..1) of sorted @v, nearest rank. */
static double
benchRpcQuantile(const double *v, size_t n, double q)
{
    size_t rank;

    if (n == 0)
        return 0;
    rank = (size_t) (q * (double) n + 0.999999);
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return v[rank - 1];
}

static const char *
benchRpcOpName(BenchRpcOp op, int expect)
{
    switch (op) {
    case BENCH_RPC_OP_GETINFO:
        return "getinfo";
    case BENCH_RPC_OP_LIBVERSION:
        return "libversion";
    case BENCH_RPC_OP_LIST:
        return expect > 1 ? "list_many" : "list1";
    }
    return "?";
}

/* One call of @t's operation.  Returns the latency in seconds, -1 on failure. */
static double
benchRpcCall(BenchRpcThread *t)
{
    virDomainInfo info;
    unsigned long libVer = 0;
    virDomainPtr *doms = NULL;
    double t0 = benchRpcNow();
    double t1;
    int n;
    int i;

    switch (t->op) {
    case BENCH_RPC_OP_GETINFO:
        if (virDomainGetInfo(t->dom, &info) < 0) {
            benchFail("bench-rpc", "virDomainGetInfo");
            return -1;
        }
        return benchRpcNow() - t0;
    case BENCH_RPC_OP_LIBVERSION:
        if (virConnectGetLibVersion(t->conn, &libVer) < 0) {
            benchFail("bench-rpc", "virConnectGetLibVersion");
            return -1;
        }
        return benchRpcNow() - t0;
    case BENCH_RPC_OP_LIST:
        n = virConnectListAllDomains(t->conn, &doms, 0);
        t1 = benchRpcNow();
        if (n < 0) {
            benchFail("bench-rpc", "virConnectListAllDomains");
            return -1;
        }
        for (i = 0; i < n; i++)
            virDomainFree(doms[i]);
        free(doms);
        if (n != t->expect) {
            fprintf(stderr, "bench-rpc: listed %d domains, expected %d\n", n, t->expect);
            return -1;
        }
        return t1 - t0;
    }
    return -1;
}

static int
benchRpcAddSample(BenchRpcThread *t, double lat)
{
    if (t->nsamples == t->allocSamples) {
        size_t alloc = t->allocSamples ? t->allocSamples * 2 : 65536;
        double *s = realloc(t->samples, alloc * sizeof(*s));

        if (!s)
            return -1;
        t->samples = s;
        t->allocSamples = alloc;
    }
    t->samples[t->nsamples++] = lat;
    return 0;
}

/* The calling thread's CPU time and voluntary context switches so far. */
static void
benchRpcThreadCost(BenchRpcCost *cost)
{
    struct rusage ru;

    memset(cost, 0, sizeof(*cost));
    if (getrusage(RUSAGE_THREAD, &ru) < 0)
        return;
    cost->cpu = (double) ru.ru_utime.tv_sec + (double) ru.ru_utime.tv_usec / 1e6 +
                (double) ru.ru_stime.tv_sec + (double) ru.ru_stime.tv_usec / 1e6;
    cost->vcsw = (double) ru.ru_nvcsw;
}

/* The sum over the threads of process @pid; false when it cannot be read. */
static bool
benchRpcProcessCost(long pid, BenchRpcCost *cost)
{
    char path[64];
    DIR *dir;
    struct dirent *ent;

    memset(cost, 0, sizeof(*cost));
    snprintf(path, sizeof(path), "/proc/%ld/task", pid);
    if (!(dir = opendir(path)))
        return false;
    while ((ent = readdir(dir))) {
        char file[sizeof(path) + 300];
        char line[256];
        unsigned long long ns = 0;
        FILE *f;

        if (ent->d_name[0] == '.')
            continue;
        snprintf(file, sizeof(file), "%s/%s/schedstat", path, ent->d_name);
        if ((f = fopen(file, "r"))) {
            if (fscanf(f, "%llu", &ns) == 1)
                cost->cpu += (double) ns / 1e9;
            fclose(f);
        }
        snprintf(file, sizeof(file), "%s/%s/status", path, ent->d_name);
        if ((f = fopen(file, "r"))) {
            while (fgets(line, sizeof(line), f)) {
                unsigned long long n;

                if (sscanf(line, "voluntary_ctxt_switches: %llu", &n) == 1)
                    cost->vcsw += (double) n;
            }
            fclose(f);
        }
    }
    closedir(dir);
    return true;
}

static void *
benchRpcThreadMain(void *opaque)
{
    BenchRpcThread *t = opaque;
    BenchRpcCost before;
    BenchRpcCost after;
    double warmEnd;
    double end;
    double lat;
    double now;

    /* The main thread writes the start time between the two barriers. */
    pthread_barrier_wait(t->barrier);
    pthread_barrier_wait(t->barrier);

    benchRpcThreadCost(&before);
    warmEnd = *t->startp + BENCH_RPC_WARMUP_SECS;
    end = warmEnd + t->opts->seconds;
    do {
        if (benchRpcCall(t) < 0) {
            t->failed = true;
            return NULL;
        }
        t->ncalls++;
    } while (benchRpcNow() < warmEnd);

    do {
        if ((lat = benchRpcCall(t)) < 0 || benchRpcAddSample(t, lat) < 0) {
            t->failed = true;
            return NULL;
        }
        t->ncalls++;
        now = benchRpcNow();
    } while (now < end);
    t->end = now;
    benchRpcThreadCost(&after);
    t->cost.cpu = after.cpu - before.cpu;
    t->cost.vcsw = after.vcsw - before.vcsw;
    return NULL;
}

/* Print one measurement; @client and @daemon are per call, @daemon NULL if unknown. */
static void
benchRpcFigure(const BenchRpcOptions *opts, const char *op, int clients, size_t calls,
               double rate, double median, double p99, double mean,
               const BenchRpcCost *client, const BenchRpcCost *daemon)
{
    if (opts->json) {
        printf("{\"bench\": \"rpc\", \"label\": ");
        benchJsonString(opts->label);
        printf(", \"op\": ");
        benchJsonString(op);
        printf(", \"clients\": %d, \"calls\": %zu, \"rate\": %.6g, \"median_us\": %.6g,"
               " \"p99_us\": %.6g, \"mean_us\": %.6g, \"client_cpu_us\": %.6g,"
               " \"client_sleeps\": %.6g",
               clients, calls, rate, median * 1e6, p99 * 1e6, mean * 1e6,
               client->cpu * 1e6, client->vcsw);
        if (daemon)
            printf(", \"daemon_cpu_us\": %.6g, \"daemon_sleeps\": %.6g",
                   daemon->cpu * 1e6, daemon->vcsw);
        printf("}\n");
    } else {
        printf("  %-12s %3d client(s) %10.0f calls/s  median %9.1f us  p99 %9.1f us"
               "  (%zu calls)\n", op, clients, rate, median * 1e6, p99 * 1e6, calls);
        printf("  %-12s per call: client %.1f us CPU, %.2f sleeps", "", client->cpu * 1e6,
               client->vcsw);
        if (daemon)
            printf("; daemon %.1f us CPU, %.2f sleeps", daemon->cpu * 1e6, daemon->vcsw);
        printf("\n");
    }
    fflush(stdout);
}

/* Runs @op with @nclients threads, each on its own new connection. */
static int
benchRpcMeasure(const BenchRpcOptions *opts, BenchRpcOp op, int nclients, int expect)
{
    BenchRpcThread *threads = calloc(nclients, sizeof(*threads));
    pthread_t *tids = calloc(nclients, sizeof(*tids));
    pthread_barrier_t barrier;
    double start = 0;
    double end = 0;
    double *all = NULL;
    double sum = 0;
    size_t total = 0;
    size_t ncalls = 0;
    BenchRpcCost clientCost = { 0 };
    BenchRpcCost daemonBefore = { 0 };
    BenchRpcCost daemonAfter = { 0 };
    bool haveDaemon = false;
    size_t k;
    int ret = -1;
    int i;

    if (!threads || !tids)
        goto cleanup;
    for (i = 0; i < nclients; i++) {
        BenchRpcThread *t = &threads[i];

        t->opts = opts;
        t->op = op;
        t->expect = expect;
        t->barrier = &barrier;
        t->startp = &start;
        if (!(t->conn = virConnectOpen(opts->uri))) {
            benchFail("bench-rpc", "virConnectOpen");
            goto cleanup;
        }
        if (op == BENCH_RPC_OP_GETINFO && !(t->dom = virDomainLookupByName(t->conn, "test"))) {
            benchFail("bench-rpc", "virDomainLookupByName('test')");
            goto cleanup;
        }
    }

    pthread_barrier_init(&barrier, NULL, (unsigned int) nclients + 1);
    for (i = 0; i < nclients; i++) {
        if (pthread_create(&tids[i], NULL, benchRpcThreadMain, &threads[i]) != 0) {
            /* The threads already started wait at the barrier for good. */
            fprintf(stderr, "bench-rpc: cannot create a thread\n");
            exit(EXIT_FAILURE);
        }
    }
    pthread_barrier_wait(&barrier);
    if (opts->daemonPid > 0)
        haveDaemon = benchRpcProcessCost(opts->daemonPid, &daemonBefore);
    start = benchRpcNow();
    pthread_barrier_wait(&barrier);
    for (i = 0; i < nclients; i++)
        pthread_join(tids[i], NULL);
    if (haveDaemon)
        haveDaemon = benchRpcProcessCost(opts->daemonPid, &daemonAfter);
    pthread_barrier_destroy(&barrier);

    for (i = 0; i < nclients; i++) {
        if (threads[i].failed)
            goto cleanup;
        total += threads[i].nsamples;
        ncalls += threads[i].ncalls;
        clientCost.cpu += threads[i].cost.cpu;
        clientCost.vcsw += threads[i].cost.vcsw;
        if (threads[i].end > end)
            end = threads[i].end;
    }
    if (ncalls > 0) {
        clientCost.cpu /= (double) ncalls;
        clientCost.vcsw /= (double) ncalls;
        daemonAfter.cpu = (daemonAfter.cpu - daemonBefore.cpu) / (double) ncalls;
        daemonAfter.vcsw = (daemonAfter.vcsw - daemonBefore.vcsw) / (double) ncalls;
    }
    if (!(all = malloc((total ? total : 1) * sizeof(*all))))
        goto cleanup;
    k = 0;
    for (i = 0; i < nclients; i++) {
        memcpy(all + k, threads[i].samples, threads[i].nsamples * sizeof(*all));
        k += threads[i].nsamples;
    }
    for (k = 0; k < total; k++)
        sum += all[k];
    qsort(all, total, sizeof(*all), benchRpcCompareDouble);
    benchRpcFigure(opts, benchRpcOpName(op, expect), nclients, total,
                   (double) total / (end - (start + BENCH_RPC_WARMUP_SECS)),
                   benchRpcQuantile(all, total, 0.5), benchRpcQuantile(all, total, 0.99),
                   total ? sum / (double) total : 0, &clientCost,
                   haveDaemon ? &daemonAfter : NULL);
    ret = 0;

 cleanup:
    free(all);
    if (threads) {
        for (i = 0; i < nclients; i++) {
            if (threads[i].dom)
                virDomainFree(threads[i].dom);
            if (threads[i].conn)
                virConnectClose(threads[i].conn);
            free(threads[i].samples);
        }
    }
    free(threads);
    free(tids);
    return ret;
}

/* Deterministic UUID for benchmark domain @idx. */
static void
benchRpcUUIDString(int idx, char *buf, size_t len)
{
    snprintf(buf, len, "766b7270-0000-4000-8000-%012x", (unsigned int) idx);
}

static int
benchRpcDefine(virConnectPtr conn, int idx)
{
    char uuid[VIR_UUID_STRING_BUFLEN];
    char xml[512];
    virDomainPtr dom;

    benchRpcUUIDString(idx, uuid, sizeof(uuid));
    snprintf(xml, sizeof(xml),
             "<domain type='test'>"
             "<name>" BENCH_RPC_NAME_PREFIX "%05d</name>"
             "<uuid>%s</uuid>"
             "<memory unit='KiB'>65536</memory>"
             "<vcpu>1</vcpu>"
             "<os><type>hvm</type></os>"
             "</domain>", idx, uuid);
    if (!(dom = virDomainDefineXML(conn, xml))) {
        benchFail("bench-rpc", "virDomainDefineXML");
        return -1;
    }
    virDomainFree(dom);
    return 0;
}

/* Undefines every domain named with our prefix (left by an earlier run, or
 * ours).  Returns the number of domains left, -1 on failure. */
static int
benchRpcCleanDomains(virConnectPtr conn)
{
    virDomainPtr *doms = NULL;
    int n = virConnectListAllDomains(conn, &doms, 0);
    int left = 0;
    int ret = 0;
    int i;

    if (n < 0) {
        benchFail("bench-rpc", "virConnectListAllDomains");
        return -1;
    }
    for (i = 0; i < n; i++) {
        const char *name = virDomainGetName(doms[i]);

        if (name && strncmp(name, BENCH_RPC_NAME_PREFIX, strlen(BENCH_RPC_NAME_PREFIX)) == 0) {
            if (virDomainUndefine(doms[i]) < 0) {
                benchFail("bench-rpc", "virDomainUndefine");
                ret = -1;
            }
        } else {
            left++;
        }
        virDomainFree(doms[i]);
    }
    free(doms);
    return ret < 0 ? -1 : left;
}

/* Print where the library that provides the API was loaded from. */
static void
benchRpcPrintLibrary(const BenchRpcOptions *opts, virConnectPtr conn)
{
    Dl_info info;
    char resolved[PATH_MAX];
    const char *path = "?";
    unsigned long libVer = 0;
    unsigned long daemonLibVer = 0;

    memset(&info, 0, sizeof(info));
    if (dladdr((void *) virConnectOpen, &info) && info.dli_fname) {
        path = info.dli_fname;
        if (realpath(info.dli_fname, resolved))
            path = resolved;
    }
    virGetVersion(&libVer, NULL, NULL);
    virConnectGetLibVersion(conn, &daemonLibVer);

    if (opts->json) {
        printf("{\"bench\": \"rpc\", \"label\": ");
        benchJsonString(opts->label);
        printf(", \"op\": \"meta\", \"target\": ");
        benchJsonString(BENCH_RPC_TARGET);
        printf(", \"library\": ");
        benchJsonString(path);
        printf(", \"lib_version\": %lu, \"daemon_lib_version\": %lu, \"uri\": ",
               libVer, daemonLibVer);
        benchJsonString(opts->uri);
        printf(", \"domains\": %d, \"seconds\": %g, \"cpus\": %ld, \"pid\": %ld}\n",
               opts->ndomains, opts->seconds, sysconf(_SC_NPROCESSORS_ONLN), (long) getpid());
    } else {
        printf("bench-rpc (%s build): %s\n", BENCH_RPC_TARGET, opts->label);
        printf("  library loaded: %s (%lu), daemon library %lu\n", path, libVer, daemonLibVer);
        printf("  uri %s, %g s per figure\n", opts->uri, opts->seconds);
    }
    fflush(stdout);
}

static int
benchRpcParseInt(const char *str, int min, int max, int *ret)
{
    char *end = NULL;
    long val;

    if (!str || !*str)
        return -1;
    errno = 0;
    val = strtol(str, &end, 10);
    if (errno != 0 || end == str || *end != '\0' || val < min || val > max)
        return -1;
    *ret = (int) val;
    return 0;
}

static int
benchRpcParseClients(const char *str, BenchRpcOptions *opts)
{
    char buf[256];
    char *save = NULL;
    char *tok;

    if (strlen(str) >= sizeof(buf))
        return -1;
    strcpy(buf, str);
    opts->nclientCounts = 0;
    for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (opts->nclientCounts == BENCH_RPC_MAX_COUNTS ||
            benchRpcParseInt(tok, 1, BENCH_RPC_MAX_CLIENTS,
                             &opts->clientCounts[opts->nclientCounts]) < 0)
            return -1;
        opts->nclientCounts++;
    }
    return opts->nclientCounts > 0 ? 0 : -1;
}

static void
benchRpcUsage(FILE *out, const char *argv0)
{
    fprintf(out,
            "Usage: %s --uri URI [--json] [--label NAME] [--clients 1,4,16]\n"
            "          [--seconds S] [--domains N] [--daemon-pid PID]\n"
            "  --uri URI        daemon connection, e.g. test+unix:///default?socket=SOCK\n"
            "  --json           one JSON object per line instead of the summary\n"
            "  --label NAME     name of this run in the output (default: %s)\n"
            "  --clients LIST   concurrent clients, comma-separated (default: 1,4,16)\n"
            "  --seconds S      timed duration of each figure (default: 1)\n"
            "  --domains N      extra domains for the big listing (default: 1000)\n"
            "  --daemon-pid PID also report the daemon's CPU time and sleeps per call\n",
            argv0, BENCH_RPC_TARGET);
}

static int
benchRpcParseArgs(int argc, char **argv, BenchRpcOptions *opts)
{
    int a;

    for (a = 1; a < argc; a++) {
        const char *arg = argv[a];
        const char *val = a + 1 < argc ? argv[a + 1] : NULL;

        if (strcmp(arg, "--json") == 0) {
            opts->json = true;
            continue;
        }
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            benchRpcUsage(stdout, argv[0]);
            exit(EXIT_SUCCESS);
        }
        if (!val) {
            benchRpcUsage(stderr, argv[0]);
            return -1;
        }
        if (strcmp(arg, "--label") == 0) {
            opts->label = val;
        } else if (strcmp(arg, "--uri") == 0) {
            opts->uri = val;
        } else if (strcmp(arg, "--clients") == 0) {
            if (benchRpcParseClients(val, opts) < 0) {
                fprintf(stderr, "bench-rpc: --clients needs a list of 1..%d\n",
                        BENCH_RPC_MAX_CLIENTS);
                return -1;
            }
        } else if (strcmp(arg, "--seconds") == 0) {
            char *end = NULL;

            errno = 0;
            opts->seconds = strtod(val, &end);
            if (errno != 0 || end == val || *end != '\0' ||
                !(opts->seconds > 0 && opts->seconds <= 600)) {
                fprintf(stderr, "bench-rpc: --seconds needs a number in (0, 600]\n");
                return -1;
            }
        } else if (strcmp(arg, "--daemon-pid") == 0) {
            int pid;

            if (benchRpcParseInt(val, 1, INT_MAX, &pid) < 0) {
                fprintf(stderr, "bench-rpc: --daemon-pid needs a process id\n");
                return -1;
            }
            opts->daemonPid = pid;
        } else if (strcmp(arg, "--domains") == 0) {
            if (benchRpcParseInt(val, 1, 100000, &opts->ndomains) < 0) {
                fprintf(stderr, "bench-rpc: --domains needs 1..100000\n");
                return -1;
            }
        } else {
            benchRpcUsage(stderr, argv[0]);
            return -1;
        }
        a++;
    }
    if (!opts->uri) {
        benchRpcUsage(stderr, argv[0]);
        return -1;
    }
    return 0;
}

int
main(int argc, char **argv)
{
    BenchRpcOptions opts = {
        .label = BENCH_RPC_TARGET,
        .ndomains = 1000,
        .seconds = 1,
        .nclientCounts = 3,
        .clientCounts = { 1, 4, 16 },
    };
    static const BenchRpcOp smallOps[] = {
        BENCH_RPC_OP_GETINFO, BENCH_RPC_OP_LIBVERSION, BENCH_RPC_OP_LIST,
    };
    virConnectPtr setup = NULL;
    int base;
    int ret = EXIT_FAILURE;
    size_t o;
    int c;
    int i;

    if (benchRpcParseArgs(argc, argv, &opts) < 0)
        return EXIT_FAILURE;
    virSetErrorFunc(NULL, benchIgnoreError);

    /* Held for the whole run: keeps the daemon's test driver state alive. */
    if (!(setup = virConnectOpen(opts.uri))) {
        benchFail("bench-rpc", "virConnectOpen");
        return EXIT_FAILURE;
    }
    benchRpcPrintLibrary(&opts, setup);
    if ((base = benchRpcCleanDomains(setup)) < 0)
        goto cleanup;
    if (base != 1)
        fprintf(stderr, "bench-rpc: note: %d domains before the run (expected 1)\n", base);

    for (o = 0; o < sizeof(smallOps) / sizeof(smallOps[0]); o++) {
        for (c = 0; c < opts.nclientCounts; c++) {
            if (benchRpcMeasure(&opts, smallOps[o], opts.clientCounts[c], base) < 0)
                goto cleanup;
        }
    }

    for (i = 0; i < opts.ndomains; i++) {
        if (benchRpcDefine(setup, i) < 0)
            goto cleanup;
    }
    for (c = 0; c < opts.nclientCounts; c++) {
        if (benchRpcMeasure(&opts, BENCH_RPC_OP_LIST, opts.clientCounts[c],
                            base + opts.ndomains) < 0)
            goto cleanup;
    }
    ret = EXIT_SUCCESS;

 cleanup:
    if (benchRpcCleanDomains(setup) < 0)
        ret = EXIT_FAILURE;
    virConnectClose(setup);
    return ret;
}
