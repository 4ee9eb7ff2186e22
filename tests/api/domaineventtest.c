/* Domain event registration and delivery through a driver's DomainEventState. */
#include <string.h>

#include "mockdriver.h"
#include "util/uuid.h"
#include "util/thread.h"

#define GENERIC(cb) ((virConnectDomainEventGenericCallback)(void (*)(void))(cb))

typedef struct {
    char tag[32];
    char name[64];
    int id;
    int a;
    int b;
    long long param;
    bool connMatches;
    GThread *thread;
} Seen;

static Mutex lock;
static GArray *seen;      /* Seen; protected by lock */
static int frees;         /* protected by lock */
static GPtrArray *freedTags;

static void
seenReset(void)
{
    mutexLock(&lock);
    g_array_set_size(seen, 0);
    frees = 0;
    g_ptr_array_set_size(freedTags, 0);
    mutexUnlock(&lock);
}

static guint
seenCount(void)
{
    guint n;

    mutexLock(&lock);
    n = seen->len;
    mutexUnlock(&lock);
    return n;
}

static Seen *
seenAt(guint i)
{
    return &g_array_index(seen, Seen, i);
}

static void
record(virConnectPtr conn, virDomainPtr dom, const char *tag, int a, int b,
       long long param)
{
    Seen s;

    memset(&s, 0, sizeof(s));
    g_strlcpy(s.tag, tag, sizeof(s.tag));
    g_strlcpy(s.name, virDomainGetName(dom), sizeof(s.name));
    s.id = (int)virDomainGetID(dom);
    s.a = a;
    s.b = b;
    s.param = param;
    s.connMatches = virDomainGetConnect(dom) == conn;
    s.thread = g_thread_self();
    mutexLock(&lock);
    g_array_append_val(seen, s);
    mutexUnlock(&lock);
}

static void
freeTag(void *opaque)
{
    mutexLock(&lock);
    frees++;
    g_ptr_array_add(freedTags, opaque);
    mutexUnlock(&lock);
}

static int
lifecycleCb(virConnectPtr conn, virDomainPtr dom, int event, int detail,
            void *opaque)
{
    record(conn, dom, opaque, event, detail, 0);
    return 0;
}

static void
rebootCb(virConnectPtr conn, virDomainPtr dom, void *opaque)
{
    record(conn, dom, opaque, 0, 0, 0);
}

static void
jobCompletedCb(virConnectPtr conn, virDomainPtr dom,
               virTypedParameterPtr params, int nparams, void *opaque)
{
    unsigned long long total = 0;

    g_assert_cmpint(virTypedParamsGetULLong(params, nparams, "time_elapsed",
                                            &total), ==, 1);
    record(conn, dom, opaque, nparams, 0, (long long)total);
}

static void
migrationIterationCb(virConnectPtr conn, virDomainPtr dom, int iteration,
                     void *opaque)
{
    record(conn, dom, opaque, iteration, 0, 0);
}

static int deregisterID = -1;

/* Deregisters callback deregisterID from inside a dispatch. */
static int
selfDeregisterCb(virConnectPtr conn, virDomainPtr dom, int event, int detail,
                 void *opaque)
{
    record(conn, dom, opaque, event, detail, 0);
    g_assert_cmpint(virConnectDomainEventDeregisterAny(conn, deregisterID), ==, 0);
    /* The freecb waits for the end of the dispatch. */
    mutexLock(&lock);
    g_assert_cmpint(frees, ==, 0);
    mutexUnlock(&lock);
    return 0;
}

static void
queueLifecycle(int type, int detail)
{
    domainEventStateQueue(mockDriverEvents(),
                          domainEventLifecycleNew("mock", mockDriverUUID(), 1,
                                                  type, detail));
}

static gpointer
queueDefined(gpointer data)
{
    queueLifecycle(VIR_DOMAIN_EVENT_DEFINED, 0);
    return NULL;
}

static void
runUntilSeen(guint n)
{
    gint64 deadline = g_get_monotonic_time() + 5 * G_TIME_SPAN_SECOND;

    while (seenCount() < n) {
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        virEventRunDefaultImpl();
    }
}

static void
testNoLoop(void)
{
    virConnectPtr conn = virConnectOpen("mock:///");
    virErrorPtr err = NULL;

    g_assert_cmpint(virConnectDomainEventRegisterAny(conn, NULL, 0, GENERIC(lifecycleCb),
                                                     NULL, NULL), ==, -1);
    err = virGetLastError();
    g_assert_cmpint(err->code, ==, VIR_ERR_INTERNAL_ERROR);
    g_assert_cmpint(err->domain, ==, VIR_FROM_NONE);
    g_assert_cmpstr(err->message, ==, "internal error: could not initialize domain event timer");
    g_assert_cmpint(virConnectDomainEventRegister(conn, lifecycleCb, NULL, NULL), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_INTERNAL_ERROR);
    /* Nobody listens: events are dropped. */
    queueLifecycle(VIR_DOMAIN_EVENT_STARTED, 0);
    g_assert_cmpint(virConnectClose(conn), ==, 0);
    g_assert_cmpint(virEventRegisterDefaultImpl(), ==, 0);
}

static void
testDelivery(void)
{
    virConnectPtr conn = virConnectOpen("mock:///");
    virConnectPtr other = virConnectOpen("mock:///");
    virDomainPtr dom = virDomainLookupByName(conn, "mock");
    GThread *queuer = NULL;
    int idAll;
    int idDom;
    int idReboot;
    int idOther;
    guint i;

    seenReset();
    idAll = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                             GENERIC(lifecycleCb), (void *)"all", freeTag);
    idDom = virConnectDomainEventRegisterAny(conn, dom, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                             GENERIC(lifecycleCb), (void *)"dom", freeTag);
    idReboot = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_REBOOT,
                                                GENERIC(rebootCb), (void *)"reboot", freeTag);
    g_assert_cmpint(virConnectDomainEventRegister(conn, lifecycleCb, (void *)"legacy", freeTag), ==, 0);
    idOther = virConnectDomainEventRegisterAny(other, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                               GENERIC(lifecycleCb), (void *)"other", freeTag);
    g_assert_cmpint(idAll, >=, 0);
    g_assert_cmpint(idDom, ==, idAll + 1);
    g_assert_cmpint(idReboot, ==, idDom + 1);
    /* The legacy registration used an ID too. */
    g_assert_cmpint(idOther, ==, idReboot + 2);
    g_assert_cmpuint(domainEventStateCount(mockDriverEvents(), VIR_DOMAIN_EVENT_ID_LIFECYCLE), ==, 4);

    /* Queued from another thread; delivered by the loop on this one. */
    queuer = g_thread_new("queuer", queueDefined, NULL);
    g_thread_join(queuer);
    queueLifecycle(VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
    /* An event for another domain: only the unfiltered callbacks see it. */
    {
        unsigned char uuid[VIR_UUID_BUFLEN] = { 1, 2, 3 };

        domainEventStateQueue(mockDriverEvents(),
                              domainEventLifecycleNew("other", uuid, 7,
                                                      VIR_DOMAIN_EVENT_RESUMED, 0));
    }
    domainEventStateQueue(mockDriverEvents(),
                          domainEventRebootNew("mock", mockDriverUUID(), 1));
    g_assert_cmpuint(seenCount(), ==, 0);
    runUntilSeen(12);

    {
        static const struct { const char *tag; const char *name; int a; int b; } expect[] = {
            { "all", "mock", 0, 0 }, { "dom", "mock", 0, 0 }, { "legacy", "mock", 0, 0 },
            { "other", "mock", 0, 0 },
            { "all", "mock", 3, 0 }, { "dom", "mock", 3, 0 }, { "legacy", "mock", 3, 0 },
            { "other", "mock", 3, 0 },
            { "all", "other", 4, 0 }, { "legacy", "other", 4, 0 }, { "other", "other", 4, 0 },
            { "reboot", "mock", 0, 0 },
        };

        g_assert_cmpuint(seenCount(), ==, G_N_ELEMENTS(expect));
        for (i = 0; i < G_N_ELEMENTS(expect); i++) {
            Seen *s = seenAt(i);

            g_assert_cmpstr(s->tag, ==, expect[i].tag);
            g_assert_cmpstr(s->name, ==, expect[i].name);
            g_assert_cmpint(s->a, ==, expect[i].a);
            g_assert_true(s->connMatches);
            g_assert_true(s->thread == g_thread_self());
        }
        g_assert_cmpint(seenAt(8)->id, ==, 7);
    }

    /* Deregistration runs the freecb at once, outside a dispatch. */
    g_assert_cmpint(virConnectDomainEventDeregisterAny(conn, idDom), ==, 0);
    g_assert_cmpint(frees, ==, 1);
    g_assert_cmpint(virConnectDomainEventDeregisterAny(conn, idDom), ==, -1);
    g_assert_cmpstr(virGetLastErrorMessage(), ==,
                    "invalid argument: could not find event callback 1 for deletion");
    /* IDs belong to their connection. */
    g_assert_cmpint(virConnectDomainEventDeregisterAny(conn, idOther), ==, -1);
    g_assert_cmpint(virConnectDomainEventDeregisterAny(other, idAll), ==, -1);
    g_assert_cmpint(virConnectDomainEventDeregister(other, lifecycleCb), ==, -1);
    g_assert_true(g_str_has_prefix(virGetLastErrorMessage(),
                                   "invalid argument: event callback function 0x"));
    g_assert_true(g_str_has_suffix(virGetLastErrorMessage(), " not registered"));
    g_assert_cmpint(virConnectDomainEventDeregister(conn, lifecycleCb), ==, 0);
    g_assert_cmpint(virConnectDomainEventDeregisterAny(conn, idAll), ==, 0);
    g_assert_cmpint(virConnectDomainEventDeregisterAny(conn, idReboot), ==, 0);
    g_assert_cmpint(virConnectDomainEventDeregisterAny(other, idOther), ==, 0);
    g_assert_cmpint(frees, ==, 5);
    g_assert_cmpuint(domainEventStateCount(mockDriverEvents(), VIR_DOMAIN_EVENT_ID_LIFECYCLE), ==, 0);

    virDomainFree(dom);
    g_assert_cmpint(virConnectClose(conn), ==, 0);
    g_assert_cmpint(virConnectClose(other), ==, 0);
}

static void
testDuplicates(void)
{
    virConnectPtr conn = virConnectOpen("mock:///");
    virConnectPtr other = virConnectOpen("mock:///");
    virDomainPtr dom = virDomainLookupByName(conn, "mock");
    int ids[4];
    size_t i;

    ids[0] = virConnectDomainEventRegisterAny(conn, NULL, 0, GENERIC(lifecycleCb), NULL, NULL);
    g_assert_cmpint(ids[0], >=, 0);
    /* Same callback, event and domain filter: refused, whatever the opaque. */
    g_assert_cmpint(virConnectDomainEventRegisterAny(conn, NULL, 0, GENERIC(lifecycleCb),
                                                     (void *)"x", freeTag), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_INVALID_ARG);
    g_assert_cmpint(virGetLastErrorDomain(), ==, VIR_FROM_NONE);
    g_assert_cmpstr(virGetLastErrorMessage(), ==, "invalid argument: event callback already tracked");
    /* Another filter, connection or registration kind is another callback. */
    ids[1] = virConnectDomainEventRegisterAny(conn, dom, 0, GENERIC(lifecycleCb), NULL, NULL);
    ids[2] = virConnectDomainEventRegisterAny(other, NULL, 0, GENERIC(lifecycleCb), NULL, NULL);
    g_assert_cmpint(ids[1], >=, 0);
    g_assert_cmpint(ids[2], >=, 0);
    g_assert_cmpint(virConnectDomainEventRegister(conn, lifecycleCb, NULL, NULL), ==, 0);
    g_assert_cmpint(virConnectDomainEventRegister(conn, lifecycleCb, NULL, NULL), ==, -1);
    g_assert_cmpstr(virGetLastErrorMessage(), ==, "invalid argument: event callback already tracked");
    g_assert_cmpint(virConnectDomainEventDeregister(conn, lifecycleCb), ==, 0);
    ids[3] = virConnectDomainEventRegisterAny(conn, dom, 0, GENERIC(lifecycleCb), NULL, NULL);
    g_assert_cmpint(ids[3], ==, -1);

    for (i = 0; i < 2; i++)
        g_assert_cmpint(virConnectDomainEventDeregisterAny(conn, ids[i]), ==, 0);
    g_assert_cmpint(virConnectDomainEventDeregisterAny(other, ids[2]), ==, 0);
    virDomainFree(dom);
    virConnectClose(conn);
    virConnectClose(other);
}

static void
testOtherEventTypes(void)
{
    virConnectPtr conn = virConnectOpen("mock:///");
    virTypedParameterPtr params = NULL;
    int nparams = 0;
    int maxparams = 0;
    int idJob;
    int idMig;
    int idUnused;

    seenReset();
    idJob = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_JOB_COMPLETED,
                                             GENERIC(jobCompletedCb), (void *)"job", NULL);
    idMig = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION,
                                             GENERIC(migrationIterationCb), (void *)"mig", NULL);
    /* Other IDs register but never fire. */
    idUnused = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_BLOCK_THRESHOLD,
                                                GENERIC(rebootCb), (void *)"unused", NULL);
    g_assert_cmpint(idUnused, >=, 0);

    virTypedParamsAddULLong(&params, &nparams, &maxparams, "time_elapsed", 1234);
    virTypedParamsAddInt(&params, &nparams, &maxparams, "operation", 3);
    domainEventStateQueue(mockDriverEvents(),
                          domainEventJobCompletedNew("mock", mockDriverUUID(), 1,
                                                     params, nparams));
    domainEventStateQueue(mockDriverEvents(),
                          domainEventMigrationIterationNew("mock", mockDriverUUID(), 1, 2));
    runUntilSeen(2);
    g_assert_cmpstr(seenAt(0)->tag, ==, "job");
    g_assert_cmpint(seenAt(0)->a, ==, 2);
    g_assert_cmpint(seenAt(0)->param, ==, 1234);
    g_assert_cmpstr(seenAt(1)->tag, ==, "mig");
    g_assert_cmpint(seenAt(1)->a, ==, 2);

    virConnectDomainEventDeregisterAny(conn, idJob);
    virConnectDomainEventDeregisterAny(conn, idMig);
    virConnectDomainEventDeregisterAny(conn, idUnused);
    virConnectClose(conn);
}

/* The DomainEventFields IDs reach callbacks with libvirt's signatures. */
static char lastText[256];   /* written on the loop thread, read after runUntilSeen */

static void
thresholdCb(virConnectPtr conn, virDomainPtr dom, const char *dev, const char *path,
            unsigned long long threshold, unsigned long long excess, void *opaque)
{
    g_snprintf(lastText, sizeof(lastText), "%s|%s|%llu", dev, path ? path : "(null)", excess);
    record(conn, dom, opaque, 0, 0, (long long)threshold);
}

static void
diskChangeCb(virConnectPtr conn, virDomainPtr dom, const char *oldSrc, const char *newSrc,
             const char *alias, int reason, void *opaque)
{
    g_assert_null(newSrc);
    g_assert_cmpstr(oldSrc, ==, "/old.iso");
    g_assert_cmpstr(alias, ==, "ide0-1-0");
    record(conn, dom, opaque, reason, 0, 0);
}

static void
rtcCb(virConnectPtr conn, virDomainPtr dom, long long offset, void *opaque)
{
    record(conn, dom, opaque, 0, 0, offset);
}

static void
memoryFailureCb(virConnectPtr conn, virDomainPtr dom, int recipient, int action,
                unsigned int flags, void *opaque)
{
    record(conn, dom, opaque, recipient, action, flags);
}

static void
tunableCb(virConnectPtr conn, virDomainPtr dom, virTypedParameterPtr params, int nparams,
          void *opaque)
{
    long long quota = 0;

    g_assert_cmpint(virTypedParamsGetLLong(params, nparams, "cputune.vcpu_quota", &quota), ==, 1);
    record(conn, dom, opaque, nparams, 0, quota);
}

static void
testFieldsEvents(void)
{
    virConnectPtr conn = virConnectOpen("mock:///");
    virTypedParameterPtr params = NULL;
    int nparams = 0;
    int maxparams = 0;
    int ids[5];
    DomainEventFields f;
    size_t i;

    seenReset();
    ids[0] = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_BLOCK_THRESHOLD,
                                              GENERIC(thresholdCb), (void *)"thr", NULL);
    ids[1] = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_DISK_CHANGE,
                                              GENERIC(diskChangeCb), (void *)"disk", NULL);
    ids[2] = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_RTC_CHANGE,
                                              GENERIC(rtcCb), (void *)"rtc", NULL);
    ids[3] = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_MEMORY_FAILURE,
                                              GENERIC(memoryFailureCb), (void *)"mem", NULL);
    ids[4] = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_TUNABLE,
                                              GENERIC(tunableCb), (void *)"tun", NULL);
    for (i = 0; i < G_N_ELEMENTS(ids); i++)
        g_assert_cmpint(ids[i], >=, 0);

    memset(&f, 0, sizeof(f));
    f.s1 = "vda[1]";
    f.ull1 = 1ULL << 40;
    f.ull2 = 4096;
    domainEventStateQueue(mockDriverEvents(),
                          domainEventFieldsNew(VIR_DOMAIN_EVENT_ID_BLOCK_THRESHOLD, "mock",
                                               mockDriverUUID(), 1, &f, NULL, 0));
    memset(&f, 0, sizeof(f));
    f.s1 = "/old.iso";
    f.s3 = "ide0-1-0";
    f.i1 = VIR_DOMAIN_EVENT_DISK_DROP_MISSING_ON_START;
    domainEventStateQueue(mockDriverEvents(),
                          domainEventFieldsNew(VIR_DOMAIN_EVENT_ID_DISK_CHANGE, "mock",
                                               mockDriverUUID(), 1, &f, NULL, 0));
    memset(&f, 0, sizeof(f));
    f.ll = -3600;
    domainEventStateQueue(mockDriverEvents(),
                          domainEventFieldsNew(VIR_DOMAIN_EVENT_ID_RTC_CHANGE, "mock",
                                               mockDriverUUID(), 1, &f, NULL, 0));
    memset(&f, 0, sizeof(f));
    f.i1 = VIR_DOMAIN_EVENT_MEMORY_FAILURE_RECIPIENT_GUEST;
    f.i2 = VIR_DOMAIN_EVENT_MEMORY_FAILURE_ACTION_RESET;
    f.u1 = VIR_DOMAIN_MEMORY_FAILURE_RECURSIVE;
    domainEventStateQueue(mockDriverEvents(),
                          domainEventFieldsNew(VIR_DOMAIN_EVENT_ID_MEMORY_FAILURE, "mock",
                                               mockDriverUUID(), 1, &f, NULL, 0));
    memset(&f, 0, sizeof(f));
    virTypedParamsAddLLong(&params, &nparams, &maxparams, "cputune.vcpu_quota", 1000);
    domainEventStateQueue(mockDriverEvents(),
                          domainEventFieldsNew(VIR_DOMAIN_EVENT_ID_TUNABLE, "mock",
                                               mockDriverUUID(), 1, &f, params, nparams));
    runUntilSeen(5);
    g_assert_cmpstr(seenAt(0)->tag, ==, "thr");
    g_assert_cmpint(seenAt(0)->param, ==, (long long)(1ULL << 40));
    g_assert_cmpstr(lastText, ==, "vda[1]|(null)|4096");
    g_assert_cmpstr(seenAt(1)->tag, ==, "disk");
    g_assert_cmpint(seenAt(1)->a, ==, VIR_DOMAIN_EVENT_DISK_DROP_MISSING_ON_START);
    g_assert_cmpstr(seenAt(2)->tag, ==, "rtc");
    g_assert_cmpint(seenAt(2)->param, ==, -3600);
    g_assert_cmpstr(seenAt(3)->tag, ==, "mem");
    g_assert_cmpint(seenAt(3)->a, ==, VIR_DOMAIN_EVENT_MEMORY_FAILURE_RECIPIENT_GUEST);
    g_assert_cmpint(seenAt(3)->b, ==, VIR_DOMAIN_EVENT_MEMORY_FAILURE_ACTION_RESET);
    g_assert_cmpint(seenAt(3)->param, ==, VIR_DOMAIN_MEMORY_FAILURE_RECURSIVE);
    g_assert_cmpstr(seenAt(4)->tag, ==, "tun");
    g_assert_cmpint(seenAt(4)->a, ==, 1);
    g_assert_cmpint(seenAt(4)->param, ==, 1000);
    g_assert_cmpstr(seenAt(4)->name, ==, "mock");

    for (i = 0; i < G_N_ELEMENTS(ids); i++)
        virConnectDomainEventDeregisterAny(conn, ids[i]);
    virConnectClose(conn);
}

static void
testDeregisterInCallback(void)
{
    virConnectPtr conn = virConnectOpen("mock:///");
    int idFirst;

    seenReset();
    idFirst = virConnectDomainEventRegisterAny(conn, NULL, 0, GENERIC(selfDeregisterCb),
                                               (void *)"first", freeTag);
    deregisterID = idFirst;
    g_assert_cmpint(virConnectDomainEventRegisterAny(conn, NULL, 0, GENERIC(lifecycleCb),
                                                     (void *)"second", freeTag), >=, 0);
    queueLifecycle(VIR_DOMAIN_EVENT_STARTED, 0);
    queueLifecycle(VIR_DOMAIN_EVENT_STOPPED, 0);
    runUntilSeen(3);
    /* "first" ran once, then never again, even for the queued event. */
    g_assert_cmpstr(seenAt(0)->tag, ==, "first");
    g_assert_cmpstr(seenAt(1)->tag, ==, "second");
    g_assert_cmpstr(seenAt(2)->tag, ==, "second");
    g_assert_cmpint(seenAt(2)->a, ==, VIR_DOMAIN_EVENT_STOPPED);
    g_assert_cmpint(frees, ==, 1);
    g_assert_cmpstr(g_ptr_array_index(freedTags, 0), ==, "first");
    g_assert_cmpuint(domainEventStateCount(mockDriverEvents(), 0), ==, 1);

    /* A callback keeps its connection alive; dropping it closes it. */
    {
        int closes = mockDriverCloses();
        int id = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_REBOOT,
                                                  GENERIC(rebootCb), NULL, NULL);

        g_assert_cmpint(virConnectClose(conn), ==, 1);
        g_assert_cmpint(mockDriverCloses(), ==, closes);
        g_assert_cmpint(virConnectDomainEventDeregisterAny(conn, id), ==, 0);
        g_assert_cmpint(mockDriverCloses(), ==, closes);
        g_assert_cmpint(virConnectDomainEventDeregister(conn, lifecycleCb), ==, -1);
        domainEventStateDeregisterConn(mockDriverEvents(), conn);
        g_assert_cmpint(mockDriverCloses(), ==, closes + 1);
    }
}

static int registeredInCb = -1;

/* Registers a "late" callback from inside the dispatch of the first event. */
static int
registeringCb(virConnectPtr conn, virDomainPtr dom, int event, int detail,
              void *opaque)
{
    record(conn, dom, opaque, event, detail, 0);
    if (registeredInCb < 0)
        registeredInCb = virConnectDomainEventRegisterAny(conn, NULL, 0, GENERIC(lifecycleCb),
                                                          (void *)"late", NULL);
    return 0;
}

static void
testRegisterInCallback(void)
{
    virConnectPtr conn = virConnectOpen("mock:///");
    int id;

    seenReset();
    registeredInCb = -1;
    id = virConnectDomainEventRegisterAny(conn, NULL, 0, GENERIC(registeringCb),
                                          (void *)"early", NULL);
    g_assert_cmpint(id, >=, 0);
    queueLifecycle(VIR_DOMAIN_EVENT_STARTED, 0);
    queueLifecycle(VIR_DOMAIN_EVENT_STOPPED, 0);
    runUntilSeen(3);
    /* "late" came during STARTED's delivery: not for it, for STOPPED only. */
    g_assert_cmpint(registeredInCb, >=, 0);
    g_assert_cmpuint(seenCount(), ==, 3);
    g_assert_cmpstr(seenAt(0)->tag, ==, "early");
    g_assert_cmpint(seenAt(0)->a, ==, VIR_DOMAIN_EVENT_STARTED);
    g_assert_cmpstr(seenAt(1)->tag, ==, "early");
    g_assert_cmpint(seenAt(1)->a, ==, VIR_DOMAIN_EVENT_STOPPED);
    g_assert_cmpstr(seenAt(2)->tag, ==, "late");
    g_assert_cmpint(seenAt(2)->a, ==, VIR_DOMAIN_EVENT_STOPPED);
    g_assert_cmpint(virConnectDomainEventDeregisterAny(conn, registeredInCb), ==, 0);
    g_assert_cmpint(virConnectDomainEventDeregisterAny(conn, id), ==, 0);
    virConnectClose(conn);
}

static gpointer
queueMany(gpointer data)
{
    int i;

    for (i = 0; i < 1000; i++)
        queueLifecycle(VIR_DOMAIN_EVENT_DEFINED, i);
    return NULL;
}

static void
testStress(void)
{
    virConnectPtr conn = virConnectOpen("mock:///");
    GThread *threads[4];
    int id;
    size_t i;
    guint j;

    seenReset();
    id = virConnectDomainEventRegisterAny(conn, NULL, 0, GENERIC(lifecycleCb),
                                          (void *)"stress", NULL);
    for (i = 0; i < G_N_ELEMENTS(threads); i++)
        threads[i] = g_thread_new("queue", queueMany, NULL);
    for (i = 0; i < G_N_ELEMENTS(threads); i++)
        g_thread_join(threads[i]);
    runUntilSeen(4000);
    g_assert_cmpuint(seenCount(), ==, 4000);
    /* Nothing lost, nothing doubled: every detail value 4 times. */
    {
        g_autofree int *counts = g_new0(int, 1000);

        for (j = 0; j < seenCount(); j++) {
            int detail = seenAt(j)->b;

            g_assert_cmpint(detail, >=, 0);
            g_assert_cmpint(detail, <, 1000);
            counts[detail]++;
        }
        for (i = 0; i < 1000; i++)
            g_assert_cmpint(counts[i], ==, 4);
    }
    virConnectDomainEventDeregisterAny(conn, id);
    virConnectClose(conn);
}

static void
quiet(void *userData, virErrorPtr err)
{
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    mockDriverRegister();
    virSetErrorFunc(NULL, quiet);
    seen = g_array_new(FALSE, TRUE, sizeof(Seen));
    freedTags = g_ptr_array_new();
    /* Order matters: no event loop until the first test registers it. */
    g_test_add_func("/events/no-loop", testNoLoop);
    g_test_add_func("/events/delivery", testDelivery);
    g_test_add_func("/events/duplicates", testDuplicates);
    g_test_add_func("/events/other-types", testOtherEventTypes);
    g_test_add_func("/events/fields-types", testFieldsEvents);
    g_test_add_func("/events/deregister-in-callback", testDeregisterInCallback);
    g_test_add_func("/events/register-in-callback", testRegisterInCallback);
    g_test_add_func("/events/stress", testStress);
    return g_test_run();
}
