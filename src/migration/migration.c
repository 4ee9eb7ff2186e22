/* The migration state machine: the table of migration_table.def and its executor. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#define ERR_DOMAIN VIR_FROM_DOMAIN

#include "migration/migration.h"
#include "util/error.h"
#include "util/log.h"
#include "util/str.h"

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
