/* bench-api: time the public API on the in-process test driver.
 *
 * One source, built twice (see bench/meson.build): bench-api-virtkit links
 * virtkit's libvirt.so.0, bench-api-libvirt links the system libvirt.so.0.
 * Only the public API is used, so the same code measures both.  The program
 * prints which library file it really loaded, so that a run cannot silently
 * measure the wrong one.
 *
 * Workload on test:///default (a node with one running domain, "test"):
 *   1. virConnectListAllDomains on the fresh node (1 domain), median
 *   2. define N domains (default 10,000) with small valid XML, timed as a
 *      whole; the first 1,000 are timed on their own, then the listing of
 *      1,001 domains (median) is measured before the rest are defined
 *   3. virConnectListAllDomains with N + 1 domains, median
 *   4. virDomainLookupByName / virDomainLookupByUUID over all N domains
 *   5. virDomainGetInfo round-robin over all domains for about 1 s, then
 *      on a single domain for about 0.5 s
 *   6. virDomainUndefine of all N domains
 *   7. memory: VmRSS before/after the defines, VmHWM, ru_maxrss
 *
 * Output: a human summary, or with --json one JSON object per line (the
 * form bench/run-bench-api.py reads).  Exit status 0 on success, 1 when any
 * call fails (the workload also checks the domain counts it expects).
 */

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
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

#ifndef BENCH_API_TARGET
# define BENCH_API_TARGET "unknown"
#endif

#define BENCH_API_NAME_PREFIX "bench-"
#define BENCH_API_MAX_DOMAINS 1000000
#define BENCH_API_FIRST_BATCH 1000

typedef struct {
    const char *uri;
    const char *label;
    bool json;
    int ndomains;
    double getinfoSecs;
    double lookupSecs;
    int listRunsSmall;   /* repetitions for the 1 and 1,001 domain listings */
    int listRunsLarge;   /* repetitions for the N + 1 domain listing */
} BenchApiOptions;

static double
benchApiNow(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static int
benchApiCompareDouble(const void *a, const void *b)
{
    double x = *(const double *) a;
    double y = *(const double *) b;

    return (x > y) - (x < y);
}

/* Median of @n samples; sorts @v in place. */
static double
benchApiMedian(double *v, int n)
{
    qsort(v, n, sizeof(*v), benchApiCompareDouble);
    if (n % 2)
        return v[n / 2];
    return (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Read one "Key:   123 kB" line of /proc/self/status, in KiB; -1 if absent. */
static long
benchApiProcStatusKiB(const char *key)
{
    FILE *fp = fopen("/proc/self/status", "re");
    char line[256];
    size_t keylen = strlen(key);
    long ret = -1;

    if (!fp)
        return -1;
    while (fgets(line, sizeof(line), fp)) {
        if (strncmp(line, key, keylen) == 0 && line[keylen] == ':') {
            char *end = NULL;
            long val;

            errno = 0;
            val = strtol(line + keylen + 1, &end, 10);
            if (errno == 0 && end != line + keylen + 1)
                ret = val;
            break;
        }
    }
    fclose(fp);
    return ret;
}

/* Print one measured figure.  @better is "higher" or "lower". */
static void
benchApiFigure(const BenchApiOptions *opts, const char *figure, double value,
               const char *unit, const char *better, const char *desc)
{
    if (opts->json) {
        printf("{\"bench\": \"api\", \"label\": ");
        benchJsonString(opts->label);
        printf(", \"figure\": ");
        benchJsonString(figure);
        printf(", \"value\": %.6g, \"unit\": ", value);
        benchJsonString(unit);
        printf(", \"better\": ");
        benchJsonString(better);
        printf(", \"desc\": ");
        benchJsonString(desc);
        printf("}\n");
    } else {
        printf(value >= 1e5 ? "  %-46s %14.0f %s\n" : "  %-46s %14.6g %s\n",
               desc, value, unit);
    }
    fflush(stdout);
}

/* Deterministic, valid (version 4, variant 1) UUID for domain @idx. */
static void
benchApiUUID(int idx, unsigned char uuid[VIR_UUID_BUFLEN])
{
    memset(uuid, 0, VIR_UUID_BUFLEN);
    uuid[0] = 'v';
    uuid[1] = 'k';
    uuid[2] = 'b';
    uuid[3] = 'a';
    uuid[6] = 0x40;
    uuid[8] = 0x80;
    uuid[12] = (unsigned char) ((unsigned int) idx >> 24);
    uuid[13] = (unsigned char) ((unsigned int) idx >> 16);
    uuid[14] = (unsigned char) ((unsigned int) idx >> 8);
    uuid[15] = (unsigned char) idx;
}

static void
benchApiUUIDFormat(const unsigned char uuid[VIR_UUID_BUFLEN],
                   char str[VIR_UUID_STRING_BUFLEN])
{
    snprintf(str, VIR_UUID_STRING_BUFLEN,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             uuid[0], uuid[1], uuid[2], uuid[3], uuid[4], uuid[5], uuid[6], uuid[7],
             uuid[8], uuid[9], uuid[10], uuid[11], uuid[12], uuid[13], uuid[14],
             uuid[15]);
}

static void
benchApiName(int idx, char *buf, size_t len)
{
    snprintf(buf, len, BENCH_API_NAME_PREFIX "%05d", idx);
}

static int
benchApiDefine(virConnectPtr conn, int idx)
{
    char name[64];
    char uuidstr[VIR_UUID_STRING_BUFLEN];
    unsigned char uuid[VIR_UUID_BUFLEN];
    char xml[512];
    virDomainPtr dom;

    benchApiName(idx, name, sizeof(name));
    benchApiUUID(idx, uuid);
    benchApiUUIDFormat(uuid, uuidstr);
    snprintf(xml, sizeof(xml),
             "<domain type='test'>"
             "<name>%s</name>"
             "<uuid>%s</uuid>"
             "<memory unit='KiB'>65536</memory>"
             "<vcpu>1</vcpu>"
             "<os><type>hvm</type></os>"
             "</domain>", name, uuidstr);

    if (!(dom = virDomainDefineXML(conn, xml))) {
        fprintf(stderr, "bench-api: defining '%s' failed\n", name);
        return -1;
    }
    virDomainFree(dom);
    return 0;
}

static void
benchApiFreeDomains(virDomainPtr *doms, int n)
{
    int i;

    for (i = 0; i < n; i++)
        virDomainFree(doms[i]);
    free(doms);
}

/* Median time of @runs virConnectListAllDomains calls, in ms; checks that
 * each returns @expect domains.  Only the call is timed, not the freeing
 * of the handles it returns.  Returns -1 on failure. */
static double
benchApiListAll(virConnectPtr conn, int runs, int expect)
{
    double *samples = calloc(runs, sizeof(*samples));
    double ret = -1;
    int r;

    if (!samples)
        return -1;
    for (r = 0; r < runs; r++) {
        virDomainPtr *doms = NULL;
        double t0 = benchApiNow();
        int n = virConnectListAllDomains(conn, &doms, 0);

        samples[r] = (benchApiNow() - t0) * 1e3;
        if (n < 0) {
            benchFail("bench-api", "virConnectListAllDomains");
            goto cleanup;
        }
        benchApiFreeDomains(doms, n);
        if (n != expect) {
            fprintf(stderr, "bench-api: listed %d domains, expected %d\n", n, expect);
            goto cleanup;
        }
    }
    ret = benchApiMedian(samples, runs);

 cleanup:
    free(samples);
    return ret;
}

/* Print where the library that provides the API was loaded from. */
static void
benchApiPrintLibrary(const BenchApiOptions *opts, virConnectPtr conn)
{
    Dl_info info;
    char resolved[PATH_MAX];
    const char *path = "?";
    unsigned long libVer = 0;
    const char *type = conn ? virConnectGetType(conn) : NULL;

    memset(&info, 0, sizeof(info));
    if (dladdr((void *) virConnectOpen, &info) && info.dli_fname) {
        path = info.dli_fname;
        if (realpath(info.dli_fname, resolved))
            path = resolved;
    }
    virGetVersion(&libVer, NULL, NULL);

    if (opts->json) {
        printf("{\"bench\": \"api\", \"label\": ");
        benchJsonString(opts->label);
        printf(", \"figure\": \"meta\", \"target\": ");
        benchJsonString(BENCH_API_TARGET);
        printf(", \"library\": ");
        benchJsonString(path);
        printf(", \"lib_version\": %lu, \"driver\": ", libVer);
        benchJsonString(type ? type : "?");
        printf(", \"uri\": ");
        benchJsonString(opts->uri);
        printf(", \"domains\": %d, \"cpus\": %ld, \"pid\": %ld}\n",
               opts->ndomains, sysconf(_SC_NPROCESSORS_ONLN), (long) getpid());
    } else {
        printf("bench-api (%s build): %s\n", BENCH_API_TARGET, opts->label);
        printf("  library loaded: %s\n", path);
        printf("  library version: %lu.%lu.%lu, driver %s, uri %s, %d domains\n",
               libVer / 1000000, (libVer / 1000) % 1000, libVer % 1000,
               type ? type : "?", opts->uri, opts->ndomains);
    }
    fflush(stdout);
}

static int
benchApiParseInt(const char *str, int min, int max, int *ret)
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
benchApiParseSeconds(const char *str, double *ret)
{
    char *end = NULL;
    double val;

    if (!str || !*str)
        return -1;
    errno = 0;
    val = strtod(str, &end);
    if (errno != 0 || end == str || *end != '\0' || !(val > 0 && val <= 3600))
        return -1;
    *ret = val;
    return 0;
}

static void
benchApiUsage(FILE *out, const char *argv0)
{
    fprintf(out,
            "Usage: %s [--json] [--label NAME] [--uri URI] [--domains N]\n"
            "          [--getinfo-seconds S] [--lookup-seconds S]\n"
            "  --json               one JSON object per line instead of the summary\n"
            "  --label NAME         name of this run in the output (default: %s)\n"
            "  --uri URI            connection to measure (default: test:///default)\n"
            "  --domains N          domains to define (default: 10000)\n"
            "  --getinfo-seconds S  duration of the GetInfo loop (default: 1)\n"
            "  --lookup-seconds S   minimum duration of each lookup loop (default: 0.5)\n",
            argv0, BENCH_API_TARGET);
}

static int
benchApiParseArgs(int argc, char **argv, BenchApiOptions *opts)
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
            benchApiUsage(stdout, argv[0]);
            exit(EXIT_SUCCESS);
        }
        if (!val) {
            benchApiUsage(stderr, argv[0]);
            return -1;
        }
        if (strcmp(arg, "--label") == 0) {
            opts->label = val;
        } else if (strcmp(arg, "--uri") == 0) {
            opts->uri = val;
        } else if (strcmp(arg, "--domains") == 0) {
            if (benchApiParseInt(val, 1, BENCH_API_MAX_DOMAINS, &opts->ndomains) < 0) {
                fprintf(stderr, "bench-api: --domains needs 1..%d\n", BENCH_API_MAX_DOMAINS);
                return -1;
            }
        } else if (strcmp(arg, "--getinfo-seconds") == 0) {
            if (benchApiParseSeconds(val, &opts->getinfoSecs) < 0) {
                fprintf(stderr, "bench-api: --getinfo-seconds needs a number in (0, 3600]\n");
                return -1;
            }
        } else if (strcmp(arg, "--lookup-seconds") == 0) {
            if (benchApiParseSeconds(val, &opts->lookupSecs) < 0) {
                fprintf(stderr, "bench-api: --lookup-seconds needs a number in (0, 3600]\n");
                return -1;
            }
        } else {
            benchApiUsage(stderr, argv[0]);
            return -1;
        }
        a++;
    }
    return 0;
}

/* Lookups by name (@byUUID false) or raw UUID over all domains, repeated
 * until at least @minSecs have passed.  Returns calls per second, -1 on
 * failure. */
static double
benchApiLookups(virConnectPtr conn, int n, double minSecs, bool byUUID,
                char **names, unsigned char (*uuids)[VIR_UUID_BUFLEN])
{
    double t0 = benchApiNow();
    double elapsed;
    long calls = 0;
    int i;

    do {
        for (i = 0; i < n; i++) {
            virDomainPtr dom = byUUID ? virDomainLookupByUUID(conn, uuids[i]) :
                                        virDomainLookupByName(conn, names[i]);

            if (!dom) {
                benchFail("bench-api", byUUID ? "virDomainLookupByUUID" : "virDomainLookupByName");
                return -1;
            }
            virDomainFree(dom);
        }
        calls += n;
        elapsed = benchApiNow() - t0;
    } while (elapsed < minSecs);

    return (double) calls / elapsed;
}

int
main(int argc, char **argv)
{
    BenchApiOptions opts = {
        .uri = "test:///default",
        .label = BENCH_API_TARGET,
        .ndomains = 10000,
        .getinfoSecs = 1.0,
        .lookupSecs = 0.5,
        .listRunsSmall = 101,
        .listRunsLarge = 11,
    };
    virConnectPtr conn = NULL;
    virDomainPtr *all = NULL;
    virDomainPtr *bench = NULL;
    char **names = NULL;
    unsigned char (*uuids)[VIR_UUID_BUFLEN] = NULL;
    int nall = 0;
    int nbench = 0;
    int nfirst;
    int ret = EXIT_FAILURE;
    long rssBefore;
    long rssAfter;
    struct rusage ru;
    double t0;
    double defineSecs;
    double firstSecs;
    double ms;
    double rate;
    char desc[128];
    long calls;
    int i;

    if (benchApiParseArgs(argc, argv, &opts) < 0)
        return EXIT_FAILURE;

    virSetErrorFunc(NULL, benchIgnoreError);

    names = calloc(opts.ndomains, sizeof(*names));
    uuids = calloc(opts.ndomains, sizeof(*uuids));
    if (!names || !uuids) {
        fprintf(stderr, "bench-api: out of memory\n");
        goto cleanup;
    }
    for (i = 0; i < opts.ndomains; i++) {
        char name[64];

        benchApiName(i, name, sizeof(name));
        if (!(names[i] = strdup(name))) {
            fprintf(stderr, "bench-api: out of memory\n");
            goto cleanup;
        }
        benchApiUUID(i, uuids[i]);
    }

    if (!(conn = virConnectOpen(opts.uri))) {
        benchFail("bench-api", opts.uri);
        goto cleanup;
    }
    benchApiPrintLibrary(&opts, conn);

    /* 1. Listing a node with its single default domain. */
    if ((ms = benchApiListAll(conn, opts.listRunsSmall, 1)) < 0)
        goto cleanup;
    benchApiFigure(&opts, "list_all_1_ms", ms, "ms", "lower",
                   "listAllDomains, 1 domain (median)");

    /* 2. Define; the first batch is also reported alone, for comparison
     * with the 1,000-domain reference figure. */
    rssBefore = benchApiProcStatusKiB("VmRSS");
    nfirst = opts.ndomains < BENCH_API_FIRST_BATCH ? opts.ndomains : BENCH_API_FIRST_BATCH;
    t0 = benchApiNow();
    for (i = 0; i < nfirst; i++) {
        if (benchApiDefine(conn, i) < 0) {
            benchFail("bench-api", "virDomainDefineXML");
            goto cleanup;
        }
    }
    firstSecs = benchApiNow() - t0;

    if (nfirst == BENCH_API_FIRST_BATCH && opts.ndomains > nfirst) {
        if ((ms = benchApiListAll(conn, opts.listRunsSmall, nfirst + 1)) < 0)
            goto cleanup;
        benchApiFigure(&opts, "list_all_1001_ms", ms, "ms", "lower",
                       "listAllDomains, 1,001 domains (median)");
    }

    t0 = benchApiNow();
    for (i = nfirst; i < opts.ndomains; i++) {
        if (benchApiDefine(conn, i) < 0) {
            benchFail("bench-api", "virDomainDefineXML");
            goto cleanup;
        }
    }
    defineSecs = firstSecs + (benchApiNow() - t0);
    rssAfter = benchApiProcStatusKiB("VmRSS");

    snprintf(desc, sizeof(desc), "define first %d domains", nfirst);
    benchApiFigure(&opts, "define_first_1000_ms", firstSecs * 1e3, "ms", "lower", desc);
    snprintf(desc, sizeof(desc), "define %d domains", opts.ndomains);
    benchApiFigure(&opts, "define_all_ms", defineSecs * 1e3, "ms", "lower", desc);
    benchApiFigure(&opts, "define_rate", opts.ndomains / defineSecs, "calls/s", "higher",
                   "virDomainDefineXML rate");

    /* Check that what was defined is what the XML said, so that a library
     * cannot look fast by skipping work. */
    {
        virDomainPtr dom = virDomainLookupByName(conn, names[opts.ndomains - 1]);
        virDomainInfo info;
        char *xml = NULL;
        char uuidstr[VIR_UUID_STRING_BUFLEN];
        bool ok;

        if (!dom || virDomainGetInfo(dom, &info) < 0 ||
            !(xml = virDomainGetXMLDesc(dom, 0))) {
            benchFail("bench-api", "checking a defined domain");
            if (dom)
                virDomainFree(dom);
            goto cleanup;
        }
        benchApiUUIDFormat(uuids[opts.ndomains - 1], uuidstr);
        ok = info.maxMem == 65536 && info.nrVirtCpu == 1 &&
             info.state == VIR_DOMAIN_SHUTOFF && strstr(xml, uuidstr) != NULL;
        free(xml);
        virDomainFree(dom);
        if (!ok) {
            fprintf(stderr, "bench-api: domain '%s' does not match its definition\n",
                    names[opts.ndomains - 1]);
            goto cleanup;
        }
    }

    /* 3. Listing the full node. */
    if ((ms = benchApiListAll(conn, opts.listRunsLarge, opts.ndomains + 1)) < 0)
        goto cleanup;
    snprintf(desc, sizeof(desc), "listAllDomains, %d domains (median)", opts.ndomains + 1);
    benchApiFigure(&opts, "list_all_n_ms", ms, "ms", "lower", desc);

    /* 4. Lookups. */
    if ((rate = benchApiLookups(conn, opts.ndomains, opts.lookupSecs, false,
                                names, uuids)) < 0)
        goto cleanup;
    benchApiFigure(&opts, "lookup_name_rate", rate, "calls/s", "higher",
                   "virDomainLookupByName (+ virDomainFree)");
    if ((rate = benchApiLookups(conn, opts.ndomains, opts.lookupSecs, true,
                                names, uuids)) < 0)
        goto cleanup;
    benchApiFigure(&opts, "lookup_uuid_rate", rate, "calls/s", "higher",
                   "virDomainLookupByUUID (+ virDomainFree)");

    /* 5. GetInfo, round-robin over every domain. */
    if ((nall = virConnectListAllDomains(conn, &all, 0)) < 0) {
        benchFail("bench-api", "virConnectListAllDomains");
        nall = 0;
        goto cleanup;
    }
    calls = 0;
    t0 = benchApiNow();
    for (;;) {
        double elapsed;
        int k;

        for (k = 0; k < 256; k++) {
            virDomainInfo info;

            if (virDomainGetInfo(all[calls % nall], &info) < 0) {
                benchFail("bench-api", "virDomainGetInfo");
                goto cleanup;
            }
            calls++;
        }
        elapsed = benchApiNow() - t0;
        if (elapsed >= opts.getinfoSecs) {
            benchApiFigure(&opts, "getinfo_rate", calls / elapsed, "calls/s", "higher",
                           "virDomainGetInfo round-robin");
            break;
        }
    }

    /* The same call on one domain only (the reference figure of the issue
     * was measured that way, from Python). */
    calls = 0;
    t0 = benchApiNow();
    for (;;) {
        double elapsed;
        int k;

        for (k = 0; k < 256; k++) {
            virDomainInfo info;

            if (virDomainGetInfo(all[0], &info) < 0) {
                benchFail("bench-api", "virDomainGetInfo");
                goto cleanup;
            }
        }
        calls += 256;
        elapsed = benchApiNow() - t0;
        if (elapsed >= opts.getinfoSecs / 2) {
            benchApiFigure(&opts, "getinfo_one_rate", calls / elapsed, "calls/s", "higher",
                           "virDomainGetInfo on one domain");
            break;
        }
    }

    /* 6. Undefine every benchmark domain. */
    if (!(bench = calloc(nall, sizeof(*bench)))) {
        fprintf(stderr, "bench-api: out of memory\n");
        goto cleanup;
    }
    for (i = 0; i < nall; i++) {
        const char *name = virDomainGetName(all[i]);

        if (name && strncmp(name, BENCH_API_NAME_PREFIX, strlen(BENCH_API_NAME_PREFIX)) == 0)
            bench[nbench++] = all[i];
    }
    if (nbench != opts.ndomains) {
        fprintf(stderr, "bench-api: found %d benchmark domains, expected %d\n",
                nbench, opts.ndomains);
        goto cleanup;
    }
    t0 = benchApiNow();
    for (i = 0; i < nbench; i++) {
        if (virDomainUndefine(bench[i]) < 0) {
            benchFail("bench-api", "virDomainUndefine");
            goto cleanup;
        }
    }
    defineSecs = benchApiNow() - t0;
    snprintf(desc, sizeof(desc), "undefine %d domains", nbench);
    benchApiFigure(&opts, "undefine_all_ms", defineSecs * 1e3, "ms", "lower", desc);
    benchApiFigure(&opts, "undefine_rate", nbench / defineSecs, "calls/s", "higher",
                   "virDomainUndefine rate");
    if (virConnectNumOfDefinedDomains(conn) != 0) {
        fprintf(stderr, "bench-api: defined domains left after undefine\n");
        goto cleanup;
    }

    /* 7. Memory. */
    benchApiFigure(&opts, "rss_before_define_kib", rssBefore, "KiB", "lower",
                   "VmRSS before defining");
    benchApiFigure(&opts, "rss_after_define_kib", rssAfter, "KiB", "lower",
                   "VmRSS after defining");
    benchApiFigure(&opts, "mem_per_domain_bytes",
                   (double) (rssAfter - rssBefore) * 1024.0 / opts.ndomains, "bytes", "lower",
                   "memory per defined domain (VmRSS delta / N)");
    benchApiFigure(&opts, "peak_rss_kib", benchApiProcStatusKiB("VmHWM"), "KiB", "lower",
                   "peak RSS (VmHWM)");
    if (getrusage(RUSAGE_SELF, &ru) == 0)
        benchApiFigure(&opts, "ru_maxrss_kib", ru.ru_maxrss, "KiB", "lower",
                       "peak RSS (getrusage ru_maxrss)");

    ret = EXIT_SUCCESS;

 cleanup:
    free(bench);
    if (all)
        benchApiFreeDomains(all, nall);
    if (conn)
        virConnectClose(conn);
    if (names) {
        for (i = 0; i < opts.ndomains; i++)
            free(names[i]);
    }
    free(names);
    free(uuids);
    return ret;
}
