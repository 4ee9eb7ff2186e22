/* The QMP transport against real qemu-system-x86_64 processes, including a stuck (SIGSTOP) one. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "qemutestutils.h"
#include "qemu/qemu_monitor.h"
#include "qemu/qemu_monitor_json.h"
#include "util/error.h"
#include "util/str.h"
#include "util/thread.h"

#define WAIT_MS 10000
#define HARD_TIMEOUT_S 90

typedef struct {
    const char *name;       /* monitor name (the "domain") */
    pid_t pid;              /* 0 once reaped */
    char *dir;
    char *sock;
    char *log;
    QemuMonitor *mon;
    /* Filled by callbacks on the event-loop thread; protected by lock. */
    GPtrArray *events;
    GPtrArray *late;
    int closedCount;
    QemuMonitorClosedReason closedReason;
    char *batchResult;      /* qemu-b: the batch submitted before the greeting */
} QemuProc;

static Mutex lock;
static Cond cond;
static GMainContext *ctx;
static GMainLoop *loop;
static GThread *loopThread;
static bool offLoop;
static QemuProc procs[2] = { { .name = "qemu-a" }, { .name = "qemu-b" } };
/* For the watchdog: plain copies of the pids, readable from a signal handler. */
static volatile pid_t watchdogPids[2];

static void
watchdog(int sig)
{
    static const char msg[] = "# hard timeout: killing QEMU and exiting\n";
    size_t i;

    (void)sig;
    for (i = 0; i < G_N_ELEMENTS(watchdogPids); i++) {
        if (watchdogPids[i] > 0)
            kill(watchdogPids[i], SIGKILL);
    }
    if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
        _exit(2);
    _exit(1);
}

static void
onEvent(QemuMonitor *mon, const QemuMonitorEvent *ev, void *opaque)
{
    QemuProc *p = opaque;

    mutexLock(&lock);
    offLoop |= !g_main_context_is_owner(ctx);
    g_ptr_array_add(p->events, g_strdup(ev->name));
    condBroadcast(&cond);
    mutexUnlock(&lock);
}

static void
onLateReply(QemuMonitor *mon, const QemuMonitorLateReply *late, void *opaque)
{
    QemuProc *p = opaque;
    g_autofree char *reply = jsonFormat(late->reply);

    mutexLock(&lock);
    offLoop |= !g_main_context_is_owner(ctx);
    g_ptr_array_add(p->late, g_strdup_printf("%s %s", late->command, reply));
    condBroadcast(&cond);
    mutexUnlock(&lock);
}

static void
onClosed(QemuMonitor *mon, QemuMonitorClosedReason reason, const char *message, void *opaque)
{
    QemuProc *p = opaque;

    mutexLock(&lock);
    offLoop |= !g_main_context_is_owner(ctx);
    p->closedCount++;
    p->closedReason = reason;
    if (reason != QEMU_MONITOR_CLOSED_EOF)
        testLog("# %s: monitor closed: %s", p->name, message);
    condBroadcast(&cond);
    mutexUnlock(&lock);
}

static const QemuMonitorCallbacks callbacks = {
    .event = onEvent,
    .lateReply = onLateReply,
    .closed = onClosed,
};

/* Waits until @list holds an item equal to (or starting with) @item. */
static bool
waitItem(GPtrArray *list, const char *item)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)WAIT_MS * 1000;
    bool found = false;

    mutexLock(&lock);
    while (!found) {
        guint i;

        for (i = 0; i < list->len && !found; i++)
            found = strPrefix(list->pdata[i], item);
        if (!found && !condWaitUntil(&cond, &lock, deadline))
            break;
    }
    mutexUnlock(&lock);
    return found;
}

static bool
waitClosed(QemuProc *p)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)WAIT_MS * 1000;
    bool ok = true;

    mutexLock(&lock);
    while (p->closedCount == 0 && ok)
        ok = condWaitUntil(&cond, &lock, deadline) || p->closedCount > 0;
    mutexUnlock(&lock);
    return ok;
}

/* Reaps @p within WAIT_MS (QEMU exits right after its monitor's EOF). */
static int
qemuWaitExit(QemuProc *p, int *retStatus)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)WAIT_MS * 1000;

    while (true) {
        int status;
        pid_t rc = waitpid(p->pid, &status, WNOHANG);

        if (rc == p->pid) {
            p->pid = 0;
            *retStatus = status;
            return 0;
        }
        if (rc < 0 && errno != EINTR)
            return -1;
        if (g_get_monotonic_time() > deadline)
            return -1;
        g_usleep(2000);
    }
}

static int
qemuStart(QemuProc *p, const char *binary, size_t index)
{
    g_autoptr(QemuMonitorBatch) batch = NULL;
    g_autoptr(GError) gerr = NULL;
    g_autofree char *qmp = NULL;
    pid_t parent = getpid();
    int logfd;
    int nullfd;
    pid_t pid;

    if (!(p->dir = g_dir_make_tmp("vk-qmpqemu-XXXXXX", &gerr)))
        TEST_FAIL("# cannot make temp dir: %s", gerr->message);
    p->sock = g_build_filename(p->dir, "qmp.sock", NULL);
    p->log = g_build_filename(p->dir, "qemu.log", NULL);
    p->events = g_ptr_array_new_with_free_func(g_free);
    p->late = g_ptr_array_new_with_free_func(g_free);
    qmp = g_strdup_printf("unix:%s,server=on,wait=off", p->sock);
    {
        const char *argv[] = {
            binary, "-machine", "none", "-accel", "tcg", "-nodefaults", "-no-user-config",
            "-nographic", "-display", "none", "-qmp", qmp, "-S", NULL,
        };

        if ((logfd = open(p->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
            TEST_FAIL("# cannot create %s: %s", p->log, g_strerror(errno));
        if ((nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
            close(logfd);
            TEST_FAIL("# cannot open /dev/null: %s", g_strerror(errno));
        }
        if ((pid = fork()) < 0) {
            close(logfd);
            close(nullfd);
            TEST_FAIL("# fork: %s", g_strerror(errno));
        }
        if (pid == 0) {
            /* Only async-signal-safe calls until exec. */
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (getppid() != parent)
                _exit(127);
            if (dup2(nullfd, STDIN_FILENO) < 0 || dup2(logfd, STDOUT_FILENO) < 0 ||
                dup2(logfd, STDERR_FILENO) < 0)
                _exit(127);
            execv(binary, (char **)argv);
            _exit(127);
        }
        close(logfd);
        close(nullfd);
    }
    p->pid = pid;
    watchdogPids[index] = pid;

    if (!(p->mon = qemuMonitorOpen(p->sock, p->name, ctx, WAIT_MS, &callbacks, p, NULL)))
        TEST_FAIL("# cannot open the monitor of %s: %s", p->name, errorGetSlot()->message);
    if (index == 1) {
        /* pipelined behind qmp_capabilities, as a migration's destination
         * does: QEMU must run them after the negotiation, in order */
        g_autoptr(QemuMonitorMigrationParams) params = qemuMonitorJSONMigrationParamsNew();
        QemuMonitorMigrationCaps caps = { 0 };
        json_object *cmds[2] = { NULL };

        caps.set[QEMU_MONITOR_MIGRATION_CAP_EVENTS] = true;
        caps.state[QEMU_MONITOR_MIGRATION_CAP_EVENTS] = true;
        qemuMonitorJSONMigrationParamsSetUInt(params,
                                              QEMU_MONITOR_MIGRATION_PARAM_DOWNTIME_LIMIT, 250);
        cmds[0] = qemuMonitorJSONBuildMigrateSetCapabilities(&caps);
        cmds[1] = qemuMonitorJSONBuildMigrateSetParameters(params);
        batch = qemuMonitorBatchSubmit(p->mon, cmds, G_N_ELEMENTS(cmds), WAIT_MS);
        if (!batch)
            TEST_FAIL("# %s", errorGetSlot()->message);
    }
    if (qemuMonitorWaitReady(p->mon, WAIT_MS) < 0)
        TEST_FAIL("# %s", errorGetSlot()->message);
    if (batch) {
        p->batchResult = g_strdup(qemuMonitorBatchWait(batch) == 0 ? "ok" :
                                  errorGetSlot()->message);
        errorReset();
    }
    return 0;
}

/* Kills and reaps @p if still there, and removes its files; any path. */
static void
qemuCleanup(QemuProc *p, size_t index)
{
    g_clear_pointer(&p->mon, qemuMonitorClose);
    if (p->pid > 0) {
        kill(p->pid, SIGKILL);
        while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR)
            ;
        p->pid = 0;
    }
    watchdogPids[index] = 0;
    if (p->sock)
        unlink(p->sock);
    if (p->log) {
        if (getenv("TEST_DEBUG")) {
            g_autofree char *text = NULL;

            if (g_file_get_contents(p->log, &text, NULL, NULL) && *text)
                testLog("# %s log:\n%s", p->name, text);
        }
        unlink(p->log);
    }
    if (p->dir)
        rmdir(p->dir);
    g_clear_pointer(&p->sock, g_free);
    g_clear_pointer(&p->log, g_free);
    g_clear_pointer(&p->batchResult, g_free);
    g_clear_pointer(&p->dir, g_free);
    g_clear_pointer(&p->events, g_ptr_array_unref);
    g_clear_pointer(&p->late, g_ptr_array_unref);
}

static gpointer
loopMain(gpointer opaque)
{
    g_main_context_push_thread_default(ctx);
    g_main_loop_run(loop);
    g_main_context_pop_thread_default(ctx);
    return NULL;
}

static bool
loopRunning(void *opaque)
{
    return g_main_loop_is_running(loop);
}

/* ---- steps ---- */

static int
testVersion(const void *opaque)
{
    QemuProc *p = &procs[0];
    g_autoptr(QemuMonitorVersion) greet = qemuMonitorGetVersion(p->mon);
    g_autoptr(QemuMonitorVersion) ver = qemuMonitorQueryVersion(p->mon);

    TEST_CHECK(ver != NULL, "# %s", errorGetSlot()->message);
    TEST_CHECK(greet != NULL, "# no greeting version");
    TEST_CHECK(ver->major == greet->major && ver->minor == greet->minor &&
               ver->micro == greet->micro && streq(ver->package, greet->package),
               "# query-version %u.%u.%u differs from the greeting %u.%u.%u", ver->major,
               ver->minor, ver->micro, greet->major, greet->minor, greet->micro);
    testLog("# QEMU %u.%u.%u (%s)", ver->major, ver->minor, ver->micro, ver->package);
    return 0;
}

static int
checkStatus(QemuProc *p, bool running, QemuMonitorRunState state)
{
    g_autoptr(QemuMonitorStatus) st = qemuMonitorGetStatus(p->mon);

    TEST_CHECK(st != NULL, "# %s", errorGetSlot()->message);
    TEST_CHECK(st->running == running && st->state == state, "# %s: running=%d state=%s",
               p->name, st->running, st->stateName);
    return 0;
}

static int
testStatus(const void *opaque)
{
    return checkStatus(&procs[0], false, QEMU_MONITOR_RUN_STATE_PRELAUNCH);
}

/* qemu-b got migrate-set-capabilities and migrate-set-parameters written
 * right behind qmp_capabilities, before QEMU answered it: both ran. */
static int
testBatchNegotiation(const void *opaque)
{
    QemuProc *p = &procs[1];
    g_autoptr(QemuMonitorMigrationParams) params = NULL;
    QemuMonitorMigrationCaps caps = { 0 };

    TEST_CHECK(streq(p->batchResult, "ok"), "# batch: %s", p->batchResult);
    TEST_CHECK(qemuMonitorGetMigrationCaps(p->mon, &caps) == 0, "# %s",
               errorGetSlot()->message);
    TEST_CHECK(caps.set[QEMU_MONITOR_MIGRATION_CAP_EVENTS] &&
               caps.state[QEMU_MONITOR_MIGRATION_CAP_EVENTS], "# events capability is off");
    TEST_CHECK((params = qemuMonitorGetMigrationParams(p->mon)) != NULL, "# %s",
               errorGetSlot()->message);
    TEST_CHECK(params->set[QEMU_MONITOR_MIGRATION_PARAM_DOWNTIME_LIMIT] &&
               params->num[QEMU_MONITOR_MIGRATION_PARAM_DOWNTIME_LIMIT] == 250,
               "# downtime-limit %" G_GUINT64_FORMAT,
               (guint64)params->num[QEMU_MONITOR_MIGRATION_PARAM_DOWNTIME_LIMIT]);
    return 0;
}

/* getfd passes a descriptor (SCM_RIGHTS); closefd finds it by name once. */
static int
testFileHandle(const void *opaque)
{
    QemuProc *p = &procs[0];
    g_autoptr(json_object) reply = NULL;
    json_object *args = json_object_new_object();
    int pipefd[2];
    int rc;

    TEST_CHECK(pipe2(pipefd, O_CLOEXEC | O_NONBLOCK) == 0, "# pipe: %s", g_strerror(errno));
    /* without an fd QEMU refuses getfd: the passing below is what counts */
    json_object_object_add(args, "fdname", json_object_new_string("vk-none"));
    rc = qemuMonitorCommand(p->mon, qemuMonitorJSONMakeCommand("getfd", args), 0,
                            QEMU_MONITOR_TIMEOUT_DEFAULT, &reply);
    TEST_CHECK(rc == 0 && json_object_object_get_ex(reply, "error", NULL),
               "# getfd without an fd did not fail");
    errorReset();

    rc = qemuMonitorSendFileHandle(p->mon, "vk-test", pipefd[1]);
    close(pipefd[1]);
    TEST_CHECK(rc == 0, "# getfd: %s", errorGetSlot()->message);
    TEST_CHECK(qemuMonitorCloseFileHandle(p->mon, "vk-test") == 0, "# closefd: %s",
               errorGetSlot()->message);
    /* QEMU and the monitor closed their copies: the pipe has no writer (EOF, not EAGAIN) */
    {
        char c;

        TEST_CHECK(read(pipefd[0], &c, 1) == 0, "# the pipe still has a writer");
    }
    close(pipefd[0]);
    TEST_CHECK(qemuMonitorCloseFileHandle(p->mon, "vk-test") < 0,
               "# closefd of a closed name succeeded");
    errorReset();
    return 0;
}

static int
testStopCont(const void *opaque)
{
    QemuProc *p = &procs[0];

    TEST_CHECK(qemuMonitorCont(p->mon) == 0, "# %s", errorGetSlot()->message);
    TEST_CHECK(waitItem(p->events, "RESUME"), "# no RESUME event");
    if (checkStatus(p, true, QEMU_MONITOR_RUN_STATE_RUNNING) < 0)
        return -1;
    TEST_CHECK(qemuMonitorStop(p->mon) == 0, "# %s", errorGetSlot()->message);
    TEST_CHECK(waitItem(p->events, "STOP"), "# no STOP event");
    if (checkStatus(p, false, QEMU_MONITOR_RUN_STATE_PAUSED) < 0)
        return -1;
    /* Leave it running for the stuck test. */
    TEST_CHECK(qemuMonitorCont(p->mon) == 0, "# %s", errorGetSlot()->message);
    return 0;
}

typedef struct {
    int ret;
    int code;
    char *message;
    gint64 elapsedMs;
} StopResult;

static gpointer
stopThread(gpointer opaque)
{
    StopResult *res = opaque;
    gint64 t0 = g_get_monotonic_time();

    res->ret = qemuMonitorStop(procs[0].mon);
    res->elapsedMs = (g_get_monotonic_time() - t0) / 1000;
    res->code = errorGetCode();
    /* Published last and atomically: testStuck polls it while we run. */
    g_atomic_pointer_set(&res->message, g_strdup(errorGetSlot()->message));
    errorReset();
    return NULL;
}

static gboolean
markInvoked(gpointer opaque)
{
    mutexLock(&lock);
    *(bool *)opaque = true;
    condBroadcast(&cond);
    mutexUnlock(&lock);
    return G_SOURCE_REMOVE;
}

/* Round trip through the event loop, in ms. */
static gint64
loopLatency(void)
{
    gint64 t0 = g_get_monotonic_time();
    gint64 deadline = t0 + (gint64)WAIT_MS * 1000;
    bool done = false;

    g_main_context_invoke(ctx, markInvoked, &done);
    mutexLock(&lock);
    while (!done && condWaitUntil(&cond, &lock, deadline))
        ;
    mutexUnlock(&lock);
    return (g_get_monotonic_time() - t0) / 1000;
}

static int
testStuck(const void *opaque)
{
    QemuProc *a = &procs[0];
    QemuProc *b = &procs[1];
    StopResult res = { 0 };
    GThread *t = NULL;
    json_object *reply = NULL;
    gint64 worstB = 0;
    gint64 worstLoop = 0;
    int rounds = 0;
    int status;
    int failed = 0;

    qemuMonitorSetTimeout(a->mon, 1000);
    if (kill(a->pid, SIGSTOP) < 0 || waitpid(a->pid, &status, WUNTRACED) != a->pid ||
        !WIFSTOPPED(status))
        TEST_FAIL("# cannot stop %s", a->name);

    t = g_thread_new("stop", stopThread, &res);
    /* While 'stop' waits: the other QEMU and the event loop answer at once. */
    while (!g_atomic_pointer_get(&res.message) && rounds < 100) {
        gint64 t0 = g_get_monotonic_time();
        g_autoptr(QemuMonitorStatus) st = qemuMonitorGetStatus(b->mon);
        gint64 ms = (g_get_monotonic_time() - t0) / 1000;
        gint64 lat = loopLatency();

        if (!st) {
            testLog("# %s: %s", b->name, errorGetSlot()->message);
            failed = 1;
            break;
        }
        worstB = MAX(worstB, ms);
        worstLoop = MAX(worstLoop, lat);
        rounds++;
        g_usleep(50 * 1000);
    }
    g_thread_join(t);
    testLog("# stuck 'stop': %" G_GINT64_FORMAT " ms; meanwhile %d queries to %s, worst %"
            G_GINT64_FORMAT " ms, worst loop round trip %" G_GINT64_FORMAT " ms",
            res.elapsedMs, rounds, b->name, worstB, worstLoop);
    TEST_CHECK(!failed, "# the other monitor failed");
    TEST_CHECK(rounds >= 5, "# only %d queries while stuck", rounds);
    TEST_CHECK(worstB < 100 && worstLoop < 100, "# not responsive");
    TEST_CHECK(res.ret == -1 && res.code == VIR_ERR_OPERATION_TIMEOUT, "# ret %d code %d: %s",
               res.ret, res.code, res.message);
    TEST_CHECK(streq(res.message, "Timed out during operation: QEMU command 'stop' on domain "
                                  "'qemu-a' did not answer within 1 s"), "# %s", res.message);
    TEST_CHECK(res.elapsedMs >= 1000 && res.elapsedMs < 1500, "# waited %" G_GINT64_FORMAT " ms",
               res.elapsedMs);
    g_free(res.message);

    /* A second command fails fast, naming the one in the way. */
    TEST_CHECK(qemuMonitorCommand(a->mon, qemuMonitorJSONMakeCommand("query-status", NULL), 0,
                                  300, &reply) < 0, "# query-status on a stuck QEMU");
    TEST_CHECK(streq(errorGetSlot()->message,
                     "Timed out during operation: QEMU command 'query-status' on domain 'qemu-a' "
                     "was not sent within 0.3 s: the monitor is busy with command 'stop'"),
               "# %s", errorGetSlot()->message);
    errorReset();
    return 0;
}

static int
testLateReply(const void *opaque)
{
    QemuProc *a = &procs[0];
    guint nlate;
    int status;

    if (kill(a->pid, SIGCONT) < 0 || waitpid(a->pid, &status, WCONTINUED) != a->pid)
        TEST_FAIL("# cannot continue %s", a->name);
    TEST_CHECK(waitItem(a->late, "stop {\"return\":{}"), "# no late reply to 'stop'");
    TEST_CHECK(waitItem(a->events, "STOP"), "# no STOP event");
    mutexLock(&lock);
    nlate = a->late->len;
    mutexUnlock(&lock);
    TEST_CHECK(nlate == 1, "# %u late replies", nlate);
    return checkStatus(a, false, QEMU_MONITOR_RUN_STATE_PAUSED);
}

static int
testQuit(const void *opaque)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(procs); i++) {
        QemuProc *p = &procs[i];
        int status = 0;

        TEST_CHECK(qemuMonitorQuit(p->mon) == 0, "# %s: %s", p->name, errorGetSlot()->message);
        TEST_CHECK(waitClosed(p), "# %s: no EOF after quit", p->name);
        TEST_CHECK(p->closedCount == 1 && p->closedReason == QEMU_MONITOR_CLOSED_EOF,
                   "# %s: closed %d times, reason %d", p->name, p->closedCount, p->closedReason);
        TEST_CHECK(qemuWaitExit(p, &status) == 0, "# %s did not exit", p->name);
        TEST_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "# %s: status 0x%x", p->name,
                   status);
        watchdogPids[i] = 0;
        TEST_CHECK(qemuMonitorStop(p->mon) < 0 && errorGetCode() == VIR_ERR_OPERATION_FAILED,
                   "# command after EOF");
        errorReset();
    }
    TEST_CHECK(!offLoop, "# a callback ran outside the event-loop thread");
    return 0;
}

static int
testStartFailed(const void *opaque)
{
    testLog("# could not start QEMU and connect to its monitor (see above)");
    return -1;
}

static gboolean
quitLoop(gpointer opaque)
{
    g_main_loop_quit(loop);
    return G_SOURCE_REMOVE;
}

int
main(int argc, char **argv)
{
    g_autofree char *binary = g_find_program_in_path("qemu-system-x86_64");
    bool started = true;
    size_t i;
    int ret;

    testInit(argc, argv);
    if (!binary) {
        testSkipAll("qemu-system-x86_64 not found");
        return 0;
    }
    signal(SIGALRM, watchdog);
    alarm(HARD_TIMEOUT_S);

    ctx = g_main_context_new();
    loop = g_main_loop_new(ctx, FALSE);
    loopThread = g_thread_new("loop", loopMain, NULL);
    if (!testWaitFor(loopRunning, NULL, WAIT_MS))
        started = false;

    for (i = 0; i < G_N_ELEMENTS(procs) && started; i++) {
        if (qemuStart(&procs[i], binary, i) < 0)
            started = false;
    }
    if (started) {
        testRun("query-version", testVersion, NULL);
        testRun("query-status", testStatus, NULL);
        testRun("batch-behind-negotiation", testBatchNegotiation, NULL);
        testRun("stop-cont", testStopCont, NULL);
        testRun("getfd-closefd", testFileHandle, NULL);
        testRun("stuck-qemu-timeout", testStuck, NULL);
        testRun("late-reply", testLateReply, NULL);
        testRun("quit-eof", testQuit, NULL);
    } else {
        testRun("start", testStartFailed, NULL);
    }

    for (i = 0; i < G_N_ELEMENTS(procs); i++)
        qemuCleanup(&procs[i], i);
    g_main_context_invoke(ctx, quitLoop, NULL);
    g_thread_join(loopThread);
    g_main_loop_unref(loop);
    g_main_context_unref(ctx);
    ret = testFinish();
    alarm(0);
    return ret;
}
