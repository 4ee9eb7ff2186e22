#!/usr/bin/env python3
#
# gen-migration-promela.py: turn the migration table into a Promela model.
#
# Reads src/migration/migration_table.def (the X-macro file that
# src/migration/migration.c compiles and executes) and writes a Promela
# model of one migration between two hosts: the two daemons run the table,
# a client drives the five v3 steps (managed direct), the two QEMUs carry
# the transfer, and an environment injects faults (either daemon restarts
# at any point, even between recording a phase and running its action,
# either QEMU crashes, the connection between the hosts or to the client
# is lost, abortJob, timeouts, Prepare/Perform/Finish/continue failures,
# post-copy failure).  spin then checks the properties listed in
# docs/migration.md as assertions, plus invalid end states (deadlock).
#
#   gen-migration-promela.py TABLE.def -o model.pml      the model
#   gen-migration-promela.py TABLE.def --json            the table as JSON
#                                                        (compared with the C export)
#   gen-migration-promela.py TABLE.def --mermaid         a state diagram
#   gen-migration-promela.py TABLE.def --mutate OLD=NEW  apply a textual
#                                                        change first (tests)

import argparse
import json
import re
import sys

# Actions whose semantics the model's environment implements below.  A
# table naming any other action is refused: the model must know it.
KNOWN_ACTIONS = {"NONE", "BEGIN", "START_INCOMING", "START_TRANSFER",
                 "CONTINUE", "RESUME", "QUERY", "KILL", "CANCEL_RESUME",
                 "PAUSE", "CLEANUP"}


def strip_comments(text):
    return re.sub(r"/\*.*?\*/", "", text, flags=re.S)


def parse_table(text):
    text = strip_comments(text)
    table = {"events": [], "actions": [], "phases": [], "rows": []}
    for m in re.finditer(r"\b(MIG_EVENT|MIG_ACTION|MIG_PHASE|MIG_ROW)\s*\(([^)]*)\)",
                         text):
        kind = m.group(1)
        args = [a.strip() for a in m.group(2).split(",")]
        if kind == "MIG_EVENT":
            table["events"].append(args[0])
        elif kind == "MIG_ACTION":
            table["actions"].append(args[0])
        elif kind == "MIG_PHASE":
            if len(args) != 10:
                raise ValueError("MIG_PHASE needs 10 arguments: %s" % m.group(0))
            name, side, kind_, persist, st, rs, et, ed, entry, step = args
            table["phases"].append({
                "name": name, "side": side, "kind": kind_,
                "persist": persist == "1",
                "state": None if st == "MIG_KEEP" else st,
                "reason": None if rs == "MIG_KEEP" else rs,
                "eventType": None if et == "MIG_KEEP" else et,
                "eventDetail": None if ed == "MIG_KEEP" else ed,
                "entry": entry, "step": step})
        else:
            if len(args) != 5:
                raise ValueError("MIG_ROW needs 5 arguments: %s" % m.group(0))
            table["rows"].append(args)
    check_table(table)
    return table


def check_table(t):
    """Static checks: names exist, no duplicate rows, no phase without exit."""
    phases = {p["name"]: p for p in t["phases"]}
    errors = []
    for a in t["actions"]:
        if a not in KNOWN_ACTIONS:
            errors.append("action %s has no semantics in the model" % a)
    for p in t["phases"]:
        if p["entry"] not in t["actions"]:
            errors.append("phase %s: unknown entry action %s" % (p["name"], p["entry"]))
    seen = set()
    for r in t["rows"]:
        frm, ev, act, nxt, err = r
        for ph in (frm, nxt, err):
            if ph not in phases:
                errors.append("row %s: unknown phase %s" % (r, ph))
        if ev not in t["events"]:
            errors.append("row %s: unknown event %s" % (r, ev))
        if act not in t["actions"]:
            errors.append("row %s: unknown action %s" % (r, act))
        if (frm, ev) in seen:
            errors.append("row %s: duplicate (phase, event)" % r)
        seen.add((frm, ev))
        for ph in (nxt, err):
            if ph in phases and frm in phases and phases[ph]["side"] != phases[frm]["side"]:
                errors.append("row %s: crosses sides" % r)
    # Every active phase must have a way out when its QEMU dies, and must be
    # left (or recovered) after a restart if it is ever recorded.
    for p in t["phases"]:
        if p["kind"] != "ACTIVE":
            continue
        evs = {r[1] for r in t["rows"] if r[0] == p["name"]}
        if "QEMU_CRASH" not in evs:
            errors.append("phase %s has no QEMU_CRASH row" % p["name"])
        if p["persist"] and "RESTART" not in evs:
            errors.append("phase %s is persisted but has no RESTART row" % p["name"])
        for r in t["rows"]:
            if r[0] == p["name"] and r[1] in ("PEER_ERROR", "TIMEOUT", "ABORT") \
               and r[3] == r[0]:
                errors.append("row %s loops on a failure event" % r)
    if errors:
        raise ValueError("\n".join(errors))


def apply_mutations(text, mutations):
    for mut in mutations:
        old, sep, new = mut.partition("=>")
        if not sep or old not in text:
            raise ValueError("mutation %r does not apply" % mut)
        text = text.replace(old, new, 1)
    return text


# ------------------------------------------------------------------ Promela

PRELUDE = r"""
/* Generated by scripts/gen-migration-promela.py from migration_table.def.
 * Do not edit: change the table. */

#ifndef MAXF
#define MAXF 2              /* faults per run */
#endif

#define SRC 0
#define DST 1

#define XF_NONE 0
#define XF_ACTIVE 1
#define XF_PRESWITCH 2
#define XF_POSTCOPY 3
#define XF_COMPLETED 4
#define XF_FAILED 5
#define XF_PCFAILED 6
"""

WORLD = r"""
byte phase[2];
byte persisted[2];

/* The world: where the guest exists and runs. */
bool srcAlive = 1;
bool srcCpu = 1;
bool dstAlive = 0;
bool dstCpu = 0;
byte xfer = XF_NONE;
bool pcReq;          /* the client asked for post-copy */
bool nonLive;        /* VIR_MIGRATE_LIVE not given */
bool switched = 0;   /* transfer reached completion or post-copy */
bool pcSwitched = 0; /* the destination ran the guest during post-copy */
bool dstOwns = 0;    /* the destination has run / holds the whole guest */
bool peerLost[2];
bool clientDead = 0;
bool netCut = 0;
byte faults = 0;
chan q[2] = [6] of { byte };

/* The client (managed direct): which step it is at. */
#define C_BEGIN 0
#define C_PREPARE 1
#define C_PERFORM 2
#define C_WAIT 3
#define C_FINISH 4
#define C_CONFIRM 5
#define C_DONE 6
byte cpc = C_BEGIN;
bool pOk = 0;
bool fOk = 0;
bool srcCallLost = 0;    /* the source restarted under the client's Perform */

/* Properties (a named variable each, so that a violation names it). */
bool never_runs_on_both_hosts = 1;
bool source_killed_only_if_destination_has_it = 1;
bool never_resumed_after_postcopy_switch = 1;
bool destination_never_killed_after_postcopy_switch = 1;

/* Scratch of the executor. */
byte hAct;
byte hNext;
byte hErr;
bool hFound;
bool hOk;
byte hFollow;
byte hEv;
byte hRes;           /* 0 refused, 1 applied, 2 action failed */
bool hCrash;
byte qe;
"""

EXECUTOR = r"""
inline checkWorld() {
    if
    :: (srcAlive && srcCpu && dstAlive && dstCpu) -> never_runs_on_both_hosts = 0
    :: else -> skip
    fi;
    assert(never_runs_on_both_hosts)
}

/* Stream effects when one end of the transfer goes away. */
inline breakStream(peer) {
    if
    :: (xfer == XF_ACTIVE || xfer == XF_PRESWITCH) ->
        xfer = XF_FAILED; q[peer]!EV_Q_FAILED
    :: (xfer == XF_POSTCOPY) ->
        xfer = XF_PCFAILED; q[peer]!EV_Q_PC_FAILED
    :: else -> skip
    fi
}

inline mayFail() {
    if
    :: (faults < MAXF) -> faults++; hOk = 0
    :: true -> skip
    fi
}

/* The semantics of each action (the contract of the drivers' hooks). */
inline doAction(s, a) {
    hOk = 1;
    hFollow = EV_NONE;
    if
    :: (a == ACT_NONE) -> skip
    :: (a == ACT_BEGIN) -> mayFail()
    :: (a == ACT_START_INCOMING) ->
        mayFail();
        if
        :: hOk -> dstAlive = 1; dstCpu = 0
        :: else -> skip
        fi
    :: (a == ACT_START_TRANSFER) ->
        if
        :: (!dstAlive || !srcAlive) -> hOk = 0
        :: else -> mayFail()
        fi;
        if
        :: hOk -> xfer = XF_ACTIVE;
            if
            :: nonLive -> srcCpu = 0
            :: else -> skip
            fi
        :: else -> skip
        fi
    :: (a == ACT_CONTINUE) ->
        if
        :: (xfer != XF_PRESWITCH) -> hOk = 0
        :: else -> mayFail()
        fi;
        if
        :: (hOk && pcReq) ->
            xfer = XF_POSTCOPY; switched = 1; pcSwitched = 1;
            dstCpu = 1; dstOwns = 1;
            q[SRC]!EV_Q_POSTCOPY; q[DST]!EV_Q_POSTCOPY
        :: (hOk && !pcReq) ->
            xfer = XF_COMPLETED; switched = 1;
            q[SRC]!EV_Q_COMPLETED; q[DST]!EV_Q_COMPLETED
        :: else -> skip
        fi
    :: (a == ACT_RESUME) ->
        if
        :: (xfer != XF_COMPLETED || !dstAlive) -> hOk = 0
        :: else -> mayFail()
        fi;
        if
        :: hOk -> dstCpu = 1; dstOwns = 1
        :: else -> skip
        fi
    :: (a == ACT_QUERY) ->
        do
        :: nempty(q[s]) -> q[s]?qe
        :: empty(q[s]) -> break
        od;
        /* QEMU tells whether the migration went through post-copy
         * (its guest has run) even once the transfer completed */
        if
        :: (pcSwitched && xfer == XF_PCFAILED) -> hFollow = EV_Q_PC_FAILED
        :: (pcSwitched && xfer != XF_PCFAILED) -> hFollow = EV_Q_POSTCOPY
        :: (!pcSwitched && (xfer == XF_NONE || xfer == XF_FAILED)) -> hFollow = EV_Q_FAILED
        :: (!pcSwitched && xfer == XF_ACTIVE) -> hFollow = EV_Q_ACTIVE
        :: (!pcSwitched && xfer == XF_PRESWITCH) -> hFollow = EV_Q_ACTIVE
        :: (!pcSwitched && xfer == XF_POSTCOPY) -> hFollow = EV_Q_POSTCOPY
        :: (!pcSwitched && xfer == XF_COMPLETED) -> hFollow = EV_Q_COMPLETED
        :: (!pcSwitched && xfer == XF_PCFAILED) -> hFollow = EV_Q_PC_FAILED
        fi
    :: (a == ACT_KILL && s == SRC) ->
        if
        :: (!dstOwns) -> source_killed_only_if_destination_has_it = 0
        :: else -> skip
        fi;
        assert(source_killed_only_if_destination_has_it);
        if
        :: srcAlive -> srcAlive = 0; srcCpu = 0; breakStream(DST)
        :: else -> skip
        fi
    :: (a == ACT_KILL && s == DST) ->
        if
        :: (pcSwitched && dstAlive) -> destination_never_killed_after_postcopy_switch = 0
        :: else -> skip
        fi;
        assert(destination_never_killed_after_postcopy_switch);
        if
        :: dstAlive -> dstAlive = 0; dstCpu = 0; breakStream(SRC)
        :: else -> skip
        fi
    :: (a == ACT_CANCEL_RESUME) ->
        if
        :: (xfer == XF_ACTIVE || xfer == XF_PRESWITCH) ->
            xfer = XF_FAILED; q[DST]!EV_Q_FAILED
        :: else -> skip
        fi;
        if
        :: (srcAlive && !srcCpu) ->
            if
            :: pcSwitched -> never_resumed_after_postcopy_switch = 0
            :: else -> skip
            fi;
            assert(never_resumed_after_postcopy_switch);
            srcCpu = 1
        :: else -> skip
        fi
    :: (a == ACT_PAUSE && s == SRC) -> srcCpu = 0
    :: (a == ACT_PAUSE && s == DST) -> dstCpu = 0
    :: (a == ACT_CLEANUP) -> skip
    fi;
    checkWorld()
}

/* Enter phase n on side s (executor's migrationEnter). */
inline enter(s, n) {
    if
    :: (persist[n] || terminal[n]) -> persisted[s] = n
    :: else -> skip
    fi;
    phase[s] = n;
    doAction(s, entry[n]);
    hOk = 1
}

/* The daemon of side s restarts: queued QEMU events are lost, the
 * recorded phase is read back, its RESTART row applies (follow-up events
 * are handled by the caller's loop through hEv). */
inline restart(s) {
    printf("MSC: side %d restarts (recorded phase %d)\n", s, persisted[s]);
    do
    :: nempty(q[s]) -> q[s]?qe
    :: empty(q[s]) -> break
    od;
    if
    :: (s == SRC && cpc == C_WAIT) -> srcCallLost = 1
    :: else -> skip
    fi;
    phase[s] = persisted[s];
    hEv = EV_RESTART
}

/* Handle event hEv on side s, then any follow-up (migrationPhaseHandle).
 * hRes: the first event's result. */
inline handle(s) {
    hRes = 3;
    do
    :: (hEv == EV_NONE) -> break
    :: (hEv != EV_NONE) ->
        lookup(phase[s], hEv);
        printf("MSC: side %d phase %d event %d found %d -> %d\n", s, phase[s], hEv, hFound, hNext);
        hEv = EV_NONE;
        if
        :: !hFound ->
            if
            :: (hRes == 3) -> hRes = 0
            :: else -> skip
            fi
        :: hFound ->
            hCrash = 0;
            if
            :: (hNext != phase[s] && persist[hNext]) -> persisted[s] = hNext
            :: else -> skip
            fi;
            /* the daemon may die right before the action ... */
            if
            :: (faults < MAXF && hAct != ACT_NONE) -> faults++; hCrash = 1
            :: true -> skip
            fi;
            if
            :: !hCrash ->
                doAction(s, hAct);
                if
                :: !hOk -> hNext = hErr; hFollow = EV_NONE
                :: else -> skip
                fi;
                if
                :: (hRes == 3 && hOk) -> hRes = 1
                :: (hRes == 3 && !hOk) -> hRes = 2
                :: else -> skip
                fi;
                /* ... or right after it */
                if
                :: (faults < MAXF && hAct != ACT_NONE) -> faults++; hCrash = 1
                :: true -> skip
                fi
            :: else -> skip
            fi;
            if
            :: hCrash ->
                if
                :: (hRes == 3) -> hRes = 2
                :: else -> skip
                fi;
                restart(s)
            :: !hCrash ->
                hEv = hFollow;
                if
                :: (hNext != phase[s]) -> enter(s, hNext)
                :: else -> skip
                fi
            fi
        fi
    od
}

#define isActive(s) (kind[phase[s]] == K_ACTIVE)
"""

MAIN = r"""
#define NOSIDE 2     /* the step handled nothing: continue */
#define K_NONE 0
#define K_BEGIN 1
#define K_PREPARE 2
#define K_PERFORM 3
#define K_FINISH 4
#define K_CONFIRM 5
byte hSide;
byte cont;           /* what the client does with the result */

init {
    byte ev;
    d_step { initTable() };
    atomic {
        phase[SRC] = S_NONE; persisted[SRC] = S_NONE;
        phase[DST] = D_NONE; persisted[DST] = D_NONE;
        if
        :: pcReq = 0
        :: pcReq = 1
        fi;
        if
        :: nonLive = 0
        :: nonLive = 1
        fi;
        cont = K_NONE;
        hSide = NOSIDE
    };
    do
    /* cont and hSide are K_NONE / NOSIDE here: the option must begin with
     * its guard, or the atomic sequence would block half-way */
    :: atomic {
        if
        /* ---- the client's steps ---- */
        :: (cpc == C_BEGIN && !clientDead && empty(q[SRC])) ->
            hSide = SRC; hEv = EV_BEGIN; cont = K_BEGIN
        :: (cpc == C_PREPARE && !clientDead && empty(q[DST])) ->
            if
            :: netCut -> cpc = C_CONFIRM
            :: else -> hSide = DST; hEv = EV_PREPARE; cont = K_PREPARE
            fi
        :: (cpc == C_PERFORM && !clientDead && empty(q[SRC])) ->
            srcCallLost = 0;
            hSide = SRC; hEv = EV_PERFORM; cont = K_PERFORM
        :: (cpc == C_WAIT && !clientDead &&
            (step[phase[SRC]] == STEP_PERFORM || kind[phase[SRC]] != K_ACTIVE ||
             srcCallLost)) ->
            pOk = (step[phase[SRC]] == STEP_PERFORM && !srcCallLost);
            cpc = C_FINISH
        :: (cpc == C_FINISH && !clientDead && empty(q[DST])) ->
            if
            :: netCut -> fOk = 0; cpc = C_CONFIRM
            :: else ->
                if
                :: pOk -> hEv = EV_FINISH
                :: else -> hEv = EV_FINISH_CANCELLED
                fi;
                hSide = DST; cont = K_FINISH
            fi
        :: (cpc == C_CONFIRM && !clientDead && empty(q[SRC])) ->
            if
            :: fOk -> hEv = EV_CONFIRM
            :: else -> hEv = EV_CONFIRM_CANCELLED
            fi;
            hSide = SRC; cont = K_CONFIRM

        /* ---- QEMU: the transfer progresses, events arrive in order ---- */
        :: (xfer == XF_ACTIVE && srcAlive && dstAlive) ->
            xfer = XF_PRESWITCH; srcCpu = 0; q[SRC]!EV_Q_PRESWITCHOVER
        :: (xfer == XF_POSTCOPY && srcAlive && dstAlive) ->
            xfer = XF_COMPLETED; q[SRC]!EV_Q_COMPLETED; q[DST]!EV_Q_COMPLETED
        :: nempty(q[SRC]) -> q[SRC]?ev;
            if
            :: isActive(SRC) -> hSide = SRC; hEv = ev
            :: else -> skip
            fi
        :: nempty(q[DST]) -> q[DST]?ev;
            if
            :: isActive(DST) -> hSide = DST; hEv = ev
            :: else -> skip
            fi

        /* ---- a lost peer is a condition, seen at every wait point ---- */
        :: (peerLost[SRC] && empty(q[SRC]) && isActive(SRC) &&
            hasRow(phase[SRC], EV_PEER_ERROR)) ->
            hSide = SRC; hEv = EV_PEER_ERROR
        :: (peerLost[DST] && empty(q[DST]) && isActive(DST) &&
            hasRow(phase[DST], EV_PEER_ERROR)) ->
            hSide = DST; hEv = EV_PEER_ERROR
        /* nobody will call any more: the waiting side times out */
        :: ((cpc == C_DONE || clientDead) && empty(q[SRC]) && isActive(SRC) &&
            hasRow(phase[SRC], EV_TIMEOUT)) ->
            hSide = SRC; hEv = EV_TIMEOUT
        :: ((cpc == C_DONE || clientDead) && empty(q[DST]) && isActive(DST) &&
            hasRow(phase[DST], EV_TIMEOUT)) ->
            hSide = DST; hEv = EV_TIMEOUT

        /* ---- faults (at most MAXF per run, counting those inside steps).
         * The drivers handle the QEMU events they have received before a
         * step call, a lost peer, a timeout or an abort (the guards with
         * empty(q[side])); crashes and restarts strike at any time. ---- */
        :: (faults < MAXF && !clientDead && cpc != C_DONE) ->
            faults++; clientDead = 1; peerLost[SRC] = 1; peerLost[DST] = 1
        :: (faults < MAXF && !netCut && (isActive(SRC) || isActive(DST))) ->
            faults++; netCut = 1; peerLost[SRC] = 1; peerLost[DST] = 1;
            if
            :: (xfer == XF_ACTIVE || xfer == XF_PRESWITCH) ->
                xfer = XF_FAILED; q[SRC]!EV_Q_FAILED; q[DST]!EV_Q_FAILED
            :: (xfer == XF_POSTCOPY) ->
                xfer = XF_PCFAILED; q[SRC]!EV_Q_PC_FAILED; q[DST]!EV_Q_PC_FAILED
            :: else -> skip
            fi
        :: (faults < MAXF && xfer == XF_POSTCOPY) ->
            faults++; xfer = XF_PCFAILED; q[SRC]!EV_Q_PC_FAILED; q[DST]!EV_Q_PC_FAILED
        :: (faults < MAXF && xfer == XF_ACTIVE) ->
            faults++; xfer = XF_FAILED; q[SRC]!EV_Q_FAILED; q[DST]!EV_Q_FAILED
        :: (faults < MAXF && empty(q[SRC]) && isActive(SRC)) ->
            faults++; hSide = SRC; hEv = EV_ABORT
        :: (faults < MAXF && isActive(SRC)) ->
            faults++; restart(SRC); hSide = SRC
        :: (faults < MAXF && isActive(DST)) ->
            faults++; restart(DST); hSide = DST
        :: (faults < MAXF && isActive(SRC) && srcAlive) ->
            faults++; srcAlive = 0; srcCpu = 0; breakStream(DST);
            hSide = SRC; hEv = EV_QEMU_CRASH
        :: (faults < MAXF && isActive(DST) && dstAlive) ->
            faults++; dstAlive = 0; dstCpu = 0; breakStream(SRC);
            hSide = DST; hEv = EV_QEMU_CRASH
        :: (faults < MAXF && empty(q[SRC]) && isActive(SRC) &&
            hasRow(phase[SRC], EV_TIMEOUT)) ->
            faults++; hSide = SRC; hEv = EV_TIMEOUT
        :: (faults < MAXF && empty(q[DST]) && isActive(DST) &&
            hasRow(phase[DST], EV_TIMEOUT)) ->
            faults++; hSide = DST; hEv = EV_TIMEOUT
        fi;

        /* ---- the one place where a daemon runs the table ---- */
        if
        :: (hSide == SRC || hSide == DST) ->
            handle(hSide);
            if
            :: (cont == K_BEGIN) ->
                if
                :: (hRes == 1 && step[phase[SRC]] == STEP_BEGIN) -> cpc = C_PREPARE
                :: else -> cpc = C_DONE
                fi
            :: (cont == K_PREPARE) ->
                if
                :: (hRes == 1 && step[phase[DST]] == STEP_PREPARE) -> cpc = C_PERFORM
                :: else -> cpc = C_CONFIRM
                fi
            :: (cont == K_PERFORM) ->
                if
                :: (hRes == 1) -> cpc = C_WAIT
                :: else -> cpc = C_FINISH
                fi
            :: (cont == K_FINISH) ->
                fOk = (pOk && hRes == 1 && step[phase[DST]] == STEP_FINISH);
                cpc = C_CONFIRM
            :: (cont == K_CONFIRM) -> cpc = C_DONE
            :: else -> skip
            fi
        :: else -> skip
        fi;
        cont = K_NONE;
        hSide = NOSIDE
    }
    /* nothing can happen any more */
    :: timeout -> break
    od;

    /* ---- every migration ends ... ---- */
    assert(kind[phase[SRC]] != K_ACTIVE && kind[phase[DST]] != K_ACTIVE);
    checkWorld();
    /* ... before the switch-over a failure leaves the guest running on the
     * source (unless the source QEMU itself died) ... */
    if
    :: (!switched && srcAlive) -> assert(srcCpu && !dstAlive)
    :: else -> skip
    fi;
    /* ... after the post-copy switch a failure leaves it paused with
     * POSTCOPY_FAILED on both hosts (or lost where a QEMU died) */
    if
    :: (pcSwitched && phase[DST] != D_FINISHED) ->
        assert(!srcAlive || (kind[phase[SRC]] == K_PCFAILED && showsPcFailed[phase[SRC]] && !srcCpu));
        assert(!dstAlive || (kind[phase[DST]] == K_PCFAILED && showsPcFailed[phase[DST]] && !dstCpu))
    :: else -> skip
    fi;
    /* a completed source means the destination has the guest */
    if
    :: (phase[SRC] == S_COMPLETED) -> assert(dstOwns)
    :: else -> skip
    fi
}
"""


def emit_promela(t):
    out = [PRELUDE]
    kinds = ["IDLE", "ACTIVE", "OK", "FAILED", "PCFAILED", "UNKNOWN", "LOST"]
    steps = ["NONE", "BEGIN", "PREPARE", "PERFORM", "FINISH", "CONFIRM"]
    for i, k in enumerate(kinds):
        out.append("#define K_%s %d" % (k, i))
    for i, s in enumerate(steps):
        out.append("#define STEP_%s %d" % (s, i))
    for i, e in enumerate(t["events"]):
        out.append("#define EV_%s %d" % (e, i))
    for i, a in enumerate(t["actions"]):
        out.append("#define ACT_%s %d" % (a, i))
    for i, p in enumerate(t["phases"]):
        out.append("#define %s %d" % (p["name"], i))
    n = len(t["phases"])
    out.append("#define NPHASES %d" % n)
    out.append("byte persist[NPHASES];\nbyte terminal[NPHASES];\nbyte kind[NPHASES];")
    out.append("byte entry[NPHASES];\nbyte step[NPHASES];\nbyte showsPcFailed[NPHASES];")
    out.append(WORLD)

    # The table's rows, as a lookup (expanded once: handle() has one call site).
    out.append("inline lookup(ph, e) {\n    hFound = 1;\n    if")
    for frm, ev, act, nxt, err in t["rows"]:
        out.append("    :: (ph == %s && e == EV_%s) -> hAct = ACT_%s; hNext = %s; hErr = %s"
                   % (frm, ev, act, nxt, err))
    out.append("    :: else -> hFound = 0\n    fi\n}")
    # hasRow() is only used with EV_PEER_ERROR and EV_TIMEOUT.
    for ev in ("PEER_ERROR", "TIMEOUT"):
        phs = [r[0] for r in t["rows"] if r[1] == ev]
        cond = " || ".join("(ph) == %s" % p for p in phs) or "0"
        out.append("#define hasRow_EV_%s(ph) (%s)" % (ev, cond))
    out.append("#define hasRow(ph, e) hasRow_ ## e(ph)")
    out.append("inline initTable() {")
    for p in t["phases"]:
        name = p["name"]
        out.append("    persist[%s] = %d; terminal[%s] = %d; kind[%s] = K_%s;"
                   % (name, int(p["persist"]), name,
                      int(p["kind"] not in ("IDLE", "ACTIVE")), name, p["kind"]))
        out.append("    entry[%s] = ACT_%s; step[%s] = STEP_%s; showsPcFailed[%s] = %d;"
                   % (name, p["entry"], name, p["step"], name,
                      int(p["reason"] == "VIR_DOMAIN_PAUSED_POSTCOPY_FAILED")))
    out.append("}")
    out.append(EXECUTOR)
    out.append(MAIN)
    return "\n".join(out) + "\n"


def emit_mermaid(t):
    out = ["stateDiagram-v2"]
    for side, title in (("SOURCE", "source"), ("DEST", "destination")):
        out.append("    state %s {" % title)
        names = {p["name"] for p in t["phases"] if p["side"] == side}
        for frm, ev, act, nxt, err in t["rows"]:
            if frm not in names:
                continue
            label = ev if act == "NONE" else "%s / %s" % (ev, act)
            out.append("        %s --> %s: %s" % (frm, nxt, label))
            if err != nxt:
                out.append("        %s --> %s: %s failed" % (frm, err, act))
        out.append("    }")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("table")
    ap.add_argument("-o", "--output")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--mermaid", action="store_true")
    ap.add_argument("--mutate", action="append", default=[],
                    help="OLD=>NEW textual change applied to the table first")
    args = ap.parse_args()

    with open(args.table) as f:
        text = f.read()
    text = apply_mutations(text, args.mutate)
    try:
        table = parse_table(text)
    except ValueError as e:
        sys.stderr.write("migration table: %s\n" % e)
        return 1
    if args.json:
        result = json.dumps(table, indent=1) + "\n"
    elif args.mermaid:
        result = emit_mermaid(table)
    else:
        result = emit_promela(table)
    if args.output:
        with open(args.output, "w") as f:
            f.write(result)
    else:
        sys.stdout.write(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
