/* vk_builtin.c: commands about virtkit itself: help, echo, connect, quit */
#include <string.h>

#include "vk_builtin.h"
#include "vk_commands.h"
#include "vk_util.h"

static void
vkBuiltinPrintGroup(VkCtl *ctl, const VkCmdGroup *grp)
{
    const VkCmdDef *def;

    vkPrint(ctl, " %s (help keyword '%s'):\n", grp->title, grp->keyword);
    for (def = vkCommands; def->name; def++) {
        if (vkStreq(def->group, grp->keyword))
            vkPrint(ctl, "    %-30s %s\n", def->name, def->help);
    }
}

/**
 * vkBuiltinPrintAllHelp:
 * @ctl: run state
 *
 * Prints every command, by group.
 */
void
vkBuiltinPrintAllHelp(VkCtl *ctl)
{
    const VkCmdGroup *grp;

    vkPrint(ctl, "%s", "Grouped commands:\n\n");
    for (grp = vkCommandGroups; grp->keyword; grp++) {
        vkBuiltinPrintGroup(ctl, grp);
        vkPrint(ctl, "\n");
    }
}

static void
vkBuiltinPrintCommand(VkCtl *ctl, const VkCmdDef *def)
{
    g_autofree char *synopsis = vkCmdSynopsis(def);
    const VkOptDef *opt;

    vkPrint(ctl, "  NAME\n    %s - %s\n", def->name, def->help);
    vkPrint(ctl, "\n  SYNOPSIS\n    %s\n", synopsis);
    if (def->desc && *def->desc)
        vkPrint(ctl, "\n  DESCRIPTION\n    %s\n", def->desc);
    if (def->opts && def->opts->name) {
        vkPrint(ctl, "\n  OPTIONS\n");
        for (opt = def->opts; opt->name; opt++) {
            g_autofree char *left = NULL;
            bool req = opt->flags & VK_OFLAG_REQUIRED;

            switch (opt->type) {
            case VK_OPT_BOOL:
                left = g_strdup_printf("--%s", opt->name);
                break;
            case VK_OPT_INT:
                left = g_strdup_printf(req ? "[--%s] <number>" : "--%s <number>", opt->name);
                break;
            case VK_OPT_STRING:
                left = g_strdup_printf("--%s <string>", opt->name);
                break;
            case VK_OPT_DATA:
                left = g_strdup_printf("[--%s] <string>", opt->name);
                break;
            case VK_OPT_ARGV:
                left = g_strdup_printf("<%s>", opt->name);
                break;
            }
            vkPrint(ctl, "    %-15s  %s\n", left, opt->help);
        }
    }
    vkPrint(ctl, "\n");
}

/**
 * vkBuiltinCmdHelp:
 * @ctl: run state
 * @cmd: parsed "help" command
 *
 * Without argument lists every command by group; with a command name
 * describes the command and its options; with a group keyword lists the
 * group's commands.
 *
 * Returns: true on success, false for an unknown name.
 */
bool
vkBuiltinCmdHelp(VkCtl *ctl, const VkCmd *cmd)
{
    const char *name = vkCmdOptRaw(cmd, "command");
    const VkCmdDef *def;
    const VkCmdGroup *grp;

    if (!name || !*name) {
        vkBuiltinPrintAllHelp(ctl);
        return true;
    }
    if ((def = vkCommandsLookup(name))) {
        vkBuiltinPrintCommand(ctl, def);
        return true;
    }
    if ((grp = vkCommandsLookupGroup(name))) {
        vkBuiltinPrintGroup(ctl, grp);
        return true;
    }
    vkError(ctl, "command or command group '%s' doesn't exist", name);
    return false;
}

/* Appends one "echo --split" argument: parts separated by ',' (",," is a
 * literal comma), one per line */
static void
vkBuiltinSplit(GString *buf, const char *arg)
{
    const char *p;

    for (p = arg; *p; p++) {
        if (*p == ',' && p[1] == ',') {
            g_string_append_c(buf, ',');
            p++;
        } else if (*p == ',') {
            g_string_append_c(buf, '\n');
        } else {
            g_string_append_c(buf, *p);
        }
    }
    g_string_append_c(buf, '\n');
}

/**
 * vkBuiltinCmdEcho:
 * @ctl: run state
 * @cmd: parsed "echo" command
 *
 * Prints its arguments separated by spaces, without a final newline (the
 * empty line printed after every command ends it).
 *
 * Returns: true.
 */
bool
vkBuiltinCmdEcho(VkCtl *ctl, const VkCmd *cmd)
{
    g_autoptr(GString) buf = g_string_new(NULL);
    bool shell = vkCmdOptBool(cmd, "shell");
    bool xml = vkCmdOptBool(cmd, "xml");
    bool split = vkCmdOptBool(cmd, "split");
    const VkCmdOpt *opt = NULL;
    size_t count = 0;

    while ((opt = vkCmdOptArgvNext(cmd, opt))) {
        if (count++)
            g_string_append_c(buf, ' ');
        if (xml)
            vkEscapeXML(buf, opt->value);
        else if (shell)
            vkEscapeShell(buf, opt->value);
        else if (split)
            vkBuiltinSplit(buf, opt->value);
        else
            g_string_append(buf, opt->value);
    }
    if (buf->len == 0)
        return true;
    if (vkCmdOptBool(cmd, "err"))
        vkError(ctl, "%s", buf->str);
    else
        vkPrint(ctl, "%s", buf->str);
    return true;
}

/**
 * vkBuiltinCmdQuit:
 * @ctl: run state
 * @cmd: parsed "quit" or "exit" command
 *
 * Ends the shell (or the remaining commands of the line).
 *
 * Returns: true.
 */
bool
vkBuiltinCmdQuit(VkCtl *ctl, const VkCmd *cmd G_GNUC_UNUSED)
{
    ctl->quit = true;
    return true;
}

/**
 * vkBuiltinCmdConnect:
 * @ctl: run state
 * @cmd: parsed "connect" command
 *
 * Replaces the connection.  Without a URI reconnects to the current one,
 * keeping read-only mode; with a URI read-only applies only if --readonly
 * is given.  If the new connection fails, the next command reconnects to
 * the previous URI.
 *
 * Returns: true on success.
 */
bool
vkBuiltinCmdConnect(VkCtl *ctl, const VkCmd *cmd)
{
    const char *name = NULL;
    bool ro = vkCmdOptBool(cmd, "readonly");

    if (vkCmdOptString(ctl, cmd, "name", &name) < 0)
        return false;
    if (name && !*name)
        name = NULL;
    if (!name && !ro)
        ro = ctl->readonly;

    if (vkCtlConnect(ctl, name ? name : ctl->uri, ro) < 0) {
        vkError(ctl, "%s", "failed to connect to the hypervisor");
        return false;
    }
    if (name) {
        g_free(ctl->uri);
        ctl->uri = g_strdup(name);
    }
    return true;
}
