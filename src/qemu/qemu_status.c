/* Status XML of running QEMU domains: what survives a driver restart. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#define ERR_DOMAIN VIR_FROM_QEMU

#include "qemu/qemu_status.h"
#include "util/error.h"
#include "util/log.h"
#include "util/str.h"
#include "util/xml.h"

LOG_INIT("qemu.status");

/**
 * qemuStatusPath:
 * @driver: the driver
 * @name: a domain name
 *
 * Returns: the path of the domain's status XML (caller frees).
 */
char *
qemuStatusPath(QemuDriver *driver, const char *name)
{
    g_autofree char *file = g_strdup_printf("%s.xml", name);

    return g_build_filename(driver->config->stateDir, file, NULL);
}

static void
qemuStatusAddAttr(GString *out, const char *attr, const char *value)
{
    g_autofree char *esc = NULL;

    if (!value)
        return;
    esc = g_markup_escape_text(value, -1);
    g_string_append_printf(out, " %s='%s'", attr, esc);
}

/**
 * qemuStatusWriteLocked:
 * @driver: the driver
 * @vm: an active domain, locked
 *
 * Writes the status XML of @vm atomically (see qemu_status.h).  Small
 * local I/O: done with the domain lock held so that the file is a
 * consistent snapshot.
 *
 * Returns: 0, or -1 with an error.
 */
int
qemuStatusWriteLocked(QemuDriver *driver, DomainObj *vm)
{
    QemuDomainPrivate *priv = qemuDomainPrivate(vm);
    g_autoptr(GString) out = g_string_new("<domstatus");
    g_autofree char *path = qemuStatusPath(driver, vm->def->name);
    g_autofree char *def = NULL;
    int reason;
    int state = domainObjGetState(vm, &reason);

    if (!(def = domainDefFormat(vm->def, DOMAIN_DEF_FORMAT_SECURE)))
        return -1;
    g_string_append_printf(out, " state='%d' reason='%d' pid='%lld'", state, reason,
                           (long long)priv->pid);
    qemuStatusAddAttr(out, "monitor", priv->monitorPath);
    qemuStatusAddAttr(out, "pidfile", priv->pidfile);
    qemuStatusAddAttr(out, "log", priv->logPath);
    g_string_append(out, ">\n");
    if (priv->job != QEMU_JOB_NONE) {
        g_string_append_printf(out, "  <job type='%s'", qemuDomainJobTypeToString(priv->job));
        qemuStatusAddAttr(out, "api", priv->jobApi);
        g_string_append(out, "/>\n");
    }
    /* as libvirt's status XML: the taint survives a daemon restart */
    if (priv->taintCustomMonitor)
        g_string_append(out, "  <taint flag='custom-monitor'/>\n");
    if (priv->migPhase) {
        /* the migration phase, recorded before the action that enters it */
        g_string_append_printf(out, "  <migration side='%s' phase='%s' flags='%u'/>\n",
                               priv->migSide == 0 ? "source" : "destination",
                               priv->migPhase, priv->migFlags);
    }
    g_string_append(out, def);
    g_string_append(out, "</domstatus>\n");
    if (qemuDomainWriteRuntimeFile(path, out->str) < 0)
        return -1;
    /* the job's end writes it again without <job> (qemu_domain.c) */
    priv->jobInStatus = priv->job != QEMU_JOB_NONE;
    return 0;
}

/**
 * qemuStatusRemove:
 * @driver: the driver
 * @name: a domain name
 *
 * Removes the status XML of domain @name (a missing file is fine).
 */
void
qemuStatusRemove(QemuDriver *driver, const char *name)
{
    g_autofree char *path = qemuStatusPath(driver, name);

    if (unlink(path) < 0 && errno != ENOENT)
        LOG_WARN("cannot remove '%s': %s, ignoring", path, g_strerror(errno));
}

/**
 * qemuStatusFree:
 * @status: parsed status, or NULL
 */
void
qemuStatusFree(QemuStatus *status)
{
    if (!status)
        return;
    domainDefFree(status->def);
    g_free(status->monitorPath);
    g_free(status->pidfile);
    g_free(status->logPath);
    g_free(status->migPhase);
    g_free(status->jobType);
    g_free(status->jobApi);
    g_free(status);
}

/**
 * qemuStatusParse:
 * @path: a status XML file
 *
 * Returns: what it says (caller frees), or NULL with an error.
 */
QemuStatus *
qemuStatusParse(const char *path)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(QemuStatus) status = g_new0(QemuStatus, 1);
    xmlNodePtr root;
    xmlNodePtr dom;
    long long pid = 0;

    if (!(doc = xmlUtilParseFile(path, "domstatus", VIR_FROM_QEMU)))
        return NULL;
    root = xmlDocGetRootElement(doc);
    if (xmlUtilPropInt(root, "state", 10, 0, &status->state) < 0 ||
        xmlUtilPropInt(root, "reason", 10, 0, &status->reason) < 0 ||
        xmlUtilPropLongLong(root, "pid", 10, 0, &pid) < 0)
        return NULL;
    status->pid = (pid_t)pid;
    status->monitorPath = xmlUtilProp(root, "monitor");
    status->pidfile = xmlUtilProp(root, "pidfile");
    status->logPath = xmlUtilProp(root, "log");
    {
        xmlNodePtr taint = xmlUtilChild(root, "taint");
        g_autofree char *flag = taint ? xmlUtilProp(taint, "flag") : NULL;

        status->taintCustomMonitor = flag && streq(flag, "custom-monitor");
    }
    if ((dom = xmlUtilChild(root, "job"))) {
        status->jobType = xmlUtilProp(dom, "type");
        status->jobApi = xmlUtilProp(dom, "api");
    }
    if ((dom = xmlUtilChild(root, "migration"))) {
        g_autofree char *side = xmlUtilProp(dom, "side");
        unsigned int flags = 0;

        status->migPhase = xmlUtilProp(dom, "phase");
        status->migSide = side && streq(side, "destination") ? 1 : 0;
        if (xmlUtilPropUInt(dom, "flags", 10, 0, &flags) < 0)
            return NULL;
        status->migFlags = flags;
    }
    if (!(dom = xmlUtilChild(root, "domain"))) {
        reportError(VIR_ERR_XML_ERROR, _("status file '%1$s' has no <domain>"), path);
        return NULL;
    }
    if (!(status->def = domainDefParseNode(doc, dom, 0)))
        return NULL;
    if (status->pid <= 0 || !status->monitorPath || status->def->id <= 0) {
        reportError(VIR_ERR_XML_ERROR, _("status file '%1$s' lacks pid, monitor or id"), path);
        return NULL;
    }
    return g_steal_pointer(&status);
}

static gint
qemuStatusCompareID(gconstpointer a, gconstpointer b)
{
    const QemuStatus *sa = *(QemuStatus *const *)a;
    const QemuStatus *sb = *(QemuStatus *const *)b;

    return sa->def->id - sb->def->id;
}

/**
 * qemuStatusLoadAll:
 * @driver: the driver
 *
 * Reads every status XML of the state directory.  A file that cannot be
 * parsed is logged and skipped.
 *
 * Returns: the statuses, sorted by domain id (free with g_ptr_array_unref).
 */
GPtrArray *
qemuStatusLoadAll(QemuDriver *driver)
{
    GPtrArray *all = g_ptr_array_new_with_free_func((GDestroyNotify)qemuStatusFree);
    g_autoptr(GDir) dir = g_dir_open(driver->config->stateDir, 0, NULL);
    const char *entry;

    if (!dir)
        return all;
    while ((entry = g_dir_read_name(dir))) {
        g_autofree char *path = NULL;
        QemuStatus *status;

        if (!g_str_has_suffix(entry, ".xml"))
            continue;
        path = g_build_filename(driver->config->stateDir, entry, NULL);
        if (!(status = qemuStatusParse(path))) {
            LOG_WARN("cannot load status '%s': %s, ignoring", path,
                     errorGetSlot()->message ? errorGetSlot()->message : "");
            errorReset();
            continue;
        }
        g_ptr_array_add(all, status);
    }
    g_ptr_array_sort(all, qemuStatusCompareID);
    return all;
}
