/* vk_save.c: save, restore, managed save, the XML of save images and dump (virsh's texts) */
#include <errno.h>
#include <stdio.h>

#include <glib.h>
#include <libvirt/libvirt.h>

#include "vk_cmd.h"
#include "vk_ctl.h"
#include "vk_domain.h"
#include "vk_save.h"

/*
 * The calls are synchronous: --verbose prints virsh's final progress line
 * ("\rSave: [100 %]") once the save has completed, not a running figure
 * (issue #6).
 */

/* The flags shared by the four commands' options. */
static bool
vkSaveFlags(const VkCmd *cmd, unsigned int *retFlags)
{
    bool running = vkCmdOptBool(cmd, "running");
    bool paused = vkCmdOptBool(cmd, "paused");
    unsigned int flags = 0;

    /* both may be given: the API refuses the pair, as with virsh */
    if (vkCmdOptBool(cmd, "bypass-cache"))
        flags |= VIR_DOMAIN_SAVE_BYPASS_CACHE;
    if (running)
        flags |= VIR_DOMAIN_SAVE_RUNNING;
    if (paused)
        flags |= VIR_DOMAIN_SAVE_PAUSED;
    if (vkCmdOptBool(cmd, "reset-nvram"))
        flags |= VIR_DOMAIN_SAVE_RESET_NVRAM;
    *retFlags = flags;
    return true;
}

/* The XML given by --xml FILE, or NULL in *retXml when absent. */
static bool
vkSaveReadXml(VkCtl *ctl, const VkCmd *cmd, char **retXml)
{
    const char *path = NULL;
    g_autoptr(GError) err = NULL;
    char *xml = NULL;

    *retXml = NULL;
    if (vkCmdOptString(ctl, cmd, "xml", &path) < 0)
        return false;
    if (!path)
        return true;
    if (!g_file_get_contents(path, &xml, NULL, &err)) {
        vkError(ctl, "Failed to open file '%s': %s", path, err->message);
        return false;
    }
    *retXml = xml;
    return true;
}

/*
 * virsh ends the progress line of save, managedsave and dump with a newline on
 * stdout, --verbose or not; with --verbose the final figure goes to stderr.
 */
static void
vkSaveProgressDone(VkCtl *ctl, const VkCmd *cmd, const char *what)
{
    if (vkCmdOptBool(cmd, "verbose")) {
        fprintf(stderr, "\r%s: [100 %%]", what);
        fflush(stderr);
    }
    vkPrintExtra(ctl, "\n");
}

/**
 * vkSaveCmdSave:
 * @ctl: run state
 * @cmd: parsed "save" command
 *
 * Saves a running domain's state to a file; the domain stops.
 *
 * Returns: true on success.
 */
bool
vkSaveCmdSave(VkCtl *ctl, const VkCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    g_autofree char *xml = NULL;
    const char *name = NULL;
    const char *to = NULL;
    unsigned int flags = 0;
    int rc;

    if (vkCmdOptString(ctl, cmd, "file", &to) < 0 || !vkSaveFlags(cmd, &flags) ||
        !vkSaveReadXml(ctl, cmd, &xml))
        return false;
    if (!(dom = vkDomainLookup(ctl, cmd, "domain", VK_DOMAIN_BY_ANY, &name)))
        return false;

    rc = (flags || xml) ? virDomainSaveFlags(dom, to, xml, flags) : virDomainSave(dom, to);
    if (rc < 0) {
        vkError(ctl, "Failed to save domain '%s' to %s", name, to);
        return false;
    }
    vkSaveProgressDone(ctl, cmd, "Save");
    vkPrintExtra(ctl, "Domain '%s' saved to %s\n", name, to);
    return true;
}

/**
 * vkSaveCmdRestore:
 * @ctl: run state
 * @cmd: parsed "restore" command
 *
 * Starts a domain from a file written by save.
 *
 * Returns: true on success.
 */
bool
vkSaveCmdRestore(VkCtl *ctl, const VkCmd *cmd)
{
    g_autofree char *xml = NULL;
    const char *from = NULL;
    unsigned int flags = 0;
    int rc;

    if (vkCmdOptString(ctl, cmd, "file", &from) < 0 || !vkSaveFlags(cmd, &flags) ||
        !vkSaveReadXml(ctl, cmd, &xml))
        return false;

    rc = (flags || xml) ? virDomainRestoreFlags(ctl->conn, from, xml, flags)
                        : virDomainRestore(ctl->conn, from);
    if (rc < 0) {
        vkError(ctl, "Failed to restore domain from %s", from);
        return false;
    }
    vkPrintExtra(ctl, "Domain restored from %s\n", from);
    return true;
}

/**
 * vkSaveCmdManagedsave:
 * @ctl: run state
 * @cmd: parsed "managedsave" command
 *
 * Saves a domain's state to the driver's own file; the next start
 * resumes from it.
 *
 * Returns: true on success.
 */
bool
vkSaveCmdManagedsave(VkCtl *ctl, const VkCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    const char *name = NULL;
    unsigned int flags = 0;

    if (!vkSaveFlags(cmd, &flags))
        return false;
    if (!(dom = vkDomainLookup(ctl, cmd, "domain", VK_DOMAIN_BY_ANY, &name)))
        return false;
    if (virDomainManagedSave(dom, flags) < 0) {
        vkError(ctl, "Failed to save domain '%s' state", name);
        return false;
    }
    vkSaveProgressDone(ctl, cmd, "Managedsave");
    vkPrintExtra(ctl, "Domain '%s' state saved by libvirt\n", name);
    return true;
}

/**
 * vkSaveCmdManagedsaveRemove:
 * @ctl: run state
 * @cmd: parsed "managedsave-remove" command
 *
 * Deletes a domain's managed save image, saying so when there is none.
 *
 * Returns: true on success (also when there was no image).
 */
bool
vkSaveCmdManagedsaveRemove(VkCtl *ctl, const VkCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    const char *name = NULL;
    int has;

    if (!(dom = vkDomainLookup(ctl, cmd, "domain", VK_DOMAIN_BY_ANY, &name)))
        return false;
    if ((has = virDomainHasManagedSaveImage(dom, 0)) < 0) {
        vkError(ctl, "Failed to check for domain managed save image");
        return false;
    }
    if (has == 0) {
        /* no newline of its own: the empty line after every command ends it, as in virsh */
        vkPrintExtra(ctl, "Domain '%s' has no manage save image; removal skipped", name);
        return true;
    }
    if (virDomainManagedSaveRemove(dom, 0) < 0) {
        vkError(ctl, "Failed to remove managed save image for domain '%s'", name);
        return false;
    }
    vkPrintExtra(ctl, "Removed managedsave image for domain '%s'", name);
    return true;
}

/* The file named by the required option @opt, read whole (caller frees). */
static char *
vkSaveReadXmlFile(VkCtl *ctl, const VkCmd *cmd, const char *opt)
{
    const char *path = NULL;
    g_autoptr(GError) err = NULL;
    char *xml = NULL;

    if (vkCmdOptString(ctl, cmd, opt, &path) < 0 || !path)
        return NULL;
    if (!g_file_get_contents(path, &xml, NULL, &err)) {
        vkError(ctl, "Failed to open file '%s': %s", path, err->message);
        return NULL;
    }
    return xml;
}

/**
 * vkSaveCmdManagedsaveDumpxml:
 * @ctl: run state
 * @cmd: parsed "managedsave-dumpxml" command
 *
 * Prints the domain XML stored in a domain's managed save image.
 *
 * Returns: true on success.
 */
bool
vkSaveCmdManagedsaveDumpxml(VkCtl *ctl, const VkCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    unsigned int flags = 0;
    char *xml;

    if (vkCmdOptBool(cmd, "security-info"))
        flags |= VIR_DOMAIN_SAVE_IMAGE_XML_SECURE;
    if (!(dom = vkDomainLookup(ctl, cmd, "domain", VK_DOMAIN_BY_ANY, NULL)))
        return false;
    if (!(xml = virDomainManagedSaveGetXMLDesc(dom, flags)))
        return false;
    vkPrint(ctl, "%s", xml);
    free(xml);
    return true;
}

/**
 * vkSaveCmdManagedsaveDefine:
 * @ctl: run state
 * @cmd: parsed "managedsave-define" command
 *
 * Replaces the domain XML stored in a domain's managed save image;
 * --running / --paused (exclusive, checked here as virsh does) change the
 * state the next start leaves the domain in.
 *
 * Returns: true on success.
 */
bool
vkSaveCmdManagedsaveDefine(VkCtl *ctl, const VkCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    g_autofree char *xml = NULL;
    const char *name = NULL;
    bool running = vkCmdOptBool(cmd, "running");
    bool paused = vkCmdOptBool(cmd, "paused");
    unsigned int flags = 0;

    if (!vkCmdCheckExclusive(ctl, running, "running", paused, "paused"))
        return false;
    if (running)
        flags |= VIR_DOMAIN_SAVE_RUNNING;
    if (paused)
        flags |= VIR_DOMAIN_SAVE_PAUSED;
    if (!(dom = vkDomainLookup(ctl, cmd, "domain", VK_DOMAIN_BY_ANY, &name)))
        return false;
    if (!(xml = vkSaveReadXmlFile(ctl, cmd, "xml")))
        return false;
    if (virDomainManagedSaveDefineXML(dom, xml, flags) < 0) {
        vkError(ctl, "Failed to update %s XML configuration", name);
        return false;
    }
    vkPrintExtra(ctl, "Managed save state file of domain '%s' updated.\n", name);
    return true;
}

/**
 * vkSaveCmdSaveImageDumpxml:
 * @ctl: run state
 * @cmd: parsed "save-image-dumpxml" command
 *
 * Prints the domain XML stored in a save image.
 *
 * Returns: true on success.
 */
bool
vkSaveCmdSaveImageDumpxml(VkCtl *ctl, const VkCmd *cmd)
{
    const char *file = NULL;
    unsigned int flags = 0;
    char *xml;

    if (vkCmdOptString(ctl, cmd, "file", &file) < 0)
        return false;
    if (vkCmdOptBool(cmd, "security-info"))
        flags |= VIR_DOMAIN_SAVE_IMAGE_XML_SECURE;
    if (!(xml = virDomainSaveImageGetXMLDesc(ctl->conn, file, flags)))
        return false;
    vkPrint(ctl, "%s", xml);
    free(xml);
    return true;
}

/**
 * vkSaveCmdSaveImageDefine:
 * @ctl: run state
 * @cmd: parsed "save-image-define" command
 *
 * Replaces the domain XML stored in a save image; --running / --paused
 * change the state a restore leaves the domain in (both together are
 * refused by the API, as with virsh).
 *
 * Returns: true on success.
 */
bool
vkSaveCmdSaveImageDefine(VkCtl *ctl, const VkCmd *cmd)
{
    g_autofree char *xml = NULL;
    const char *file = NULL;
    unsigned int flags = 0;

    if (vkCmdOptString(ctl, cmd, "file", &file) < 0 || !vkSaveFlags(cmd, &flags))
        return false;
    if (!(xml = vkSaveReadXmlFile(ctl, cmd, "xml")))
        return false;
    if (virDomainSaveImageDefineXML(ctl->conn, file, xml, flags) < 0) {
        vkError(ctl, "Failed to update %s", file);
        return false;
    }
    vkPrintExtra(ctl, "State file %s updated.\n", file);
    return true;
}

/* virsh's --format names of the memory-only formats, in its message's order */
static const struct {
    const char *name;
    unsigned int format;
} vkDumpFormats[] = {
    { "kdump-zlib", VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_ZLIB },
    { "kdump-lzo", VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_LZO },
    { "kdump-snappy", VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_SNAPPY },
    { "win-dmp", VIR_DOMAIN_CORE_DUMP_FORMAT_WIN_DMP },
    { "elf", VIR_DOMAIN_CORE_DUMP_FORMAT_RAW },
};

/* The dump itself; false after printing an error. */
static bool
vkSaveDoDump(VkCtl *ctl, const VkCmd *cmd, const char *to, const char **retName)
{
    g_autoptr(virDomain) dom = NULL;
    const char *name = NULL;
    const char *format = NULL;
    unsigned int dumpformat = VIR_DOMAIN_CORE_DUMP_FORMAT_RAW;
    unsigned int flags = 0;
    size_t i;
    int rc;

    if (!(dom = vkDomainLookup(ctl, cmd, "domain", VK_DOMAIN_BY_ANY, &name)))
        return false;
    if (vkCmdOptBool(cmd, "live"))
        flags |= VIR_DUMP_LIVE;
    if (vkCmdOptBool(cmd, "crash"))
        flags |= VIR_DUMP_CRASH;
    if (vkCmdOptBool(cmd, "bypass-cache"))
        flags |= VIR_DUMP_BYPASS_CACHE;
    if (vkCmdOptBool(cmd, "reset"))
        flags |= VIR_DUMP_RESET;
    if (vkCmdOptBool(cmd, "memory-only"))
        flags |= VIR_DUMP_MEMORY_ONLY;
    /* as virsh: an empty --format is no format */
    if (vkCmdOptString(ctl, cmd, "format", &format) < 0)
        return false;
    if (format && *format) {
        if (!(flags & VIR_DUMP_MEMORY_ONLY)) {
            vkError(ctl, "--format only works with --memory-only");
            return false;
        }
        for (i = 0; i < G_N_ELEMENTS(vkDumpFormats); i++) {
            if (g_str_equal(vkDumpFormats[i].name, format))
                break;
        }
        if (i == G_N_ELEMENTS(vkDumpFormats)) {
            vkError(ctl, "format '%s' is not supported, expecting 'kdump-zlib', "
                    "'kdump-lzo', 'kdump-snappy', 'win-dmp' or 'elf'", format);
            return false;
        }
        dumpformat = vkDumpFormats[i].format;
    }

    /* as virsh: the old entry point unless a format other than elf was asked */
    if (dumpformat != VIR_DOMAIN_CORE_DUMP_FORMAT_RAW)
        rc = virDomainCoreDumpWithFormat(dom, to, dumpformat, flags);
    else
        rc = virDomainCoreDump(dom, to, flags);
    if (rc < 0) {
        vkError(ctl, "Failed to core dump domain '%s' to %s", name, to);
        return false;
    }
    *retName = name;
    return true;
}

/**
 * vkSaveCmdDump:
 * @ctl: run state
 * @cmd: parsed "dump" command
 *
 * Dumps a domain's core (or memory) to a file, printing what virsh
 * prints (the progress line's end, then the confirmation).
 *
 * Returns: true on success.
 */
bool
vkSaveCmdDump(VkCtl *ctl, const VkCmd *cmd)
{
    const char *to = NULL;
    const char *name = NULL;

    if (vkCmdOptString(ctl, cmd, "file", &to) < 0)
        return false;
    if (!vkSaveDoDump(ctl, cmd, to, &name))
        return false;
    vkSaveProgressDone(ctl, cmd, "Dump");
    vkPrintExtra(ctl, "Domain '%s' dumped to %s\n", name, to);
    return true;
}
