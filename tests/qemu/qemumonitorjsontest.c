/* Golden tests of the pure QMP layer: tests/data/qmp/<case>.json -> <case>.out. */
#include <libvirt/libvirt.h>
#include <stdio.h>
#include <string.h>

#include "qemutestutils.h"
#include "qemu/qemu_monitor_json.h"
#include "util/error.h"
#include "util/str.h"

#define NULLSTR_TEST(s) ((s) ? (s) : "(null)")

typedef enum {
    KIND_MESSAGE,       /* classification only */
    KIND_GREETING,
    KIND_EVENT,
    KIND_CHECK_STOP,    /* generic reply check, as for "stop" */
    KIND_STATUS,
    KIND_CPUS,
    KIND_BALLOON,
    KIND_VERSION,
    KIND_KVM,
    KIND_MACHINES,
    KIND_COMMANDS,
    KIND_MIGRATE_INFO,
    KIND_MIGRATE_PARAMS,
    KIND_MIGRATE_CAPS,
    KIND_HMP,
    KIND_QOM_LIST,
    KIND_QOM_GET,
    KIND_CHARDEV,
    KIND_BLOCK,
    KIND_BLOCKSTATS,
    KIND_VNC,
    KIND_SPICE,
} ParseKind;

typedef struct {
    const char *name;
    ParseKind kind;
} ParseCase;

static const char *
codeName(int code)
{
    switch (code) {
    case VIR_ERR_INTERNAL_ERROR: return "VIR_ERR_INTERNAL_ERROR";
    case VIR_ERR_INVALID_ARG: return "VIR_ERR_INVALID_ARG";
    case VIR_ERR_OPERATION_FAILED: return "VIR_ERR_OPERATION_FAILED";
    case VIR_ERR_OPERATION_TIMEOUT: return "VIR_ERR_OPERATION_TIMEOUT";
    }
    return "?";
}

static void
dumpError(GString *out)
{
    virErrorPtr err = errorGetSlot();

    g_string_append_printf(out, "error: %s (domain %d): %s\n", codeName(err->code), err->domain,
                           err->message);
    errorReset();
}

static const char *
boolStr(bool b)
{
    return b ? "true" : "false";
}

static void
dumpDomainState(GString *out, QemuMonitorRunState state, bool running)
{
    static const char *const states[] = {
        "nostate", "running", "blocked", "paused", "shutdown", "shutoff", "crashed",
        "pmsuspended",
    };
    static const char *const running_[] = {
        "unknown", "booted", "migrated", "restored", "from snapshot", "unpaused",
        "migration canceled", "save canceled", "wakeup", "crashed", "post-copy",
        "post-copy failed",
    };
    static const char *const paused[] = {
        "unknown", "user", "migration", "save", "dump", "ioerror", "watchdog",
        "from snapshot", "shutting down", "snapshot", "crashed", "starting up", "post-copy",
        "post-copy failed",
    };
    const char *reasonName = "?";
    int st;
    int reason;

    qemuMonitorJSONRunStateToDomainState(state, running, &st, &reason);
    if (st == VIR_DOMAIN_RUNNING && reason >= 0 && reason < (int)G_N_ELEMENTS(running_))
        reasonName = running_[reason];
    else if (st == VIR_DOMAIN_PAUSED && reason >= 0 && reason < (int)G_N_ELEMENTS(paused))
        reasonName = paused[reason];
    else if (st == VIR_DOMAIN_CRASHED && reason == VIR_DOMAIN_CRASHED_PANICKED)
        reasonName = "panicked";
    else if (reason == 0)
        reasonName = "unknown";
    g_string_append_printf(out, "domain-state=%s reason=%s (%d)\n",
                           st >= 0 && st < (int)G_N_ELEMENTS(states) ? states[st] : "?",
                           reasonName, reason);
}

static void
dumpStats(GString *out, const char *prefix, const QemuMonitorMigrationStats *s)
{
    g_string_append_printf(out,
                           "%s: transferred=%" G_GUINT64_FORMAT " remaining=%" G_GUINT64_FORMAT
                           " total=%" G_GUINT64_FORMAT " duplicate=%" G_GUINT64_FORMAT
                           " normal=%" G_GUINT64_FORMAT " normal-bytes=%" G_GUINT64_FORMAT
                           " dirty-pages-rate=%" G_GUINT64_FORMAT " mbps=%.3f"
                           " dirty-sync-count=%" G_GUINT64_FORMAT
                           " postcopy-requests=%" G_GUINT64_FORMAT
                           " page-size=%" G_GUINT64_FORMAT "\n",
                           prefix, (guint64)s->transferred, (guint64)s->remaining,
                           (guint64)s->total, (guint64)s->duplicate, (guint64)s->normal,
                           (guint64)s->normalBytes, (guint64)s->dirtyPagesRate, s->mbps,
                           (guint64)s->dirtySyncCount, (guint64)s->postcopyRequests,
                           (guint64)s->pageSize);
}

static void
dumpEvent(GString *out, QemuMonitorEvent *ev)
{
    g_string_append_printf(out,
                           "event=%s type=%s timestamp=%" G_GINT64_FORMAT
                           ".%06" G_GINT64_FORMAT "\n",
                           ev->name, qemuMonitorJSONEventTypeToString(ev->type),
                           (gint64)ev->seconds, (gint64)ev->micros);
    switch (ev->type) {
    case QEMU_MONITOR_EVENT_SHUTDOWN:
    case QEMU_MONITOR_EVENT_RESET:
        g_string_append_printf(out, "guest=%s reason=%s\n", boolStr(ev->u.shutdown.guest),
                               NULLSTR_TEST(ev->u.shutdown.reason));
        break;
    case QEMU_MONITOR_EVENT_GUEST_PANICKED:
        g_string_append_printf(out, "action=%s\n", ev->u.panic.action);
        break;
    case QEMU_MONITOR_EVENT_MIGRATION:
        g_string_append_printf(out, "status=%s (%s)\n",
                               qemuMonitorJSONMigrationStatusToString(ev->u.migration.status),
                               ev->u.migration.statusName);
        break;
    case QEMU_MONITOR_EVENT_MIGRATION_PASS:
        g_string_append_printf(out, "pass=%" G_GINT64_FORMAT "\n",
                               (gint64)ev->u.migrationPass.pass);
        break;
    case QEMU_MONITOR_EVENT_DEVICE_DELETED:
        g_string_append_printf(out, "device=%s path=%s\n", NULLSTR_TEST(ev->u.deviceDeleted.device),
                               ev->u.deviceDeleted.path);
        break;
    case QEMU_MONITOR_EVENT_BALLOON_CHANGE:
        g_string_append_printf(out, "actual=%" G_GUINT64_FORMAT "\n",
                               (guint64)ev->u.balloon.actual);
        break;
    case QEMU_MONITOR_EVENT_BLOCK_IO_ERROR:
        g_string_append_printf(out, "device=%s node-name=%s action=%s nospace=%s\n",
                               NULLSTR_TEST(ev->u.ioError.device),
                               NULLSTR_TEST(ev->u.ioError.nodeName), ev->u.ioError.action,
                               boolStr(ev->u.ioError.nospace));
        break;
    case QEMU_MONITOR_EVENT_DUMP_COMPLETED:
        g_string_append_printf(out,
                               "status=%s total=%" G_GUINT64_FORMAT " completed=%" G_GUINT64_FORMAT
                               " error=%s\n",
                               ev->u.dump.status, (guint64)ev->u.dump.total,
                               (guint64)ev->u.dump.completed, NULLSTR_TEST(ev->u.dump.error));
        break;
    case QEMU_MONITOR_EVENT_OTHER:
    case QEMU_MONITOR_EVENT_STOP:
    case QEMU_MONITOR_EVENT_RESUME:
    case QEMU_MONITOR_EVENT_POWERDOWN:
    case QEMU_MONITOR_EVENT_LAST:
        break;
    }
    if (ev->data) {
        g_autofree char *data = jsonFormat(ev->data);

        g_string_append_printf(out, "data=%s\n", data);
    }
}

/* Appends the parse result of @kind on @msg to @out; errors are dumped. */
static void
dumpParsed(GString *out, ParseKind kind, QemuMonitorMessage *msg)
{
    json_object *reply = msg->obj;
    size_t i;

    switch (kind) {
    case KIND_MESSAGE:
        g_string_append_printf(out, "type=%s id=%s\n",
                               msg->type == QEMU_MONITOR_MESSAGE_GREETING ? "greeting" :
                               msg->type == QEMU_MONITOR_MESSAGE_EVENT ? "event" : "reply",
                               NULLSTR_TEST(msg->id));
        return;

    case KIND_GREETING: {
        g_autoptr(QemuMonitorVersion) ver = qemuMonitorJSONParseGreeting(reply);

        if (!ver)
            break;
        g_string_append_printf(out, "version=%u.%u.%u package=%s\n", ver->major, ver->minor,
                               ver->micro, ver->package);
        return;
    }

    case KIND_EVENT: {
        g_autoptr(QemuMonitorEvent) ev = NULL;

        if (msg->type != QEMU_MONITOR_MESSAGE_EVENT) {
            g_string_append(out, "not an event\n");
            return;
        }
        if (!(ev = qemuMonitorJSONParseEvent(reply)))
            break;
        dumpEvent(out, ev);
        return;
    }

    case KIND_CHECK_STOP: {
        json_object *data = NULL;

        if (qemuMonitorJSONCheckReply(reply, "stop", json_type_object, &data) < 0) {
            g_string_append_printf(out, "class=%s\n",
                                   NULLSTR_TEST(qemuMonitorJSONReplyErrorClass(reply)));
            break;
        }
        g_string_append(out, "ok\n");
        return;
    }

    case KIND_STATUS: {
        g_autoptr(QemuMonitorStatus) st = qemuMonitorJSONParseStatus(reply);

        if (!st)
            break;
        g_string_append_printf(out, "running=%s state=%s (%s)\n", boolStr(st->running),
                               qemuMonitorJSONRunStateToString(st->state), st->stateName);
        dumpDomainState(out, st->state, st->running);
        return;
    }

    case KIND_CPUS: {
        g_autoptr(GPtrArray) cpus = qemuMonitorJSONParseCPUInfo(reply);

        if (!cpus)
            break;
        for (i = 0; i < cpus->len; i++) {
            QemuMonitorCPUInfo *c = cpus->pdata[i];

            g_string_append_printf(out, "cpu %d thread=%" G_GINT64_FORMAT " qom=%s target=%s\n",
                                   c->cpuIndex, (gint64)c->threadId, c->qomPath,
                                   NULLSTR_TEST(c->target));
        }
        return;
    }

    case KIND_BALLOON: {
        uint64_t actual;

        if (qemuMonitorJSONParseBalloon(reply, &actual) < 0) {
            g_string_append_printf(out, "class=%s\n",
                                   NULLSTR_TEST(qemuMonitorJSONReplyErrorClass(reply)));
            break;
        }
        g_string_append_printf(out, "actual=%" G_GUINT64_FORMAT "\n", (guint64)actual);
        return;
    }

    case KIND_VERSION: {
        g_autoptr(QemuMonitorVersion) ver = qemuMonitorJSONParseVersion(reply);

        if (!ver)
            break;
        g_string_append_printf(out, "version=%u.%u.%u package=%s\n", ver->major, ver->minor,
                               ver->micro, ver->package);
        return;
    }

    case KIND_KVM: {
        QemuMonitorKVMState kvm;

        if (qemuMonitorJSONParseKVM(reply, &kvm) < 0)
            break;
        g_string_append_printf(out, "enabled=%s present=%s\n", boolStr(kvm.enabled),
                               boolStr(kvm.present));
        return;
    }

    case KIND_MACHINES: {
        g_autoptr(GPtrArray) list = qemuMonitorJSONParseMachines(reply);

        if (!list)
            break;
        for (i = 0; i < list->len; i++) {
            QemuMonitorMachineInfo *m = list->pdata[i];

            g_string_append_printf(out,
                                   "machine %s alias=%s default=%s cpu-max=%d hotplug-cpus=%s"
                                   " deprecated=%s numa-mem=%s cpu-type=%s ram-id=%s\n",
                                   m->name, NULLSTR_TEST(m->alias), boolStr(m->isDefault),
                                   m->cpuMax, boolStr(m->hotplugCpus), boolStr(m->deprecated),
                                   boolStr(m->numaMemSupported), NULLSTR_TEST(m->defaultCpuType),
                                   NULLSTR_TEST(m->defaultRamId));
        }
        return;
    }

    case KIND_COMMANDS: {
        g_auto(GStrv) names = qemuMonitorJSONParseCommands(reply);

        if (!names)
            break;
        for (i = 0; names[i]; i++)
            g_string_append_printf(out, "command %s\n", names[i]);
        return;
    }

    case KIND_MIGRATE_INFO: {
        g_autoptr(QemuMonitorMigrationInfo) mi = qemuMonitorJSONParseMigrationInfo(reply);

        if (!mi)
            break;
        g_string_append_printf(out, "status=%s\n",
                               qemuMonitorJSONMigrationStatusToString(mi->status));
        if (mi->hasRam)
            dumpStats(out, "ram", &mi->ram);
        if (mi->hasDisk)
            dumpStats(out, "disk", &mi->disk);
        if (mi->hasXbzrle)
            g_string_append_printf(out,
                                   "xbzrle: cache-size=%" G_GUINT64_FORMAT
                                   " bytes=%" G_GUINT64_FORMAT
                                   " pages=%" G_GUINT64_FORMAT " cache-miss=%" G_GUINT64_FORMAT
                                   " cache-miss-rate=%.3f overflow=%" G_GUINT64_FORMAT "\n",
                                   (guint64)mi->xbzrleCacheSize, (guint64)mi->xbzrleBytes,
                                   (guint64)mi->xbzrlePages, (guint64)mi->xbzrleCacheMiss,
                                   mi->xbzrleCacheMissRate, (guint64)mi->xbzrleOverflow);
        if (mi->hasTotalTime)
            g_string_append_printf(out, "total-time=%" G_GUINT64_FORMAT "\n",
                                   (guint64)mi->totalTime);
        if (mi->hasExpectedDowntime)
            g_string_append_printf(out, "expected-downtime=%" G_GUINT64_FORMAT "\n",
                                   (guint64)mi->expectedDowntime);
        if (mi->hasDowntime)
            g_string_append_printf(out, "downtime=%" G_GUINT64_FORMAT "\n", (guint64)mi->downtime);
        if (mi->hasSetupTime)
            g_string_append_printf(out, "setup-time=%" G_GUINT64_FORMAT "\n",
                                   (guint64)mi->setupTime);
        if (mi->hasCpuThrottle)
            g_string_append_printf(out, "cpu-throttle-percentage=%d\n", mi->cpuThrottlePercentage);
        if (mi->errorDesc)
            g_string_append_printf(out, "error-desc=%s\n", mi->errorDesc);
        return;
    }

    case KIND_MIGRATE_PARAMS: {
        g_autoptr(QemuMonitorMigrationParams) p = qemuMonitorJSONParseMigrationParams(reply);

        if (!p)
            break;
        for (i = 0; i < QEMU_MONITOR_MIGRATION_PARAM_LAST; i++) {
            if (!p->set[i])
                continue;
            g_string_append_printf(out, "%s=", qemuMonitorJSONMigrationParamToString(i));
            switch (qemuMonitorJSONMigrationParamType(i)) {
            case QEMU_MONITOR_PARAM_TYPE_UINT:
                g_string_append_printf(out, "%" G_GUINT64_FORMAT "\n", (guint64)p->num[i]);
                break;
            case QEMU_MONITOR_PARAM_TYPE_BOOL:
                g_string_append_printf(out, "%s\n", boolStr(p->flag[i]));
                break;
            case QEMU_MONITOR_PARAM_TYPE_STRING:
            case QEMU_MONITOR_PARAM_TYPE_LAST:
                g_string_append_printf(out, "'%s'\n", p->str[i]);
                break;
            }
        }
        return;
    }

    case KIND_MIGRATE_CAPS: {
        QemuMonitorMigrationCaps caps;

        if (qemuMonitorJSONParseMigrationCaps(reply, &caps) < 0)
            break;
        for (i = 0; i < QEMU_MONITOR_MIGRATION_CAP_LAST; i++) {
            if (caps.set[i])
                g_string_append_printf(out, "%s=%s\n", qemuMonitorJSONMigrationCapToString(i),
                                       boolStr(caps.state[i]));
        }
        return;
    }

    case KIND_HMP: {
        g_autofree char *text = qemuMonitorJSONParseHumanCommand(reply);

        if (!text)
            break;
        g_string_append_printf(out, "output=%s", text);
        return;
    }

    case KIND_QOM_LIST: {
        g_autoptr(GPtrArray) list = qemuMonitorJSONParseQomList(reply);

        if (!list)
            break;
        for (i = 0; i < list->len; i++) {
            QemuMonitorQomProperty *p = list->pdata[i];

            g_string_append_printf(out, "property %s type=%s\n", p->name, p->type);
        }
        return;
    }

    case KIND_QOM_GET: {
        g_autoptr(json_object) val = qemuMonitorJSONParseQomGet(reply);
        g_autofree char *text = NULL;

        if (!val)
            break;
        text = jsonFormat(val);
        g_string_append_printf(out, "value=%s\n", text);
        return;
    }

    case KIND_CHARDEV: {
        g_autoptr(GPtrArray) list = qemuMonitorJSONParseChardevs(reply);

        if (!list)
            break;
        for (i = 0; i < list->len; i++) {
            QemuMonitorChardevInfo *c = list->pdata[i];

            g_string_append_printf(out, "chardev %s filename=%s pty=%s open=%s\n", c->label,
                                   c->filename, NULLSTR_TEST(c->ptyPath), boolStr(c->frontendOpen));
        }
        return;
    }

    case KIND_BLOCK: {
        g_autoptr(GPtrArray) list = qemuMonitorJSONParseBlockInfo(reply);

        if (!list)
            break;
        for (i = 0; i < list->len; i++) {
            QemuMonitorBlockInfo *b = list->pdata[i];

            g_string_append_printf(out,
                                   "block '%s' qdev=%s removable=%s locked=%s tray=%s"
                                   " io-status=%s\n",
                                   b->device, NULLSTR_TEST(b->qdev), boolStr(b->removable),
                                   boolStr(b->locked),
                                   b->hasTrayOpen ? boolStr(b->trayOpen) : "-",
                                   NULLSTR_TEST(b->ioStatus));
            if (b->inserted)
                g_string_append_printf(out, "  inserted file=%s format=%s node=%s ro=%s\n",
                                       b->file, b->format, NULLSTR_TEST(b->nodeName),
                                       boolStr(b->readonly));
        }
        return;
    }

    case KIND_BLOCKSTATS: {
        g_autoptr(GPtrArray) list = qemuMonitorJSONParseBlockStats(reply);

        if (!list)
            break;
        for (i = 0; i < list->len; i++) {
            QemuMonitorBlockStats *s = list->pdata[i];

            g_string_append_printf(out, "blockstats '%s' qdev=%s node=%s\n", s->device,
                                   NULLSTR_TEST(s->qdev), NULLSTR_TEST(s->nodeName));
            g_string_append_printf(out,
                                   "  rd=%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT
                                   " wr=%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT
                                   " flush=%" G_GUINT64_FORMAT " times=%" G_GUINT64_FORMAT
                                   "/%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT
                                   " highest=%s%" G_GUINT64_FORMAT "\n",
                                   (guint64)s->rdBytes, (guint64)s->rdOperations,
                                   (guint64)s->wrBytes, (guint64)s->wrOperations,
                                   (guint64)s->flushOperations, (guint64)s->rdTotalTimeNs,
                                   (guint64)s->wrTotalTimeNs, (guint64)s->flushTotalTimeNs,
                                   s->hasWrHighestOffset ? "" : "-", (guint64)s->wrHighestOffset);
        }
        return;
    }

    case KIND_VNC: {
        g_autoptr(QemuMonitorVNCInfo) v = qemuMonitorJSONParseVNC(reply);

        if (!v)
            break;
        g_string_append_printf(out, "enabled=%s host=%s service=%s family=%s auth=%s\n",
                               boolStr(v->enabled), NULLSTR_TEST(v->host),
                               NULLSTR_TEST(v->service), NULLSTR_TEST(v->family),
                               NULLSTR_TEST(v->auth));
        return;
    }

    case KIND_SPICE: {
        g_autoptr(QemuMonitorSpiceInfo) s = qemuMonitorJSONParseSpice(reply);

        if (!s)
            break;
        g_string_append_printf(out,
                               "enabled=%s migrated=%s host=%s port=%d tls-port=%d auth=%s"
                               " mouse=%s\n",
                               boolStr(s->enabled), boolStr(s->migrated), NULLSTR_TEST(s->host),
                               s->port, s->tlsPort, NULLSTR_TEST(s->auth),
                               NULLSTR_TEST(s->mouseMode));
        return;
    }
    }
    dumpError(out);
}

static int
testParse(const void *opaque)
{
    const ParseCase *tc = opaque;
    g_autofree char *inName = g_strdup_printf("%s.json", tc->name);
    g_autofree char *outName = g_strdup_printf("%s.out", tc->name);
    g_autofree char *inPath = testDataPath(inName);
    g_autofree char *input = NULL;
    g_autoptr(GError) gerr = NULL;
    g_autoptr(GString) out = g_string_new(NULL);
    g_autoptr(QemuMonitorMessage) msg = NULL;
    size_t len;

    if (!g_file_get_contents(inPath, &input, &len, &gerr))
        TEST_FAIL("# cannot read %s: %s", inPath, gerr->message);
    while (len > 0 && (input[len - 1] == '\n' || input[len - 1] == '\r'))
        len--;

    if (!(msg = qemuMonitorJSONParseMessage(input, len)))
        dumpError(out);
    else
        dumpParsed(out, tc->kind, msg);
    TEST_CHECK(!errorIsSet(), "# error left behind: %s", errorGetSlot()->message);
    return testCompareGolden(outName, out->str);
}

/* ---- command builders ---- */

typedef json_object *(*BuildFunc)(void);

typedef struct {
    const char *name;
    BuildFunc build;
    bool redact;        /* output the redacted log form instead */
    bool secret;        /* with the SECRET flag */
} BuildCase;

static json_object *
buildQueryStatus(void)
{
    return qemuMonitorJSONMakeCommand("query-status", NULL);
}

static json_object *
buildBalloon(void)
{
    return qemuMonitorJSONBuildBalloon(512ULL * 1024 * 1024);
}

static json_object *
buildMigrate(void)
{
    return qemuMonitorJSONBuildMigrate("tcp:192.0.2.7:49152", false);
}

static json_object *
buildMigrateResume(void)
{
    return qemuMonitorJSONBuildMigrate("tcp:192.0.2.7:49152", true);
}

static json_object *
buildMigrateIncoming(void)
{
    return qemuMonitorJSONBuildMigrateIncoming("tcp:[::]:49152");
}

static json_object *
buildMigrateContinue(void)
{
    return qemuMonitorJSONBuildMigrateContinue(QEMU_MONITOR_MIGRATION_STATUS_PRE_SWITCHOVER);
}

static json_object *
buildMigrateSetCaps(void)
{
    QemuMonitorMigrationCaps caps = { { 0 } };

    caps.set[QEMU_MONITOR_MIGRATION_CAP_POSTCOPY_RAM] = true;
    caps.state[QEMU_MONITOR_MIGRATION_CAP_POSTCOPY_RAM] = true;
    caps.set[QEMU_MONITOR_MIGRATION_CAP_EVENTS] = true;
    caps.state[QEMU_MONITOR_MIGRATION_CAP_EVENTS] = true;
    caps.set[QEMU_MONITOR_MIGRATION_CAP_XBZRLE] = true;
    caps.state[QEMU_MONITOR_MIGRATION_CAP_XBZRLE] = false;
    caps.set[QEMU_MONITOR_MIGRATION_CAP_PAUSE_BEFORE_SWITCHOVER] = true;
    caps.state[QEMU_MONITOR_MIGRATION_CAP_PAUSE_BEFORE_SWITCHOVER] = true;
    return qemuMonitorJSONBuildMigrateSetCapabilities(&caps);
}

static json_object *
buildMigrateSetParams(void)
{
    g_autoptr(QemuMonitorMigrationParams) p = qemuMonitorJSONMigrationParamsNew();

    /* Set out of order: the command lists them in QEMU's order. */
    if (qemuMonitorJSONMigrationParamsSetUInt(p, QEMU_MONITOR_MIGRATION_PARAM_MULTIFD_CHANNELS,
                                              4) < 0 ||
        qemuMonitorJSONMigrationParamsSetUInt(p, QEMU_MONITOR_MIGRATION_PARAM_MAX_BANDWIDTH,
                                              100ULL * 1024 * 1024) < 0 ||
        qemuMonitorJSONMigrationParamsSetUInt(p, QEMU_MONITOR_MIGRATION_PARAM_DOWNTIME_LIMIT,
                                              500) < 0 ||
        qemuMonitorJSONMigrationParamsSetString(p, QEMU_MONITOR_MIGRATION_PARAM_TLS_HOSTNAME,
                                                "dst.example.org") < 0 ||
        qemuMonitorJSONMigrationParamsSetString(p, QEMU_MONITOR_MIGRATION_PARAM_TLS_CREDS,
                                                "") < 0 ||
        qemuMonitorJSONMigrationParamsSetBool(p, QEMU_MONITOR_MIGRATION_PARAM_BLOCK_INCREMENTAL,
                                              false) < 0)
        return NULL;
    /* A type mismatch is refused. */
    if (qemuMonitorJSONMigrationParamsSetBool(p, QEMU_MONITOR_MIGRATION_PARAM_MAX_BANDWIDTH,
                                              true) == 0)
        return NULL;
    errorReset();
    return qemuMonitorJSONBuildMigrateSetParameters(p);
}

static json_object *
buildHMP(void)
{
    return qemuMonitorJSONBuildHumanCommand("info status");
}

static json_object *
buildQomList(void)
{
    return qemuMonitorJSONBuildQomList("/machine");
}

static json_object *
buildQomGet(void)
{
    return qemuMonitorJSONBuildQomGet("/machine/unattached/device[0]", "family");
}

static json_object *
buildClientMigrateInfo(void)
{
    return qemuMonitorJSONBuildClientMigrateInfo("spice", "dst.example.org", 5901, 5902,
                                                 "C=XX,O=Example,CN=dst.example.org");
}

static json_object *
buildClientMigrateInfoMin(void)
{
    return qemuMonitorJSONBuildClientMigrateInfo("spice", "192.0.2.7", 5901, -1, NULL);
}

static json_object *
buildArbitrary(void)
{
    return qemuMonitorJSONBuildArbitrary(
        "{ \"execute\": \"qom-get\", \"arguments\": "
        "{ \"path\": \"/machine\", \"property\": \"type\" }, \"id\": \"user-1\" }");
}

static json_object *
buildArbitraryBad(void)
{
    return qemuMonitorJSONBuildArbitrary("{\"execute\": 42}");
}

static json_object *
buildArbitraryOob(void)
{
    return qemuMonitorJSONBuildArbitrary("{\"exec-oob\": \"migrate-pause\"}");
}

static json_object *
buildArbitraryGarbage(void)
{
    return qemuMonitorJSONBuildArbitrary("{\"execute\": \"stop\"");
}

static json_object *
buildSetPassword(void)
{
    json_object *args = json_object_new_object();

    json_object_object_add(args, "protocol", json_object_new_string("vnc"));
    json_object_object_add(args, "password", json_object_new_string("hunter2"));
    return qemuMonitorJSONMakeCommand("set_password", args);
}

static json_object *
buildSecretObject(void)
{
    json_object *args = json_object_new_object();

    json_object_object_add(args, "qom-type", json_object_new_string("secret"));
    json_object_object_add(args, "id", json_object_new_string("sec0"));
    json_object_object_add(args, "data", json_object_new_string("c2VjcmV0"));
    json_object_object_add(args, "format", json_object_new_string("base64"));
    return qemuMonitorJSONMakeCommand("object-add", args);
}

static json_object *
buildHMPSecret(void)
{
    return qemuMonitorJSONBuildHumanCommand("set_password vnc hunter2");
}

static int
testBuild(const void *opaque)
{
    const BuildCase *tc = opaque;
    g_autofree char *outName = g_strdup_printf("%s.out", tc->name);
    g_autoptr(json_object) cmd = tc->build();
    g_autoptr(GString) out = g_string_new(NULL);

    if (!cmd) {
        dumpError(out);
    } else {
        g_autofree char *text = tc->redact ? qemuMonitorJSONFormatRedacted(cmd, tc->secret)
                                           : jsonFormat(cmd);

        TEST_CHECK(!errorIsSet(), "# unexpected error: %s", errorGetSlot()->message);
        g_string_append_printf(out, "%s\n", text);
    }
    return testCompareGolden(outName, out->str);
}

/* The RunState -> domain state/reason table, as a golden file. */
static int
testRunStateMapping(const void *opaque)
{
    g_autoptr(GString) out = g_string_new(NULL);
    int i;

    (void)opaque;
    for (i = 0; i < QEMU_MONITOR_RUN_STATE_LAST; i++) {
        g_string_append_printf(out, "%s running=false: ", qemuMonitorJSONRunStateToString(i));
        dumpDomainState(out, i, false);
        if (i == QEMU_MONITOR_RUN_STATE_RUNNING || i == QEMU_MONITOR_RUN_STATE_UNKNOWN) {
            g_string_append_printf(out, "%s running=true: ", qemuMonitorJSONRunStateToString(i));
            dumpDomainState(out, i, true);
        }
    }
    /* Names round-trip. */
    for (i = 1; i < QEMU_MONITOR_RUN_STATE_LAST; i++)
        TEST_CHECK((int)qemuMonitorJSONRunStateFromString(qemuMonitorJSONRunStateToString(i)) == i,
                   "# %d", i);
    for (i = 1; i < QEMU_MONITOR_MIGRATION_STATUS_LAST; i++)
        TEST_CHECK((int)qemuMonitorJSONMigrationStatusFromString(
                       qemuMonitorJSONMigrationStatusToString(i)) == i, "# %d", i);
    for (i = 0; i < QEMU_MONITOR_MIGRATION_CAP_LAST; i++)
        TEST_CHECK(qemuMonitorJSONMigrationCapFromString(
                       qemuMonitorJSONMigrationCapToString(i)) == i, "# %d", i);
    for (i = 0; i < QEMU_MONITOR_MIGRATION_PARAM_LAST; i++)
        TEST_CHECK(qemuMonitorJSONMigrationParamFromString(
                       qemuMonitorJSONMigrationParamToString(i)) == i, "# %d", i);
    return testCompareGolden("runstate-mapping.out", out->str);
}

/* json util edge cases that golden files cannot express well. */
static int
testJSONUtil(const void *opaque)
{
    g_autoptr(json_object) obj = NULL;
    g_autofree char *reason = NULL;
    int64_t i64;
    uint64_t u64;
    int i;
    bool b;
    double d;
    GString *deep = g_string_new(NULL);
    const char *doc = "{\"big\": 18446744073709551615, \"neg\": -5, \"max\": 9223372036854775807,"
                      " \"s\": \"x\", \"b\": true, \"d\": 1.5, \"huge\": 4294967296}";

    (void)opaque;
    obj = jsonParse(doc, strlen(doc));
    TEST_CHECK(obj != NULL, "# parse failed");
    TEST_CHECK(jsonGetUInt64(obj, "big", &u64) == 0 && u64 == G_MAXUINT64, "# big");
    TEST_CHECK(jsonGetInt64(obj, "big", &i64) < 0, "# big as int64 must fail");
    TEST_CHECK(jsonGetInt64(obj, "max", &i64) == 0 && i64 == G_MAXINT64, "# max");
    TEST_CHECK(jsonGetUInt64(obj, "neg", &u64) < 0, "# negative as uint64 must fail");
    TEST_CHECK(jsonGetInt(obj, "neg", &i) == 0 && i == -5, "# neg");
    TEST_CHECK(jsonGetInt(obj, "huge", &i) < 0, "# huge as int must fail");
    TEST_CHECK(jsonGetInt(obj, "s", &i) < 0, "# string as int must fail");
    TEST_CHECK(jsonGetBool(obj, "b", &b) == 0 && b, "# bool");
    TEST_CHECK(jsonGetBool(obj, "missing", &b) < 0, "# missing");
    TEST_CHECK(jsonGetDouble(obj, "d", &d) == 0 && d == 1.5, "# double");
    TEST_CHECK(jsonGetDouble(obj, "neg", &d) == 0 && d == -5, "# int as double");
    TEST_CHECK(jsonGetString(obj, "b") == NULL, "# bool as string");
    TEST_CHECK(!errorIsSet(), "# getters must not report");

    for (i = 0; i < JSON_MAX_DEPTH + 1; i++)
        g_string_append_c(deep, '[');
    for (i = 0; i < JSON_MAX_DEPTH + 1; i++)
        g_string_append_c(deep, ']');
    TEST_CHECK(jsonParseDetail(deep->str, deep->len, &reason) == NULL, "# too deep accepted");
    g_string_free(deep, TRUE);
    g_clear_pointer(&reason, g_free);
    TEST_CHECK(jsonParseDetail("{\"a\":1}\0", 8, &reason) == NULL, "# NUL accepted");
    g_clear_pointer(&reason, g_free);
    TEST_CHECK(jsonParseDetail("\"\xff\"", 3, &reason) == NULL, "# bad UTF-8 accepted");
    g_clear_pointer(&reason, g_free);
    TEST_CHECK(jsonParse("{} {}", 5) == NULL && errorGetCode() == VIR_ERR_INTERNAL_ERROR,
               "# two documents accepted");
    errorReset();
    return 0;
}

static const ParseCase parseCases[] = {
    { "greeting", KIND_GREETING },
    { "greeting-bad-version", KIND_GREETING },
    { "msg-reply-id", KIND_MESSAGE },
    { "msg-reply-numeric-id", KIND_MESSAGE },
    { "msg-event", KIND_MESSAGE },
    { "msg-garbage", KIND_MESSAGE },
    { "msg-array", KIND_MESSAGE },
    { "msg-unknown", KIND_MESSAGE },
    { "msg-trailing", KIND_MESSAGE },
    { "msg-truncated", KIND_MESSAGE },
    { "reply-error-generic", KIND_CHECK_STOP },
    { "reply-error-nodesc", KIND_CHECK_STOP },
    { "reply-no-return", KIND_CHECK_STOP },
    { "reply-ok-empty", KIND_CHECK_STOP },
    { "reply-status-prelaunch", KIND_STATUS },
    { "reply-status-running", KIND_STATUS },
    { "reply-status-postmigrate", KIND_STATUS },
    { "reply-status-io-error", KIND_STATUS },
    { "reply-status-unknown", KIND_STATUS },
    { "reply-status-malformed", KIND_STATUS },
    { "reply-status-wrongtype", KIND_STATUS },
    { "reply-cpus-fast", KIND_CPUS },
    { "reply-cpus-fast-bad", KIND_CPUS },
    { "reply-balloon", KIND_BALLOON },
    { "reply-balloon-error", KIND_BALLOON },
    { "reply-version", KIND_VERSION },
    { "reply-kvm", KIND_KVM },
    { "reply-machines", KIND_MACHINES },
    { "reply-commands", KIND_COMMANDS },
    { "reply-migrate-empty", KIND_MIGRATE_INFO },
    { "reply-migrate-setup", KIND_MIGRATE_INFO },
    { "reply-migrate-active", KIND_MIGRATE_INFO },
    { "reply-migrate-completed", KIND_MIGRATE_INFO },
    { "reply-migrate-failed", KIND_MIGRATE_INFO },
    { "reply-migrate-parameters", KIND_MIGRATE_PARAMS },
    { "reply-migrate-parameters-badtype", KIND_MIGRATE_PARAMS },
    { "reply-migrate-capabilities", KIND_MIGRATE_CAPS },
    { "reply-hmp", KIND_HMP },
    { "reply-qom-list", KIND_QOM_LIST },
    { "reply-qom-get", KIND_QOM_GET },
    { "reply-chardev", KIND_CHARDEV },
    { "reply-block", KIND_BLOCK },
    { "reply-blockstats", KIND_BLOCKSTATS },
    { "reply-vnc", KIND_VNC },
    { "reply-vnc-disabled", KIND_VNC },
    { "reply-spice", KIND_SPICE },
    { "event-stop", KIND_EVENT },
    { "event-resume", KIND_EVENT },
    { "event-shutdown", KIND_EVENT },
    { "event-shutdown-guest", KIND_EVENT },
    { "event-shutdown-malformed", KIND_EVENT },
    { "event-reset", KIND_EVENT },
    { "event-powerdown", KIND_EVENT },
    { "event-guest-panicked", KIND_EVENT },
    { "event-migration", KIND_EVENT },
    { "event-migration-pass", KIND_EVENT },
    { "event-device-deleted", KIND_EVENT },
    { "event-block-io-error", KIND_EVENT },
    { "event-block-io-error-drive", KIND_EVENT },
    { "event-block-io-error-malformed", KIND_EVENT },
    { "event-balloon-change", KIND_EVENT },
    { "event-dump-completed", KIND_EVENT },
    { "event-dump-completed-failed", KIND_EVENT },
    { "event-dump-completed-malformed", KIND_EVENT },
    { "event-other", KIND_EVENT },
};

static const BuildCase buildCases[] = {
    { "cmd-query-status", buildQueryStatus },
    { "cmd-balloon", buildBalloon },
    { "cmd-migrate", buildMigrate },
    { "cmd-migrate-resume", buildMigrateResume },
    { "cmd-migrate-incoming", buildMigrateIncoming },
    { "cmd-migrate-continue", buildMigrateContinue },
    { "cmd-migrate-set-capabilities", buildMigrateSetCaps },
    { "cmd-migrate-set-parameters", buildMigrateSetParams },
    { "cmd-hmp", buildHMP },
    { "cmd-qom-list", buildQomList },
    { "cmd-qom-get", buildQomGet },
    { "cmd-client-migrate-info", buildClientMigrateInfo },
    { "cmd-client-migrate-info-min", buildClientMigrateInfoMin },
    { "cmd-arbitrary", buildArbitrary },
    { "cmd-arbitrary-bad", buildArbitraryBad },
    { "cmd-arbitrary-oob", buildArbitraryOob },
    { "cmd-arbitrary-garbage", buildArbitraryGarbage },
    { "redact-set-password", buildSetPassword, .redact = true },
    { "redact-secret-object", buildSecretObject, .redact = true },
    { "redact-hmp-secret", buildHMPSecret, .redact = true, .secret = true },
    { "redact-hmp-plain", buildHMP, .redact = true },
};

int
main(int argc, char **argv)
{
    size_t i;

    testInit(argc, argv);
    for (i = 0; i < G_N_ELEMENTS(parseCases); i++)
        testRun(parseCases[i].name, testParse, &parseCases[i]);
    for (i = 0; i < G_N_ELEMENTS(buildCases); i++)
        testRun(buildCases[i].name, testBuild, &buildCases[i]);
    testRun("runstate-mapping", testRunStateMapping, NULL);
    testRun("json-util", testJSONUtil, NULL);
    return testFinish();
}
