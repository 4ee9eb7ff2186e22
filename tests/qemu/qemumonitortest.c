/* The QMP transport against a scripted mock monitor (tests/data/qmp/<case>.replies). */
#include <string.h>

#include "qemutestutils.h"
#include "qmpmock.h"
#include "qemu/qemu_monitor.h"
#include "qemu/qemu_monitor_priv.h"
#include "util/error.h"
#include "util/str.h"
#include "util/thread.h"

#define DOMAIN_NAME "x"

/* Error codes as they appear in the strings compared below. */
G_STATIC_ASSERT(VIR_ERR_OPERATION_FAILED == 9);
G_STATIC_ASSERT(VIR_ERR_OPERATION_TIMEOUT == 68);
#define WAIT_MS 5000

/* What the callbacks saw; filled on the event-loop thread. */
typedef struct {
    Mutex lock;
    Cond cond;
    GMainContext *ctx;
    GPtrArray *events;      /* "NAME" or "NAME detail" */
    GPtrArray *late;        /* "COMMAND ID REPLY" */
    GPtrArray *async;       /* "ok REPLY" or "error CODE MESSAGE" */
    int closedCount;
    QemuMonitorClosedReason closedReason;
    char *closedMsg;
    bool offLoop;           /* a callback ran on another thread */
} Recorder;

typedef struct {
    const char *name;
    GMainContext *ctx;
    GMainLoop *loop;
    GThread *thread;
    QmpMock *mock;
    QemuMonitor *mon;
    Recorder rec;
} Fixture;

static void
recAdd(Recorder *rec, GPtrArray *list, char *item)
{
    mutexLock(&rec->lock);
    if (!g_main_context_is_owner(rec->ctx))
        rec->offLoop = true;
    g_ptr_array_add(list, item);
    condBroadcast(&rec->cond);
    mutexUnlock(&rec->lock);
}

/* Waits until @list has @n items. */
static bool
recWait(Recorder *rec, GPtrArray *list, guint n)
{
    gint64 deadline = g_get_monotonic_time() + WAIT_MS * 1000;
    bool ok = true;

    mutexLock(&rec->lock);
    while (list->len < n && ok)
        ok = condWaitUntil(&rec->cond, &rec->lock, deadline) || list->len >= n;
    mutexUnlock(&rec->lock);
    return ok;
}

static char *
recJoin(Recorder *rec, GPtrArray *list)
{
    GString *s = g_string_new(NULL);
    guint i;

    mutexLock(&rec->lock);
    for (i = 0; i < list->len; i++)
        g_string_append_printf(s, "%s%s", i ? " | " : "", (char *)list->pdata[i]);
    mutexUnlock(&rec->lock);
    return g_string_free(s, FALSE);
}

static void
onEvent(QemuMonitor *mon, const QemuMonitorEvent *ev, void *opaque)
{
    Recorder *rec = opaque;
    char *item = NULL;

    if (ev->type == QEMU_MONITOR_EVENT_MIGRATION)
        item = g_strdup_printf("%s %s", ev->name, ev->u.migration.statusName);
    else
        item = g_strdup(ev->name);
    recAdd(rec, rec->events, item);
}

static void
onLateReply(QemuMonitor *mon, const QemuMonitorLateReply *late, void *opaque)
{
    Recorder *rec = opaque;
    g_autofree char *reply = jsonFormat(late->reply);

    recAdd(rec, rec->late, g_strdup_printf("%s vk-%" G_GUINT64_FORMAT " %s", late->command,
                                           (guint64)late->id, reply));
}

static void
onClosed(QemuMonitor *mon, QemuMonitorClosedReason reason, const char *message, void *opaque)
{
    Recorder *rec = opaque;

    mutexLock(&rec->lock);
    if (!g_main_context_is_owner(rec->ctx))
        rec->offLoop = true;
    rec->closedCount++;
    rec->closedReason = reason;
    g_free(rec->closedMsg);
    rec->closedMsg = g_strdup(message);
    condBroadcast(&rec->cond);
    mutexUnlock(&rec->lock);
}

static const QemuMonitorCallbacks callbacks = {
    .event = onEvent,
    .lateReply = onLateReply,
    .closed = onClosed,
};

static void
onAsyncReply(QemuMonitor *mon, json_object *reply, const virError *err, void *opaque)
{
    Recorder *rec = opaque;

    if (reply) {
        g_autofree char *text = jsonFormat(reply);

        recAdd(rec, rec->async, g_strdup_printf("ok %s", text));
    } else {
        recAdd(rec, rec->async, g_strdup_printf("error %d %s", err->code, err->message));
    }
}

static gpointer
loopThread(gpointer opaque)
{
    Fixture *fx = opaque;

    g_main_context_push_thread_default(fx->ctx);
    g_main_loop_run(fx->loop);
    g_main_context_pop_thread_default(fx->ctx);
    return NULL;
}

static bool
loopRunning(void *opaque)
{
    return g_main_loop_is_running(opaque);
}

static int
fixtureStart(Fixture *fx, const char *name)
{
    memset(fx, 0, sizeof(*fx));
    fx->name = name;
    mutexInit(&fx->rec.lock);
    condInit(&fx->rec.cond);
    fx->rec.events = g_ptr_array_new_with_free_func(g_free);
    fx->rec.late = g_ptr_array_new_with_free_func(g_free);
    fx->rec.async = g_ptr_array_new_with_free_func(g_free);
    fx->ctx = g_main_context_new();
    fx->rec.ctx = fx->ctx;
    fx->loop = g_main_loop_new(fx->ctx, FALSE);
    fx->thread = g_thread_new("loop", loopThread, fx);
    if (!testWaitFor(loopRunning, fx->loop, WAIT_MS))
        TEST_FAIL("# event loop did not start");
    if (!(fx->mock = qmpMockNew(name)))
        return -1;
    if (!(fx->mon = qemuMonitorOpen(qmpMockGetPath(fx->mock), DOMAIN_NAME, fx->ctx, 2000,
                                    &callbacks, &fx->rec, NULL)))
        TEST_FAIL("# open failed: %s", errorGetSlot()->message);
    return 0;
}

static gboolean
quitLoop(gpointer opaque)
{
    g_main_loop_quit(opaque);
    return G_SOURCE_REMOVE;
}

/* Closes the monitor, checks the script, stops the loop.  Returns -1 when
 * the mock saw other commands than its script. */
static int
fixtureFinish(Fixture *fx, int ret)
{
    g_clear_pointer(&fx->mon, qemuMonitorClose);
    if (fx->mock && qmpMockFinish(fx->mock) < 0)
        ret = -1;
    g_clear_pointer(&fx->mock, qmpMockFree);
    if (fx->thread) {
        g_main_context_invoke(fx->ctx, quitLoop, fx->loop);
        g_thread_join(fx->thread);
    }
    if (fx->rec.offLoop) {
        testLog("# a monitor callback ran outside the event-loop thread");
        ret = -1;
    }
    g_main_loop_unref(fx->loop);
    g_main_context_unref(fx->ctx);
    g_ptr_array_free(fx->rec.events, TRUE);
    g_ptr_array_free(fx->rec.late, TRUE);
    g_ptr_array_free(fx->rec.async, TRUE);
    g_free(fx->rec.closedMsg);
    mutexClear(&fx->rec.lock);
    condClear(&fx->rec.cond);
    return ret;
}

/* Checks the calling thread's error code and message. */
static int
checkError(int code, const char *message, bool prefixOnly)
{
    virErrorPtr err = errorGetSlot();

    if (err->code != code) {
        testLog("# expected error code %d, got %d (%s)", code, err->code, err->message);
        return -1;
    }
    if (prefixOnly ? !strPrefix(err->message, message) : !streq(err->message, message)) {
        testLog("# expected error message%s\n#   %s\n# got\n#   %s",
                prefixOnly ? " starting with" : "", message, err->message);
        return -1;
    }
    if (err->domain != VIR_FROM_QEMU) {
        testLog("# expected error domain VIR_FROM_QEMU, got %d", err->domain);
        return -1;
    }
    errorReset();
    return 0;
}

#define CHECK_LIST(fx, list, expected) \
    do { \
        g_autofree char *got_ = recJoin(&(fx)->rec, (fx)->rec.list); \
        TEST_CHECK(streq(got_, (expected)), "# expected %s '%s', got '%s'", #list, \
                   (expected), got_); \
    } while (0)

/* ---- cases ---- */

static int
caseNegotiation(Fixture *fx)
{
    g_autoptr(QemuMonitorVersion) ver = NULL;

    TEST_CHECK(qemuMonitorWaitReady(fx->mon, 2000) == 0, "# %s", errorGetSlot()->message);
    TEST_CHECK((ver = qemuMonitorGetVersion(fx->mon)) != NULL, "# no version");
    TEST_CHECK(ver->major == 7 && ver->minor == 2 && ver->micro == 22, "# %u.%u.%u",
               ver->major, ver->minor, ver->micro);
    TEST_CHECK(streq(ver->package, "Debian 1:7.2+dfsg-7+deb12u18+b3"), "# %s", ver->package);
    TEST_CHECK(qemuMonitorGetPendingCount(fx->mon) == 0, "# pending");
    TEST_CHECK(streq(qemuMonitorGetName(fx->mon), DOMAIN_NAME), "# name");
    return 0;
}

static int
caseQueryStatus(Fixture *fx)
{
    g_autoptr(QemuMonitorStatus) st = qemuMonitorGetStatus(fx->mon);
    int state;
    int reason;

    TEST_CHECK(st != NULL, "# %s", errorGetSlot()->message);
    TEST_CHECK(st->running && st->state == QEMU_MONITOR_RUN_STATE_RUNNING, "# %s",
               st->stateName);
    qemuMonitorJSONRunStateToDomainState(st->state, st->running, &state, &reason);
    TEST_CHECK(state == VIR_DOMAIN_RUNNING && reason == VIR_DOMAIN_RUNNING_UNPAUSED,
               "# %d/%d", state, reason);
    return 0;
}

static int
caseErrorReply(Fixture *fx)
{
    uint64_t actual = 0;

    TEST_CHECK(qemuMonitorGetBalloon(fx->mon, &actual) < 0, "# balloon query succeeded");
    if (checkError(VIR_ERR_INTERNAL_ERROR,
                   "internal error: unable to execute QEMU command 'query-balloon': "
                   "No balloon device has been activated", false) < 0)
        return -1;
    /* The monitor stays usable. */
    TEST_CHECK(qemuMonitorStop(fx->mon) == 0, "# %s", errorGetSlot()->message);
    return 0;
}

static int
caseEventsInterleaved(Fixture *fx)
{
    g_autoptr(QemuMonitorStatus) st = NULL;

    TEST_CHECK(qemuMonitorCont(fx->mon) == 0, "# %s", errorGetSlot()->message);
    /* Events sent before the reply were delivered before the call
     * returned; the malformed SHUTDOWN was dropped. */
    {
        /* Later events may already be in too. */
        g_autofree char *got = recJoin(&fx->rec, fx->rec.events);

        TEST_CHECK(strPrefix(got, "POWERDOWN | RESUME | RTC_CHANGE"), "# events '%s'", got);
    }
    TEST_CHECK((st = qemuMonitorGetStatus(fx->mon)) != NULL, "# %s", errorGetSlot()->message);
    TEST_CHECK(!st->running && st->state == QEMU_MONITOR_RUN_STATE_PAUSED, "# %s",
               st->stateName);
    CHECK_LIST(fx, events, "POWERDOWN | RESUME | RTC_CHANGE | MIGRATION active | STOP");
    TEST_CHECK(fx->rec.closedCount == 0, "# closed");
    return 0;
}

static int
caseTimeoutLate(Fixture *fx)
{
    g_autoptr(QemuMonitorStatus) st = NULL;
    json_object *reply = NULL;
    gint64 t0;
    gint64 ms;

    qemuMonitorSetTimeout(fx->mon, 300);
    TEST_CHECK(qemuMonitorGetTimeout(fx->mon) == 300, "# timeout");
    t0 = g_get_monotonic_time();
    TEST_CHECK(qemuMonitorStop(fx->mon) < 0, "# stop did not time out");
    ms = (g_get_monotonic_time() - t0) / 1000;
    if (checkError(VIR_ERR_OPERATION_TIMEOUT,
                   "Timed out during operation: QEMU command 'stop' on domain 'x' "
                   "did not answer within 0.3 s", false) < 0)
        return -1;
    TEST_CHECK(ms >= 300 && ms < 700, "# timed out after %" G_GINT64_FORMAT " ms", ms);

    /* A command queued behind the stuck one times out without being sent. */
    TEST_CHECK(qemuMonitorCommand(fx->mon, qemuMonitorJSONMakeCommand("cont", NULL), 0, 200,
                                  &reply) < 0, "# cont did not time out");
    if (checkError(VIR_ERR_OPERATION_TIMEOUT,
                   "Timed out during operation: QEMU command 'cont' on domain 'x' was not "
                   "sent within 0.2 s: the monitor is busy with command 'stop'", false) < 0)
        return -1;

    /* The late reply reaches the late-reply callback, after the event. */
    TEST_CHECK(recWait(&fx->rec, fx->rec.late, 1), "# no late reply");
    CHECK_LIST(fx, late, "stop vk-2 {\"return\":{},\"id\":\"vk-2\"}");
    CHECK_LIST(fx, events, "STOP");

    /* And the monitor carries on. */
    TEST_CHECK((st = qemuMonitorGetStatus(fx->mon)) != NULL, "# %s", errorGetSlot()->message);
    TEST_CHECK(!st->running, "# running");
    return 0;
}

typedef struct {
    Fixture *fx;
    int syncRet;
    int syncCode;
} AsyncData;

static void
onAsyncFirst(QemuMonitor *mon, json_object *reply, const virError *err, void *opaque)
{
    AsyncData *data = opaque;
    json_object *r = NULL;

    /* A synchronous command from the event loop must be refused, not
     * deadlock. */
    data->syncRet = qemuMonitorCommand(mon, qemuMonitorJSONMakeCommand("query-status", NULL), 0,
                                       QEMU_MONITOR_TIMEOUT_DEFAULT, &r);
    data->syncCode = errorGetCode();
    errorReset();
    /* Last: the test thread goes on (and @data goes away) once recorded. */
    onAsyncReply(mon, reply, err, &data->fx->rec);
}

static gboolean
submitFromLoop(gpointer opaque)
{
    AsyncData *data = opaque;

    if (qemuMonitorCommandAsync(data->fx->mon, qemuMonitorJSONMakeCommand("query-status", NULL),
                                0, QEMU_MONITOR_TIMEOUT_DEFAULT, onAsyncFirst, data, NULL,
                                NULL) < 0)
        data->syncRet = 99;
    return G_SOURCE_REMOVE;
}

static int
caseAsync(Fixture *fx)
{
    AsyncData data = { .fx = fx, .syncRet = 1 };
    uint64_t id = 0;

    g_main_context_invoke(fx->ctx, submitFromLoop, &data);
    TEST_CHECK(recWait(&fx->rec, fx->rec.async, 1), "# no async reply");
    CHECK_LIST(fx, async,
               "ok {\"return\":{\"status\":\"running\",\"singlestep\":false,"
               "\"running\":true},\"id\":\"vk-2\"}");
    TEST_CHECK(data.syncRet == -1 && data.syncCode == VIR_ERR_INTERNAL_ERROR,
               "# sync command on the loop thread: ret %d code %d", data.syncRet, data.syncCode);

    /* An async command that times out: error to its callback, reply to
     * the late-reply callback. */
    TEST_CHECK(qemuMonitorCommandAsync(fx->mon, qemuMonitorJSONMakeCommand("system_reset", NULL),
                                       0, 200, onAsyncReply, &fx->rec, NULL, &id) == 0,
               "# %s", errorGetSlot()->message);
    TEST_CHECK(id == 3, "# id %" G_GUINT64_FORMAT, (guint64)id);
    TEST_CHECK(recWait(&fx->rec, fx->rec.async, 2), "# no async timeout");
    TEST_CHECK(recWait(&fx->rec, fx->rec.late, 1), "# no late reply");
    {
        g_autofree char *got = recJoin(&fx->rec, fx->rec.async);

        TEST_CHECK(strstr(got, " | error 68 Timed out during operation: QEMU command "
                               "'system_reset' on domain 'x' did not answer within 0.2 s"),
                   "# %s", got);
    }
    CHECK_LIST(fx, late, "system_reset vk-3 {\"return\":{},\"id\":\"vk-3\"}");
    return 0;
}

/* Waits for the closed callback, then checks it ran once with @reason
 * (and @message unless NULL).  Never returns with the recorder locked. */
static int
checkClosed(Fixture *fx, QemuMonitorClosedReason reason, const char *message)
{
    gint64 deadline = g_get_monotonic_time() + WAIT_MS * 1000;
    g_autofree char *msg = NULL;
    QemuMonitorClosedReason got;
    int count;

    mutexLock(&fx->rec.lock);
    while (fx->rec.closedCount == 0 &&
           condWaitUntil(&fx->rec.cond, &fx->rec.lock, deadline))
        ;
    count = fx->rec.closedCount;
    got = fx->rec.closedReason;
    msg = g_strdup(fx->rec.closedMsg);
    mutexUnlock(&fx->rec.lock);
    TEST_CHECK(count == 1 && got == reason && (!message || streq(msg, message)),
               "# closed %d times, reason %d: %s", count, got, msg);
    return 0;
}

/* Runs query-status; takes the reference in @opaque. */
static gpointer
statusThread(gpointer opaque)
{
    g_autoptr(QemuMonitor) mon = opaque;
    QemuMonitorStatus *st = qemuMonitorGetStatus(mon);
    char *msg = NULL;

    if (st)
        msg = g_strdup("unexpected success");
    else
        msg = g_strdup_printf("%d %s", errorGetCode(), errorGetSlot()->message);
    qemuMonitorJSONStatusFree(st);
    errorReset();
    return msg;
}

static bool
awaitingReply(void *opaque)
{
    return qemuMonitorIsAwaitingReply(opaque);
}

static int
caseEOF(Fixture *fx)
{
    GThread *t = NULL;
    g_autofree char *res = NULL;
    g_autofree char *asyncRes = NULL;

    TEST_CHECK(qemuMonitorWaitReady(fx->mon, 2000) == 0, "# %s", errorGetSlot()->message);
    t = g_thread_new("status", statusThread, qemuMonitorRef(fx->mon));
    if (!testWaitFor(awaitingReply, fx->mon, WAIT_MS) ||
        qemuMonitorCommandAsync(fx->mon, qemuMonitorJSONMakeCommand("cont", NULL), 0,
                                QEMU_MONITOR_TIMEOUT_DEFAULT, onAsyncReply, &fx->rec,
                                NULL, NULL) < 0) {
        g_clear_pointer(&fx->mon, qemuMonitorClose);
        g_free(g_thread_join(t));
        TEST_FAIL("# query-status not sent, or cont not queued");
    }
    res = g_thread_join(t);
    TEST_CHECK(streq(res, "9 operation failed: QEMU command 'query-status' on domain 'x' got "
                          "no reply: end of file from QEMU monitor"), "# %s", res);
    TEST_CHECK(recWait(&fx->rec, fx->rec.async, 1), "# no async failure");
    asyncRes = recJoin(&fx->rec, fx->rec.async);
    TEST_CHECK(streq(asyncRes, "error 9 operation failed: QEMU command 'cont' on domain 'x' "
                               "got no reply: end of file from QEMU monitor"), "# %s", asyncRes);

    /* Later commands fail at once. */
    TEST_CHECK(qemuMonitorStop(fx->mon) < 0, "# stop after EOF succeeded");
    if (checkError(VIR_ERR_OPERATION_FAILED,
                   "operation failed: QEMU command 'stop' on domain 'x' cannot be sent: "
                   "end of file from QEMU monitor", false) < 0)
        return -1;
    TEST_CHECK(qemuMonitorWaitReady(fx->mon, 100) < 0, "# ready after EOF");
    errorReset();

    /* The closed callback ran exactly once. */
    return checkClosed(fx, QEMU_MONITOR_CLOSED_EOF, "end of file from QEMU monitor");
}

static int
caseGarbage(Fixture *fx)
{
    TEST_CHECK(qemuMonitorGetStatus(fx->mon) == NULL, "# garbage accepted");
    if (checkError(VIR_ERR_INTERNAL_ERROR,
                   "internal error: QEMU command 'query-status' on domain 'x' got no reply: "
                   "cannot parse QEMU monitor message: ", true) < 0)
        return -1;
    return checkClosed(fx, QEMU_MONITOR_CLOSED_ERROR, NULL);
}

static int
caseHugeLine(Fixture *fx)
{
    qemuMonitorSetMaxMessage(fx->mon, 65536);
    TEST_CHECK(qemuMonitorQueryVersion(fx->mon) == NULL, "# huge line accepted");
    if (checkError(VIR_ERR_INTERNAL_ERROR,
                   "internal error: QEMU command 'query-version' on domain 'x' got no reply: "
                   "QEMU monitor sent a message longer than 65536 bytes", false) < 0)
        return -1;
    return checkClosed(fx, QEMU_MONITOR_CLOSED_ERROR, NULL);
}

static int
caseLargeReply(Fixture *fx)
{
    g_autofree char *out = NULL;
    size_t i;

    TEST_CHECK(qemuMonitorHumanCommand(fx->mon, "info mtree", false, &out) == 0, "# %s",
               errorGetSlot()->message);
    TEST_CHECK(strlen(out) == 300000, "# length %zu", strlen(out));
    for (i = 0; i < 300000; i++)
        TEST_CHECK(out[i] == 'x', "# byte %zu", i);
    return 0;
}

typedef struct {
    Fixture *fx;
    int index;
} PipeData;

static gpointer
pipeThread(gpointer opaque)
{
    PipeData *pd = opaque;
    g_autofree char *cmd = g_strdup_printf("echo %d", pd->index);
    g_autofree char *want = g_strdup_printf("%d\r\n", pd->index);
    char *out = NULL;

    if (qemuMonitorHumanCommand(pd->fx->mon, cmd, false, &out) < 0)
        return g_strdup_printf("thread %d: %s", pd->index, errorGetSlot()->message);
    if (!streq(out, want)) {
        char *msg = g_strdup_printf("thread %d got '%s'", pd->index, out);

        g_free(out);
        return msg;
    }
    g_free(out);
    return NULL;
}

typedef struct {
    QemuMonitor *mon;
    unsigned int n;
} PendingData;

static bool
pendingIsN(void *opaque)
{
    PendingData *pd = opaque;

    return qemuMonitorGetPendingCount(pd->mon) == pd->n;
}

static int
casePipelined(Fixture *fx)
{
    PipeData data[5];
    GThread *threads[5];
    int failed = 0;
    int i;

    TEST_CHECK(qemuMonitorWaitReady(fx->mon, 2000) == 0, "# %s", errorGetSlot()->message);
    /* Start thread i once i commands are pending, so that ids follow the
     * thread order; the mock checks that only one is ever in flight. */
    for (i = 0; i < 5; i++) {
        PendingData pd = { fx->mon, (unsigned int)i + 1 };

        data[i].fx = fx;
        data[i].index = i;
        threads[i] = g_thread_new("pipe", pipeThread, &data[i]);
        if (!testWaitFor(pendingIsN, &pd, WAIT_MS)) {
            testLog("# command %d not queued", i);
            failed = 1;
        }
    }
    for (i = 0; i < 5; i++) {
        g_autofree char *msg = g_thread_join(threads[i]);

        if (msg) {
            testLog("# %s", msg);
            failed = 1;
        }
    }
    return failed ? -1 : 0;
}

static int
caseClosePending(Fixture *fx)
{
    GThread *t = NULL;
    g_autofree char *res = NULL;
    bool ok;

    TEST_CHECK(qemuMonitorWaitReady(fx->mon, 2000) == 0, "# %s", errorGetSlot()->message);
    t = g_thread_new("status", statusThread, qemuMonitorRef(fx->mon));
    ok = testWaitFor(awaitingReply, fx->mon, WAIT_MS);
    g_clear_pointer(&fx->mon, qemuMonitorClose);
    res = g_thread_join(t);
    TEST_CHECK(ok, "# query-status not sent");
    TEST_CHECK(streq(res, "9 operation failed: QEMU command 'query-status' on domain 'x' got "
                          "no reply: the monitor was closed"), "# %s", res);
    TEST_CHECK(fx->rec.closedCount == 0, "# closed callback after qemuMonitorClose");
    return 0;
}

typedef struct {
    Mutex lock;
    Cond cond;
    bool holding;           /* the loop thread is held */
    bool release;
} LoopHold;

static gboolean
holdLoop(gpointer opaque)
{
    LoopHold *h = opaque;
    gint64 deadline = g_get_monotonic_time() + WAIT_MS * 1000;

    mutexLock(&h->lock);
    h->holding = true;
    condBroadcast(&h->cond);
    while (!h->release && condWaitUntil(&h->cond, &h->lock, deadline))
        ;
    mutexUnlock(&h->lock);
    return G_SOURCE_REMOVE;
}

static bool
loopHeld(void *opaque)
{
    LoopHold *h = opaque;
    bool ret;

    mutexLock(&h->lock);
    ret = h->holding;
    mutexUnlock(&h->lock);
    return ret;
}

static gpointer
pausedStatusThread(gpointer opaque)
{
    g_autoptr(QemuMonitor) mon = opaque;
    g_autoptr(QemuMonitorStatus) st = qemuMonitorGetStatus(mon);
    char *msg = NULL;

    if (!st)
        msg = g_strdup_printf("%d %s", errorGetCode(), errorGetSlot()->message);
    else if (st->running)
        msg = g_strdup("running");
    errorReset();
    return msg;
}

static int
caseWriteFromCaller(Fixture *fx)
{
    /* on the heap: on a failure the loop may still run holdLoop later */
    LoopHold *h = g_new0(LoopHold, 1);
    GThread *t = NULL;
    g_autofree char *res = NULL;
    bool written;

    TEST_CHECK(qemuMonitorWaitReady(fx->mon, 2000) == 0, "# %s", errorGetSlot()->message);
    mutexInit(&h->lock);
    condInit(&h->cond);
    g_main_context_invoke(fx->ctx, holdLoop, h);
    TEST_CHECK(testWaitFor(loopHeld, h, WAIT_MS), "# the loop thread was not held");
    t = g_thread_new("status", pausedStatusThread, qemuMonitorRef(fx->mon));
    /* the loop cannot write now: the caller's thread did */
    written = testWaitFor(awaitingReply, fx->mon, 2000);
    mutexLock(&h->lock);
    h->release = true;
    condBroadcast(&h->cond);
    mutexUnlock(&h->lock);
    /* the reply is read once holdLoop has returned */
    res = g_thread_join(t);
    TEST_CHECK(written, "# query-status not written while the loop thread was held");
    TEST_CHECK(res == NULL, "# query-status: %s", res);
    mutexClear(&h->lock);
    condClear(&h->cond);
    g_free(h);
    return 0;
}

/* migrate-set-capabilities with @rp also setting return-path. */
static json_object *
buildCaps(bool rp)
{
    QemuMonitorMigrationCaps caps = { 0 };

    caps.set[QEMU_MONITOR_MIGRATION_CAP_EVENTS] = true;
    caps.state[QEMU_MONITOR_MIGRATION_CAP_EVENTS] = true;
    if (rp) {
        caps.set[QEMU_MONITOR_MIGRATION_CAP_RETURN_PATH] = true;
        caps.state[QEMU_MONITOR_MIGRATION_CAP_RETURN_PATH] = true;
    }
    return qemuMonitorJSONBuildMigrateSetCapabilities(&caps);
}

static int
caseBatchNegotiation(Fixture *fx)
{
    json_object *cmds[] = {
        buildCaps(true),
        qemuMonitorJSONBuildMigrateIncoming("tcp:0.0.0.0:49152"),
    };
    g_autoptr(QemuMonitorBatch) batch = NULL;

    /* before the greeting (the mock waits 100 ms): queued behind the
     * negotiation the transport starts when the greeting comes */
    TEST_CHECK((batch = qemuMonitorBatchSubmit(fx->mon, cmds, G_N_ELEMENTS(cmds),
                                               QEMU_MONITOR_TIMEOUT_DEFAULT)) != NULL,
               "# %s", errorGetSlot()->message);
    TEST_CHECK(qemuMonitorWaitReady(fx->mon, 2000) == 0, "# %s", errorGetSlot()->message);
    TEST_CHECK(qemuMonitorBatchWait(batch) == 0, "# %s", errorGetSlot()->message);
    TEST_CHECK(recWait(&fx->rec, fx->rec.events, 1), "# no MIGRATION event");
    CHECK_LIST(fx, events, "MIGRATION setup");
    TEST_CHECK(qemuMonitorGetPendingCount(fx->mon) == 0, "# pending");
    return 0;
}

static gpointer
stopThread(gpointer opaque)
{
    g_autoptr(QemuMonitor) mon = opaque;
    char *msg = NULL;

    if (qemuMonitorStop(mon) < 0)
        msg = g_strdup_printf("%d %s", errorGetCode(), errorGetSlot()->message);
    errorReset();
    return msg;
}

static int
caseBatchError(Fixture *fx)
{
    g_autoptr(QemuMonitorMigrationParams) params = qemuMonitorJSONMigrationParamsNew();
    json_object *cmds[3] = { NULL };
    g_autoptr(QemuMonitorBatch) batch = NULL;
    PendingData pd = { fx->mon, 4 };
    GThread *t = NULL;
    g_autofree char *res = NULL;
    int rc;

    TEST_CHECK(qemuMonitorWaitReady(fx->mon, 2000) == 0, "# %s", errorGetSlot()->message);
    qemuMonitorJSONMigrationParamsSetUInt(params, QEMU_MONITOR_MIGRATION_PARAM_DOWNTIME_LIMIT,
                                          300);
    cmds[0] = buildCaps(false);
    cmds[1] = qemuMonitorJSONBuildMigrateSetParameters(params);
    cmds[2] = qemuMonitorJSONBuildMigrateIncoming("tcp:0.0.0.0:49152");
    TEST_CHECK((batch = qemuMonitorBatchSubmit(fx->mon, cmds, G_N_ELEMENTS(cmds),
                                               QEMU_MONITOR_TIMEOUT_DEFAULT)) != NULL,
               "# %s", errorGetSlot()->message);
    /* a plain command behind the batch: the mock checks it waits */
    t = g_thread_new("stop", stopThread, qemuMonitorRef(fx->mon));
    if (!testWaitFor(pendingIsN, &pd, WAIT_MS)) {
        g_clear_pointer(&fx->mon, qemuMonitorClose);
        g_free(g_thread_join(t));
        TEST_FAIL("# stop not queued behind the batch");
    }
    rc = qemuMonitorBatchWait(batch);
    res = g_thread_join(t);
    TEST_CHECK(rc < 0, "# the batch succeeded");
    if (checkError(VIR_ERR_INTERNAL_ERROR,
                   "internal error: unable to execute QEMU command 'migrate-set-parameters': "
                   "Parameter 'downtime_limit' expects an integer in the range of 0 to 2000 "
                   "seconds", false) < 0)
        return -1;
    TEST_CHECK(res == NULL, "# stop: %s", res);
    return 0;
}

static int
caseBatchEOF(Fixture *fx)
{
    json_object *cmds[] = {
        buildCaps(false),
        qemuMonitorJSONBuildMigrateIncoming("tcp:0.0.0.0:49152"),
    };

    TEST_CHECK(qemuMonitorWaitReady(fx->mon, 2000) == 0, "# %s", errorGetSlot()->message);
    TEST_CHECK(qemuMonitorRunBatch(fx->mon, cmds, G_N_ELEMENTS(cmds)) < 0,
               "# the batch succeeded");
    if (checkError(VIR_ERR_INTERNAL_ERROR,
                   "internal error: unable to execute QEMU command 'migrate-set-capabilities': "
                   "Capability 'events' is not supported", false) < 0)
        return -1;
    return checkClosed(fx, QEMU_MONITOR_CLOSED_EOF, "end of file from QEMU monitor");
}

typedef struct {
    const char *name;
    int (*func)(Fixture *fx);
} MockCase;

static int
testMock(const void *opaque)
{
    const MockCase *tc = opaque;
    Fixture fx;
    int ret;

    if (fixtureStart(&fx, tc->name) < 0)
        return fixtureFinish(&fx, -1);
    ret = tc->func(&fx);
    return fixtureFinish(&fx, ret);
}

static const MockCase cases[] = {
    { "negotiation", caseNegotiation },
    { "query-status", caseQueryStatus },
    { "error-reply", caseErrorReply },
    { "events-interleaved", caseEventsInterleaved },
    { "timeout-late-reply", caseTimeoutLate },
    { "async", caseAsync },
    { "eof-mid-command", caseEOF },
    { "garbage-line", caseGarbage },
    { "huge-line", caseHugeLine },
    { "large-reply", caseLargeReply },
    { "pipelined", casePipelined },
    { "close-pending", caseClosePending },
    { "write-from-caller", caseWriteFromCaller },
    { "batch-negotiation", caseBatchNegotiation },
    { "batch-error", caseBatchError },
    { "batch-eof", caseBatchEOF },
};

int
main(int argc, char **argv)
{
    size_t i;

    testInit(argc, argv);
    for (i = 0; i < G_N_ELEMENTS(cases); i++)
        testRun(cases[i].name, testMock, &cases[i]);
    return testFinish();
}
