/* The migration state machine: the table of migration_table.def and its executor. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#define ERR_DOMAIN VIR_FROM_DOMAIN

#include "migration/migration.h"
#include "util/error.h"
#include "util/event.h"
#include "util/log.h"
#include "util/str.h"
#include "util/thread.h"
#include "util/xml.h"

LOG_INIT("migration");

/* ---- the table, compiled from migration_table.def ---- */

#define MIG_EVENT(name) #name,
#define MIG_ACTION(name)
#define MIG_PHASE(name, side, kind, persist, st, rs, et, ed, entry, step)
#define MIG_ROW(from, ev, act, next, err)
static const char *const migrationEventNames[] = {
#include "migration/migration_table.def"
};
#undef MIG_EVENT
#undef MIG_ACTION
#define MIG_EVENT(name)
#define MIG_ACTION(name) #name,
static const char *const migrationActionNames[] = {
#include "migration/migration_table.def"
};
#undef MIG_ACTION
#undef MIG_PHASE
#define MIG_ACTION(name)
#define MIG_PHASE(name, side, kind, persist, st, rs, et, ed, entry, step) \
    { #name, MIG_SIDE_ ## side, MIG_KIND_ ## kind, persist, st, rs, et, ed, \
      MIG_ACTION_ ## entry, MIG_STEP_ ## step },
static const MigPhaseInfo migrationPhases[] = {
#include "migration/migration_table.def"
};
#undef MIG_PHASE
#undef MIG_ROW
#define MIG_PHASE(name, side, kind, persist, st, rs, et, ed, entry, step)
#define MIG_ROW(from, ev, act, next, err) \
    { MIG_PHASE_ ## from, MIG_EVENT_ ## ev, MIG_ACTION_ ## act, \
      MIG_PHASE_ ## next, MIG_PHASE_ ## err },
static const MigTransition migrationRows[] = {
#include "migration/migration_table.def"
};
#undef MIG_EVENT
#undef MIG_ACTION
#undef MIG_PHASE
#undef MIG_ROW

G_STATIC_ASSERT(G_N_ELEMENTS(migrationEventNames) == MIG_EVENT_LAST);
G_STATIC_ASSERT(G_N_ELEMENTS(migrationActionNames) == MIG_ACTION_LAST);
G_STATIC_ASSERT(G_N_ELEMENTS(migrationPhases) == MIG_PHASE_LAST);

static const char *const migrationSideNames[] = { "SOURCE", "DEST" };
G_STATIC_ASSERT(G_N_ELEMENTS(migrationSideNames) == MIG_SIDE_LAST);
static const char *const migrationKindNames[] = {
    "IDLE", "ACTIVE", "OK", "FAILED", "PCFAILED", "UNKNOWN", "LOST",
};
G_STATIC_ASSERT(G_N_ELEMENTS(migrationKindNames) == MIG_KIND_LAST);
static const char *const migrationStepNames[] = {
    "NONE", "BEGIN", "PREPARE", "PERFORM", "FINISH", "CONFIRM",
};
G_STATIC_ASSERT(G_N_ELEMENTS(migrationStepNames) == MIG_STEP_LAST);

/* ---- lookups ---- */

/**
 * migrationPhaseInfo:
 * @phase: a phase
 *
 * Returns: the table's description of @phase (static, never NULL).
 */
const MigPhaseInfo *
migrationPhaseInfo(MigPhase phase)
{
    g_assert(phase < MIG_PHASE_LAST);
    return &migrationPhases[phase];
}

/**
 * migrationTransitions:
 * @count: set to the number of rows
 *
 * Returns: the table's rows (static).
 */
const MigTransition *
migrationTransitions(size_t *count)
{
    *count = G_N_ELEMENTS(migrationRows);
    return migrationRows;
}

/**
 * migrationTransitionFind:
 * @from: current phase
 * @event: what happened
 *
 * Returns: the row for (@from, @event), or NULL when the phase does not
 * accept the event.
 */
const MigTransition *
migrationTransitionFind(MigPhase from, MigEvent event)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(migrationRows); i++) {
        if (migrationRows[i].from == from && migrationRows[i].event == event)
            return &migrationRows[i];
    }
    return NULL;
}

/**
 * migrationPhaseName:
 * @phase: a phase
 *
 * Returns: its name in the table ("S_PERFORM"), static.
 */
const char *
migrationPhaseName(MigPhase phase)
{
    return migrationPhaseInfo(phase)->name;
}

/**
 * migrationEventName:
 * @event: an event
 *
 * Returns: its name in the table ("Q_COMPLETED"), static.
 */
const char *
migrationEventName(MigEvent event)
{
    g_assert(event < MIG_EVENT_LAST);
    return migrationEventNames[event];
}

/**
 * migrationActionName:
 * @action: an action
 *
 * Returns: its name in the table ("CANCEL_RESUME"), static.
 */
const char *
migrationActionName(MigAction action)
{
    g_assert(action < MIG_ACTION_LAST);
    return migrationActionNames[action];
}

/**
 * migrationPhaseFromName:
 * @name: a phase name as in the table
 *
 * Returns: the phase, or -1 (no error reported) when there is none.
 */
int
migrationPhaseFromName(const char *name)
{
    size_t i;

    for (i = 0; i < MIG_PHASE_LAST; i++) {
        if (streq(migrationPhases[i].name, name))
            return i;
    }
    return -1;
}

/**
 * migrationEventFromName:
 * @name: an event name as in the table
 *
 * Returns: the event, or -1 (no error reported) when there is none.
 */
int
migrationEventFromName(const char *name)
{
    size_t i;

    for (i = 0; i < MIG_EVENT_LAST; i++) {
        if (streq(migrationEventNames[i], name))
            return i;
    }
    return -1;
}

/**
 * migrationPhaseIsTerminal:
 * @phase: a phase
 *
 * Returns: true when the migration is over on that side (any outcome).
 */
bool
migrationPhaseIsTerminal(MigPhase phase)
{
    MigKind kind = migrationPhaseInfo(phase)->kind;

    return kind != MIG_KIND_IDLE && kind != MIG_KIND_ACTIVE;
}

/* ---- the executor ---- */

/**
 * migrationCtxInit:
 * @ctx: the context to set up
 * @side: which side of the migration the driver plays
 * @hooks: the driver's hooks (static; every member set)
 * @opaque: passed to the hooks
 *
 * Puts @ctx in the side's idle phase (S_NONE / D_NONE).
 */
void
migrationCtxInit(MigCtx *ctx, MigSide side, const MigHooks *hooks,
                 void *opaque)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->side = side;
    ctx->phase = side == MIG_SIDE_SOURCE ? MIG_PHASE_S_NONE : MIG_PHASE_D_NONE;
    ctx->persisted = ctx->phase;
    ctx->hooks = hooks;
    ctx->opaque = opaque;
}

/* Show @phase's state/reason/event if they differ from the guest's. */
static void
migrationShow(MigCtx *ctx, const MigPhaseInfo *info)
{
    int state = -1;
    int reason = -1;

    if (info->state == MIG_KEEP)
        return;
    ctx->hooks->getState(ctx->opaque, &state, &reason);
    if (state == info->state && reason == info->reason)
        return;
    ctx->hooks->show(ctx->opaque, info->state, info->reason,
                     info->eventType, info->eventDetail);
}

/*
 * Test hook (docs/migration.md, "Crash points"): with
 * VIRTKIT_TEST_MIGRATION_CRASH=PHASE in its environment the process kills
 * itself with SIGKILL right after recording PHASE in the status XML and
 * before the action that follows, the crash point the model checks.
 * Unset (always, outside tests) it costs one getenv per recorded phase.
 */
static void
migrationCrashPoint(MigPhase phase)
{
    const char *want = getenv("VIRTKIT_TEST_MIGRATION_CRASH");

    if (want && streq(want, migrationPhaseName(phase))) {
        LOG_WARN("VIRTKIT_TEST_MIGRATION_CRASH: killing this process in phase %s", want);
        raise(SIGKILL);
    }
}

/*
 * Enter @next (different from the current phase): record it if the table
 * says so and it was not recorded yet, run its entry action, show it.
 * Failures here are logged only: the phase is entered regardless (an
 * entry action cannot take a guest back) and the caller's error stays.
 */
static void
migrationEnter(MigCtx *ctx, MigPhase next)
{
    const MigPhaseInfo *info = migrationPhaseInfo(next);
    g_autoptr(SavedError) saved = errorSave();
    MigEvent ignored = MIG_EVENT_NONE;

    if ((info->persist || migrationPhaseIsTerminal(next)) &&
        ctx->persisted != next) {
        if (ctx->hooks->persist(ctx->opaque, next) < 0) {
            LOG_WARN("cannot record migration phase %s, ignoring", info->name);
        } else {
            ctx->persisted = next;
            migrationCrashPoint(next);
        }
    }
    ctx->phase = next;
    if (info->entry != MIG_ACTION_NONE &&
        ctx->hooks->action(ctx->opaque, info->entry, &ignored) < 0)
        LOG_WARN("entry action %s of %s failed, ignoring",
                 migrationActionName(info->entry), info->name);
    migrationShow(ctx, info);
}

/**
 * migrationPhaseHandle:
 * @ctx: one side of a migration (caller holds the domain lock and job)
 * @event: what happened
 * @retAction: set to the row's action (NONE when refused); may be NULL
 * @retNext: set to the phase reached; may be NULL
 *
 * Applies the table's row for (current phase, @event): records the next
 * phase first when the table says so, runs the action through the hooks,
 * moves to the row's next phase (or its error phase when the action
 * failed), runs the entry action and shows the state and event of the
 * phase entered.  A QUERY action's answer is handled as the next event.
 * An error of the action is kept across the entry action and hooks.
 *
 * Returns: 1 when a row was applied and its action succeeded, 0 when the
 * phase does not accept @event (nothing changed, no error reported), -1
 * when the action failed (error reported; the phase is the row's error
 * phase).
 */
int
migrationPhaseHandle(MigCtx *ctx, MigEvent event, MigAction *retAction,
                     MigPhase *retNext)
{
    const MigTransition *row = migrationTransitionFind(ctx->phase, event);
    const MigPhaseInfo *nextInfo;
    MigEvent follow = MIG_EVENT_NONE;
    MigPhase next;
    int rc = 0;

    if (retAction)
        *retAction = row ? row->action : MIG_ACTION_NONE;
    if (!row) {
        LOG_DEBUG("%s: event %s not accepted", migrationPhaseName(ctx->phase),
                  migrationEventName(event));
        if (retNext)
            *retNext = ctx->phase;
        return 0;
    }

    LOG_DEBUG("%s + %s -> %s (action %s)", migrationPhaseName(ctx->phase),
              migrationEventName(event), migrationPhaseName(row->next),
              migrationActionName(row->action));
    next = row->next;
    nextInfo = migrationPhaseInfo(next);
    if (next != ctx->phase && nextInfo->persist) {
        if (ctx->hooks->persist(ctx->opaque, next) < 0) {
            rc = -1;
        } else {
            ctx->persisted = next;
            migrationCrashPoint(next);
        }
    }
    if (rc == 0 && row->action != MIG_ACTION_NONE &&
        ctx->hooks->action(ctx->opaque, row->action, &follow) < 0)
        rc = -1;
    if (rc < 0) {
        next = row->nextOnError;
        follow = MIG_EVENT_NONE;
    }
    if (next != ctx->phase)
        migrationEnter(ctx, next);

    if (follow != MIG_EVENT_NONE &&
        migrationPhaseHandle(ctx, follow, NULL, NULL) < 0)
        rc = -1;
    if (retNext)
        *retNext = ctx->phase;
    return rc < 0 ? -1 : 1;
}

/**
 * migrationPhaseRecover:
 * @ctx: one side, set up with migrationCtxInit (hooks of the restarted
 *       daemon)
 * @persisted: the phase read back from the status XML
 *
 * After a daemon restart: continue from the last recorded phase and apply
 * its RESTART row (the table's recovery action).
 *
 * Returns: as migrationPhaseHandle (0 when the phase needs no recovery).
 */
int
migrationPhaseRecover(MigCtx *ctx, MigPhase persisted)
{
    ctx->phase = persisted;
    ctx->persisted = persisted;
    return migrationPhaseHandle(ctx, MIG_EVENT_RESTART, NULL, NULL);
}

/* ---- timeouts ---- */

/**
 * migrationTimeoutMs:
 *
 * How long a side waits for the peer's next step call before the table's
 * TIMEOUT event: MIGRATION_TIMEOUT_DEFAULT_MS, or the value in ms of the
 * environment variable MIGRATION_TIMEOUT_ENV (tests shorten it).
 *
 * Returns: the timeout in ms (> 0).
 */
unsigned int
migrationTimeoutMs(void)
{
    const char *env = g_getenv(MIGRATION_TIMEOUT_ENV);
    unsigned int ms;

    if (env && strParseUInt(env, 10, &ms) == 0 && ms > 0)
        return ms;
    return MIGRATION_TIMEOUT_DEFAULT_MS;
}

/**
 * migrationPhaseTimeout:
 * @phase: a phase
 *
 * The phases where a side only waits for the peer's next step call (no
 * transfer of its own runs): S_BEGIN (Perform), S_DONE_PRECOPY and
 * S_DONE_POSTCOPY (Confirm), D_INCOMING, D_POSTCOPY and D_POSTCOPY_DONE
 * (Finish).  Each has a TIMEOUT row (tests/migration/migratetest.c checks
 * it).  In D_INCOMING and D_POSTCOPY the driver restarts the wait while
 * its incoming transfer is still running.
 *
 * Returns: the time to wait in ms, or 0 when @phase has no timeout.
 */
unsigned int
migrationPhaseTimeout(MigPhase phase)
{
    switch (phase) {
    case MIG_PHASE_S_BEGIN:
    case MIG_PHASE_S_DONE_PRECOPY:
    case MIG_PHASE_S_DONE_POSTCOPY:
    case MIG_PHASE_D_INCOMING:
    case MIG_PHASE_D_POSTCOPY:
    case MIG_PHASE_D_POSTCOPY_DONE:
        return migrationTimeoutMs();
    default:
        return 0;
    }
}

/**
 * migrationTimeoutWaitsOn:
 * @phase: a phase whose wait for the next step call is over
 * @transfer: what this side's hypervisor says of its own transfer, as the
 *            table's event: Q_ACTIVE, Q_PRESWITCHOVER or Q_POSTCOPY while
 *            data still flows; anything else (NONE when nothing is known,
 *            e.g. still waiting for the source's connection) otherwise
 *
 * A destination whose incoming transfer still runs in D_INCOMING or
 * D_POSTCOPY restarts its wait instead of handling TIMEOUT: a slow
 * transfer is not a lost peer (the source's Perform is still busy).
 *
 * Returns: true when the driver restarts the wait of @phase.
 */
bool
migrationTimeoutWaitsOn(MigPhase phase, MigEvent transfer)
{
    if (phase != MIG_PHASE_D_INCOMING && phase != MIG_PHASE_D_POSTCOPY)
        return false;
    return transfer == MIG_EVENT_Q_ACTIVE || transfer == MIG_EVENT_Q_PRESWITCHOVER ||
           transfer == MIG_EVENT_Q_POSTCOPY;
}

struct _MigTimer {
    gint refs;
    Mutex lock;
    Cond cond;
    int id;                    /* event-loop timer, -1 none; under @lock */
    gint64 due;                /* monotonic ms, 0 none; under @lock */
    GThread *running;          /* thread in @cb; under @lock */
    bool freed;                /* under @lock */
    MigTimerFunc cb;           /* immutable */
    void *opaque;              /* immutable */
};

static void
migrationTimerUnref(void *opaque)
{
    MigTimer *timer = opaque;

    if (!g_atomic_int_dec_and_test(&timer->refs))
        return;
    mutexClear(&timer->lock);
    condClear(&timer->cond);
    g_free(timer);
}

static void
migrationTimerFire(int id, void *opaque)
{
    MigTimer *timer = opaque;
    gint64 now = g_get_monotonic_time() / 1000;

    mutexLock(&timer->lock);
    if (timer->freed || id != timer->id) {
        mutexUnlock(&timer->lock);
        return;
    }
    if (timer->due == 0 || now < timer->due) {
        eventUpdateTimeout(id, timer->due == 0 ? -1 : (int)(timer->due - now));
        mutexUnlock(&timer->lock);
        return;
    }
    timer->due = 0;
    eventUpdateTimeout(id, -1);
    timer->running = g_thread_self();
    mutexUnlock(&timer->lock);

    timer->cb(timer->opaque);

    mutexLock(&timer->lock);
    timer->running = NULL;
    condBroadcast(&timer->cond);
    mutexUnlock(&timer->lock);
}

/**
 * migrationTimerNew:
 * @cb: called on the event-loop thread when the timer is due
 * @opaque: passed to @cb
 *
 * Returns: a disarmed timer (free with migrationTimerFree).
 */
MigTimer *
migrationTimerNew(MigTimerFunc cb, void *opaque)
{
    MigTimer *timer = g_new0(MigTimer, 1);

    timer->refs = 1;
    mutexInit(&timer->lock);
    condInit(&timer->cond);
    timer->id = -1;
    timer->cb = cb;
    timer->opaque = opaque;
    return timer;
}

/**
 * migrationTimerSchedule:
 * @timer: a timer
 * @dueMs: when it must fire (g_get_monotonic_time() in ms)
 *
 * Makes @timer fire at @dueMs, or earlier if it was already due earlier
 * (one callback for all the deadlines scheduled; the callback schedules
 * the next one).
 *
 * Returns: 0, or -1 when there is no event loop (logged, no error set).
 */
int
migrationTimerSchedule(MigTimer *timer, gint64 dueMs)
{
    gint64 now = g_get_monotonic_time() / 1000;
    int ret = 0;

    mutexLock(&timer->lock);
    if (timer->due == 0 || dueMs < timer->due)
        timer->due = dueMs;
    if (timer->id < 0) {
        g_atomic_int_inc(&timer->refs);
        timer->id = eventAddTimeout((int)MAX(timer->due - now, 0),
                                    migrationTimerFire, timer,
                                    migrationTimerUnref);
        if (timer->id < 0) {
            g_atomic_int_dec_and_test(&timer->refs);
            timer->due = 0;
            LOG_WARN("no event loop: migrations will not time out");
            ret = -1;
        }
    } else {
        eventUpdateTimeout(timer->id, (int)MAX(timer->due - now, 0));
    }
    mutexUnlock(&timer->lock);
    return ret;
}

/**
 * migrationTimerFree:
 * @timer: a timer or NULL
 *
 * Disarms @timer and waits for a callback in progress on another thread
 * (so the caller must not hold anything the callback takes).
 */
void
migrationTimerFree(MigTimer *timer)
{
    int id;

    if (!timer)
        return;
    mutexLock(&timer->lock);
    timer->freed = true;
    while (timer->running && timer->running != g_thread_self())
        condWaitUntil(&timer->cond, &timer->lock,
                      g_get_monotonic_time() + G_USEC_PER_SEC);
    id = timer->id;
    timer->id = -1;
    mutexUnlock(&timer->lock);
    if (id >= 0)
        eventRemoveTimeout(id);
    migrationTimerUnref(timer);
}

/* ---- cookies ---- */

/**
 * migrationCookieCheckFeatures:
 * @root: the root element of a peer's cookie
 * @known: NULL-terminated names of the features the receiver implements
 *
 * Checks the <feature name='X' [mandatory='yes']/> elements of a cookie:
 * an unknown feature is ignored unless it is mandatory (its content must
 * be honoured, e.g. lock state the destination has to re-acquire).
 *
 * Returns: 0, or -1 with VIR_ERR_INTERNAL_ERROR naming the feature.
 */
int
migrationCookieCheckFeatures(xmlNodePtr root, const char *const *known)
{
    xmlNodePtr node;

    for (node = root ? root->children : NULL; node; node = node->next) {
        g_autofree char *name = NULL;
        g_autofree char *mandatory = NULL;

        if (!xmlUtilNodeIs(node, "feature"))
            continue;
        name = xmlUtilProp(node, "name");
        if (!name || !*name) {
            reportError(VIR_ERR_INTERNAL_ERROR, "%s",
                        _("missing feature name in migration cookie"));
            return -1;
        }
        if (g_strv_contains(known, name))
            continue;
        mandatory = xmlUtilProp(node, "mandatory");
        if (mandatory && streq(mandatory, "yes")) {
            reportError(VIR_ERR_INTERNAL_ERROR,
                        _("Unknown migration cookie feature %1$s"), name);
            return -1;
        }
        LOG_DEBUG("ignoring optional migration cookie feature %s", name);
    }
    return 0;
}

/* ---- export (the model generator's consistency check) ---- */

static void
migrationJSONDisplay(GString *buf, const char *key, int value)
{
    if (value == MIG_KEEP)
        g_string_append_printf(buf, "\"%s\": null", key);
    else
        g_string_append_printf(buf, "\"%s\": %d", key, value);
}

/**
 * migrationTableFormatJSON:
 *
 * The compiled table as JSON (phases with all their columns, rows, events,
 * actions), so that tests can check that the model generator read the
 * same table the C code executes.
 *
 * Returns: a new string (caller frees).
 */
char *
migrationTableFormatJSON(void)
{
    GString *buf = g_string_new("{\n  \"phases\": [\n");
    size_t i;

    for (i = 0; i < MIG_PHASE_LAST; i++) {
        const MigPhaseInfo *p = &migrationPhases[i];

        g_string_append_printf(buf,
                               "    {\"name\": \"%s\", \"side\": \"%s\", "
                               "\"kind\": \"%s\", \"persist\": %s, ",
                               p->name, migrationSideNames[p->side],
                               migrationKindNames[p->kind],
                               p->persist ? "true" : "false");
        migrationJSONDisplay(buf, "state", p->state);
        g_string_append(buf, ", ");
        migrationJSONDisplay(buf, "reason", p->reason);
        g_string_append(buf, ", ");
        migrationJSONDisplay(buf, "eventType", p->eventType);
        g_string_append(buf, ", ");
        migrationJSONDisplay(buf, "eventDetail", p->eventDetail);
        g_string_append_printf(buf, ", \"entry\": \"%s\", \"step\": \"%s\"}%s\n",
                               migrationActionNames[p->entry],
                               migrationStepNames[p->step],
                               i + 1 < MIG_PHASE_LAST ? "," : "");
    }
    g_string_append(buf, "  ],\n  \"rows\": [\n");
    for (i = 0; i < G_N_ELEMENTS(migrationRows); i++) {
        const MigTransition *r = &migrationRows[i];

        g_string_append_printf(buf,
                               "    [\"%s\", \"%s\", \"%s\", \"%s\", \"%s\"]%s\n",
                               migrationPhaseName(r->from),
                               migrationEventNames[r->event],
                               migrationActionNames[r->action],
                               migrationPhaseName(r->next),
                               migrationPhaseName(r->nextOnError),
                               i + 1 < G_N_ELEMENTS(migrationRows) ? "," : "");
    }
    g_string_append(buf, "  ],\n  \"events\": [");
    for (i = 0; i < MIG_EVENT_LAST; i++)
        g_string_append_printf(buf, "%s\"%s\"", i ? ", " : "",
                               migrationEventNames[i]);
    g_string_append(buf, "],\n  \"actions\": [");
    for (i = 0; i < MIG_ACTION_LAST; i++)
        g_string_append_printf(buf, "%s\"%s\"", i ? ", " : "",
                               migrationActionNames[i]);
    g_string_append(buf, "]\n}\n");
    return g_string_free(buf, FALSE);
}
