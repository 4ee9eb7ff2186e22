#!/usr/bin/env python3
#
# gen-public-enums.py: fill the generated regions of include/libvirt/*.h.
#
# The public headers carry libvirt 9.0's enum constants, value macros and
# callback types.  Those are facts (names and numbers that programs compile
# against), so instead of typing them by hand we take them from libvirt's API
# description, libvirt-api.xml, and write them between marker comments:
#
#     /* BEGIN GENERATED enums: scripts/gen-public-enums.py */
#     ...
#     /* END GENERATED enums */
#
# Kinds of region: "enums", "macros", "callbacks".  Everything outside the
# markers (structs, function prototypes, comments) is written by hand.  The
# comments inside the regions come from the tables below, never from the XML.
#
# The output is committed; run this only when moving to a newer API level:
#
#     scripts/gen-public-enums.py [--xml PATH] [--check] include/libvirt
#
# Output is deterministic: enums are ordered by type name (a type that refers
# to another type's constant is placed after it), constants by value then
# name, macros by name within their group.

import argparse
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

DEFAULT_XML = "/usr/share/libvirt/api/libvirt-api.xml"

# Header modules we cover, by libvirt-api.xml file name.
MODULES = [
    "libvirt-common",
    "libvirt-host",
    "libvirt-domain",
    "libvirt-event",
    "virterror",
]

# One-line descriptions of each enum type (our own words).
ENUM_COMMENTS = {
    # libvirt-common
    "virConnectCloseReason": "Why a connection was closed (virConnectCloseFunc)",
    "virTypedParameterFlags": "Flag bits shared by APIs taking typed parameters",
    "virTypedParameterType": "Type tag of a virTypedParameter value",
    # libvirt-host
    "virCPUCompareResult": "Result of a host/guest CPU comparison",
    "virConnectBaselineCPUFlags": "Flags for virConnectBaselineCPU()",
    "virConnectCompareCPUFlags": "Flags for virConnectCompareCPU()",
    "virConnectCredentialType": "Kinds of credential an auth callback may be asked for",
    "virConnectFlags": "Flags for virConnectOpenAuth()",
    "virNodeAllocPagesFlags": "Flags for virNodeAllocPages()",
    "virNodeGetCPUStatsAllCPUs": "Special CPU number: all CPUs together",
    "virNodeGetMemoryStatsAllCells": "Special cell number: all NUMA cells together",
    "virNodeSuspendTarget": "Host power-management suspend targets",
    # libvirt-event
    "virEventHandleType": "Conditions watched on (and reported for) a file handle",
    # virterror
    "virErrorLevel": "Severity of an error",
    "virErrorDomain": "Which part of the stack raised an error",
    "virErrorNumber": "Error codes",
    # libvirt-domain
    "virBlkioParameterType": "Old names for typed parameter types (blkio tuning)",
    "virConnectDomainEventAgentLifecycleReason": "Why the guest agent state changed",
    "virConnectDomainEventAgentLifecycleState": "Guest agent connection states",
    "virConnectDomainEventBlockJobStatus": "Block job event status",
    "virConnectDomainEventDiskChangeReason": "Why a disk's media changed",
    "virConnectGetAllDomainStatsFlags": "Flags for virConnectGetAllDomainStats()",
    "virConnectListAllDomainsFlags": "Filters for virConnectListAllDomains()",
    "virDomainAbortJobFlagsValues": "Flags for virDomainAbortJobFlags()",
    "virDomainAgentResponseTimeoutValues": "Special guest agent timeout values",
    "virDomainAuthorizedSSHKeysSetFlags": "Flags for virDomainAuthorizedSSHKeysSet()",
    "virDomainBackupBeginFlags": "Flags for virDomainBackupBegin()",
    "virDomainBlockCommitFlags": "Flags for virDomainBlockCommit()",
    "virDomainBlockCopyFlags": "Flags for virDomainBlockCopy()",
    "virDomainBlockJobAbortFlags": "Flags for virDomainBlockJobAbort()",
    "virDomainBlockJobInfoFlags": "Flags for virDomainGetBlockJobInfo()",
    "virDomainBlockJobSetSpeedFlags": "Flags for virDomainBlockJobSetSpeed()",
    "virDomainBlockJobType": "Kinds of block job",
    "virDomainBlockPullFlags": "Flags for virDomainBlockPull()",
    "virDomainBlockRebaseFlags": "Flags for virDomainBlockRebase()",
    "virDomainBlockResizeFlags": "Flags for virDomainBlockResize()",
    "virDomainBlockedReason": "Reasons for VIR_DOMAIN_BLOCKED",
    "virDomainChannelFlags": "Flags for virDomainOpenChannel()",
    "virDomainConsoleFlags": "Flags for virDomainOpenConsole()",
    "virDomainControlErrorReason": "Why the control interface is in error",
    "virDomainControlState": "State of the domain's control interface",
    "virDomainCoreDumpFlags": "Flags for virDomainCoreDump()",
    "virDomainCoreDumpFormat": "Formats for virDomainCoreDumpWithFormat()",
    "virDomainCrashedReason": "Reasons for VIR_DOMAIN_CRASHED",
    "virDomainCreateFlags": "Flags for starting a domain (create / create-xml)",
    "virDomainDefineFlags": "Flags for virDomainDefineXMLFlags()",
    "virDomainDestroyFlagsValues": "Flags for virDomainDestroyFlags()",
    "virDomainDeviceModifyFlags": "Old names for virDomainModificationImpact (devices)",
    "virDomainDirtyRateCalcFlags": "Flags for virDomainStartDirtyRateCalc()",
    "virDomainDirtyRateStatus": "Progress of a dirty page rate measurement",
    "virDomainDiskErrorCode": "Disk error codes (virDomainGetDiskErrors)",
    "virDomainEventCrashedDetailType": "Details of VIR_DOMAIN_EVENT_CRASHED",
    "virDomainEventDefinedDetailType": "Details of VIR_DOMAIN_EVENT_DEFINED",
    "virDomainEventGraphicsAddressType": "Address family in a graphics event",
    "virDomainEventGraphicsPhase": "Phase of a graphics client connection",
    "virDomainEventID": "Event IDs for virConnectDomainEventRegisterAny()",
    "virDomainEventIOErrorAction": "What was done after a disk I/O error",
    "virDomainEventPMSuspendedDetailType": "Details of VIR_DOMAIN_EVENT_PMSUSPENDED",
    "virDomainEventResumedDetailType": "Details of VIR_DOMAIN_EVENT_RESUMED",
    "virDomainEventShutdownDetailType": "Details of VIR_DOMAIN_EVENT_SHUTDOWN",
    "virDomainEventStartedDetailType": "Details of VIR_DOMAIN_EVENT_STARTED",
    "virDomainEventStoppedDetailType": "Details of VIR_DOMAIN_EVENT_STOPPED",
    "virDomainEventSuspendedDetailType": "Details of VIR_DOMAIN_EVENT_SUSPENDED",
    "virDomainEventTrayChangeReason": "Direction of a tray change",
    "virDomainEventType": "Lifecycle event types",
    "virDomainEventUndefinedDetailType": "Details of VIR_DOMAIN_EVENT_UNDEFINED",
    "virDomainEventWatchdogAction": "What was done when the watchdog fired",
    "virDomainFDAssociateFlags": "Flags for virDomainFDAssociate()",
    "virDomainGetHostnameFlags": "Sources for virDomainGetHostname()",
    "virDomainGetJobStatsFlags": "Flags for virDomainGetJobStats()",
    "virDomainGuestInfoTypes": "Info groups for virDomainGetGuestInfo()",
    "virDomainInterfaceAddressesSource": "Sources for virDomainInterfaceAddresses()",
    "virDomainJobOperation": "Which operation a job belongs to",
    "virDomainJobType": "Job types (virDomainJobInfo.type)",
    "virDomainLifecycle": "Lifecycle events with a configurable action",
    "virDomainLifecycleAction": "Actions for a lifecycle event",
    "virDomainMemoryFailureActionType": "What was done about a memory failure",
    "virDomainMemoryFailureFlags": "Flag bits of a memory failure event",
    "virDomainMemoryFailureRecipientType": "Who received a memory failure",
    "virDomainMemoryFlags": "Flags for virDomainMemoryPeek()",
    "virDomainMemoryModFlags": "Old names for virDomainModificationImpact (memory)",
    "virDomainMemoryStatTags": "Tags of virDomainMemoryStats() records",
    "virDomainMessageType": "Filters for virDomainGetMessages()",
    "virDomainMetadataType": "Kinds of domain metadata",
    "virDomainMigrateFlags": "Migration flags",
    "virDomainMigrateMaxSpeedFlags": "Flags for migration speed get/set",
    "virDomainModificationImpact": "Live / persistent selection for modifying APIs",
    "virDomainNostateReason": "Reasons for VIR_DOMAIN_NOSTATE",
    "virDomainNumatuneMemMode": "NUMA memory placement modes",
    "virDomainOpenGraphicsFlags": "Flags for virDomainOpenGraphics()",
    "virDomainPMSuspendedDiskReason": "Reasons for suspended-to-disk",
    "virDomainPMSuspendedReason": "Reasons for VIR_DOMAIN_PMSUSPENDED",
    "virDomainPausedReason": "Reasons for VIR_DOMAIN_PAUSED",
    "virDomainProcessSignal": "Signals for virDomainSendProcessSignal()",
    "virDomainRebootFlagValues": "Flags for virDomainReboot()",
    "virDomainRunningReason": "Reasons for VIR_DOMAIN_RUNNING",
    "virDomainSaveImageXMLFlags": "Flags for virDomainSaveImageGetXMLDesc()",
    "virDomainSaveRestoreFlags": "Flags for save / restore",
    "virDomainSetTimeFlags": "Flags for virDomainSetTime()",
    "virDomainSetUserPasswordFlags": "Flags for virDomainSetUserPassword()",
    "virDomainShutdownFlagValues": "Flags for virDomainShutdownFlags()",
    "virDomainShutdownReason": "Reasons for VIR_DOMAIN_SHUTDOWN",
    "virDomainShutoffReason": "Reasons for VIR_DOMAIN_SHUTOFF",
    "virDomainState": "Domain states",
    "virDomainStatsTypes": "Stat groups for virConnectGetAllDomainStats()",
    "virDomainUndefineFlagsValues": "Flags for virDomainUndefineFlags()",
    "virDomainVcpuFlags": "Flags for the vCPU count APIs",
    "virDomainXMLFlags": "Flags for virDomainGetXMLDesc()",
    "virKeycodeSet": "Key code sets for virDomainSendKey()",
    "virMemoryParameterType": "Old names for typed parameter types (memory tuning)",
    "virSchedParameterType": "Old names for typed parameter types (scheduler)",
    "virVcpuHostCpuState": "Special virVcpuInfo.cpu values",
    "virVcpuState": "vCPU states",
}

# Value macros (string or simple number), grouped by name prefix.  The
# longest matching prefix wins; each group gets the given comment.
MACRO_GROUPS = [
    ("VIR_CONNECT_IDENTITY_", "Identity parameters for virConnectSetIdentity()"),
    ("VIR_DOMAIN_BANDWIDTH_", "Interface bandwidth parameters"),
    ("VIR_DOMAIN_BLKIO_", "Block I/O tuning parameters"),
    ("VIR_DOMAIN_BLOCK_COPY_", "Block copy parameters"),
    ("VIR_DOMAIN_BLOCK_IOTUNE_", "Per-disk I/O throttling parameters"),
    ("VIR_DOMAIN_BLOCK_STATS_", "Block statistics fields"),
    ("VIR_DOMAIN_CPU_STATS_", "CPU statistics fields"),
    ("VIR_DOMAIN_IOTHREAD_", "IOThread tuning parameters"),
    ("VIR_DOMAIN_JOB_", "Job statistics fields (virDomainGetJobStats)"),
    ("VIR_DOMAIN_LAUNCH_SECURITY_", "Launch security parameters"),
    ("VIR_DOMAIN_MEMORY_", "Memory tuning parameters"),
    ("VIR_DOMAIN_NUMA_", "NUMA tuning parameters"),
    ("VIR_DOMAIN_SAVE_PARAM_", "Save / restore parameters"),
    ("VIR_DOMAIN_SCHEDULER_", "Scheduler parameters"),
    ("VIR_DOMAIN_SEND_KEY_", "Limits of virDomainSendKey()"),
    ("VIR_DOMAIN_TUNABLE_", "Fields of the tunable event"),
    ("VIR_MIGRATE_PARAM_", "Migration parameters"),
    ("VIR_NODE_CPU_STATS_", "Host CPU statistics fields"),
    ("VIR_NODE_MEMORY_", "Host memory statistics and tuning fields"),
    ("VIR_NODE_SEV_", "Host SEV capability fields"),
    ("VIR_PERF_PARAM_", "Perf event names"),
    ("VIR_SECURITY_", "Security label buffer sizes"),
    ("VIR_UUID_", "UUID buffer sizes"),
    ("", "Other constants"),
]

# Callback types: short comment per type.
CALLBACK_COMMENTS = {
    "virFreeCallback": "Releases the opaque data of a callback",
    "virConnectAuthCallbackPtr": "Asks the application for credentials",
    "virConnectCloseFunc": "Told when a connection closes unexpectedly",
    "virErrorFunc": "Receives every error raised on a thread or connection",
    "virEventHandleCallback": "A watched file handle is ready",
    "virEventTimeoutCallback": "A timer fired",
    "virEventAddHandleFunc": "Event loop hook: watch a handle",
    "virEventUpdateHandleFunc": "Event loop hook: change a watch",
    "virEventRemoveHandleFunc": "Event loop hook: drop a watch",
    "virEventAddTimeoutFunc": "Event loop hook: add a timer",
    "virEventUpdateTimeoutFunc": "Event loop hook: change a timer",
    "virEventRemoveTimeoutFunc": "Event loop hook: drop a timer",
    "virConnectDomainEventCallback": "Lifecycle events (virConnectDomainEventRegister)",
    "virConnectDomainEventGenericCallback": "Common shape, cast with VIR_DOMAIN_EVENT_CALLBACK()",
}

# A simple value macro we can emit: a plain number, a parenthesised sum or
# another macro's name.  Function-like macros are written by hand.
SIMPLE_RAW = re.compile(r"^\(?[0-9A-Z_ +]+\)?$")


def parse_value(text):
    try:
        return int(text)
    except ValueError:
        return None


def enum_value_expr(e):
    """C expression for an enum constant, as libvirt defines it."""
    raw = e.get("value")
    num = parse_value(raw)
    if num is None:
        return raw  # another constant's name
    shift = e.get("value_bitshift")
    if shift is not None:
        shift = int(shift)
        return "1U << 31" if shift == 31 else "1 << %d" % shift
    return str(num)


def callback_comment(name):
    if name in CALLBACK_COMMENTS:
        return CALLBACK_COMMENTS[name]
    m = re.match(r"virConnectDomainEvent(\w+)Callback$", name)
    if m:
        return "Handler for the %s event" % m.group(1)
    return "Callback"


class Api:
    def __init__(self, path):
        root = ET.parse(path).getroot()
        self.enums = {}      # module -> type -> [elements]
        self.macros = {}     # module -> [elements]
        self.functypes = {}  # module -> [elements]
        self.const_type = {}  # enum constant name -> type
        self.const_value = {}  # enum constant name -> value text
        for e in root.iter("enum"):
            self.enums.setdefault(e.get("file"), {}).setdefault(
                e.get("type"), []).append(e)
            self.const_type[e.get("name")] = e.get("type")
            self.const_value[e.get("name")] = e.get("value")
        for m in root.iter("macro"):
            self.macros.setdefault(m.get("file"), []).append(m)
        for f in root.iter("functype"):
            self.functypes.setdefault(f.get("file"), []).append(f)

    def const_number(self, name):
        """Numeric value of an enum constant (following aliases)."""
        v = self.const_value[name]
        num = parse_value(v)
        return num if num is not None else self.const_number(v)

    def gen_enums(self, module):
        types = self.enums.get(module, {})
        order = []
        pending = sorted(types)
        # Place a type after the types whose constants it refers to.
        while pending:
            for t in pending:
                deps = {self.const_type.get(e.get("value"))
                        for e in types[t]
                        if parse_value(e.get("value")) is None}
                deps = {d for d in deps if d in types and d != t}
                if deps <= set(order):
                    order.append(t)
                    pending.remove(t)
                    break
            else:
                raise SystemExit("enum dependency cycle in %s" % module)

        out = []
        for t in order:
            if t not in ENUM_COMMENTS:
                raise SystemExit("no comment for enum type %s; add one to "
                                 "ENUM_COMMENTS" % t)
            # By value; sentinels and aliases after the name they follow.
            es = sorted(types[t], key=lambda e: (
                self.const_number(e.get("name")),
                e.get("name").endswith("_LAST"),
                parse_value(e.get("value")) is None,
                e.get("name")))
            out.append("/* %s */" % ENUM_COMMENTS[t])
            out.append("typedef enum {")
            width = max(len(e.get("name")) for e in es)
            for e in es:
                line = "    %-*s = %s," % (width, e.get("name"),
                                           enum_value_expr(e))
                if e.get("name").endswith("_LAST"):
                    out.append("#ifdef VIR_ENUM_SENTINELS")
                    out.append(line)
                    out.append("#endif")
                else:
                    out.append(line)
            out.append("} %s;" % t)
            out.append("")
        return out

    def gen_macros(self, module):
        groups = {}
        for m in self.macros.get(module, []):
            name = m.get("name")
            if m.get("params") is not None or name.startswith("_"):
                continue
            if m.get("string") is not None:
                value = '"%s"' % m.get("string")
            else:
                raw = re.sub(r"/\*.*?\*/", "", m.get("raw") or "").strip()
                if not SIMPLE_RAW.match(raw):
                    continue  # written by hand
                if name.startswith("LIBVIR_"):
                    continue  # version macros: written by hand
                value = raw
            prefix = max((p for p, _ in MACRO_GROUPS if name.startswith(p)),
                         key=len)
            groups.setdefault(prefix, []).append((name, value))
        out = []
        for prefix, comment in MACRO_GROUPS:
            items = groups.get(prefix)
            if not items:
                continue
            out.append("/* %s */" % comment)
            width = max(len(n) for n, _ in items)
            for name, value in sorted(items):
                out.append("#define %-*s %s" % (width, name, value))
            out.append("")
        return out

    def gen_callbacks(self, module):
        pending = sorted(self.functypes.get(module, []),
                         key=lambda f: f.get("name"))
        names = {f.get("name") for f in pending}
        order = []
        # A callback type used in another one's arguments comes first.
        while pending:
            for f in pending:
                deps = {a.get("type") for a in f.iter("arg")} & names
                if deps <= {g.get("name") for g in order}:
                    order.append(f)
                    pending.remove(f)
                    break
            else:
                raise SystemExit("callback dependency cycle in %s" % module)
        out = []
        for f in order:
            ret = f.find("return").get("type")
            args = [(a.get("type"), a.get("name")) for a in f.iter("arg")]
            out.append("/* %s */" % callback_comment(f.get("name")))
            head = "typedef %s%s(*%s)(" % (
                ret, "" if ret.endswith("*") else " ", f.get("name"))
            if not args:
                out.append(head + "void);")
            else:
                parts = ["%s%s%s" % (t, "" if t.endswith("*") else " ", n)
                         for t, n in args]
                pad = " " * len(head)
                for i, p in enumerate(parts):
                    end = ");" if i == len(parts) - 1 else ","
                    out.append((head if i == 0 else pad) + p + end)
            out.append("")
        return out


MARK = re.compile(
    r"(/\* BEGIN GENERATED (\w+): scripts/gen-public-enums\.py \*/\n)"
    r"(.*?)"
    r"(/\* END GENERATED \2 \*/)", re.S)


def fill(api, module, text):
    def repl(m):
        kind = m.group(2)
        gen = {"enums": api.gen_enums, "macros": api.gen_macros,
               "callbacks": api.gen_callbacks}.get(kind)
        if gen is None:
            raise SystemExit("unknown generated region kind '%s'" % kind)
        body = gen(module)
        while body and body[-1] == "":
            body.pop()
        return m.group(1) + "\n".join(body) + ("\n" if body else "") + m.group(4)
    return MARK.sub(repl, text)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--xml", default=DEFAULT_XML)
    ap.add_argument("--check", action="store_true",
                    help="fail if a header is not up to date; write nothing")
    ap.add_argument("incdir", help="the include/libvirt directory")
    args = ap.parse_args()

    api = Api(args.xml)
    stale = []
    for module in MODULES:
        path = Path(args.incdir) / (module + ".h")
        if not path.exists():
            continue
        old = path.read_text()
        new = fill(api, module, old)
        if new != old:
            if args.check:
                stale.append(str(path))
            else:
                path.write_text(new)
                print("updated %s" % path)
    if stale:
        print("out of date: %s" % " ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
