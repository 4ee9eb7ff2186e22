/*
 * Thread-safety of the test driver through the public API: 8 threads run
 * random lifecycle operations, lookups and listings on 1,000 domains of
 * test:///default while the main thread runs the event loop and counts
 * lifecycle events.  Afterwards the event counts must agree with the
 * successful API calls and, per domain, with the domain's final state.
 *
 * TEST_THREADS_DURATION  seconds of load (default 10)
 * TEST_THREADS_DOMAINS   number of domains (default 1000)
 * A watchdog aborts the program if no operation completes for 30 s
 * (a deadlock), so a hang shows as a crash, not a CI timeout.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#define NTHREADS 8
#define NTRANSIENT 16          /* transient names per thread */
#define NEVENT_TYPES 16        /* more than virDomainEventType has */

enum {
    OP_START,
    OP_CREATE_XML,
    OP_SUSPEND,
    OP_RESUME,
    OP_DESTROY,
    OP_SHUTDOWN,
    OP_REBOOT,
    OP_DEFINE,
    OP_UNDEFINE,
    OP_LOOKUP,
    OP_LIST,
    OP_QUERY,
    OP_SET,
    OP_LAST
};

/* Successful calls per operation, all threads. */
static gint okCount[OP_LAST];
static gint progress;           /* any completed operation */
static gint stopFlag;
static int ndomains = 1000;

/* Per-domain event bookkeeping; touched only by the event-loop thread. */
typedef struct {
    int started;
    int stopped;
    int suspended;
    int resumed;
    int added;
    int updated;
    int undefined;
    bool running;            /* as the events tell it */
    bool persistent;         /* as the events tell it */
    bool orderError;
} DomCounts;

static GHashTable *counts;      /* name -> DomCounts */
static int totalEvents[NEVENT_TYPES];
static int orderErrors;

static void
ignoreErrors(void *opaque, virErrorPtr err)
{
}

static DomCounts *
countsFor(const char *name)
{
    DomCounts *c = g_hash_table_lookup(counts, name);

    if (!c) {
        c = g_new0(DomCounts, 1);
        g_hash_table_insert(counts, g_strdup(name), c);
    }
    return c;
}

static void
lifecycleCb(virConnectPtr conn, virDomainPtr dom, int event, int detail,
            void *opaque)
{
    DomCounts *c = countsFor(virDomainGetName(dom));

    if (event >= 0 && event < NEVENT_TYPES)
        totalEvents[event]++;
    switch (event) {
    case VIR_DOMAIN_EVENT_STARTED:
        c->started++;
        if (c->running) {
            c->orderError = true;
            orderErrors++;
        }
        c->running = true;
        break;
    case VIR_DOMAIN_EVENT_STOPPED:
        c->stopped++;
        if (!c->running) {
            c->orderError = true;
            orderErrors++;
        }
        c->running = false;
        break;
    case VIR_DOMAIN_EVENT_SUSPENDED:
        c->suspended++;
        break;
    case VIR_DOMAIN_EVENT_RESUMED:
        c->resumed++;
        break;
    case VIR_DOMAIN_EVENT_DEFINED:
        if (detail == VIR_DOMAIN_EVENT_DEFINED_ADDED)
            c->added++;
        else
            c->updated++;
        c->persistent = true;
        break;
    case VIR_DOMAIN_EVENT_UNDEFINED:
        /* libvirt's test driver lets a transient domain be undefined too */
        c->undefined++;
        c->persistent = false;
        break;
    }
}

static char *
domName(int i)
{
    return g_strdup_printf("d%04d", i);
}

static char *
domXML(const char *name, int variant)
{
    g_autofree char *md5 = g_compute_checksum_for_string(G_CHECKSUM_MD5, name, -1);

    return g_strdup_printf("<domain type='test'><name>%s</name>"
                           "<uuid>%.8s-%.4s-4%.3s-8%.3s-%.12s</uuid>"
                           "<memory unit='KiB'>%d</memory>"
                           "<vcpu>2</vcpu><os><type>hvm</type></os></domain>",
                           name, md5, md5 + 8, md5 + 12, md5 + 16, md5 + 20,
                           131072 + variant);
}

typedef struct {
    int index;
    unsigned int seed;
} Worker;

static void
done(int op, int ret)
{
    if (ret >= 0)
        g_atomic_int_inc(&okCount[op]);
    g_atomic_int_inc(&progress);
}

static void
workerLoop(virConnectPtr conn, GRand *rand, int index)
{
    g_autofree char *name = NULL;
    virDomainPtr dom = NULL;
    int op = g_rand_int_range(rand, 0, OP_LAST);
    int target;
    int ret = -1;

    /* a third of the operations hit 10 hot domains, for contention */
    if (g_rand_int_range(rand, 0, 3) == 0)
        target = g_rand_int_range(rand, 0, 10);
    else
        target = g_rand_int_range(rand, 0, ndomains);

    if (op == OP_CREATE_XML) {
        g_autofree char *xml = NULL;

        name = g_strdup_printf("t%d-%d", index, g_rand_int_range(rand, 0, NTRANSIENT));
        xml = domXML(name, 0);
        if ((dom = virDomainCreateXML(conn, xml, 0)))
            ret = 0;
        done(op, ret);
        goto cleanup;
    }
    if (op == OP_DEFINE) {
        g_autofree char *xml = NULL;

        name = domName(target);
        xml = domXML(name, g_rand_int_range(rand, 0, 1024));
        if ((dom = virDomainDefineXML(conn, xml)))
            ret = 0;
        done(op, ret);
        goto cleanup;
    }
    if (op == OP_LIST) {
        virDomainPtr *doms = NULL;
        static const unsigned int flags[] = {
            0, VIR_CONNECT_LIST_DOMAINS_ACTIVE, VIR_CONNECT_LIST_DOMAINS_INACTIVE,
            VIR_CONNECT_LIST_DOMAINS_PAUSED, VIR_CONNECT_LIST_DOMAINS_TRANSIENT,
        };
        int n = virConnectListAllDomains(conn, &doms,
                                         flags[g_rand_int_range(rand, 0,
                                                                G_N_ELEMENTS(flags))]);
        int i;

        for (i = 0; i < n; i++)
            virDomainFree(doms[i]);
        free(doms);
        if (virConnectNumOfDomains(conn) < 0 || virConnectNumOfDefinedDomains(conn) < 0)
            n = -1;
        done(op, n);
        return;
    }

    /* the rest work on an existing domain: transient ones too, sometimes */
    if (g_rand_int_range(rand, 0, 8) == 0)
        name = g_strdup_printf("t%d-%d", g_rand_int_range(rand, 0, NTHREADS),
                               g_rand_int_range(rand, 0, NTRANSIENT));
    else
        name = domName(target);
    if (!(dom = virDomainLookupByName(conn, name))) {
        done(op, -1);
        return;
    }

    switch (op) {
    case OP_START:
        ret = virDomainCreate(dom);
        break;
    case OP_SUSPEND:
        ret = virDomainSuspend(dom);
        break;
    case OP_RESUME:
        ret = virDomainResume(dom);
        break;
    case OP_DESTROY:
        ret = virDomainDestroy(dom);
        break;
    case OP_SHUTDOWN:
        ret = virDomainShutdown(dom);
        break;
    case OP_REBOOT:
        ret = virDomainReboot(dom, 0);
        break;
    case OP_UNDEFINE:
        ret = virDomainUndefine(dom);
        break;
    case OP_LOOKUP: {
        unsigned char uuid[VIR_UUID_BUFLEN];
        virDomainPtr other;
        int id = (int) virDomainGetID(dom);

        ret = virDomainGetUUID(dom, uuid);
        if (ret == 0 && (other = virDomainLookupByUUID(conn, uuid)))
            virDomainFree(other);
        if (id > 0 && (other = virDomainLookupByID(conn, id)))
            virDomainFree(other);
        break;
    }
    case OP_QUERY: {
        virDomainInfo info;
        int state;
        int reason;
        char *xml;

        ret = virDomainGetInfo(dom, &info);
        if (ret == 0)
            ret = virDomainGetState(dom, &state, &reason, 0);
        if (ret == 0 && (xml = virDomainGetXMLDesc(dom, g_rand_boolean(rand) ?
                                                   VIR_DOMAIN_XML_INACTIVE : 0)))
            free(xml);
        if (ret == 0)
            ret = virDomainIsActive(dom) < 0 ? -1 : 0;
        break;
    }
    case OP_SET:
        ret = virDomainSetMemoryFlags(dom, 65536, VIR_DOMAIN_AFFECT_CONFIG);
        if (ret == 0)
            ret = virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_TITLE, "busy",
                                       NULL, NULL, VIR_DOMAIN_AFFECT_CONFIG);
        break;
    }
    done(op, ret);

 cleanup:
    if (dom)
        virDomainFree(dom);
}

static gpointer
workerThread(gpointer opaque)
{
    Worker *w = opaque;
    GRand *rand = g_rand_new_with_seed(w->seed);
    virConnectPtr conn = virConnectOpen("test:///default");

    if (!conn)
        g_error("worker %d: cannot open: %s", w->index, virGetLastErrorMessage());
    while (!g_atomic_int_get(&stopFlag))
        workerLoop(conn, rand, w->index);
    virConnectClose(conn);
    g_rand_free(rand);
    return NULL;
}

/* Abort if no operation completes for 30 s: a deadlock. */
static gpointer
watchdogThread(gpointer opaque)
{
    int last = -1;
    int idle = 0;

    while (!g_atomic_int_get(&stopFlag)) {
        int now = g_atomic_int_get(&progress);

        g_usleep(G_USEC_PER_SEC);
        if (now == last) {
            if (++idle >= 30) {
                fprintf(stderr, "no progress for 30 s: deadlock\n");
                abort();
            }
        } else {
            idle = 0;
        }
        last = now;
    }
    return NULL;
}

static void
tickCb(int timer, void *opaque)
{
}

static int
expectedTotal(void)
{
    return g_atomic_int_get(&okCount[OP_START]) + g_atomic_int_get(&okCount[OP_CREATE_XML]) +
           g_atomic_int_get(&okCount[OP_SUSPEND]) + g_atomic_int_get(&okCount[OP_RESUME]) +
           g_atomic_int_get(&okCount[OP_DESTROY]) + g_atomic_int_get(&okCount[OP_SHUTDOWN]) +
           g_atomic_int_get(&okCount[OP_DEFINE]) + g_atomic_int_get(&okCount[OP_UNDEFINE]);
}

static int
receivedTotal(void)
{
    int n = 0;
    int i;

    for (i = 0; i < NEVENT_TYPES; i++)
        n += totalEvents[i];
    return n;
}

static int failures;

static void
check(bool cond, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void
check(bool cond, const char *fmt, ...)
{
    va_list ap;

    if (cond)
        return;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    failures++;
}

/* Compare one domain's events with its final state. */
static void
checkDomain(virConnectPtr conn, const char *name, DomCounts *c)
{
    virDomainPtr dom = virDomainLookupByName(conn, name);
    int active = 0;
    int persistent = 0;
    int state = VIR_DOMAIN_SHUTOFF;
    int reason = 0;

    if (dom) {
        active = virDomainIsActive(dom);
        persistent = virDomainIsPersistent(dom);
        check(virDomainGetState(dom, &state, &reason, 0) == 0, "%s: GetState", name);
        virDomainFree(dom);
    }
    check(!c->orderError, "%s: STARTED/STOPPED out of order", name);
    check(c->started - c->stopped == active,
          "%s: %d STARTED, %d STOPPED, but active=%d", name, c->started,
          c->stopped, active);
    check(c->running == (active == 1), "%s: events say running=%d, active=%d",
          name, c->running, active);
    check(c->persistent == (persistent == 1),
          "%s: events say persistent=%d (%d ADDED, %d UNDEFINED), but persistent=%d",
          name, c->persistent, c->added, c->undefined, persistent);
    check(active == (state == VIR_DOMAIN_RUNNING || state == VIR_DOMAIN_PAUSED),
          "%s: active=%d but state %d", name, active, state);
}

int
main(int argc, char **argv)
{
    const char *env;
    double duration = 10;
    virConnectPtr conn;
    GThread *threads[NTHREADS];
    GThread *watchdog;
    Worker workers[NTHREADS];
    GHashTableIter iter;
    gpointer key;
    gpointer value;
    gint64 end;
    int timer;
    int cbid;
    int i;
    int total = 0;

    if ((env = g_getenv("TEST_THREADS_DURATION")))
        duration = g_ascii_strtod(env, NULL);
    if ((env = g_getenv("TEST_THREADS_DOMAINS")))
        ndomains = MAX(10, atoi(env));

    virSetErrorFunc(NULL, ignoreErrors);
    if (virEventRegisterDefaultImpl() < 0)
        g_error("cannot register the event loop");
    counts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);

    if (!(conn = virConnectOpen("test:///default")))
        g_error("cannot open test:///default: %s", virGetLastErrorMessage());
    cbid = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                            VIR_DOMAIN_EVENT_CALLBACK(lifecycleCb),
                                            NULL, NULL);
    if (cbid < 0)
        g_error("cannot register events: %s", virGetLastErrorMessage());

    for (i = 0; i < ndomains; i++) {
        g_autofree char *name = domName(i);
        g_autofree char *xml = domXML(name, 0);
        virDomainPtr dom = virDomainDefineXML(conn, xml);

        if (!dom)
            g_error("define %s: %s", name, virGetLastErrorMessage());
        g_atomic_int_inc(&okCount[OP_DEFINE]);
        virDomainFree(dom);
    }

    timer = virEventAddTimeout(10, tickCb, NULL, NULL);
    watchdog = g_thread_new("watchdog", watchdogThread, NULL);
    for (i = 0; i < NTHREADS; i++) {
        workers[i].index = i;
        workers[i].seed = 1000 + i;
        threads[i] = g_thread_new("worker", workerThread, &workers[i]);
    }

    end = g_get_monotonic_time() + (gint64) (duration * G_USEC_PER_SEC);
    while (g_get_monotonic_time() < end)
        virEventRunDefaultImpl();
    g_atomic_int_set(&stopFlag, 1);
    for (i = 0; i < NTHREADS; i++)
        g_thread_join(threads[i]);
    g_thread_join(watchdog);

    /* let the last events arrive */
    end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    while (receivedTotal() < expectedTotal() && g_get_monotonic_time() < end)
        virEventRunDefaultImpl();
    end = g_get_monotonic_time() + 50000;
    while (g_get_monotonic_time() < end)
        virEventRunDefaultImpl();

    for (i = 0; i < OP_LAST; i++)
        total += okCount[i];
    printf("# %d operations succeeded (progress %d), %d events\n", total,
           progress, receivedTotal());
    printf("# ok: start %d create %d suspend %d resume %d destroy %d shutdown %d "
           "reboot %d define %d undefine %d\n",
           okCount[OP_START], okCount[OP_CREATE_XML], okCount[OP_SUSPEND],
           okCount[OP_RESUME], okCount[OP_DESTROY], okCount[OP_SHUTDOWN],
           okCount[OP_REBOOT], okCount[OP_DEFINE], okCount[OP_UNDEFINE]);

    check(totalEvents[VIR_DOMAIN_EVENT_STARTED] ==
          okCount[OP_START] + okCount[OP_CREATE_XML],
          "STARTED events %d != starts %d + creates %d",
          totalEvents[VIR_DOMAIN_EVENT_STARTED], okCount[OP_START],
          okCount[OP_CREATE_XML]);
    check(totalEvents[VIR_DOMAIN_EVENT_STOPPED] ==
          okCount[OP_DESTROY] + okCount[OP_SHUTDOWN],
          "STOPPED events %d != destroys %d + shutdowns %d",
          totalEvents[VIR_DOMAIN_EVENT_STOPPED], okCount[OP_DESTROY],
          okCount[OP_SHUTDOWN]);
    check(totalEvents[VIR_DOMAIN_EVENT_SUSPENDED] == okCount[OP_SUSPEND],
          "SUSPENDED events %d != suspends %d",
          totalEvents[VIR_DOMAIN_EVENT_SUSPENDED], okCount[OP_SUSPEND]);
    check(totalEvents[VIR_DOMAIN_EVENT_RESUMED] == okCount[OP_RESUME],
          "RESUMED events %d != resumes %d",
          totalEvents[VIR_DOMAIN_EVENT_RESUMED], okCount[OP_RESUME]);
    check(totalEvents[VIR_DOMAIN_EVENT_DEFINED] == okCount[OP_DEFINE],
          "DEFINED events %d != defines %d",
          totalEvents[VIR_DOMAIN_EVENT_DEFINED], okCount[OP_DEFINE]);
    check(totalEvents[VIR_DOMAIN_EVENT_UNDEFINED] == okCount[OP_UNDEFINE],
          "UNDEFINED events %d != undefines %d",
          totalEvents[VIR_DOMAIN_EVENT_UNDEFINED], okCount[OP_UNDEFINE]);
    check(orderErrors == 0, "%d STARTED/STOPPED order errors", orderErrors);
    check(okCount[OP_START] > 0 && okCount[OP_DESTROY] > 0 && okCount[OP_LIST] > 0,
          "the load did not run");

    g_hash_table_iter_init(&iter, counts);
    while (g_hash_table_iter_next(&iter, &key, &value))
        checkDomain(conn, key, value);
    /* every domain was defined before the load, so every one had events */
    for (i = 0; i < ndomains; i++) {
        g_autofree char *name = domName(i);

        check(g_hash_table_contains(counts, name), "%s: no events", name);
    }
    check(virConnectNumOfDomains(conn) + virConnectNumOfDefinedDomains(conn) ==
          virConnectListAllDomains(conn, NULL, 0), "counts disagree with the list");

    virEventRemoveTimeout(timer);
    virConnectDomainEventDeregisterAny(conn, cbid);
    virConnectClose(conn);
    g_hash_table_destroy(counts);

    if (failures) {
        printf("not ok - %d inconsistencies\n", failures);
        return 1;
    }
    printf("ok - state and event counts consistent\n");
    return 0;
}
