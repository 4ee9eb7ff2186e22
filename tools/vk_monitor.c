/* vk_monitor.c: domain monitoring commands: list, dominfo, domstate, domid, domname, domuuid */
#include <stdlib.h>
#include <string.h>

#include "vk_monitor.h"
#include "vk_domain.h"
#include "vk_table.h"
#include "vk_util.h"

/**
 * vkMonitorStateName:
 * @state: a virDomainState value
 *
 * Returns: the word virsh prints for the state (static string).
 */
const char *
vkMonitorStateName(int state)
{
    switch (state) {
    case VIR_DOMAIN_RUNNING: return "running";
    case VIR_DOMAIN_BLOCKED: return "idle";
    case VIR_DOMAIN_PAUSED: return "paused";
    case VIR_DOMAIN_SHUTDOWN: return "in shutdown";
    case VIR_DOMAIN_SHUTOFF: return "shut off";
    case VIR_DOMAIN_CRASHED: return "crashed";
    case VIR_DOMAIN_PMSUSPENDED: return "pmsuspended";
    case VIR_DOMAIN_NOSTATE:
    default:
        return "no state";
    }
}

/**
 * vkMonitorReasonName:
 * @state: a virDomainState value
 * @reason: the reason value of that state (virDomain*Reason)
 *
 * Returns: the words virsh prints for the reason (static string).
 */
const char *
vkMonitorReasonName(int state, int reason)
{
    static const char *const running[] = {
        "unknown", "booted", "migrated", "restored", "from snapshot", "unpaused",
        "migration canceled", "save canceled", "event wakeup", "crashed", "post-copy",
        "post-copy failed",
    };
    static const char *const paused[] = {
        "unknown", "user", "migrating", "saving", "dumping", "I/O error", "watchdog",
        "from snapshot", "shutting down", "creating snapshot", "crashed", "starting up",
        "post-copy", "post-copy failed",
    };
    static const char *const shutdown[] = { "unknown", "user" };
    static const char *const shutoff[] = {
        "unknown", "shutdown", "destroyed", "crashed", "migrated", "saved", "failed",
        "from snapshot", "daemon",
    };
    static const char *const crashed[] = { "unknown", "panicked" };
    const char *const *names = NULL;
    size_t n = 0;

    switch (state) {
    case VIR_DOMAIN_RUNNING: names = running; n = G_N_ELEMENTS(running); break;
    case VIR_DOMAIN_PAUSED: names = paused; n = G_N_ELEMENTS(paused); break;
    case VIR_DOMAIN_SHUTDOWN: names = shutdown; n = G_N_ELEMENTS(shutdown); break;
    case VIR_DOMAIN_SHUTOFF: names = shutoff; n = G_N_ELEMENTS(shutoff); break;
    case VIR_DOMAIN_CRASHED: names = crashed; n = G_N_ELEMENTS(crashed); break;
    default: break;
    }
    if (names && reason >= 0 && (size_t) reason < n)
        return names[reason];
    return "unknown";
}

/* State of a domain; falls back to virDomainGetInfo() for drivers without
 * virDomainGetState().  Returns -1 on error. */
static int
vkMonitorDomainState(VkCtl *ctl, virDomainPtr dom, int *retReason)
{
    virDomainInfo info;
    int state;
    int reason = -1;

    if (virDomainGetState(dom, &state, &reason, 0) == 0) {
        if (retReason)
            *retReason = reason;
        return state;
    }
    if (vkLastErrorCode(ctl) != VIR_ERR_NO_SUPPORT)
        return -1;
    vkResetError(ctl);
    if (virDomainGetInfo(dom, &info) < 0)
        return -1;
    if (retReason)
        *retReason = -1;
    return info.state;
}

/**
 * vkMonitorCmdDomid:
 * @ctl: run state
 * @cmd: parsed "domid" command
 *
 * Prints the id of a domain found by name or UUID, "-" if inactive.
 *
 * Returns: true on success.
 */
bool
vkMonitorCmdDomid(VkCtl *ctl, const VkCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    unsigned int id;

    if (!(dom = vkDomainLookup(ctl, cmd, "domain", VK_DOMAIN_BY_NAME | VK_DOMAIN_BY_UUID, NULL)))
        return false;
    id = virDomainGetID(dom);
    if (id == (unsigned int) -1)
        vkPrint(ctl, "%s\n", "-");
    else
        vkPrint(ctl, "%d\n", (int) id);
    return true;
}

/**
 * vkMonitorCmdDomname:
 * @ctl: run state
 * @cmd: parsed "domname" command
 *
 * Prints the name of a domain found by id or UUID.
 *
 * Returns: true on success.
 */
bool
vkMonitorCmdDomname(VkCtl *ctl, const VkCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;

    if (!(dom = vkDomainLookup(ctl, cmd, "domain", VK_DOMAIN_BY_ID | VK_DOMAIN_BY_UUID, NULL)))
        return false;
    vkPrint(ctl, "%s\n", virDomainGetName(dom));
    return true;
}

/**
 * vkMonitorCmdDomuuid:
 * @ctl: run state
 * @cmd: parsed "domuuid" command
 *
 * Prints the UUID of a domain found by name or id.
 *
 * Returns: true on success.
 */
bool
vkMonitorCmdDomuuid(VkCtl *ctl, const VkCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    char uuid[VIR_UUID_STRING_BUFLEN];

    if (!(dom = vkDomainLookup(ctl, cmd, "domain", VK_DOMAIN_BY_NAME | VK_DOMAIN_BY_ID, NULL)))
        return false;
    if (virDomainGetUUIDString(dom, uuid) < 0) {
        vkError(ctl, "%s", "failed to get domain UUID");
        return false;
    }
    vkPrint(ctl, "%s\n", uuid);
    return true;
}

/**
 * vkMonitorCmdDomstate:
 * @ctl: run state
 * @cmd: parsed "domstate" command
 *
 * Prints the state of a domain, with --reason followed by the reason in
 * parentheses.
 *
 * Returns: true on success.
 */
bool
vkMonitorCmdDomstate(VkCtl *ctl, const VkCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    int state;
    int reason = -1;

    if (!(dom = vkDomainLookup(ctl, cmd, "domain", VK_DOMAIN_BY_ANY, NULL)))
        return false;
    if ((state = vkMonitorDomainState(ctl, dom, &reason)) < 0) {
        vkError(ctl, "%s", "Unable to get domain state");
        return false;
    }
    if (vkCmdOptBool(cmd, "reason"))
        vkPrint(ctl, "%s (%s)\n", vkMonitorStateName(state), vkMonitorReasonName(state, reason));
    else
        vkPrint(ctl, "%s\n", vkMonitorStateName(state));
    return true;
}

/**
 * vkMonitorCmdDominfo:
 * @ctl: run state
 * @cmd: parsed "dominfo" command
 *
 * Prints the basic facts of a domain, field names and order as virsh.
 *
 * Returns: true on success.
 */
bool
vkMonitorCmdDominfo(VkCtl *ctl, const VkCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    char uuid[VIR_UUID_STRING_BUFLEN];
    virSecurityModel secmodel;
    virDomainInfo info;
    unsigned int id;
    char *ostype;
    int persistent;
    int autostart;
    int managed;
    bool ret = true;

    if (!(dom = vkDomainLookup(ctl, cmd, "domain", VK_DOMAIN_BY_ANY, NULL)))
        return false;

    id = virDomainGetID(dom);
    if (id == (unsigned int) -1)
        vkPrint(ctl, "%-15s %s\n", "Id:", "-");
    else
        vkPrint(ctl, "%-15s %d\n", "Id:", (int) id);
    vkPrint(ctl, "%-15s %s\n", "Name:", virDomainGetName(dom));
    if (virDomainGetUUIDString(dom, uuid) == 0)
        vkPrint(ctl, "%-15s %s\n", "UUID:", uuid);
    if ((ostype = virDomainGetOSType(dom))) {
        vkPrint(ctl, "%-15s %s\n", "OS Type:", ostype);
        free(ostype);
    }

    if (virDomainGetInfo(dom, &info) == 0) {
        vkPrint(ctl, "%-15s %s\n", "State:", vkMonitorStateName(info.state));
        vkPrint(ctl, "%-15s %d\n", "CPU(s):", info.nrVirtCpu);
        if (info.cpuTime != 0)
            vkPrint(ctl, "%-15s %.1lfs\n", "CPU time:", (double) info.cpuTime / 1000000000.0);
        if (info.maxMem != G_MAXUINT)
            vkPrint(ctl, "%-15s %lu KiB\n", "Max memory:", info.maxMem);
        else
            vkPrint(ctl, "%-15s %s\n", "Max memory:", "no limit");
        vkPrint(ctl, "%-15s %lu KiB\n", "Used memory:", info.memory);
    } else {
        ret = false;
    }

    persistent = virDomainIsPersistent(dom);
    vkDebug(ctl, VK_LOG_DEBUG, "Domain persistent flag value: %d", persistent);
    if (persistent < 0)
        vkPrint(ctl, "%-15s %s\n", "Persistent:", "unknown");
    else
        vkPrint(ctl, "%-15s %s\n", "Persistent:", persistent ? "yes" : "no");

    if (virDomainGetAutostart(dom, &autostart) == 0)
        vkPrint(ctl, "%-15s %s\n", "Autostart:", autostart ? "enable" : "disable");

    managed = virDomainHasManagedSaveImage(dom, 0);
    if (managed < 0)
        vkPrint(ctl, "%-15s %s\n", "Managed save:", "unknown");
    else
        vkPrint(ctl, "%-15s %s\n", "Managed save:", managed ? "yes" : "no");

    memset(&secmodel, 0, sizeof(secmodel));
    if (virNodeGetSecurityModel(ctl->conn, &secmodel) < 0) {
        if (vkLastErrorCode(ctl) != VIR_ERR_NO_SUPPORT)
            return false;
        vkResetError(ctl);
    } else if (secmodel.model[0] != '\0') {
        virSecurityLabel label;

        vkPrint(ctl, "%-15s %s\n", "Security model:", secmodel.model);
        vkPrint(ctl, "%-15s %s\n", "Security DOI:", secmodel.doi);

        /* labels exist only for running domains */
        memset(&label, 0, sizeof(label));
        if (virDomainGetSecurityLabel(dom, &label) < 0)
            return false;
        if (label.label[0] != '\0')
            vkPrint(ctl, "%-15s %s (%s)\n", "Security label:", label.label,
                    label.enforcing ? "enforcing" : "permissive");
    }
    return ret;
}

/* Extracts the text of <title> from a domain's XML: the fallback for
 * drivers without virDomainGetMetadata() */
static char *
vkMonitorTitleFromXML(virDomainPtr dom)
{
    g_autofree char *xml = virDomainGetXMLDesc(dom, 0);
    g_autoptr(GString) out = g_string_new(NULL);
    const char *start;
    const char *end;
    const char *p;

    if (!xml)
        return NULL;
    if (!(start = strstr(xml, "<title>")) || !(end = strstr(start, "</title>")))
        return g_strdup("");
    for (p = start + strlen("<title>"); p < end; p++) {
        if (*p != '&') {
            g_string_append_c(out, *p);
        } else if (g_str_has_prefix(p, "&lt;")) {
            g_string_append_c(out, '<');
            p += 3;
        } else if (g_str_has_prefix(p, "&gt;")) {
            g_string_append_c(out, '>');
            p += 3;
        } else if (g_str_has_prefix(p, "&amp;")) {
            g_string_append_c(out, '&');
            p += 4;
        } else if (g_str_has_prefix(p, "&quot;")) {
            g_string_append_c(out, '"');
            p += 5;
        } else if (g_str_has_prefix(p, "&apos;")) {
            g_string_append_c(out, '\'');
            p += 5;
        } else {
            g_string_append_c(out, *p);
        }
    }
    return g_string_free(g_steal_pointer(&out), FALSE);
}

/* Title of a domain, "" when it has none; NULL on error */
static char *
vkMonitorTitle(VkCtl *ctl, virDomainPtr dom)
{
    char *title = virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_TITLE, NULL, 0);
    g_autofree char *copy = NULL;
    int code;

    if (title) {
        copy = g_strdup(title);
        free(title);
        return g_steal_pointer(&copy);
    }
    code = vkLastErrorCode(ctl);
    if (code == VIR_ERR_NO_DOMAIN_METADATA) {
        vkResetError(ctl);
        return g_strdup("");
    }
    if (code != VIR_ERR_NO_SUPPORT)
        return NULL;
    vkResetError(ctl);
    return vkMonitorTitleFromXML(dom);
}

/* Filter groups of virConnectListAllDomains() flags */
#define VK_LIST_ACTIVITY (VIR_CONNECT_LIST_DOMAINS_ACTIVE | VIR_CONNECT_LIST_DOMAINS_INACTIVE)
#define VK_LIST_PERSISTENCE (VIR_CONNECT_LIST_DOMAINS_PERSISTENT | \
                             VIR_CONNECT_LIST_DOMAINS_TRANSIENT)
#define VK_LIST_STATE (VIR_CONNECT_LIST_DOMAINS_RUNNING | VIR_CONNECT_LIST_DOMAINS_PAUSED | \
                       VIR_CONNECT_LIST_DOMAINS_SHUTOFF | VIR_CONNECT_LIST_DOMAINS_OTHER)
#define VK_LIST_AUTOSTART (VIR_CONNECT_LIST_DOMAINS_AUTOSTART | \
                           VIR_CONNECT_LIST_DOMAINS_NO_AUTOSTART)
#define VK_LIST_MANAGEDSAVE (VIR_CONNECT_LIST_DOMAINS_MANAGEDSAVE | \
                             VIR_CONNECT_LIST_DOMAINS_NO_MANAGEDSAVE)

/* Applies the filters of @flags to one domain (fallback path).  Returns 1
 * to keep it, 0 to drop it, -1 after printing an error. */
static int
vkMonitorListKeep(VkCtl *ctl, virDomainPtr dom, unsigned int flags)
{
    int val;

    if (flags & VK_LIST_PERSISTENCE) {
        if ((val = virDomainIsPersistent(dom)) < 0) {
            vkError(ctl, "%s", "Failed to get domain persistence info");
            return -1;
        }
        if (!((flags & VIR_CONNECT_LIST_DOMAINS_PERSISTENT) && val) &&
            !((flags & VIR_CONNECT_LIST_DOMAINS_TRANSIENT) && !val))
            return 0;
    }
    if (flags & VK_LIST_STATE) {
        int state;

        if (virDomainGetState(dom, &state, NULL, 0) < 0) {
            vkError(ctl, "%s", "Failed to get domain state");
            return -1;
        }
        if (!((flags & VIR_CONNECT_LIST_DOMAINS_RUNNING) && state == VIR_DOMAIN_RUNNING) &&
            !((flags & VIR_CONNECT_LIST_DOMAINS_PAUSED) && state == VIR_DOMAIN_PAUSED) &&
            !((flags & VIR_CONNECT_LIST_DOMAINS_SHUTOFF) && state == VIR_DOMAIN_SHUTOFF) &&
            !((flags & VIR_CONNECT_LIST_DOMAINS_OTHER) && state != VIR_DOMAIN_RUNNING &&
              state != VIR_DOMAIN_PAUSED && state != VIR_DOMAIN_SHUTOFF))
            return 0;
    }
    if (flags & VK_LIST_AUTOSTART) {
        if (virDomainGetAutostart(dom, &val) < 0) {
            vkError(ctl, "%s", "Failed to get domain autostart state");
            return -1;
        }
        if (!((flags & VIR_CONNECT_LIST_DOMAINS_AUTOSTART) && val) &&
            !((flags & VIR_CONNECT_LIST_DOMAINS_NO_AUTOSTART) && !val))
            return 0;
    }
    if (flags & VK_LIST_MANAGEDSAVE) {
        if ((val = virDomainHasManagedSaveImage(dom, 0)) < 0) {
            vkError(ctl, "%s", "Failed to check for managed save image");
            return -1;
        }
        if (!((flags & VIR_CONNECT_LIST_DOMAINS_MANAGEDSAVE) && val) &&
            !((flags & VIR_CONNECT_LIST_DOMAINS_NO_MANAGEDSAVE) && !val))
            return 0;
    }
    return 1;
}

/* Collects domains with the older enumeration calls, for drivers without
 * virConnectListAllDomains().  Returns -1 after printing an error. */
static int
vkMonitorListFallback(VkCtl *ctl, unsigned int flags, GPtrArray *doms)
{
    int n;
    int i;

    if (!(flags & VK_LIST_ACTIVITY) || (flags & VIR_CONNECT_LIST_DOMAINS_ACTIVE)) {
        g_autofree int *ids = NULL;

        if ((n = virConnectNumOfDomains(ctl->conn)) < 0) {
            vkError(ctl, "%s", "Failed to list active domains");
            return -1;
        }
        ids = g_new0(int, n + 1);
        if (n && (n = virConnectListDomains(ctl->conn, ids, n)) < 0) {
            vkError(ctl, "%s", "Failed to list active domains");
            return -1;
        }
        for (i = 0; i < n; i++) {
            virDomainPtr dom = virDomainLookupByID(ctl->conn, ids[i]);

            if (dom)
                g_ptr_array_add(doms, dom);
            vkResetError(ctl);
        }
    }
    if (!(flags & VK_LIST_ACTIVITY) || (flags & VIR_CONNECT_LIST_DOMAINS_INACTIVE)) {
        g_autofree char **names = NULL;

        if ((n = virConnectNumOfDefinedDomains(ctl->conn)) < 0) {
            vkError(ctl, "%s", "Failed to list inactive domains");
            return -1;
        }
        names = g_new0(char *, n + 1);
        if (n && (n = virConnectListDefinedDomains(ctl->conn, names, n)) < 0) {
            vkError(ctl, "%s", "Failed to list inactive domains");
            return -1;
        }
        for (i = 0; i < n; i++) {
            virDomainPtr dom = virDomainLookupByName(ctl->conn, names[i]);

            if (dom)
                g_ptr_array_add(doms, dom);
            vkResetError(ctl);
            free(names[i]);
        }
    }
    return 0;
}

static int
vkMonitorListCompare(gconstpointer a, gconstpointer b)
{
    virDomainPtr da = *(virDomainPtr const *) a;
    virDomainPtr db = *(virDomainPtr const *) b;
    unsigned int ida = virDomainGetID(da);
    unsigned int idb = virDomainGetID(db);
    unsigned int inactive = (unsigned int) -1;

    /* running domains by id first, then inactive ones by name */
    if (ida == inactive && idb == inactive)
        return g_ascii_strcasecmp(virDomainGetName(da), virDomainGetName(db));
    if (ida != inactive && idb != inactive)
        return ida < idb ? -1 : ida > idb ? 1 : 0;
    return ida != inactive ? -1 : 1;
}

static void
vkMonitorDomainUnref(gpointer dom)
{
    virDomainFree(dom);
}

/* Collects the domains matching @flags, sorted as virsh sorts them */
static GPtrArray *
vkMonitorListCollect(VkCtl *ctl, unsigned int flags)
{
    g_autoptr(GPtrArray) doms = g_ptr_array_new_with_free_func(vkMonitorDomainUnref);
    virDomainPtr *list = NULL;
    bool filter = false;
    int n;
    int i;

    if ((n = virConnectListAllDomains(ctl->conn, &list, flags)) < 0) {
        int code = vkLastErrorCode(ctl);

        if (code == VIR_ERR_INVALID_ARG) {
            /* only activity filtering is guaranteed: do the rest here */
            vkResetError(ctl);
            n = virConnectListAllDomains(ctl->conn, &list, flags & VK_LIST_ACTIVITY);
            filter = true;
        } else if (code == VIR_ERR_NO_SUPPORT) {
            vkResetError(ctl);
            if (vkMonitorListFallback(ctl, flags, doms) < 0)
                return NULL;
            filter = true;
            n = 0;
        }
        if (n < 0) {
            vkError(ctl, "%s", "Failed to list domains");
            return NULL;
        }
    }
    for (i = 0; i < n; i++)
        g_ptr_array_add(doms, list[i]);
    free(list);

    if (filter) {
        guint j = 0;

        while (j < doms->len) {
            int keep = vkMonitorListKeep(ctl, g_ptr_array_index(doms, j), flags);

            if (keep < 0)
                return NULL;
            if (keep)
                j++;
            else
                g_ptr_array_remove_index(doms, j);
        }
    }
    g_ptr_array_sort(doms, vkMonitorListCompare);
    return g_steal_pointer(&doms);
}

/**
 * vkMonitorCmdList:
 * @ctl: run state
 * @cmd: parsed "list" command
 *
 * Lists domains as a table ("Id Name State [Title]") or as bare ids, names
 * and/or UUIDs.  Without --all/--inactive/--state-* only running domains
 * are listed.
 *
 * Returns: true on success.
 */
bool
vkMonitorCmdList(VkCtl *ctl, const VkCmd *cmd)
{
    static const struct {
        const char *opt;
        unsigned int flag;
    } filters[] = {
        { "persistent", VIR_CONNECT_LIST_DOMAINS_PERSISTENT },
        { "transient", VIR_CONNECT_LIST_DOMAINS_TRANSIENT },
        { "with-managed-save", VIR_CONNECT_LIST_DOMAINS_MANAGEDSAVE },
        { "without-managed-save", VIR_CONNECT_LIST_DOMAINS_NO_MANAGEDSAVE },
        { "autostart", VIR_CONNECT_LIST_DOMAINS_AUTOSTART },
        { "no-autostart", VIR_CONNECT_LIST_DOMAINS_NO_AUTOSTART },
        { "with-snapshot", VIR_CONNECT_LIST_DOMAINS_HAS_SNAPSHOT },
        { "without-snapshot", VIR_CONNECT_LIST_DOMAINS_NO_SNAPSHOT },
        { "with-checkpoint", VIR_CONNECT_LIST_DOMAINS_HAS_CHECKPOINT },
        { "without-checkpoint", VIR_CONNECT_LIST_DOMAINS_NO_CHECKPOINT },
        { "state-running", VIR_CONNECT_LIST_DOMAINS_RUNNING },
        { "state-paused", VIR_CONNECT_LIST_DOMAINS_PAUSED },
        { "state-shutoff", VIR_CONNECT_LIST_DOMAINS_SHUTOFF },
        { "state-other", VIR_CONNECT_LIST_DOMAINS_OTHER },
    };
    g_autoptr(GPtrArray) doms = NULL;
    g_autoptr(VkTable) table = NULL;
    bool optTable = vkCmdOptBool(cmd, "table");
    bool optUUID = vkCmdOptBool(cmd, "uuid");
    bool optName = vkCmdOptBool(cmd, "name");
    bool optID = vkCmdOptBool(cmd, "id");
    bool optTitle = vkCmdOptBool(cmd, "title");
    bool optManagedSave = vkCmdOptBool(cmd, "managed-save");
    unsigned int flags = 0;
    guint i;
    size_t f;

    if (!vkCmdCheckExclusive(ctl, optTable, "table", optName, "name") ||
        !vkCmdCheckExclusive(ctl, optTable, "table", optUUID, "uuid") ||
        !vkCmdCheckExclusive(ctl, optTable, "table", optID, "id"))
        return false;

    if (vkCmdOptBool(cmd, "inactive"))
        flags |= VIR_CONNECT_LIST_DOMAINS_INACTIVE;
    if (vkCmdOptBool(cmd, "all"))
        flags |= VIR_CONNECT_LIST_DOMAINS_INACTIVE | VIR_CONNECT_LIST_DOMAINS_ACTIVE;
    for (f = 0; f < G_N_ELEMENTS(filters); f++) {
        if (vkCmdOptBool(cmd, filters[f].opt))
            flags |= filters[f].flag;
    }
    /* running domains only, unless asked otherwise (a state filter counts) */
    if (!(flags & VK_LIST_ACTIVITY) && !(flags & VK_LIST_STATE))
        flags |= VIR_CONNECT_LIST_DOMAINS_ACTIVE;

    if (!optUUID && !optName && !optID)
        optTable = true;

    if (!(doms = vkMonitorListCollect(ctl, flags)))
        return false;

    if (optTable) {
        if (optTitle)
            table = vkTableNew("Id", "Name", "State", "Title", NULL);
        else
            table = vkTableNew("Id", "Name", "State", NULL);
    }

    for (i = 0; i < doms->len; i++) {
        virDomainPtr dom = g_ptr_array_index(doms, i);
        unsigned int id = virDomainGetID(dom);
        g_autofree char *idText = NULL;

        if (id == (unsigned int) -1)
            idText = g_strdup("-");
        else
            idText = g_strdup_printf("%d", (int) id);

        if (optTable) {
            const char *state;
            g_autofree char *title = NULL;

            if (optManagedSave && virDomainHasManagedSaveImage(dom, 0) > 0)
                state = "saved";
            else
                state = vkMonitorStateName(vkMonitorDomainState(ctl, dom, NULL));
            vkResetError(ctl);

            if (optTitle) {
                if (!(title = vkMonitorTitle(ctl, dom)))
                    return false;
                vkTableAddRow(table, idText, virDomainGetName(dom), state, title, NULL);
            } else {
                vkTableAddRow(table, idText, virDomainGetName(dom), state, NULL);
            }
        } else {
            const char *sep = "";

            /* --id alone lists running domains only */
            if (optID && !optUUID && !optName && id == (unsigned int) -1)
                continue;
            if (optUUID) {
                char uuid[VIR_UUID_STRING_BUFLEN];

                if (virDomainGetUUIDString(dom, uuid) < 0) {
                    vkError(ctl, "%s", "Failed to get domain's UUID");
                    return false;
                }
                vkPrint(ctl, "%s", uuid);
                sep = " ";
            }
            if (optID) {
                vkPrint(ctl, "%s%s", sep, idText);
                sep = " ";
            }
            if (optName)
                vkPrint(ctl, "%s%s", sep, virDomainGetName(dom));
            vkPrint(ctl, "\n");
        }
    }
    if (optTable)
        vkTablePrint(table, ctl);
    return true;
}
