/* The migration state machine: one table (migration_table.def) for both sides, and its executor. */
#pragma once

#include <stdbool.h>
#include <glib.h>
#include <libvirt/libvirt.h>
#include <libxml/tree.h>

/*
 * Drivers (test, qemu) run every migration step through
 * migrationPhaseHandle(); they keep no phase logic of their own.  The
 * table is checked with spin (scripts/gen-migration-promela.py,
 * docs/migration.md).
 */

/* "Leave unchanged / emit nothing" in the display columns of the table. */
#define MIG_KEEP (-1)

typedef enum {
    MIG_SIDE_SOURCE,
    MIG_SIDE_DEST,
    MIG_SIDE_LAST
} MigSide;

typedef enum {
    MIG_KIND_IDLE,       /* no migration on this side */
    MIG_KIND_ACTIVE,     /* in progress */
    MIG_KIND_OK,         /* terminal: migrated */
    MIG_KIND_FAILED,     /* terminal: failed, guest where it was */
    MIG_KIND_PCFAILED,   /* terminal: post-copy failed, paused */
    MIG_KIND_UNKNOWN,    /* terminal: left paused, peer outcome unknown */
    MIG_KIND_LOST,       /* terminal: this side's QEMU died */
    MIG_KIND_LAST
} MigKind;

typedef enum {
    MIG_STEP_NONE,
    MIG_STEP_BEGIN,
    MIG_STEP_PREPARE,
    MIG_STEP_PERFORM,
    MIG_STEP_FINISH,
    MIG_STEP_CONFIRM,
    MIG_STEP_LAST
} MigStep;

#define MIG_EVENT(name) MIG_EVENT_ ## name,
#define MIG_ACTION(name)
#define MIG_PHASE(name, side, kind, persist, st, rs, et, ed, entry, step)
#define MIG_ROW(from, ev, act, next, err)
typedef enum {
#include "migration/migration_table.def"
    MIG_EVENT_LAST
} MigEvent;
#undef MIG_EVENT
#undef MIG_ACTION
#define MIG_EVENT(name)
#define MIG_ACTION(name) MIG_ACTION_ ## name,
typedef enum {
#include "migration/migration_table.def"
    MIG_ACTION_LAST
} MigAction;
#undef MIG_ACTION
#undef MIG_PHASE
#define MIG_ACTION(name)
#define MIG_PHASE(name, side, kind, persist, st, rs, et, ed, entry, step) \
    MIG_PHASE_ ## name,
typedef enum {
#include "migration/migration_table.def"
    MIG_PHASE_LAST
} MigPhase;
#undef MIG_EVENT
#undef MIG_ACTION
#undef MIG_PHASE
#undef MIG_ROW

/* One phase of the table.  Immutable. */
typedef struct {
    const char *name;            /* "S_PERFORM" */
    MigSide side;
    MigKind kind;
    bool persist;                /* recorded before the entering action */
    int state;                   /* virDomainState or MIG_KEEP */
    int reason;                  /* the state's reason or MIG_KEEP */
    int eventType;               /* virDomainEventType or MIG_KEEP */
    int eventDetail;
    MigAction entry;             /* run when the phase is entered */
    MigStep step;                /* step that succeeds on reaching it */
} MigPhaseInfo;

/* One transition of the table.  Immutable. */
typedef struct {
    MigPhase from;
    MigEvent event;
    MigAction action;
    MigPhase next;               /* when the action succeeds */
    MigPhase nextOnError;        /* when it fails */
} MigTransition;

/*
 * What a driver plugs into the executor.  Each hook gets @opaque.
 *
 * persist:  write @phase (and whatever the driver needs to recover) to the
 *           status XML.  Called before the action of a transition into a
 *           phase whose `persist` is set.  Returns 0 or -1 (error
 *           reported; the transition then fails as if its action had).
 * action:   run @action; 0 or -1 with an error reported.  QUERY stores the
 *           QEMU status in *@retEvent (a Q_* event), which the executor
 *           handles next; other actions leave it MIG_EVENT_NONE.
 * show:     set the guest's state/reason (MIG_KEEP: leave) and queue the
 *           lifecycle event (type MIG_KEEP: none).  The executor calls it
 *           only when state or reason actually change.
 * getState: the guest's current state and reason (for that comparison).
 */
typedef struct {
    int (*persist)(void *opaque, MigPhase phase);
    int (*action)(void *opaque, MigAction action, MigEvent *retEvent);
    void (*show)(void *opaque, int state, int reason, int eventType,
                 int eventDetail);
    void (*getState)(void *opaque, int *state, int *reason);
} MigHooks;

/* One side of one migration, as a driver keeps it (under the domain lock). */
typedef struct {
    MigSide side;
    MigPhase phase;              /* current phase */
    MigPhase persisted;          /* last phase written by the persist hook */
    const MigHooks *hooks;
    void *opaque;
} MigCtx;

void migrationCtxInit(MigCtx *ctx, MigSide side, const MigHooks *hooks,
                      void *opaque);

const MigPhaseInfo *migrationPhaseInfo(MigPhase phase);
const MigTransition *migrationTransitionFind(MigPhase from, MigEvent event);
const MigTransition *migrationTransitions(size_t *count);

const char *migrationPhaseName(MigPhase phase);
const char *migrationEventName(MigEvent event);
const char *migrationActionName(MigAction action);
int migrationPhaseFromName(const char *name);
int migrationEventFromName(const char *name);

bool migrationPhaseIsTerminal(MigPhase phase);

int migrationPhaseHandle(MigCtx *ctx, MigEvent event, MigAction *retAction,
                         MigPhase *retNext);
int migrationPhaseRecover(MigCtx *ctx, MigPhase persisted);

char *migrationTableFormatJSON(void);

/*
 * Timeouts (the table's TIMEOUT event).  A side that waits for the peer's
 * next step call -- the source after Begin (Perform) or after its transfer
 * completed (Confirm), the destination after Prepare or once its incoming
 * post-copy transfer is through (Finish) -- gets TIMEOUT when the call does
 * not come in time: the controlling client or the peer daemon is gone.
 * The table decides what follows (docs/migration.md, "Timeouts").
 */
#define MIGRATION_TIMEOUT_ENV "VIRTKIT_MIGRATION_TIMEOUT_MS"
#define MIGRATION_TIMEOUT_DEFAULT_MS (5 * 60 * 1000)

unsigned int migrationTimeoutMs(void);
unsigned int migrationPhaseTimeout(MigPhase phase);
bool migrationTimeoutWaitsOn(MigPhase phase, MigEvent transfer);

/*
 * A one-shot timer on the process's event loop (util/event.h), for a
 * driver's migration watchdog.  Its callback runs on the event-loop
 * thread without any lock of this module held.
 */
typedef struct _MigTimer MigTimer;
typedef void (*MigTimerFunc)(void *opaque);

MigTimer *migrationTimerNew(MigTimerFunc cb, void *opaque);
int migrationTimerSchedule(MigTimer *timer, gint64 dueMs);
void migrationTimerFree(MigTimer *timer);

/*
 * Migration cookies (XML, root <qemu-migration>) announce their optional
 * content with <feature name='X'/> elements; a feature marked
 * mandatory='yes' that the receiver does not implement refuses the cookie.
 */
int migrationCookieCheckFeatures(xmlNodePtr root, const char *const *known);
