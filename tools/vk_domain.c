/* vk_domain.c: domain management commands and the domain lookup shared by all commands
 *
 * Messages and the order of the checks follow virsh 9.0, because scripts
 * match on them: option conflicts are reported before the domain is looked
 * up, the domain before the values are parsed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vk_domain.h"
#include "vk_util.h"

/* Largest XML file define/create read, as virsh */
#define VK_DOMAIN_MAX_XML (10 * 1024 * 1024)

/**
 * vkDomainLookup:
 * @ctl: run state
 * @cmd: parsed command
 * @optname: name of the option holding the domain
 * @by: VK_DOMAIN_BY_* ways the value may be matched
 * @retName: if not NULL, set to the value as the user gave it
 *
 * Finds the domain named by an option, trying in turn a non-negative
 * number as an id, a 36-character string as a UUID, and a name, as virsh
 * does.  On failure prints "failed to get domain 'VALUE'" (the library's
 * own lookup error is dropped, as virsh drops it).
 *
 * Returns: a domain reference (caller frees) or NULL.
 */
virDomainPtr
vkDomainLookup(VkCtl *ctl, const VkCmd *cmd, const char *optname, unsigned int by,
               const char **retName)
{
    virDomainPtr dom = NULL;
    const char *n = NULL;
    int id;

    if (vkCmdOptString(ctl, cmd, optname, &n) < 0)
        return NULL;
    if (!n) {
        vkError(ctl, "Failed to get option '%s': Mandatory option not present", optname);
        return NULL;
    }
    vkDebug(ctl, VK_LOG_INFO, "%s: found option <%s>: %s", cmd->def->name, optname, n);

    if ((by & VK_DOMAIN_BY_ID) && vkParseInt(n, &id) == 0 && id >= 0) {
        vkDebug(ctl, VK_LOG_DEBUG, "%s: <%s> seems like domain ID", cmd->def->name, optname);
        dom = virDomainLookupByID(ctl->conn, id);
    }
    if (!dom && (by & VK_DOMAIN_BY_UUID) && strlen(n) == VIR_UUID_STRING_BUFLEN - 1) {
        vkDebug(ctl, VK_LOG_DEBUG, "%s: <%s> trying as domain UUID", cmd->def->name, optname);
        dom = virDomainLookupByUUIDString(ctl->conn, n);
    }
    if (!dom && (by & VK_DOMAIN_BY_NAME)) {
        vkDebug(ctl, VK_LOG_DEBUG, "%s: <%s> trying as domain NAME", cmd->def->name, optname);
        dom = virDomainLookupByName(ctl->conn, n);
    }
    vkResetError(ctl);
    if (!dom) {
        vkError(ctl, "failed to get domain '%s'", n);
        return NULL;
    }
    if (retName)
        *retName = n;
    return dom;
}

/* Reads an XML file as virsh does, recording libvirt's wording of errors
 * as the pending library error.  Returns NULL on failure. */
static char *
vkDomainReadFile(VkCtl *ctl, const char *path)
{
    g_autoptr(GString) buf = g_string_new(NULL);
    char chunk[8192];
    int fd;

    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        g_autofree char *msg = g_strdup_printf("Failed to open file '%s': %s",
                                               path, g_strerror(errno));
        vkSetError(ctl, msg);
        return NULL;
    }
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || buf->len + (size_t) n > VK_DOMAIN_MAX_XML) {
            int err = n < 0 ? errno : EFBIG;
            g_autofree char *msg = g_strdup_printf("Failed to read file '%s': %s",
                                                   path, g_strerror(err));

            vkSetError(ctl, msg);
            close(fd);
            return NULL;
        }
        if (n == 0)
            break;
        g_string_append_len(buf, chunk, n);
    }
    close(fd);
    return g_string_free(g_steal_pointer(&buf), FALSE);
}

/**
 * vkDomainCmdDefine:
 * @ctl: run state
 * @cmd: parsed "define" command
 *
 * Defines a persistent domain from an XML file.
 *
 * Returns: true on success.
 */
bool
vkDomainCmdDefine(VkCtl *ctl, const VkCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    g_autofree char *xml = NULL;
    const char *from = NULL;
    unsigned int flags = 0;

    if (vkCmdOptString(ctl, cmd, "file", &from) < 0)
        return false;
    if (vkCmdOptBool(cmd, "validate"))
        flags |= VIR_DOMAIN_DEFINE_VALIDATE;
    if (!(xml = vkDomainReadFile(ctl, from)))
        return false;

    dom = flags ? virDomainDefineXMLFlags(ctl->conn, xml, flags)
                : virDomainDefineXML(ctl->conn, xml);
    if (!dom) {
        vkError(ctl, "Failed to define domain from %s", from);
        return false;
    }
    vkPrintExtra(ctl, "Domain '%s' defined from %s\n", virDomainGetName(dom), from);
    return true;
}

/**
 * vkDomainCmdCreate:
 * @ctl: run state
 * @cmd: parsed "create" command
 *
 * Creates and starts a transient domain from an XML file.
 *
 * Returns: true on success.
 */
bool
vkDomainCmdCreate(VkCtl *ctl, const VkCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    g_autofree char *xml = NULL;
    const char *from = NULL;
    unsigned int flags = 0;

    if (vkCmdOptString(ctl, cmd, "file", &from) < 0)
        return false;
    if (!(xml = vkDomainReadFile(ctl, from)))
        return false;

    if (vkCmdOptBool(cmd, "paused"))
        flags |= VIR_DOMAIN_START_PAUSED;
    if (vkCmdOptBool(cmd, "autodestroy"))
        flags |= VIR_DOMAIN_START_AUTODESTROY;
    if (vkCmdOptBool(cmd, "validate"))
        flags |= VIR_DOMAIN_START_VALIDATE;
    if (vkCmdOptBool(cmd, "reset-nvram"))
        flags |= VIR_DOMAIN_START_RESET_NVRAM;

    if (!(dom = virDomainCreateXML(ctl->conn, xml, flags))) {
        vkError(ctl, "Failed to create domain from %s", from);
        return false;
    }
    vkPrintExtra(ctl, "Domain '%s' created from %s\n", virDomainGetName(dom), from);
    return true;
}

/**
 * vkDomainCmdStart:
 * @ctl: run state
 * @cmd: parsed "start" command
 *
 * Starts an inactive persistent domain (found by name or UUID only: an
 * inactive domain has no id).
 *
 * Returns: true on success.
 */
bool
vkDomainCmdStart(VkCtl *ctl, const VkCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    unsigned int flags = 0;
    int rc;

    if (!(dom = vkDomainLookup(ctl, cmd, "domain", VK_DOMAIN_BY_NAME | VK_DOMAIN_BY_UUID, NULL)))
        return false;

    if (virDomainGetID(dom) != (unsigned int) -1) {
        vkError(ctl, "%s", "Domain is already active");
        return false;
    }

    if (vkCmdOptBool(cmd, "paused"))
        flags |= VIR_DOMAIN_START_PAUSED;
    if (vkCmdOptBool(cmd, "autodestroy"))
        flags |= VIR_DOMAIN_START_AUTODESTROY;
    if (vkCmdOptBool(cmd, "bypass-cache"))
        flags |= VIR_DOMAIN_START_BYPASS_CACHE;
    if (vkCmdOptBool(cmd, "force-boot"))
        flags |= VIR_DOMAIN_START_FORCE_BOOT;
    if (vkCmdOptBool(cmd, "reset-nvram"))
        flags |= VIR_DOMAIN_START_RESET_NVRAM;

    rc = flags ? virDomainCreateWithFlags(dom, flags) : virDomainCreate(dom);
    if (rc < 0) {
        vkError(ctl, "Failed to start domain '%s'", virDomainGetName(dom));
        return false;
    }
    vkPrintExtra(ctl, "Domain '%s' started\n", virDomainGetName(dom));
    return true;
}

/**
 * vkDomainCmdDestroy:
 * @ctl: run state
 * @cmd: parsed "destroy" command
 *
 * Stops a domain immediately.
 *
 * Returns: true on success.
 */
bool
vkDomainCmdDestroy(VkCtl *ctl, const VkCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    const char *name = NULL;
    unsigned int flags = 0;
    int rc;

    if (!(dom = vkDomainLookup(ctl, cmd, "domain", VK_DOMAIN_BY_ANY, &name)))
        return false;

    if (vkCmdOptBool(cmd, "graceful"))
        flags |= VIR_DOMAIN_DESTROY_GRACEFUL;
    if (vkCmdOptBool(cmd, "remove-logs"))
        flags |= VIR_DOMAIN_DESTROY_REMOVE_LOGS;

    rc = flags ? virDomainDestroyFlags(dom, flags) : virDomainDestroy(dom);
    if (rc < 0) {
        vkError(ctl, "Failed to destroy domain '%s'", name);
        return false;
    }
    vkPrintExtra(ctl, "Domain '%s' destroyed\n", name);
    return true;
}

typedef struct {
    const char *mode;
    unsigned int shutdownFlag;
    unsigned int rebootFlag;
} VkDomainMode;

static const VkDomainMode vkDomainModes[] = {
    { "acpi", VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN, VIR_DOMAIN_REBOOT_ACPI_POWER_BTN },
    { "agent", VIR_DOMAIN_SHUTDOWN_GUEST_AGENT, VIR_DOMAIN_REBOOT_GUEST_AGENT },
    { "initctl", VIR_DOMAIN_SHUTDOWN_INITCTL, VIR_DOMAIN_REBOOT_INITCTL },
    { "signal", VIR_DOMAIN_SHUTDOWN_SIGNAL, VIR_DOMAIN_REBOOT_SIGNAL },
    { "paravirt", VIR_DOMAIN_SHUTDOWN_PARAVIRT, VIR_DOMAIN_REBOOT_PARAVIRT },
};

/* Turns --mode into flags.  The two commands word the error slightly
 * differently in virsh; keep both. */
static int
vkDomainParseModes(VkCtl *ctl, const VkCmd *cmd, bool reboot, unsigned int *retFlags)
{
    g_auto(GStrv) modes = NULL;
    const char *mode = NULL;
    unsigned int flags = 0;
    size_t i;
    size_t j;

    if (vkCmdOptString(ctl, cmd, "mode", &mode) < 0)
        return -1;
    if (mode) {
        modes = g_strsplit(mode, ",", 0);
        for (i = 0; modes[i]; i++) {
            for (j = 0; j < G_N_ELEMENTS(vkDomainModes); j++) {
                if (vkStreq(modes[i], vkDomainModes[j].mode))
                    break;
            }
            if (j == G_N_ELEMENTS(vkDomainModes)) {
                if (reboot)
                    vkError(ctl, "Unknown mode %s value, expecting 'acpi', 'agent', "
                            "'initctl', 'signal' or 'paravirt'", modes[i]);
                else
                    vkError(ctl, "Unknown mode %s value, expecting 'acpi', 'agent', "
                            "'initctl', 'signal', or 'paravirt'", modes[i]);
                return -1;
            }
            flags |= reboot ? vkDomainModes[j].rebootFlag : vkDomainModes[j].shutdownFlag;
        }
    }
    *retFlags = flags;
    return 0;
}

/**
 * vkDomainCmdShutdown:
 * @ctl: run state
 * @cmd: parsed "shutdown" command
 *
 * Asks the guest to power off.
 *
 * Returns: true on success.
 */
bool
vkDomainCmdShutdown(VkCtl *ctl, const VkCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    const char *name = NULL;
    unsigned int flags = 0;
    int rc;

    if (vkDomainParseModes(ctl, cmd, false, &flags) < 0)
        return false;
    if (!(dom = vkDomainLookup(ctl, cmd, "domain", VK_DOMAIN_BY_ANY, &name)))
        return false;

    rc = flags ? virDomainShutdownFlags(dom, flags) : virDomainShutdown(dom);
    if (rc < 0) {
        vkError(ctl, "Failed to shutdown domain '%s'", name);
        return false;
    }
    vkPrintExtra(ctl, "Domain '%s' is being shutdown\n", name);
    return true;
}

/**
 * vkDomainCmdReboot:
 * @ctl: run state
 * @cmd: parsed "reboot" command
 *
 * Asks the guest to reboot.
 *
 * Returns: true on success.
 */
bool
vkDomainCmdReboot(VkCtl *ctl, const VkCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    const char *name = NULL;
    unsigned int flags = 0;

    if (vkDomainParseModes(ctl, cmd, true, &flags) < 0)
        return false;
    if (!(dom = vkDomainLookup(ctl, cmd, "domain", VK_DOMAIN_BY_ANY, &name)))
        return false;

    if (virDomainReboot(dom, flags) < 0) {
        vkError(ctl, "Failed to reboot domain '%s'", name);
        return false;
    }
    vkPrintExtra(ctl, "Domain '%s' is being rebooted\n", name);
    return true;
}

/**
 * vkDomainCmdReset:
 * @ctl: run state
 * @cmd: parsed "reset" command
 *
 * Resets the virtual machine.
 *
 * Returns: true on success.
 */
bool
vkDomainCmdReset(VkCtl *ctl, const VkCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    const char *name = NULL;

    if (!(dom = vkDomainLookup(ctl, cmd, "domain", VK_DOMAIN_BY_ANY, &name)))
        return false;
    if (virDomainReset(dom, 0) < 0) {
        vkError(ctl, "Failed to reset domain '%s'", name);
        return false;
    }
    vkPrintExtra(ctl, "Domain '%s' was reset\n", name);
    return true;
}

/**
 * vkDomainCmdSuspend:
 * @ctl: run state
 * @cmd: parsed "suspend" command
 *
 * Pauses a domain.
 *
 * Returns: true on success.
 */
bool
vkDomainCmdSuspend(VkCtl *ctl, const VkCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    const char *name = NULL;

    if (!(dom = vkDomainLookup(ctl, cmd, "domain", VK_DOMAIN_BY_ANY, &name)))
        return false;
    if (virDomainSuspend(dom) < 0) {
        vkError(ctl, "Failed to suspend domain '%s'", name);
        return false;
    }
    vkPrintExtra(ctl, "Domain '%s' suspended\n", name);
    return true;
}

/**
 * vkDomainCmdResume:
 * @ctl: run state
 * @cmd: parsed "resume" command
 *
 * Resumes a paused domain.
 *
 * Returns: true on success.
 */
bool
vkDomainCmdResume(VkCtl *ctl, const VkCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    const char *name = NULL;

    if (!(dom = vkDomainLookup(ctl, cmd, "domain", VK_DOMAIN_BY_ANY, &name)))
        return false;
    if (virDomainResume(dom) < 0) {
        vkError(ctl, "Failed to resume domain '%s'", name);
        return false;
    }
    vkPrintExtra(ctl, "Domain '%s' resumed\n", name);
    return true;
}

/**
 * vkDomainCmdAutostart:
 * @ctl: run state
 * @cmd: parsed "autostart" command
 *
 * Sets or clears the autostart mark of a domain.
 *
 * Returns: true on success.
 */
bool
vkDomainCmdAutostart(VkCtl *ctl, const VkCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    const char *name = NULL;
    bool autostart = !vkCmdOptBool(cmd, "disable");

    if (!(dom = vkDomainLookup(ctl, cmd, "domain", VK_DOMAIN_BY_ANY, &name)))
        return false;
    if (virDomainSetAutostart(dom, autostart) < 0) {
        if (autostart)
            vkError(ctl, "Failed to mark domain '%s' as autostarted", name);
        else
            vkError(ctl, "Failed to unmark domain '%s' as autostarted", name);
        return false;
    }
    if (autostart)
        vkPrintExtra(ctl, "Domain '%s' marked as autostarted\n", name);
    else
        vkPrintExtra(ctl, "Domain '%s' unmarked as autostarted\n", name);
    return true;
}

/**
 * vkDomainCmdUndefine:
 * @ctl: run state
 * @cmd: parsed "undefine" command
 *
 * Removes the persistent definition of a domain.  Like virsh, refuses when
 * a managed save image exists and --managed-save was not given.
 *
 * Returns: true on success.
 */
bool
vkDomainCmdUndefine(VkCtl *ctl, const VkCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    const char *name = NULL;
    bool managedSave = vkCmdOptBool(cmd, "managed-save");
    bool nvram = vkCmdOptBool(cmd, "nvram");
    bool keepNvram = vkCmdOptBool(cmd, "keep-nvram");
    bool tpm = vkCmdOptBool(cmd, "tpm");
    bool keepTpm = vkCmdOptBool(cmd, "keep-tpm");
    unsigned int flags = 0;
    int hasManagedSave;
    int rc;

    if (!vkCmdCheckExclusive(ctl, nvram, "nvram", keepNvram, "keep-nvram") ||
        !vkCmdCheckExclusive(ctl, tpm, "tpm", keepTpm, "keep-tpm"))
        return false;

    if (managedSave)
        flags |= VIR_DOMAIN_UNDEFINE_MANAGED_SAVE;
    if (vkCmdOptBool(cmd, "snapshots-metadata"))
        flags |= VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA;
    if (vkCmdOptBool(cmd, "checkpoints-metadata"))
        flags |= VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA;
    if (nvram)
        flags |= VIR_DOMAIN_UNDEFINE_NVRAM;
    if (keepNvram)
        flags |= VIR_DOMAIN_UNDEFINE_KEEP_NVRAM;
    if (tpm)
        flags |= VIR_DOMAIN_UNDEFINE_TPM;
    if (keepTpm)
        flags |= VIR_DOMAIN_UNDEFINE_KEEP_TPM;

    if (!(dom = vkDomainLookup(ctl, cmd, "domain", VK_DOMAIN_BY_ANY, &name)))
        return false;

    if ((hasManagedSave = virDomainHasManagedSaveImage(dom, 0)) < 0) {
        if (vkLastErrorCode(ctl) != VIR_ERR_NO_SUPPORT)
            return false;
        vkResetError(ctl);
        hasManagedSave = 0;
    }
    if (hasManagedSave > 0 && !managedSave) {
        vkError(ctl, "%s", "Refusing to undefine while domain managed save image exists");
        return false;
    }

    rc = flags ? virDomainUndefineFlags(dom, flags) : virDomainUndefine(dom);
    if (rc < 0 && flags && !nvram && !(hasManagedSave > 0)) {
        int code = vkLastErrorCode(ctl);

        /* as virsh: a driver that does not know a flag gets the plain call,
         * unless the flag matters (--nvram, or a managed save image to drop) */
        if (code == VIR_ERR_NO_SUPPORT || code == VIR_ERR_INVALID_ARG) {
            vkResetError(ctl);
            rc = virDomainUndefine(dom);
        }
    }
    if (rc < 0) {
        vkError(ctl, "Failed to undefine domain '%s'", name);
        return false;
    }
    vkPrintExtra(ctl, "Domain '%s' has been undefined\n", name);
    return true;
}

/* Shared by setmem and setmaxmem: reads the impact flags and the size (KiB,
 * rounded up).  Returns the domain or NULL after an error. */
static virDomainPtr
vkDomainMemArgs(VkCtl *ctl, const VkCmd *cmd, unsigned int *retFlags, unsigned long *retKiB)
{
    bool config = vkCmdOptBool(cmd, "config");
    bool live = vkCmdOptBool(cmd, "live");
    bool current = vkCmdOptBool(cmd, "current");
    unsigned long long bytes = 0;
    unsigned long long max;
    virDomainPtr dom;

    if (!vkCmdCheckExclusive(ctl, current, "current", live, "live") ||
        !vkCmdCheckExclusive(ctl, current, "current", config, "config"))
        return NULL;

    *retFlags = VIR_DOMAIN_AFFECT_CURRENT;
    if (config)
        *retFlags |= VIR_DOMAIN_AFFECT_CONFIG;
    if (live)
        *retFlags |= VIR_DOMAIN_AFFECT_LIVE;

    if (!(dom = vkDomainLookup(ctl, cmd, "domain", VK_DOMAIN_BY_ANY, NULL)))
        return NULL;

    /* the API takes an unsigned long of KiB */
    if (sizeof(unsigned long) < sizeof(unsigned long long))
        max = 1024ULL * (unsigned long long) G_MAXULONG;
    else
        max = G_MAXULONG;
    if (vkCmdOptScaled(ctl, cmd, "size", 1024, max, &bytes) < 0) {
        virDomainFree(dom);
        return NULL;
    }
    *retKiB = (unsigned long) (bytes / 1024 + (bytes % 1024 ? 1 : 0));
    return dom;
}

/**
 * vkDomainCmdSetmem:
 * @ctl: run state
 * @cmd: parsed "setmem" command
 *
 * Changes the current memory of a domain.
 *
 * Returns: true on success.
 */
bool
vkDomainCmdSetmem(VkCtl *ctl, const VkCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    unsigned int flags = 0;
    unsigned long kib = 0;
    int rc;

    if (!(dom = vkDomainMemArgs(ctl, cmd, &flags, &kib)))
        return false;
    /* virsh 9.0 uses the flags call even without flags (visible in the
     * library's argument errors, which name the function) */
    rc = virDomainSetMemoryFlags(dom, kib, flags);
    return rc == 0;
}

/**
 * vkDomainCmdSetmaxmem:
 * @ctl: run state
 * @cmd: parsed "setmaxmem" command
 *
 * Changes the memory limit of a domain.
 *
 * Returns: true on success.
 */
bool
vkDomainCmdSetmaxmem(VkCtl *ctl, const VkCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    unsigned int flags = 0;
    unsigned long kib = 0;
    int rc;

    if (!(dom = vkDomainMemArgs(ctl, cmd, &flags, &kib)))
        return false;
    rc = virDomainSetMemoryFlags(dom, kib, flags | VIR_DOMAIN_MEM_MAXIMUM);
    if (rc < 0) {
        vkError(ctl, "%s", "Unable to change MaxMemorySize");
        return false;
    }
    return true;
}

/**
 * vkDomainCmdSetvcpus:
 * @ctl: run state
 * @cmd: parsed "setvcpus" command
 *
 * Changes the number of virtual CPUs of a domain.
 *
 * Returns: true on success.
 */
bool
vkDomainCmdSetvcpus(VkCtl *ctl, const VkCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    bool maximum = vkCmdOptBool(cmd, "maximum");
    bool config = vkCmdOptBool(cmd, "config");
    bool live = vkCmdOptBool(cmd, "live");
    bool current = vkCmdOptBool(cmd, "current");
    bool guest = vkCmdOptBool(cmd, "guest");
    unsigned int flags = VIR_DOMAIN_AFFECT_CURRENT;
    unsigned int count = 0;
    int rc;

    if (!vkCmdCheckExclusive(ctl, current, "current", live, "live") ||
        !vkCmdCheckExclusive(ctl, current, "current", config, "config") ||
        !vkCmdCheckExclusive(ctl, guest, "guest", config, "config") ||
        !vkCmdCheckRequires(ctl, maximum, "maximum", config, "config"))
        return false;

    if (config)
        flags |= VIR_DOMAIN_AFFECT_CONFIG;
    if (live)
        flags |= VIR_DOMAIN_AFFECT_LIVE;
    if (guest)
        flags |= VIR_DOMAIN_VCPU_GUEST;
    if (maximum)
        flags |= VIR_DOMAIN_VCPU_MAXIMUM;
    if (vkCmdOptBool(cmd, "hotpluggable"))
        flags |= VIR_DOMAIN_VCPU_HOTPLUGGABLE;

    if (!(dom = vkDomainLookup(ctl, cmd, "domain", VK_DOMAIN_BY_ANY, NULL)))
        return false;
    if (vkCmdOptUInt(ctl, cmd, "count", &count) < 0)
        return false;
    if (count == 0) {
        vkError(ctl, "%s", "Can't set 0 processors for a VM");
        return false;
    }

    if (!current && flags == 0)
        rc = virDomainSetVcpus(dom, count);
    else
        rc = virDomainSetVcpusFlags(dom, count, flags);
    return rc == 0;
}

/* Reads <vcpu current='N'>M</vcpu> from the inactive XML: the fallback for
 * a driver without virDomainGetVcpusFlags().  Returns -1 if not found. */
static int
vkDomainVcpusFromXML(virDomainPtr dom, bool maximum)
{
    g_autofree char *xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
    g_autofree char *text = NULL;
    const char *p;
    const char *gt;
    const char *cur;
    int max;
    int val;

    if (!xml || !(p = strstr(xml, "<vcpu")) || !(gt = strchr(p, '>')))
        return -1;
    text = g_strndup(gt + 1, strcspn(gt + 1, "<"));
    if (vkParseInt(text, &max) < 0)
        return -1;
    if (maximum)
        return max;
    cur = g_strstr_len(p, gt - p, "current=");
    if (cur && (cur[8] == '\'' || cur[8] == '"')) {
        g_autofree char *num = g_strndup(cur + 9, strcspn(cur + 9, "'\""));

        if (vkParseInt(num, &val) == 0)
            return val;
    }
    return max;
}

/* One vcpucount figure.  Returns the count, -1 when not applicable (with
 * @checkState, e.g. live figures of an inactive domain) or -2 on error. */
static int
vkDomainVcpuCount(VkCtl *ctl, virDomainPtr dom, unsigned int flags, bool checkState)
{
    virDomainInfo info;
    int code;
    int count;

    if (checkState &&
        (((flags & VIR_DOMAIN_AFFECT_LIVE) && virDomainIsActive(dom) < 1) ||
         ((flags & VIR_DOMAIN_AFFECT_CONFIG) && virDomainIsPersistent(dom) < 1)))
        return -1;

    if ((count = virDomainGetVcpusFlags(dom, flags)) >= 0)
        return count;

    code = vkLastErrorCode(ctl);
    if (code != VIR_ERR_NO_SUPPORT && code != VIR_ERR_INVALID_ARG)
        return -2;
    if (flags & VIR_DOMAIN_VCPU_GUEST) {
        vkError(ctl, "%s", "Failed to retrieve vCPU count from the guest");
        return -2;
    }

    /* older drivers: answer from the basic calls */
    if (!(flags & (VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG)) &&
        virDomainIsActive(dom) == 1)
        flags |= VIR_DOMAIN_AFFECT_LIVE;
    vkResetError(ctl);

    if (flags & VIR_DOMAIN_AFFECT_LIVE) {
        if (flags & VIR_DOMAIN_VCPU_MAXIMUM) {
            count = virDomainGetMaxVcpus(dom);
            return count < 0 ? -2 : count;
        }
        if (virDomainGetInfo(dom, &info) < 0)
            return -2;
        return info.nrVirtCpu;
    }
    if ((count = vkDomainVcpusFromXML(dom, flags & VIR_DOMAIN_VCPU_MAXIMUM)) < 0)
        return -2;
    return count;
}

/**
 * vkDomainCmdVcpucount:
 * @ctl: run state
 * @cmd: parsed "vcpucount" command
 *
 * Without options prints the table of maximum/current counts of the live
 * domain and of its definition; with options prints one number.
 *
 * Returns: true on success.
 */
bool
vkDomainCmdVcpucount(VkCtl *ctl, const VkCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    bool maximum = vkCmdOptBool(cmd, "maximum");
    bool active = vkCmdOptBool(cmd, "active");
    bool config = vkCmdOptBool(cmd, "config");
    bool live = vkCmdOptBool(cmd, "live");
    bool current = vkCmdOptBool(cmd, "current");
    bool guest = vkCmdOptBool(cmd, "guest");
    bool all = !maximum && !active && !current && !config && !live && !guest;
    unsigned int flags = VIR_DOMAIN_AFFECT_CURRENT;

    /* virsh keeps the pre-0.9.4 meaning: "--current --live" alone asks for
     * the active count, so --current only conflicts with --maximum/--active */
    if (!maximum && !active && current)
        current = false;

    if (!vkCmdCheckExclusive(ctl, current, "current", live, "live") ||
        !vkCmdCheckExclusive(ctl, current, "current", config, "config") ||
        !vkCmdCheckExclusive(ctl, active, "active", maximum, "maximum") ||
        !vkCmdCheckExclusive(ctl, live, "live", config, "config") ||
        !vkCmdCheckExclusive(ctl, guest, "guest", config, "config"))
        return false;

    if (live)
        flags |= VIR_DOMAIN_AFFECT_LIVE;
    if (config)
        flags |= VIR_DOMAIN_AFFECT_CONFIG;
    if (maximum)
        flags |= VIR_DOMAIN_VCPU_MAXIMUM;
    if (guest)
        flags |= VIR_DOMAIN_VCPU_GUEST;

    if (!(dom = vkDomainLookup(ctl, cmd, "domain", VK_DOMAIN_BY_ANY, NULL)))
        return false;

    if (all) {
        const unsigned int max = VIR_DOMAIN_VCPU_MAXIMUM;
        int confMax = vkDomainVcpuCount(ctl, dom, VIR_DOMAIN_AFFECT_CONFIG | max, true);
        int confCur = vkDomainVcpuCount(ctl, dom, VIR_DOMAIN_AFFECT_CONFIG, true);
        int liveMax = vkDomainVcpuCount(ctl, dom, VIR_DOMAIN_AFFECT_LIVE | max, true);
        int liveCur = vkDomainVcpuCount(ctl, dom, VIR_DOMAIN_AFFECT_LIVE, true);

        if (confMax == -2 || confCur == -2 || liveMax == -2 || liveCur == -2)
            return false;
        if (confMax > 0)
            vkPrint(ctl, "%-12s %-12s %3d\n", "maximum", "config", confMax);
        if (liveMax > 0)
            vkPrint(ctl, "%-12s %-12s %3d\n", "maximum", "live", liveMax);
        if (confCur > 0)
            vkPrint(ctl, "%-12s %-12s %3d\n", "current", "config", confCur);
        if (liveCur > 0)
            vkPrint(ctl, "%-12s %-12s %3d\n", "current", "live", liveCur);
    } else {
        int count = vkDomainVcpuCount(ctl, dom, flags, false);

        if (count < 0)
            return false;
        vkPrint(ctl, "%d\n", count);
    }
    return true;
}

/**
 * vkDomainCmdDumpxml:
 * @ctl: run state
 * @cmd: parsed "dumpxml" command
 *
 * Prints the XML description of a domain.
 *
 * Returns: true on success.
 */
bool
vkDomainCmdDumpxml(VkCtl *ctl, const VkCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    unsigned int flags = 0;
    char *xml;

    if (vkCmdOptBool(cmd, "inactive"))
        flags |= VIR_DOMAIN_XML_INACTIVE;
    if (vkCmdOptBool(cmd, "security-info"))
        flags |= VIR_DOMAIN_XML_SECURE;
    if (vkCmdOptBool(cmd, "update-cpu"))
        flags |= VIR_DOMAIN_XML_UPDATE_CPU;
    if (vkCmdOptBool(cmd, "migratable"))
        flags |= VIR_DOMAIN_XML_MIGRATABLE;

    if (!(dom = vkDomainLookup(ctl, cmd, "domain", VK_DOMAIN_BY_ANY, NULL)))
        return false;
    if (!(xml = virDomainGetXMLDesc(dom, flags)))
        return false;
    vkPrint(ctl, "%s", xml);
    free(xml);
    return true;
}

static const char *
vkDomainJobTypeName(int type)
{
    static const char *const names[] = {
        "None", "Bounded", "Unbounded", "Completed", "Failed", "Cancelled",
    };

    if (type >= 0 && (size_t) type < G_N_ELEMENTS(names))
        return names[type];
    return "unknown";
}

static const char *
vkDomainJobOperationName(int op)
{
    static const char *const names[] = {
        "Unknown", "Start", "Save", "Restore", "Incoming migration", "Outgoing migration",
        "Snapshot", "Snapshot revert", "Dump", "Backup", "Snapshot delete",
    };

    if (op >= 0 && (size_t) op < G_N_ELEMENTS(names))
        return names[op];
    return "unknown";
}

/**
 * vkTypedParamText:
 * @param: one typed parameter
 *
 * Returns: the value as libvirt's own formatting prints it (caller owns).
 */
static char *
vkTypedParamText(const virTypedParameter *param)
{
    switch (param->type) {
    case VIR_TYPED_PARAM_INT:
        return g_strdup_printf("%d", param->value.i);
    case VIR_TYPED_PARAM_UINT:
        return g_strdup_printf("%u", param->value.ui);
    case VIR_TYPED_PARAM_LLONG:
        return g_strdup_printf("%lld", param->value.l);
    case VIR_TYPED_PARAM_ULLONG:
        return g_strdup_printf("%llu", param->value.ul);
    case VIR_TYPED_PARAM_DOUBLE:
        return g_strdup_printf("%f", param->value.d);
    case VIR_TYPED_PARAM_BOOLEAN:
        return g_strdup(param->value.b ? "yes" : "no");
    case VIR_TYPED_PARAM_STRING:
        return g_strdup(param->value.s);
    default:
        return NULL;
    }
}

typedef struct {
    int type;
    unsigned long long timeElapsed;
    unsigned long long timeRemaining;
    unsigned long long dataTotal;
    unsigned long long dataProcessed;
    unsigned long long dataRemaining;
    unsigned long long memTotal;
    unsigned long long memProcessed;
    unsigned long long memRemaining;
    unsigned long long fileTotal;
    unsigned long long fileProcessed;
    unsigned long long fileRemaining;
} VkDomainJob;

/* Prints a byte count parameter as "%-17s %-.3lf %s" (optionally "/s");
 * returns -1 on a type error */
static int
vkDomainJobBytes(VkCtl *ctl, virTypedParameterPtr params, int nparams, const char *field,
                 const char *label, bool perSecond, bool skipZero)
{
    unsigned long long value;
    const char *unit;
    double val;
    int rc;

    if ((rc = virTypedParamsGetULLong(params, nparams, field, &value)) < 0)
        return -1;
    if (rc == 0 || (skipZero && value == 0))
        return 0;
    val = vkPrettyCapacity(value, &unit);
    vkPrint(ctl, "%-17s %-.3lf %s%s\n", label, val, unit, perSecond ? "/s" : "");
    return 0;
}

/* Prints an unsigned parameter with @fmt (label, value); -1 on a type error */
static int
vkDomainJobULL(VkCtl *ctl, virTypedParameterPtr params, int nparams, const char *field,
               const char *label, const char *fmt)
{
    unsigned long long value;
    int rc;

    if ((rc = virTypedParamsGetULLong(params, nparams, field, &value)) < 0)
        return -1;
    if (rc)
        vkPrint(ctl, fmt, label, value);
    return 0;
}

static void
vkDomainJobTriple(VkCtl *ctl, const char *what, unsigned long long processed,
                  unsigned long long remaining, unsigned long long total)
{
    const char *unit;
    double val;
    g_autofree char *l1 = g_strdup_printf("%s processed:", what);
    g_autofree char *l2 = g_strdup_printf("%s remaining:", what);
    g_autofree char *l3 = g_strdup_printf("%s total:", what);

    val = vkPrettyCapacity(processed, &unit);
    vkPrint(ctl, "%-17s %-.3lf %s\n", l1, val, unit);
    val = vkPrettyCapacity(remaining, &unit);
    vkPrint(ctl, "%-17s %-.3lf %s\n", l2, val, unit);
    val = vkPrettyCapacity(total, &unit);
    vkPrint(ctl, "%-17s %-.3lf %s\n", l3, val, unit);
}

static int
vkDomainJobStatsFill(virTypedParameterPtr params, int nparams, VkDomainJob *job)
{
    const struct {
        const char *field;
        unsigned long long *dst;
    } map[] = {
        { VIR_DOMAIN_JOB_TIME_ELAPSED, &job->timeElapsed },
        { VIR_DOMAIN_JOB_TIME_REMAINING, &job->timeRemaining },
        { VIR_DOMAIN_JOB_DATA_TOTAL, &job->dataTotal },
        { VIR_DOMAIN_JOB_DATA_PROCESSED, &job->dataProcessed },
        { VIR_DOMAIN_JOB_DATA_REMAINING, &job->dataRemaining },
        { VIR_DOMAIN_JOB_MEMORY_TOTAL, &job->memTotal },
        { VIR_DOMAIN_JOB_MEMORY_PROCESSED, &job->memProcessed },
        { VIR_DOMAIN_JOB_MEMORY_REMAINING, &job->memRemaining },
        { VIR_DOMAIN_JOB_DISK_TOTAL, &job->fileTotal },
        { VIR_DOMAIN_JOB_DISK_PROCESSED, &job->fileProcessed },
        { VIR_DOMAIN_JOB_DISK_REMAINING, &job->fileRemaining },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(map); i++) {
        if (virTypedParamsGetULLong(params, nparams, map[i].field, map[i].dst) < 0)
            return -1;
    }
    return 0;
}

static bool
vkDomainJobPrint(VkCtl *ctl, const VkDomainJob *job, virTypedParameterPtr params, int nparams)
{
    unsigned long long value;
    int op = VIR_DOMAIN_JOB_OPERATION_UNKNOWN;
    int ivalue;
    int rc;

    if (virTypedParamsGetInt(params, nparams, VIR_DOMAIN_JOB_OPERATION, &op) < 0)
        return false;
    vkPrint(ctl, "%-17s %-12s\n", "Operation:", vkDomainJobOperationName(op));

    vkPrint(ctl, "%-17s %-12llu ms\n", "Time elapsed:", job->timeElapsed);
    if (vkDomainJobULL(ctl, params, nparams, VIR_DOMAIN_JOB_TIME_ELAPSED_NET,
                       "Time elapsed w/o network:", "%-17s %-12llu ms\n") < 0)
        return false;
    if (job->type == VIR_DOMAIN_JOB_BOUNDED)
        vkPrint(ctl, "%-17s %-12llu ms\n", "Time remaining:", job->timeRemaining);

    if (job->dataTotal || job->dataRemaining || job->dataProcessed)
        vkDomainJobTriple(ctl, "Data", job->dataProcessed, job->dataRemaining, job->dataTotal);
    if (job->memTotal || job->memRemaining || job->memProcessed)
        vkDomainJobTriple(ctl, "Memory", job->memProcessed, job->memRemaining, job->memTotal);

    if (vkDomainJobBytes(ctl, params, nparams, VIR_DOMAIN_JOB_MEMORY_BPS,
                         "Memory bandwidth:", true, true) < 0 ||
        vkDomainJobULL(ctl, params, nparams, VIR_DOMAIN_JOB_MEMORY_DIRTY_RATE,
                       "Dirty rate:", "%-17s %-12llu pages/s\n") < 0 ||
        vkDomainJobULL(ctl, params, nparams, VIR_DOMAIN_JOB_MEMORY_PAGE_SIZE,
                       "Page size:", "%-17s %-12llu bytes\n") < 0 ||
        vkDomainJobULL(ctl, params, nparams, VIR_DOMAIN_JOB_MEMORY_ITERATION,
                       "Iteration:", "%-17s %-12llu\n") < 0 ||
        vkDomainJobULL(ctl, params, nparams, VIR_DOMAIN_JOB_MEMORY_POSTCOPY_REQS,
                       "Postcopy requests:", "%-17s %-12llu\n") < 0)
        return false;

    if (job->fileTotal || job->fileRemaining || job->fileProcessed)
        vkDomainJobTriple(ctl, "File", job->fileProcessed, job->fileRemaining, job->fileTotal);

    if (vkDomainJobBytes(ctl, params, nparams, VIR_DOMAIN_JOB_DISK_BPS,
                         "File bandwidth:", true, true) < 0 ||
        vkDomainJobULL(ctl, params, nparams, VIR_DOMAIN_JOB_MEMORY_CONSTANT,
                       "Constant pages:", "%-17s %-12llu\n") < 0 ||
        vkDomainJobULL(ctl, params, nparams, VIR_DOMAIN_JOB_MEMORY_NORMAL,
                       "Normal pages:", "%-17s %-12llu\n") < 0 ||
        vkDomainJobBytes(ctl, params, nparams, VIR_DOMAIN_JOB_MEMORY_NORMAL_BYTES,
                         "Normal data:", false, false) < 0)
        return false;

    if ((rc = virTypedParamsGetULLong(params, nparams, VIR_DOMAIN_JOB_DOWNTIME, &value)) < 0)
        return false;
    if (rc)
        vkPrint(ctl, "%-17s %-12llu ms\n",
                job->type == VIR_DOMAIN_JOB_COMPLETED ? "Total downtime:" : "Expected downtime:",
                value);

    if (vkDomainJobULL(ctl, params, nparams, VIR_DOMAIN_JOB_DOWNTIME_NET,
                       "Downtime w/o network:", "%-17s %-12llu ms\n") < 0 ||
        vkDomainJobULL(ctl, params, nparams, VIR_DOMAIN_JOB_SETUP_TIME,
                       "Setup time:", "%-17s %-12llu ms\n") < 0 ||
        vkDomainJobBytes(ctl, params, nparams, VIR_DOMAIN_JOB_COMPRESSION_CACHE,
                         "Compression cache:", false, false) < 0 ||
        vkDomainJobBytes(ctl, params, nparams, VIR_DOMAIN_JOB_COMPRESSION_BYTES,
                         "Compressed data:", false, false) < 0 ||
        vkDomainJobULL(ctl, params, nparams, VIR_DOMAIN_JOB_COMPRESSION_PAGES,
                       "Compressed pages:", "%-17s %-13llu\n") < 0 ||
        vkDomainJobULL(ctl, params, nparams, VIR_DOMAIN_JOB_COMPRESSION_CACHE_MISSES,
                       "Compression cache misses:", "%-17s %-13llu\n") < 0 ||
        vkDomainJobULL(ctl, params, nparams, VIR_DOMAIN_JOB_COMPRESSION_OVERFLOW,
                       "Compression overflows:", "%-17s %-13llu\n") < 0)
        return false;

    if ((rc = virTypedParamsGetInt(params, nparams, VIR_DOMAIN_JOB_AUTO_CONVERGE_THROTTLE,
                                   &ivalue)) < 0)
        return false;
    if (rc)
        vkPrint(ctl, "%-17s %-13d\n", "Auto converge throttle:", ivalue);

    if (vkDomainJobBytes(ctl, params, nparams, VIR_DOMAIN_JOB_DISK_TEMP_USED,
                         "Temporary disk space use:", false, false) < 0 ||
        vkDomainJobBytes(ctl, params, nparams, VIR_DOMAIN_JOB_DISK_TEMP_TOTAL,
                         "Temporary disk space total:", false, false) < 0)
        return false;

    if (nparams > 0) {
        const char *errmsg = NULL;

        if ((rc = virTypedParamsGetString(params, nparams, VIR_DOMAIN_JOB_ERRMSG, &errmsg)) < 0)
            return false;
        if (rc)
            vkPrint(ctl, "%-17s %s\n", "Error message:", errmsg);
    }
    return true;
}

/**
 * vkDomainCmdDomjobinfo:
 * @ctl: run state
 * @cmd: parsed "domjobinfo" command
 *
 * Prints the statistics of a domain's current (or with --completed last)
 * job in virsh's layout; falls back to virDomainGetJobInfo() for drivers
 * without virDomainGetJobStats().
 *
 * Returns: true on success.
 */
bool
vkDomainCmdDomjobinfo(VkCtl *ctl, const VkCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    virTypedParameterPtr params = NULL;
    int nparams = 0;
    bool completed = vkCmdOptBool(cmd, "completed");
    bool rawstats = vkCmdOptBool(cmd, "rawstats");
    bool anystats = vkCmdOptBool(cmd, "anystats");
    unsigned int flags = 0;
    VkDomainJob job = { 0 };
    bool ret = false;
    int rc;
    int i;

    if (!vkCmdCheckRequires(ctl, vkCmdOptBool(cmd, "keep-completed"), "keep-completed",
                            completed, "completed"))
        return false;
    if (!(dom = vkDomainLookup(ctl, cmd, "domain", VK_DOMAIN_BY_ANY, NULL)))
        return false;

    if (completed)
        flags |= VIR_DOMAIN_JOB_STATS_COMPLETED;
    if (vkCmdOptBool(cmd, "keep-completed"))
        flags |= VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED;

    rc = virDomainGetJobStats(dom, &job.type, &params, &nparams, flags);
    if (rc == 0) {
        if (vkDomainJobStatsFill(params, nparams, &job) < 0)
            goto cleanup;
    } else if (vkLastErrorCode(ctl) == VIR_ERR_NO_SUPPORT) {
        virDomainJobInfo info;

        if (flags != 0 || rawstats) {
            vkError(ctl, "%s", "Optional flags or --rawstats are not supported by the daemon");
            goto cleanup;
        }
        vkDebug(ctl, VK_LOG_DEBUG, "detailed statistics not supported");
        vkResetError(ctl);
        if ((rc = virDomainGetJobInfo(dom, &info)) == 0) {
            job.type = info.type;
            job.timeElapsed = info.timeElapsed;
            job.timeRemaining = info.timeRemaining;
            job.dataTotal = info.dataTotal;
            job.dataProcessed = info.dataProcessed;
            job.dataRemaining = info.dataRemaining;
            job.memTotal = info.memTotal;
            job.memProcessed = info.memProcessed;
            job.memRemaining = info.memRemaining;
            job.fileTotal = info.fileTotal;
            job.fileProcessed = info.fileProcessed;
            job.fileRemaining = info.fileRemaining;
        }
    }
    if (rc < 0)
        goto cleanup;

    if (rawstats) {
        vkPrint(ctl, "Job type: %d\n\n", job.type);
        for (i = 0; i < nparams; i++) {
            g_autofree char *text = vkTypedParamText(&params[i]);

            vkPrint(ctl, "%s: %s\n", params[i].field, text ? text : "(null)");
        }
        ret = true;
        goto cleanup;
    }

    vkPrint(ctl, "%-17s %-12s\n", "Job type:", vkDomainJobTypeName(job.type));
    if (!anystats &&
        job.type != VIR_DOMAIN_JOB_BOUNDED &&
        job.type != VIR_DOMAIN_JOB_UNBOUNDED &&
        (!completed || job.type != VIR_DOMAIN_JOB_COMPLETED)) {
        ret = true;
        goto cleanup;
    }
    ret = vkDomainJobPrint(ctl, &job, params, nparams);

 cleanup:
    virTypedParamsFree(params, nparams);
    return ret;
}

/**
 * vkDomainCmdDomjobabort:
 * @ctl: run state
 * @cmd: parsed "domjobabort" command
 *
 * Aborts the background job of a domain; --postcopy interrupts an
 * outgoing migration in post-copy mode (virDomainAbortJobFlags, which virsh
 * calls only when a flag is given).
 *
 * Returns: true on success.
 */
bool
vkDomainCmdDomjobabort(VkCtl *ctl, const VkCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    unsigned int flags = 0;

    if (!(dom = vkDomainLookup(ctl, cmd, "domain", VK_DOMAIN_BY_ANY, NULL)))
        return false;
    if (vkCmdOptBool(cmd, "postcopy"))
        flags |= VIR_DOMAIN_ABORT_JOB_POSTCOPY;
    if (flags)
        return virDomainAbortJobFlags(dom, flags) == 0;
    return virDomainAbortJob(dom) == 0;
}
