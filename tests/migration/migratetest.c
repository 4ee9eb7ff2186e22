/*
 * Migration through the public API between two in-process test-driver
 * hosts (test:///ABS/src.xml -> test:///ABS/dst.xml): every flag
 * combination, events and states on both sides (reference/events.md), and
 * fault injection at every step with the invariants checked after each.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "api/migrate_steps.h"
#include "migration/migration.h"

static char *srcURI;
static char *dstURI;
static GPtrArray *events;     /* "src 3/1", "dst 2/1" ... */
static int failures;

#define FAULT_ENV "VIRTKIT_TEST_MIGRATION_FAULT"

static int
lifecycleCb(virConnectPtr conn, virDomainPtr dom, int event, int detail,
            void *opaque)
{
    g_ptr_array_add(events, g_strdup_printf("%s %d/%d", (const char *)opaque,
                                            event, detail));
    return 0;
}

static void
quietErrors(void *opaque, virErrorPtr err)
{
}

static void
tickCb(int timer, void *opaque)
{
}

/* Deliver what the drivers queued (the event loop runs them). */
static void
pumpEvents(void)
{
    gint64 until = g_get_monotonic_time() + 5000;
    int timer = virEventAddTimeout(1, tickCb, NULL, NULL);

    while (g_get_monotonic_time() < until)
        virEventRunDefaultImpl();
    virEventRemoveTimeout(timer);
}

/* The events so far: the source's in order, then the destination's (the
 * two hosts deliver independently, so only each host's order is defined). */
static char *
takeEvents(void)
{
    GString *s = g_string_new(NULL);
    const char *hosts[] = { "src ", "dst " };
    size_t h;
    guint i;

    for (h = 0; h < G_N_ELEMENTS(hosts); h++) {
        for (i = 0; i < events->len; i++) {
            const char *ev = g_ptr_array_index(events, i);

            if (g_str_has_prefix(ev, hosts[h]))
                g_string_append_printf(s, "%s%s", s->len ? ", " : "", ev);
        }
    }
    g_ptr_array_set_size(events, 0);
    return g_string_free(s, FALSE);
}

static void
fail(const char *name, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void
fail(const char *name, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    printf("not ok - %s: %s\n", name, msg);
    failures++;
}

static bool
streq0(const char *a, const char *b)
{
    return g_strcmp0(a, b) == 0;
}

typedef struct {
    virConnectPtr src;
    virConnectPtr dst;
    int srcCb;
    int dstCb;
} Hosts;

static int
hostsOpen(Hosts *h)
{
    if (!(h->src = virConnectOpen(srcURI)) || !(h->dst = virConnectOpen(dstURI)))
        return -1;
    h->srcCb = virConnectDomainEventRegisterAny(h->src, NULL,
                                                VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                VIR_DOMAIN_EVENT_CALLBACK(lifecycleCb),
                                                (void *)"src", NULL);
    h->dstCb = virConnectDomainEventRegisterAny(h->dst, NULL,
                                                VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                VIR_DOMAIN_EVENT_CALLBACK(lifecycleCb),
                                                (void *)"dst", NULL);
    g_ptr_array_set_size(events, 0);
    return 0;
}

static void
hostsClose(Hosts *h)
{
    pumpEvents();
    if (h->src) {
        virConnectDomainEventDeregisterAny(h->src, h->srcCb);
        virConnectClose(h->src);
    }
    if (h->dst) {
        virConnectDomainEventDeregisterAny(h->dst, h->dstCb);
        virConnectClose(h->dst);
    }
    g_ptr_array_set_size(events, 0);
}

/* "state/reason" of the guest on @conn, or "none". */
static char *
guestState(virConnectPtr conn)
{
    virDomainPtr dom = virDomainLookupByName(conn, "guest");
    int state = -1;
    int reason = -1;

    virResetLastError();
    if (!dom)
        return g_strdup("none");
    virDomainGetState(dom, &state, &reason, 0);
    virDomainFree(dom);
    return g_strdup_printf("%d/%d", state, reason);
}

/*
 * The invariant of issue #6/#8 after any case: the guest runs on exactly
 * one host, or (only after a post-copy failure) is paused with
 * POSTCOPY_FAILED on both; and no migration job is left behind.
 */
static void
checkInvariant(const char *name, Hosts *h, bool postcopyFailed, bool lost)
{
    g_autofree char *s = guestState(h->src);
    g_autofree char *d = guestState(h->dst);
    /* active: running or paused (a guest exists there) */
    bool srcHas = g_str_has_prefix(s, "1/") || g_str_has_prefix(s, "3/");
    bool dstHas = g_str_has_prefix(d, "1/") || g_str_has_prefix(d, "3/");
    g_autofree char *pcf = g_strdup_printf("%d/%d", VIR_DOMAIN_PAUSED,
                                           VIR_DOMAIN_PAUSED_POSTCOPY_FAILED);

    if (postcopyFailed) {
        if (!streq0(s, pcf) || !streq0(d, pcf))
            fail(name, "after a post-copy failure: src %s dst %s (want %s on both)",
                 s, d, pcf);
    } else if (lost) {
        if (srcHas || dstHas)
            fail(name, "a lost guest reappeared: src %s dst %s", s, d);
    } else if (srcHas == dstHas) {
        fail(name, "guest exists on %s host: src %s dst %s",
             srcHas ? "both" : "no", s, d);
    }
}

typedef struct {
    const char *name;
    unsigned int flags;
    const char *fault;          /* VIRTKIT_TEST_MIGRATION_FAULT or NULL */
    int code;                   /* expected error, 0 for success */
    const char *srcState;       /* "state/reason" or "none" afterwards */
    const char *dstState;
    const char *events;         /* exact, or NULL: not checked */
    bool postcopyFailed;
    bool lost;                  /* the source QEMU died: nowhere */
} MigCase;

#define EV_SRC_OUT "src 3/1"      /* SUSPENDED_MIGRATED */

static const MigCase cases[] = {
    /* ---- success, every flag combination the test driver supports ---- */
    { "live", VIR_MIGRATE_LIVE, NULL, 0, "5/4", "1/2",
      "src 3/1, src 5/3, dst 2/1, dst 4/1" },
    { "non-live", 0, NULL, 0, "5/4", "1/2",
      "src 3/1, src 5/3, dst 2/1, dst 4/1" },
    { "postcopy", VIR_MIGRATE_LIVE | VIR_MIGRATE_POSTCOPY, NULL, 0, "5/4", "1/2",
      "src 3/1, src 3/7, src 5/3, dst 2/1, dst 4/3, dst 4/1" },
    { "paused", VIR_MIGRATE_LIVE | VIR_MIGRATE_PAUSED, NULL, 0, "5/4", "3/1",
      "src 3/1, src 5/3, dst 2/1, dst 3/0" },
    { "persist-undefine", VIR_MIGRATE_LIVE | VIR_MIGRATE_PERSIST_DEST |
      VIR_MIGRATE_UNDEFINE_SOURCE, NULL, 0, "none", "1/2",
      "src 3/1, src 5/3, src 1/0, dst 2/1, dst 0/0, dst 4/1" },
    { "persist-postcopy-paused", VIR_MIGRATE_LIVE | VIR_MIGRATE_PERSIST_DEST |
      VIR_MIGRATE_POSTCOPY | VIR_MIGRATE_PAUSED | VIR_MIGRATE_AUTO_CONVERGE |
      VIR_MIGRATE_COMPRESSED | VIR_MIGRATE_ABORT_ON_ERROR, NULL, 0, "5/4", "1/2",
      NULL },

    /* ---- faults before the switch-over: the guest stays on the source ---- */
    { "prepare-fails", VIR_MIGRATE_LIVE, "D_NONE:fail", VIR_ERR_OPERATION_FAILED,
      "1/0", "none", "" },
    { "prepare-dst-qemu-crash", VIR_MIGRATE_LIVE, "D_INCOMING:QEMU_CRASH",
      VIR_ERR_OPERATION_FAILED, "1/0", "none", "dst 2/1, dst 5/5" },
    { "prepare-dst-restart", VIR_MIGRATE_LIVE, "D_INCOMING:restart",
      VIR_ERR_OPERATION_FAILED, "1/0", "none", "dst 2/1, dst 5/5" },
    { "perform-start-fails", VIR_MIGRATE_LIVE, "S_BEGIN:fail",
      VIR_ERR_OPERATION_FAILED, "1/0", "none", "dst 2/1, dst 5/5" },
    { "abort", VIR_MIGRATE_LIVE, "S_PERFORM:ABORT", VIR_ERR_OPERATION_ABORTED,
      "1/0", "none", "dst 2/1, dst 5/5" },
    { "abort-non-live", 0, "S_PERFORM:ABORT", VIR_ERR_OPERATION_ABORTED,
      "1/6", "none", "src 3/1, src 4/1, dst 2/1, dst 5/5" },
    /* abort at the switch-over (QEMU's completion not yet seen): resumed */
    { "abort-switchover", VIR_MIGRATE_LIVE, "S_SWITCHOVER:ABORT",
      VIR_ERR_OPERATION_ABORTED, "1/6", "none",
      "src 3/1, src 4/1, dst 2/1, dst 5/5" },
    /* ... but never once QEMU switched to post-copy: it completes */
    { "abort-switchover-postcopy", VIR_MIGRATE_LIVE | VIR_MIGRATE_POSTCOPY,
      "S_SWITCHOVER:ABORT", 0, "5/4", "1/2",
      "src 3/1, src 3/7, src 5/3, dst 2/1, dst 4/3, dst 4/1" },
    { "switchover-fails", VIR_MIGRATE_LIVE, "S_PERFORM:fail",
      VIR_ERR_OPERATION_FAILED, "1/6", "none", NULL },
    { "precopy-stream-fails", VIR_MIGRATE_LIVE, "S_PERFORM:Q_FAILED",
      VIR_ERR_OPERATION_FAILED, "1/0", "none", NULL },
    { "src-restart-precopy", VIR_MIGRATE_LIVE, "S_PERFORM:restart",
      VIR_ERR_OPERATION_FAILED, "1/0", "none", NULL },
    { "src-qemu-crash", VIR_MIGRATE_LIVE, "S_PERFORM:QEMU_CRASH",
      VIR_ERR_OPERATION_FAILED, "5/3", "none", NULL, false, true },
    { "finish-fails", VIR_MIGRATE_LIVE, "D_INCOMING:fail",
      VIR_ERR_OPERATION_FAILED, "1/6", "none",
      "src 3/1, src 4/1, dst 2/1, dst 5/5" },
    { "src-restart-done", VIR_MIGRATE_LIVE, "S_DONE_PRECOPY:restart",
      VIR_ERR_OPERATION_FAILED, "1/6", "none", NULL },

    /* ---- faults after the switch to post-copy: paused on both ---- */
    { "postcopy-fails", VIR_MIGRATE_LIVE | VIR_MIGRATE_POSTCOPY,
      "S_POSTCOPY:Q_PC_FAILED", VIR_ERR_OPERATION_FAILED, NULL, NULL,
      "src 3/1, src 3/7, src 3/8, dst 2/1, dst 4/3, dst 3/8", true },
    { "postcopy-peer-lost", VIR_MIGRATE_LIVE | VIR_MIGRATE_POSTCOPY,
      "S_POSTCOPY:PEER_ERROR", VIR_ERR_OPERATION_FAILED, NULL, NULL, NULL, true },
    { "postcopy-finish-fails", VIR_MIGRATE_LIVE | VIR_MIGRATE_POSTCOPY,
      "D_POSTCOPY_DONE:fail", VIR_ERR_OPERATION_FAILED, NULL, NULL, NULL, true },
    { "postcopy-src-restart", VIR_MIGRATE_LIVE | VIR_MIGRATE_POSTCOPY,
      "S_POSTCOPY:restart", VIR_ERR_OPERATION_FAILED, NULL, NULL, NULL, true },
};

static void
runCase(const MigCase *c)
{
    Hosts h = { 0 };
    virDomainPtr dom = NULL;
    virDomainPtr ddom = NULL;
    g_autofree char *evs = NULL;
    g_autofree char *s = NULL;
    g_autofree char *d = NULL;
    virErrorPtr err;
    int failuresBefore = failures;

    if (c->fault)
        g_setenv(FAULT_ENV, c->fault, TRUE);
    else
        g_unsetenv(FAULT_ENV);
    if (hostsOpen(&h) < 0 || !(dom = virDomainLookupByName(h.src, "guest"))) {
        fail(c->name, "cannot open the hosts");
        goto cleanup;
    }
    ddom = virDomainMigrate3(dom, h.dst, NULL, 0, c->flags);
    err = virGetLastError();
    if (c->code == 0 && !ddom) {
        fail(c->name, "migration failed: %s", err ? err->message : "no error");
    } else if (c->code != 0) {
        if (ddom)
            fail(c->name, "migration succeeded, expected error %d", c->code);
        else if (!err || err->code != c->code)
            fail(c->name, "error %d (%s), expected %d", err ? err->code : 0,
                 err ? err->message : "none", c->code);
    }
    g_unsetenv(FAULT_ENV);
    pumpEvents();
    evs = takeEvents();
    s = guestState(h.src);
    d = guestState(h.dst);
    if (c->srcState && !streq0(s, c->srcState))
        fail(c->name, "source state %s, expected %s", s, c->srcState);
    if (c->dstState && !streq0(d, c->dstState))
        fail(c->name, "destination state %s, expected %s", d, c->dstState);
    if (c->events && !streq0(evs, c->events))
        fail(c->name, "events '%s', expected '%s'", evs, c->events);
    checkInvariant(c->name, &h, c->postcopyFailed, c->lost);
    if (failures == failuresBefore)
        printf("ok - %s (src %s, dst %s; %s)\n", c->name, s, d, evs);

 cleanup:
    if (ddom)
        virDomainFree(ddom);
    if (dom)
        virDomainFree(dom);
    hostsClose(&h);
}

/* A source that completed keeps the final statistics (operation MIGRATION_OUT). */
static void
runJobCompleted(void)
{
    Hosts h = { 0 };
    virDomainPtr dom = NULL;
    virDomainPtr ddom = NULL;

    if (hostsOpen(&h) < 0 || !(dom = virDomainLookupByName(h.src, "guest")))
        return fail("job-completed", "cannot open the hosts");
    if (!(ddom = virDomainMigrate(dom, h.dst, VIR_MIGRATE_LIVE, NULL, NULL, 0)))
        fail("job-completed", "migration failed");
    else
        printf("ok - virDomainMigrate (legacy arguments)\n");
    if (ddom)
        virDomainFree(ddom);
    virDomainFree(dom);
    hostsClose(&h);
}

static void
runSameHost(void)
{
    virConnectPtr conn = virConnectOpen("test:///default");
    virDomainPtr dom = virDomainLookupByName(conn, "test");
    virDomainPtr ddom = virDomainMigrate3(dom, conn, NULL, 0, VIR_MIGRATE_LIVE);
    virErrorPtr err = virGetLastError();
    g_autofree char *msg = g_strdup(err ? err->message : "success");
    int code = err ? err->code : 0;
    int state = -1;
    int reason = -1;

    if (ddom || code != VIR_ERR_INTERNAL_ERROR ||
        !strstr(msg, "Attempt to migrate guest to the same host"))
        fail("same-host", "expected INTERNAL_ERROR same host, got %s", msg);
    virDomainGetState(dom, &state, &reason, 0);
    if (state != VIR_DOMAIN_RUNNING)
        fail("same-host", "guest state %d after a refused migration", state);
    else
        printf("ok - same-host refused: %s\n", msg);
    if (ddom)
        virDomainFree(ddom);
    virDomainFree(dom);
    virConnectClose(conn);
}

static void
runP2P(void)
{
    Hosts h = { 0 };
    virDomainPtr dom = NULL;
    g_autofree char *s = NULL;

    if (hostsOpen(&h) < 0 || !(dom = virDomainLookupByName(h.src, "guest")))
        return fail("p2p", "cannot open the hosts");
    /* The source host opens its own connection to the destination. */
    if (virDomainMigrateToURI3(dom, dstURI, NULL, 0,
                               VIR_MIGRATE_LIVE | VIR_MIGRATE_PEER2PEER) < 0)
        fail("p2p", "ToURI3 failed: %s", virGetLastError()->message);
    s = guestState(h.src);
    if (!streq0(s, "5/4"))
        fail("p2p", "source state %s after peer-to-peer migration", s);
    else
        printf("ok - p2p ToURI3 (source %s)\n", s);
    if (virDomainMigrateToURI(dom, dstURI, 0, NULL, 0) == 0 ||
        virGetLastError()->code != VIR_ERR_ARGUMENT_UNSUPPORTED)
        fail("direct", "direct migration should be unsupported");
    virDomainFree(dom);
    hostsClose(&h);
}

/* Tunnelled peer-to-peer in one process: the data goes through a stream of the destination. */
static void
runTunnel(void)
{
    Hosts h = { 0 };
    virDomainPtr dom = NULL;
    virDomainPtr ddom = NULL;
    g_autofree char *s = NULL;
    unsigned int tflags = VIR_MIGRATE_LIVE | VIR_MIGRATE_PEER2PEER | VIR_MIGRATE_TUNNELLED;

    if (hostsOpen(&h) < 0 || !(dom = virDomainLookupByName(h.src, "guest")))
        return fail("tunnel", "cannot open the hosts");
    /* libvirt's checks: TUNNELLED needs PEER2PEER */
    ddom = virDomainMigrate3(dom, h.dst, NULL, 0, VIR_MIGRATE_LIVE | VIR_MIGRATE_TUNNELLED);
    if (ddom || virGetLastError()->code != VIR_ERR_INVALID_ARG ||
        !strstr(virGetLastError()->message, "without using peer2peer flag"))
        fail("tunnel", "Migrate3 TUNNELLED without PEER2PEER was not refused as libvirt");
    /* an abort during Perform: the first error, the guest stays on the source */
    g_setenv(FAULT_ENV, "S_PERFORM:ABORT", TRUE);
    if (virDomainMigrateToURI3(dom, dstURI, NULL, 0, tflags) == 0 ||
        virGetLastError()->code != VIR_ERR_OPERATION_ABORTED)
        fail("tunnel", "aborted tunnelled migration: expected OPERATION_ABORTED, got %s",
             virGetLastError() ? virGetLastError()->message : "success");
    g_unsetenv(FAULT_ENV);
    /* (ToURI3 opens its own destination host: h.dst is another one) */
    s = guestState(h.src);
    if (!g_str_has_prefix(s, "1/"))
        fail("tunnel", "after the abort: source %s", s);
    g_clear_pointer(&s, g_free);
    if (virDomainMigrateToURI3(dom, dstURI, NULL, 0, tflags) < 0)
        fail("tunnel", "ToURI3 P2P|TUNNELLED failed: %s", virGetLastError()->message);
    s = guestState(h.src);
    if (!streq0(s, "5/4"))
        fail("tunnel", "after tunnelled migration: source %s", s);
    else
        printf("ok - tunnelled p2p (abort first, then source %s)\n", s);
    virDomainFree(dom);
    hostsClose(&h);
}

static void
runSpeed(void)
{
    Hosts h = { 0 };
    virDomainPtr dom = NULL;
    unsigned long bw = 0;
    unsigned long long dt = 0;

    if (hostsOpen(&h) < 0 || !(dom = virDomainLookupByName(h.src, "guest")))
        return fail("speed", "cannot open the hosts");
    if (virDomainMigrateSetMaxSpeed(dom, 100, 0) < 0 ||
        virDomainMigrateGetMaxSpeed(dom, &bw, 0) < 0 || bw != 100 ||
        virDomainMigrateSetMaxDowntime(dom, 50, 0) < 0 ||
        virDomainMigrateGetMaxDowntime(dom, &dt, 0) < 0 || dt != 50)
        fail("speed", "speed %lu downtime %llu", bw, dt);
    else
        printf("ok - max speed and downtime\n");
    virDomainFree(dom);
    hostsClose(&h);
}

/*
 * A cookie from a (newer) peer with a feature the receiver does not know:
 * ignored when optional, the migration refused when it is mandatory
 * (Prepare fails, nothing changes on either host).
 */
static void
runCookieFeature(const char *name, const char *feature, int code)
{
    Hosts h = { 0 };
    virDomainPtr dom = NULL;
    virDomainPtr ddom = NULL;
    virErrorPtr err;
    g_autofree char *msg = NULL;
    g_autofree char *s = NULL;
    g_autofree char *d = NULL;
    int errCode;
    int failuresBefore = failures;

    g_setenv("VIRTKIT_TEST_MIGRATION_COOKIE_FEATURE", feature, TRUE);
    if (hostsOpen(&h) < 0 || !(dom = virDomainLookupByName(h.src, "guest"))) {
        fail(name, "cannot open the hosts");
        goto cleanup;
    }
    ddom = virDomainMigrate3(dom, h.dst, NULL, 0, VIR_MIGRATE_LIVE);
    err = virGetLastError();
    msg = g_strdup(err ? err->message : "success");
    errCode = err ? err->code : 0;
    s = guestState(h.src);
    d = guestState(h.dst);
    if (code == 0 && (!ddom || !streq0(d, "1/2")))
        fail(name, "migration with an optional unknown feature: %s (dst %s)", msg, d);
    if (code != 0 &&
        (ddom || errCode != code ||
         !strstr(msg, "Unknown migration cookie feature x-future") ||
         !streq0(s, "1/0") || !streq0(d, "none")))
        fail(name, "expected refusal, got '%s' (src %s, dst %s)", msg, s, d);
    if (failures == failuresBefore)
        printf("ok - %s (%s)\n", name, msg);

 cleanup:
    g_unsetenv("VIRTKIT_TEST_MIGRATION_COOKIE_FEATURE");
    if (ddom)
        virDomainFree(ddom);
    if (dom)
        virDomainFree(dom);
    hostsClose(&h);
}

/*
 * Typed parameters are checked as libvirt 9.0's QEMU driver checks them
 * (the first offending one in name order): unknown ones are refused with
 * ARGUMENT_UNSUPPORTED, a wrong type or a repeated one with INVALID_ARG;
 * nothing changes on either host.  Known ones the driver ignores pass.
 */
static void
runParams(void)
{
    static const struct {
        const char *what;
        const char *field;
        int type;
        bool twice;
        int code;
        const char *message;
    } refused[] = {
        { "unknown", "no.such.param", VIR_TYPED_PARAM_STRING, false,
          VIR_ERR_ARGUMENT_UNSUPPORTED, "parameter 'no.such.param' not supported" },
        { "wrong type", VIR_MIGRATE_PARAM_BANDWIDTH_POSTCOPY, VIR_TYPED_PARAM_UINT, false,
          VIR_ERR_INVALID_ARG,
          "invalid type 'uint' for parameter 'bandwidth.postcopy', expected 'ullong'" },
        { "repeated", VIR_MIGRATE_PARAM_DEST_NAME, VIR_TYPED_PARAM_STRING, true,
          VIR_ERR_INVALID_ARG, "parameter 'destination_name' occurs multiple times" },
    };
    Hosts h = { 0 };
    virDomainPtr dom = NULL;
    virDomainPtr ddom = NULL;
    size_t i;

    if (hostsOpen(&h) < 0 || !(dom = virDomainLookupByName(h.src, "guest"))) {
        fail("params", "cannot open the hosts");
        goto cleanup;
    }
    for (i = 0; i < G_N_ELEMENTS(refused); i++) {
        virTypedParameterPtr params = NULL;
        int nparams = 0;
        int max = 0;
        virErrorPtr err;
        g_autofree char *s = NULL;
        g_autofree char *d = NULL;
        g_autofree char *msg = NULL;
        int code;
        int rc = 0;
        int n;

        for (n = 0; n < (refused[i].twice ? 2 : 1) && rc == 0; n++) {
            if (refused[i].type == VIR_TYPED_PARAM_UINT)
                rc = virTypedParamsAddUInt(&params, &nparams, &max, refused[i].field, 5);
            else
                rc = virTypedParamsAddString(&params, &nparams, &max, refused[i].field, "x");
        }
        /* a known parameter this driver does not act on, sorted first */
        if (rc == 0)
            rc = virTypedParamsAddString(&params, &nparams, &max,
                                         VIR_MIGRATE_PARAM_DISKS_URI, "tcp://127.0.0.1");
        ddom = rc == 0 ? virDomainMigrate3(dom, h.dst, params, nparams, VIR_MIGRATE_LIVE) :
                         NULL;
        err = virGetLastError();
        code = err ? err->code : 0;
        msg = g_strdup(err ? err->message : "success");
        s = guestState(h.src);
        d = guestState(h.dst);
        if (ddom || code != refused[i].code || !strstr(msg, refused[i].message) ||
            !g_str_has_prefix(s, "1/") || !streq0(d, "none"))
            fail("params", "%s: got %d '%s' (src %s, dst %s)", refused[i].what, code, msg, s,
                 d);
        else
            printf("ok - params: %s refused (%s)\n", refused[i].what, msg);
        if (ddom)
            virDomainFree(ddom);
        ddom = NULL;
        virTypedParamsFree(params, nparams);
    }

 cleanup:
    if (dom)
        virDomainFree(dom);
    hostsClose(&h);
}

/* Deliver events for @ms milliseconds (the migration watchdog runs too). */
static void
pumpFor(int ms)
{
    gint64 until = g_get_monotonic_time() + ms * 1000LL;

    while (g_get_monotonic_time() < until)
        pumpEvents();
}

/*
 * Phases after the switch to post-copy when VIR_MIGRATE_POSTCOPY is set,
 * read from the table: the phase entered by the CONTINUE action (QEMU is
 * told to switch), the source phases showing paused/postcopy and the
 * destination phases where the guest runs.
 */
static bool
phaseAfterSwitch(MigPhase phase)
{
    const MigPhaseInfo *info = migrationPhaseInfo(phase);
    const MigTransition *rows;
    size_t n;
    size_t i;

    if (migrationPhaseTimeout(phase) > 0 &&
        !migrationTransitionFind(phase, MIG_EVENT_TIMEOUT))
        fail(info->name, "a phase with a timeout has no TIMEOUT row");
    /* only a destination still receiving waits on, and only while it receives */
    if (migrationTimeoutWaitsOn(phase, MIG_EVENT_Q_ACTIVE) !=
        (phase == MIG_PHASE_D_INCOMING || phase == MIG_PHASE_D_POSTCOPY))
        fail(info->name, "waits on a running transfer: wrong phase");
    if (migrationTimeoutWaitsOn(phase, MIG_EVENT_NONE) ||
        migrationTimeoutWaitsOn(phase, MIG_EVENT_Q_COMPLETED) ||
        migrationTimeoutWaitsOn(phase, MIG_EVENT_Q_FAILED))
        fail(info->name, "waits on without a running transfer");
    if (migrationTimeoutWaitsOn(phase, MIG_EVENT_Q_ACTIVE) && migrationPhaseTimeout(phase) == 0)
        fail(info->name, "waits on in a phase without a timeout");
    rows = migrationTransitions(&n);
    for (i = 0; i < n; i++) {
        if (rows[i].action == MIG_ACTION_CONTINUE && rows[i].next == phase)
            return true;
    }
    if (info->side == MIG_SIDE_SOURCE)
        return info->reason == VIR_DOMAIN_PAUSED_POSTCOPY;
    return info->state == VIR_DOMAIN_RUNNING;
}

/* A phase entered only by the recovery after a restart (D_RECOVER). */
static bool
phaseOnlyAfterRestart(MigPhase phase)
{
    const MigTransition *rows;
    size_t n;
    size_t i;
    bool entered = false;

    rows = migrationTransitions(&n);
    for (i = 0; i < n; i++) {
        if (rows[i].from == phase)
            continue;
        if (rows[i].next == phase || rows[i].nextOnError == phase) {
            if (rows[i].event != MIG_EVENT_RESTART)
                return false;
            entered = true;
        }
    }
    return entered;
}

/*
 * Issue #8: the daemon of either side restarts in EVERY phase of the table
 * (the list comes from the table, not from this file).  For the test
 * driver a restart is the in-process recovery from the recorded phase
 * (docs/migration.md): the call in progress fails, the side applies the
 * RESTART row of its last persisted phase, the client cancels the rest.
 * The outcome must be the one the table predicts: before the switch to
 * post-copy the guest runs on the source only; after it, it is paused
 * with POSTCOPY_FAILED on both.  Every ACTIVE phase must be reached by
 * some flag set, except those entered only by a recovery.
 */
static void
runRestartEveryPhase(void)
{
    const unsigned int flagSets[] = {
        VIR_MIGRATE_LIVE, 0, VIR_MIGRATE_LIVE | VIR_MIGRATE_POSTCOPY,
    };
    int phase;

    g_setenv("VIRTKIT_MIGRATION_TIMEOUT_MS", "300", TRUE);
    for (phase = 0; phase < MIG_PHASE_LAST; phase++) {
        const MigPhaseInfo *info = migrationPhaseInfo(phase);
        bool reached = false;
        size_t f;

        if (info->kind != MIG_KIND_ACTIVE)
            continue;
        for (f = 0; f < G_N_ELEMENTS(flagSets); f++) {
            unsigned int flags = flagSets[f];
            bool pc = (flags & VIR_MIGRATE_POSTCOPY) && phaseAfterSwitch(phase);
            g_autofree char *name = g_strdup_printf("restart-%s-%s", info->name,
                                                    flags & VIR_MIGRATE_POSTCOPY ?
                                                    "postcopy" : flags ? "live" : "nonlive");
            g_autofree char *fault = g_strdup_printf("%s:restart", info->name);
            g_autofree char *s = NULL;
            g_autofree char *d = NULL;
            Hosts h = { 0 };
            virDomainPtr dom = NULL;
            virDomainPtr ddom = NULL;
            int failuresBefore = failures;

            g_setenv(FAULT_ENV, fault, TRUE);
            if (hostsOpen(&h) < 0 || !(dom = virDomainLookupByName(h.src, "guest"))) {
                fail(name, "cannot open the hosts");
                g_unsetenv(FAULT_ENV);
                hostsClose(&h);
                continue;
            }
            ddom = virDomainMigrate3(dom, h.dst, NULL, 0, flags);
            g_unsetenv(FAULT_ENV);
            /* a side left waiting for a step that never comes times out */
            pumpFor(!ddom && (flags & VIR_MIGRATE_POSTCOPY) ? 600 : 5);
            s = guestState(h.src);
            d = guestState(h.dst);
            if (ddom) {
                /* the phase is not on this run's path: a plain success */
                if (!streq0(s, "5/4") || !g_str_has_prefix(d, "1/"))
                    fail(name, "migrated, but src %s dst %s", s, d);
            } else {
                reached = true;
                if (pc && (!streq0(s, "3/13") || !streq0(d, "3/13")))
                    fail(name, "restart after the switch to post-copy: src %s dst %s "
                         "(want 3/13 on both)", s, d);
                if (!pc && (!g_str_has_prefix(s, "1/") || !streq0(d, "none")))
                    fail(name, "restart before the switch-over: src %s dst %s "
                         "(want running on the source only)", s, d);
            }
            checkInvariant(name, &h, !ddom && pc, false);
            if (failures == failuresBefore && !ddom)
                printf("ok - %s (src %s, dst %s)\n", name, s, d);
            if (ddom)
                virDomainFree(ddom);
            virDomainFree(dom);
            hostsClose(&h);
        }
        if (!reached && !phaseOnlyAfterRestart(phase))
            fail(info->name, "no run reached this phase: its restart is untested");
        else if (!reached)
            printf("ok - restart-%s: entered only by a recovery (no restart inside it)\n",
                   info->name);
    }
    g_unsetenv("VIRTKIT_MIGRATION_TIMEOUT_MS");
}


/*
 * The client drives the steps by hand and vanishes after @lastStep
 * ("prepare" or "perform"): no Finish, no Confirm.  After the timeout
 * (VIRTKIT_MIGRATION_TIMEOUT_MS, the table's TIMEOUT rows) the
 * destination kills its incoming guest (STOPPED_FAILED) and the source
 * either keeps running (Perform never came: S_BEGIN -> S_CANCELLED) or,
 * its transfer complete, stays paused (S_DONE_PRECOPY -> S_UNKNOWN: it
 * cannot know whether the destination runs the guest).
 */
static void
runClientLost(const char *name, const char *lastStep, unsigned int flags,
              const char *srcWant, const char *dstBefore, const char *evWant)
{
    Hosts h = { 0 };
    virDomainPtr dom = NULL;
    virTypedParameterPtr params = NULL;
    int nparams = 0;
    int maxparams = 0;
    char *xml = NULL;
    char *cookieA = NULL;
    char *cookieB = NULL;
    char *cookieC = NULL;
    int lenA = 0;
    int lenB = 0;
    int lenC = 0;
    char *uriOut = NULL;
    g_autofree char *s = NULL;
    g_autofree char *d = NULL;
    g_autofree char *evs = NULL;
    int failuresBefore = failures;

    g_setenv("VIRTKIT_MIGRATION_TIMEOUT_MS", "400", TRUE);
    if (hostsOpen(&h) < 0 || !(dom = virDomainLookupByName(h.src, "guest"))) {
        fail(name, "cannot open the hosts");
        goto cleanup;
    }
    if (!(xml = virtkitDomainMigrateBegin3Params(dom, NULL, 0, &cookieA, &lenA,
                                                 flags)) ||
        virTypedParamsAddString(&params, &nparams, &maxparams,
                                VIR_MIGRATE_PARAM_DEST_XML, xml) < 0 ||
        virtkitDomainMigratePrepare3Params(h.dst, params, nparams, cookieA, lenA,
                                           &cookieB, &lenB, &uriOut, flags) < 0) {
        fail(name, "Begin/Prepare failed: %s", virGetLastError()->message);
        goto cleanup;
    }
    if (streq0(lastStep, "perform") &&
        (virTypedParamsAddString(&params, &nparams, &maxparams,
                                 VIR_MIGRATE_PARAM_URI, uriOut) < 0 ||
         virtkitDomainMigratePerform3Params(dom, NULL, params, nparams, cookieB,
                                            lenB, &cookieC, &lenC, flags) < 0)) {
        fail(name, "Perform failed: %s", virGetLastError()->message);
        goto cleanup;
    }
    /* the client is gone; nothing happens before the timeout */
    d = guestState(h.dst);
    if (!streq0(d, dstBefore))
        fail(name, "destination %s before the timeout, expected %s", d, dstBefore);
    g_clear_pointer(&d, g_free);
    pumpFor(1500);
    evs = takeEvents();
    s = guestState(h.src);
    d = guestState(h.dst);
    if (!streq0(s, srcWant))
        fail(name, "source %s after the timeout, expected %s", s, srcWant);
    if (!streq0(d, "none"))
        fail(name, "destination %s after the timeout, expected none", d);
    if (!streq0(evs, evWant))
        fail(name, "events '%s', expected '%s'", evs, evWant);
    /* the late client: the migration is over on both sides */
    if (virtkitDomainMigrateConfirm3Params(dom, params, nparams, NULL, 0, flags,
                                           0) == 0)
        fail(name, "a late Confirm succeeded");
    if (failures == failuresBefore)
        printf("ok - %s (src %s, dst %s; %s)\n", name, s, d, evs);

 cleanup:
    g_unsetenv("VIRTKIT_MIGRATION_TIMEOUT_MS");
    virTypedParamsFree(params, nparams);
    g_free(xml);
    g_free(cookieA);
    g_free(cookieB);
    g_free(cookieC);
    g_free(uriOut);
    if (dom) {
        /* put the guest back for the next cases (a paused source) */
        virDomainResume(dom);
        virDomainFree(dom);
    }
    hostsClose(&h);
}

/*
 * In-process, one process as the client: the destination is
 * test:///default (shared by its connections), the step connection @step
 * runs Prepare and closes; @watch, another connection to the same host,
 * sees the incoming guest gone at once (the timeout is 60 s: it was the
 * close).  Closing a connection that ran no step changes nothing.
 */
static void
runInProcessClose(void)
{
    const char *name = "close-in-process";
    virConnectPtr src = NULL;
    virConnectPtr step = NULL;
    virConnectPtr watch = NULL;
    virConnectPtr idle = NULL;
    virDomainPtr dom = NULL;
    virTypedParameterPtr params = NULL;
    int nparams = 0;
    int maxparams = 0;
    char *xml = NULL;
    char *cookieA = NULL;
    char *cookieB = NULL;
    int lenA = 0;
    int lenB = 0;
    char *uriOut = NULL;
    g_autofree char *before = NULL;
    g_autofree char *mid = NULL;
    g_autofree char *after = NULL;
    gint64 t0;
    int failuresBefore = failures;

    g_setenv("VIRTKIT_MIGRATION_TIMEOUT_MS", "60000", TRUE);
    if (!(src = virConnectOpen(srcURI)) || !(step = virConnectOpen("test:///default")) ||
        !(watch = virConnectOpen("test:///default")) ||
        !(idle = virConnectOpen("test:///default")) ||
        !(dom = virDomainLookupByName(src, "guest"))) {
        fail(name, "cannot open the hosts");
        goto cleanup;
    }
    if (!(xml = virtkitDomainMigrateBegin3Params(dom, NULL, 0, &cookieA, &lenA,
                                                 VIR_MIGRATE_LIVE)) ||
        virTypedParamsAddString(&params, &nparams, &maxparams,
                                VIR_MIGRATE_PARAM_DEST_XML, xml) < 0 ||
        virtkitDomainMigratePrepare3Params(step, params, nparams, cookieA, lenA,
                                           &cookieB, &lenB, &uriOut, VIR_MIGRATE_LIVE) < 0) {
        fail(name, "Begin/Prepare failed: %s", virGetLastErrorMessage());
        goto cleanup;
    }
    before = guestState(watch);
    virConnectClose(g_steal_pointer(&idle));
    mid = guestState(watch);
    t0 = g_get_monotonic_time();
    virConnectClose(g_steal_pointer(&step));
    after = guestState(watch);
    if (!streq0(before, "3/2") || !streq0(mid, "3/2"))
        fail(name, "destination %s after Prepare, %s after an idle connection closed "
             "(want 3/2 both)", before, mid);
    if (!streq0(after, "none"))
        fail(name, "destination %s after the step connection closed, expected none", after);
    if (failures == failuresBefore)
        printf("ok - %s (destination gone %lld ms after the close)\n", name,
               (long long)((g_get_monotonic_time() - t0) / 1000));

 cleanup:
    g_unsetenv("VIRTKIT_MIGRATION_TIMEOUT_MS");
    virTypedParamsFree(params, nparams);
    g_free(xml);
    g_free(cookieA);
    g_free(cookieB);
    g_free(uriOut);
    if (dom)
        virDomainFree(dom);
    pumpEvents();
    if (idle)
        virConnectClose(idle);
    if (step)
        virConnectClose(step);
    if (watch)
        virConnectClose(watch);
    if (src)
        virConnectClose(src);
}

/*
 * The source's statistics travel in the Perform cookie: the destination's
 * completed job (MIGRATION_IN) reports the source's elapsed time, which
 * here includes a pause between Begin and Prepare the destination never
 * saw.
 */
static void
runCookieStatistics(void)
{
    const char *name = "cookie-statistics";
    Hosts h = { 0 };
    virDomainPtr dom = NULL;
    virDomainPtr ddom = NULL;
    virTypedParameterPtr params = NULL;
    int nparams = 0;
    int maxparams = 0;
    virTypedParameterPtr stats = NULL;
    int nstats = 0;
    int type = -1;
    int op = -1;
    unsigned long long elapsed = 0;
    char *xml = NULL;
    char *cookieA = NULL;
    char *cookieB = NULL;
    char *cookieC = NULL;
    int lenA = 0;
    int lenB = 0;
    int lenC = 0;
    char *uriOut = NULL;
    unsigned int flags = VIR_MIGRATE_LIVE;

    if (hostsOpen(&h) < 0 || !(dom = virDomainLookupByName(h.src, "guest"))) {
        fail(name, "cannot open the hosts");
        goto cleanup;
    }
    if (!(xml = virtkitDomainMigrateBegin3Params(dom, NULL, 0, &cookieA, &lenA, flags))) {
        fail(name, "Begin failed");
        goto cleanup;
    }
    g_usleep(400 * 1000);
    if (virTypedParamsAddString(&params, &nparams, &maxparams,
                                VIR_MIGRATE_PARAM_DEST_XML, xml) < 0 ||
        virtkitDomainMigratePrepare3Params(h.dst, params, nparams, cookieA, lenA,
                                           &cookieB, &lenB, &uriOut, flags) < 0 ||
        virTypedParamsAddString(&params, &nparams, &maxparams,
                                VIR_MIGRATE_PARAM_URI, uriOut) < 0 ||
        virtkitDomainMigratePerform3Params(dom, NULL, params, nparams, cookieB, lenB,
                                           &cookieC, &lenC, flags) < 0) {
        fail(name, "Prepare/Perform failed: %s", virGetLastError()->message);
        goto cleanup;
    }
    if (!cookieC || !strstr(cookieC, "<feature name='statistics'/>"))
        fail(name, "no statistics in the Perform cookie: %s", cookieC ? cookieC : "none");
    if (!(ddom = virtkitDomainMigrateFinish3Params(h.dst, params, nparams, cookieC, lenC,
                                                   NULL, NULL, flags, 0)) ||
        virtkitDomainMigrateConfirm3Params(dom, params, nparams, NULL, 0, flags, 0) < 0) {
        fail(name, "Finish/Confirm failed: %s", virGetLastError()->message);
        goto cleanup;
    }
    if (virDomainGetJobStats(ddom, &type, &stats, &nstats,
                             VIR_DOMAIN_JOB_STATS_COMPLETED) < 0 ||
        type != VIR_DOMAIN_JOB_COMPLETED ||
        virTypedParamsGetInt(stats, nstats, VIR_DOMAIN_JOB_OPERATION, &op) != 1 ||
        virTypedParamsGetULLong(stats, nstats, VIR_DOMAIN_JOB_TIME_ELAPSED, &elapsed) != 1)
        fail(name, "no completed job on the destination");
    else if (op != VIR_DOMAIN_JOB_OPERATION_MIGRATION_IN || elapsed < 400)
        fail(name, "destination job: operation %d, elapsed %llu ms (want MIGRATION_IN, "
             ">= 400 ms from the source's cookie)", op, elapsed);
    else
        printf("ok - %s (destination reports the source's %llu ms)\n", name, elapsed);

 cleanup:
    virTypedParamsFree(stats, nstats);
    virTypedParamsFree(params, nparams);
    g_free(xml);
    g_free(cookieA);
    g_free(cookieB);
    g_free(cookieC);
    g_free(uriOut);
    if (ddom)
        virDomainFree(ddom);
    if (dom)
        virDomainFree(dom);
    hostsClose(&h);
}

typedef struct {
    virDomainPtr dom;
    virConnectPtr dst;
    virDomainPtr ddom;
    char *message;
    gint done;
} SlowMig;

static gpointer
slowMigThread(gpointer opaque)
{
    SlowMig *m = opaque;

    m->ddom = virDomainMigrate3(m->dom, m->dst, NULL, 0, VIR_MIGRATE_LIVE);
    if (!m->ddom)
        m->message = g_strdup(virGetLastError() ? virGetLastError()->message : "no error");
    g_atomic_int_set(&m->done, 1);
    return NULL;
}

/*
 * A transfer longer than the timeout (1 GiB at 1024 MiB/s, timeout
 * 250 ms) is not a lost peer: the destination's wait restarts while its
 * incoming transfer runs, and the migration completes.  The event loop
 * (and so the watchdog) runs here while another thread migrates.
 */
static void
runSlowTransfer(void)
{
    const char *name = "timeout-not-during-transfer";
    Hosts h = { 0 };
    SlowMig m = { 0 };
    GThread *thread;
    g_autofree char *s = NULL;
    g_autofree char *d = NULL;
    gint64 t0;
    gint64 ms;

    g_setenv("VIRTKIT_MIGRATION_TIMEOUT_MS", "250", TRUE);
    if (hostsOpen(&h) < 0 || !(m.dom = virDomainLookupByName(h.src, "guest"))) {
        fail(name, "cannot open the hosts");
        goto cleanup;
    }
    if (virDomainMigrateSetMaxSpeed(m.dom, 1024, 0) < 0) {
        fail(name, "cannot set the speed");
        goto cleanup;
    }
    m.dst = h.dst;
    t0 = g_get_monotonic_time();
    thread = g_thread_new("migrate", slowMigThread, &m);
    while (!g_atomic_int_get(&m.done))
        pumpEvents();
    g_thread_join(thread);
    ms = (g_get_monotonic_time() - t0) / 1000;
    s = guestState(h.src);
    d = guestState(h.dst);
    if (!m.ddom)
        fail(name, "migration failed after %lld ms: %s", (long long)ms, m.message);
    else if (ms < 500)
        fail(name, "the transfer took %lld ms, not longer than the timeout", (long long)ms);
    else if (!streq0(s, "5/4") || !streq0(d, "1/2"))
        fail(name, "src %s dst %s after the migration", s, d);
    else
        printf("ok - %s (%lld ms transfer, 250 ms timeout)\n", name, (long long)ms);

 cleanup:
    g_unsetenv("VIRTKIT_MIGRATION_TIMEOUT_MS");
    g_free(m.message);
    if (m.ddom)
        virDomainFree(m.ddom);
    if (m.dom)
        virDomainFree(m.dom);
    hostsClose(&h);
}

int
main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "tests/data/migration";
    g_autofree char *abs = g_canonicalize_filename(dir, NULL);
    size_t i;

    srcURI = g_strdup_printf("test://%s/src.xml", abs);
    dstURI = g_strdup_printf("test://%s/dst.xml", abs);
    events = g_ptr_array_new_with_free_func(g_free);
    virSetErrorFunc(NULL, quietErrors);
    if (virEventRegisterDefaultImpl() < 0)
        return 1;
    for (i = 0; i < G_N_ELEMENTS(cases); i++)
        runCase(&cases[i]);
    runJobCompleted();
    runSameHost();
    runP2P();
    runTunnel();
    runSpeed();
    runParams();
    runClientLost("timeout-after-prepare", "prepare", VIR_MIGRATE_LIVE,
                  "1/0", "3/2", "dst 2/1, dst 5/5");
    runClientLost("timeout-after-perform", "perform", VIR_MIGRATE_LIVE,
                  "3/2", "3/2", "src 3/1, dst 2/1, dst 5/5");
    runInProcessClose();
    runRestartEveryPhase();
    runSlowTransfer();
    runCookieStatistics();
    runCookieFeature("cookie-optional-feature", "x-future", 0);
    runCookieFeature("cookie-mandatory-feature", "x-future:mandatory",
                     VIR_ERR_INTERNAL_ERROR);
    /* the number of results varies with the table (one per phase and flags) */
    printf("# %s\n", failures ? "FAILED" : "all passed");
    g_ptr_array_free(events, TRUE);
    return failures ? 1 : 0;
}
