/* vk_cmd.c: the command-line parser and option getters
 *
 * One parser serves the three ways commands arrive: a single command-line
 * argument (a string that may hold several commands separated by ';' or
 * newlines), several command-line arguments (one word each, no separators)
 * and lines typed in the shell.  The rules are virsh's, observed with
 * virsh 9.0:
 *   - words are split on blanks; '...' quotes literally, "..." quotes with
 *     backslash escapes, a backslash escapes the next character, a backslash
 *     before a newline joins lines, a word starting with '#' starts a
 *     comment that runs to the end of the line;
 *   - "--name value" and "--name=value" give an option; "--" makes every
 *     following word a bare word; any word not of the form --<alnum>... is a
 *     bare word;
 *   - bare words fill the command's non-boolean options in table order,
 *     skipping those already given by name; an ARGV option takes all the
 *     remaining bare words;
 *   - "--help" on any command turns it into "help COMMAND";
 *   - the whole input is parsed before anything runs, and the first syntax
 *     error stops everything.
 */
#include <limits.h>
#include <string.h>

#include "vk_cmd.h"
#include "vk_commands.h"
#include "vk_ctl.h"
#include "vk_util.h"

typedef struct {
    const char *pos;          /* string mode: next character */
    char *const *argv;        /* argv mode: words */
    int argc;
    int idx;
} VkCmdSource;

static void
vkCmdOptListFree(VkCmdOpt *opt)
{
    while (opt) {
        VkCmdOpt *next = opt->next;

        g_free(opt->value);
        g_free(opt);
        opt = next;
    }
}

/**
 * vkCmdFree:
 * @cmd: chain of parsed commands, may be NULL
 *
 * Frees @cmd and every command chained after it.
 */
void
vkCmdFree(VkCmd *cmd)
{
    while (cmd) {
        VkCmd *next = cmd->next;

        vkCmdOptListFree(cmd->opts);
        g_free(cmd);
        cmd = next;
    }
}

/**
 * vkCmdNextToken:
 * @pos: in/out position in the text being parsed
 * @lenient: accept unterminated quotes and a trailing backslash (used for
 *           completing a line that is still being typed)
 * @retWord: set to the word for VK_TOKEN_ARG (caller owns)
 * @retError: set to an error message for VK_TOKEN_ERROR (caller owns)
 *
 * Reads the next word or separator of a command string.
 *
 * Returns: the kind of token read.
 */
VkToken
vkCmdNextToken(const char **pos, bool lenient, char **retWord, char **retError)
{
    const char *p = *pos;
    bool squote = false;
    bool dquote = false;
    GString *word;

    while (*p == ' ' || *p == '\t' || (*p == '\\' && p[1] == '\n'))
        p += (*p == '\\') ? 2 : 1;

    if (*p == '\0') {
        *pos = p;
        return VK_TOKEN_END;
    }
    if (*p == ';' || *p == '\n') {
        *pos = p + 1;
        return VK_TOKEN_END_CMD;
    }
    if (*p == '#') {
        while (*p && *p != '\n')
            p++;
        *pos = *p ? p + 1 : p;
        return VK_TOKEN_END_CMD;
    }

    word = g_string_new(NULL);
    while (*p) {
        if (!squote && !dquote &&
            (*p == ' ' || *p == '\t' || *p == ';' || *p == '\n'))
            break;
        if (!dquote && *p == '\'') {
            squote = !squote;
            p++;
            continue;
        }
        if (!squote && *p == '\\') {
            p++;
            if (*p == '\0') {
                if (lenient)
                    break;
                g_string_free(word, TRUE);
                *retError = g_strdup("dangling \\");
                return VK_TOKEN_ERROR;
            }
            if (*p == '\n') {
                p++;
                continue;
            }
        } else if (!squote && *p == '"') {
            dquote = !dquote;
            p++;
            continue;
        }
        g_string_append_c(word, *p);
        p++;
    }
    if (dquote && !lenient) {
        g_string_free(word, TRUE);
        *retError = g_strdup("missing \"");
        return VK_TOKEN_ERROR;
    }
    *pos = p;
    *retWord = g_string_free(word, FALSE);
    return VK_TOKEN_ARG;
}

static VkToken
vkCmdSourceNext(VkCmdSource *src, char **retWord, char **retError)
{
    if (src->argv) {
        if (src->idx >= src->argc)
            return VK_TOKEN_END;
        *retWord = g_strdup(src->argv[src->idx++]);
        return VK_TOKEN_ARG;
    }
    return vkCmdNextToken(&src->pos, false, retWord, retError);
}

/**
 * vkCmdDefFindOpt:
 * @def: command definition
 * @name: option name without dashes
 *
 * Returns: the option definition, or NULL if the command has no such option.
 */
const VkOptDef *
vkCmdDefFindOpt(const VkCmdDef *def, const char *name)
{
    const VkOptDef *opt;

    for (opt = def->opts; opt && opt->name; opt++) {
        if (vkStreq(opt->name, name))
            return opt;
    }
    return NULL;
}

static void
vkCmdAppendOpt(VkCmdOpt ***tail, const VkOptDef *def, char *value)
{
    VkCmdOpt *opt = g_new0(VkCmdOpt, 1);

    opt->def = def;
    opt->value = value;
    **tail = opt;
    *tail = &opt->next;
}

/* Parses one command (up to a separator or the end) into @retCmd, which is
 * left NULL for an empty command.  Returns the token that ended it. */
static VkToken
vkCmdParseOne(VkCmdSource *src, VkCmd **retCmd, char **retError)
{
    const VkCmdDef *def = NULL;
    VkCmdOpt *opts = NULL;
    VkCmdOpt **tail = &opts;
    guint64 needArg = 0;
    guint64 seen = 0;
    bool dataOnly = false;
    bool wantHelp = false;
    VkToken tk;
    size_t i;

    for (;;) {
        g_autofree char *word = NULL;
        const VkOptDef *opt;
        size_t idx;

        tk = vkCmdSourceNext(src, &word, retError);
        if (tk == VK_TOKEN_ERROR)
            goto error;
        if (tk != VK_TOKEN_ARG)
            break;

        if (!def) {
            if (!(def = vkCommandsLookup(word))) {
                *retError = g_strdup_printf("unknown command: '%s'", word);
                goto error;
            }
            for (i = 0; def->opts && def->opts[i].name; i++) {
                if (def->opts[i].type != VK_OPT_BOOL &&
                    !(def->opts[i].flags & VK_OFLAG_NAMED_ONLY))
                    needArg |= G_GUINT64_CONSTANT(1) << i;
            }
            continue;
        }

        if (!dataOnly && word[0] == '-' && word[1] == '-' && g_ascii_isalnum(word[2])) {
            char *value = NULL;
            char *eq = strchr(word + 2, '=');

            if (eq) {
                *eq = '\0';
                value = g_strdup(eq + 1);
            }
            if (!(opt = vkCmdDefFindOpt(def, word + 2))) {
                g_free(value);
                if (vkStreq(word + 2, "help")) {
                    wantHelp = true;
                    continue;
                }
                if (vkStreq(def->name, "help"))
                    continue;
                *retError = g_strdup_printf("command '%s' doesn't support option --%s",
                                            def->name, word + 2);
                goto error;
            }
            idx = (size_t) (opt - def->opts);
            if ((seen & (G_GUINT64_CONSTANT(1) << idx)) && opt->type != VK_OPT_ARGV) {
                g_free(value);
                *retError = g_strdup_printf("option --%s already seen", opt->name);
                goto error;
            }
            seen |= G_GUINT64_CONSTANT(1) << idx;
            if (opt->type == VK_OPT_BOOL) {
                if (value) {
                    g_free(value);
                    *retError = g_strdup_printf("invalid '=' after option --%s", opt->name);
                    goto error;
                }
            } else {
                if (!value) {
                    tk = vkCmdSourceNext(src, &value, retError);
                    if (tk == VK_TOKEN_ERROR)
                        goto error;
                    if (tk != VK_TOKEN_ARG) {
                        *retError = g_strdup_printf("expected syntax: --%s <%s>", opt->name,
                                                    opt->type == VK_OPT_INT ? "number" : "string");
                        goto error;
                    }
                }
                if (opt->type != VK_OPT_ARGV)
                    needArg &= ~(G_GUINT64_CONSTANT(1) << idx);
            }
            vkCmdAppendOpt(&tail, opt, value);
            continue;
        }

        if (!dataOnly && vkStreq(word, "--")) {
            dataOnly = true;
            continue;
        }

        if (!needArg) {
            if (vkStreq(def->name, "help"))
                continue;
            *retError = g_strdup_printf("unexpected data '%s'", word);
            goto error;
        }
        idx = (size_t) __builtin_ctzll(needArg);
        opt = &def->opts[idx];
        if (opt->type != VK_OPT_ARGV)
            needArg &= ~(G_GUINT64_CONSTANT(1) << idx);
        seen |= G_GUINT64_CONSTANT(1) << idx;
        vkCmdAppendOpt(&tail, opt, g_steal_pointer(&word));
    }

    if (def) {
        VkCmd *cmd;

        if (wantHelp) {
            const VkCmdDef *help = vkCommandsLookup("help");
            char *name = g_strdup(def->name);

            vkCmdOptListFree(opts);
            opts = NULL;
            tail = &opts;
            vkCmdAppendOpt(&tail, vkCmdDefFindOpt(help, "command"), name);
            def = help;
        } else {
            for (i = 0; def->opts && def->opts[i].name; i++) {
                const VkOptDef *o = &def->opts[i];

                if (!(o->flags & VK_OFLAG_REQUIRED) || (seen & (G_GUINT64_CONSTANT(1) << i)))
                    continue;
                if (o->type == VK_OPT_DATA || o->type == VK_OPT_ARGV)
                    *retError = g_strdup_printf("command '%s' requires <%s> option",
                                                def->name, o->name);
                else
                    *retError = g_strdup_printf("command '%s' requires --%s option",
                                                def->name, o->name);
                goto error;
            }
        }
        cmd = g_new0(VkCmd, 1);
        cmd->def = def;
        cmd->opts = opts;
        *retCmd = cmd;
    }
    return tk;

 error:
    vkCmdOptListFree(opts);
    return VK_TOKEN_ERROR;
}

static int
vkCmdParse(VkCmdSource *src, VkCmd **retCmds, char **retError)
{
    VkCmd *first = NULL;
    VkCmd **tail = &first;
    VkToken tk;

    do {
        VkCmd *cmd = NULL;

        tk = vkCmdParseOne(src, &cmd, retError);
        if (tk == VK_TOKEN_ERROR) {
            vkCmdFree(first);
            return -1;
        }
        if (cmd) {
            *tail = cmd;
            tail = &cmd->next;
        }
    } while (tk != VK_TOKEN_END);

    *retCmds = first;
    return 0;
}

/**
 * vkCmdParseString:
 * @line: one or more commands, separated by ';' or newlines
 * @retCmds: set to the chain of parsed commands (NULL if @line is empty)
 * @retError: set to the message of a syntax error (caller owns)
 *
 * Returns: 0 on success, -1 on a syntax error.
 */
int
vkCmdParseString(const char *line, VkCmd **retCmds, char **retError)
{
    VkCmdSource src = { .pos = line };

    return vkCmdParse(&src, retCmds, retError);
}

/**
 * vkCmdParseArgv:
 * @argc: number of words
 * @argv: one command, one word per element (no quoting, no separators)
 * @retCmds: set to the parsed command
 * @retError: set to the message of a syntax error (caller owns)
 *
 * Returns: 0 on success, -1 on a syntax error.
 */
int
vkCmdParseArgv(int argc, char *const *argv, VkCmd **retCmds, char **retError)
{
    VkCmdSource src = { .argv = argv, .argc = argc };

    return vkCmdParse(&src, retCmds, retError);
}

/**
 * vkCmdSynopsis:
 * @def: command definition
 *
 * Returns: the one-line usage of the command, e.g.
 * "setmem <domain> <size> [--config]" (caller owns).
 */
char *
vkCmdSynopsis(const VkCmdDef *def)
{
    GString *buf = g_string_new(def->name);
    const VkOptDef *opt;

    for (opt = def->opts; opt && opt->name; opt++) {
        bool req = opt->flags & VK_OFLAG_REQUIRED;

        switch (opt->type) {
        case VK_OPT_BOOL:
            g_string_append_printf(buf, " [--%s]", opt->name);
            break;
        case VK_OPT_STRING:
            g_string_append_printf(buf, req ? " --%s <string>" : " [--%s <string>]", opt->name);
            break;
        case VK_OPT_INT:
            g_string_append_printf(buf, req ? " <%s>" : " [--%s <number>]", opt->name);
            break;
        case VK_OPT_DATA:
            g_string_append_printf(buf, req ? " <%s>" : " [<%s>]", opt->name);
            break;
        case VK_OPT_ARGV:
            g_string_append_printf(buf, req ? " <%s>..." : " [<%s>]...", opt->name);
            break;
        }
    }
    return g_string_free(buf, FALSE);
}

static const VkCmdOpt *
vkCmdFindGiven(const VkCmd *cmd, const char *name)
{
    const VkCmdOpt *opt;

    for (opt = cmd->opts; opt; opt = opt->next) {
        if (vkStreq(opt->def->name, name))
            return opt;
    }
    return NULL;
}

/**
 * vkCmdOptBool:
 * @cmd: parsed command
 * @name: option name
 *
 * Returns: true if the option was given (of any type).
 */
bool
vkCmdOptBool(const VkCmd *cmd, const char *name)
{
    return vkCmdFindGiven(cmd, name) != NULL;
}

/**
 * vkCmdOptRaw:
 * @cmd: parsed command
 * @name: option name
 *
 * Returns: the option's value as given, or NULL if absent.
 */
const char *
vkCmdOptRaw(const VkCmd *cmd, const char *name)
{
    const VkCmdOpt *opt = vkCmdFindGiven(cmd, name);

    return opt ? opt->value : NULL;
}

/**
 * vkCmdOptString:
 * @ctl: run state (for error output)
 * @cmd: parsed command
 * @name: option name
 * @retValue: set to the value, or NULL if absent
 *
 * Returns: 1 if given, 0 if absent, -1 after printing an error (empty value).
 */
int
vkCmdOptString(VkCtl *ctl, const VkCmd *cmd, const char *name, const char **retValue)
{
    const VkCmdOpt *opt = vkCmdFindGiven(cmd, name);

    *retValue = NULL;
    if (!opt)
        return 0;
    if (!*opt->value && !(opt->def->flags & VK_OFLAG_EMPTY_OK)) {
        vkError(ctl, "Failed to get option '%s': Option argument is empty", name);
        return -1;
    }
    *retValue = opt->value;
    return 1;
}

static void
vkCmdNumericError(VkCtl *ctl, const char *value, const char *name)
{
    vkError(ctl, "Numeric value '%s' for <%s> option is malformed or out of range",
            value, name);
}

/**
 * vkCmdOptInt:
 * @ctl: run state
 * @cmd: parsed command
 * @name: option name
 * @retValue: set to the value when given
 *
 * Returns: 1 if given, 0 if absent, -1 after printing an error.
 */
int
vkCmdOptInt(VkCtl *ctl, const VkCmd *cmd, const char *name, int *retValue)
{
    const char *raw = vkCmdOptRaw(cmd, name);

    if (!raw)
        return 0;
    if (vkParseInt(raw, retValue) < 0) {
        vkCmdNumericError(ctl, raw, name);
        return -1;
    }
    return 1;
}

/**
 * vkCmdOptUInt:
 * @ctl: run state
 * @cmd: parsed command
 * @name: option name
 * @retValue: set to the value when given
 *
 * Like vkCmdOptInt() for a non-negative number.
 *
 * Returns: 1 if given, 0 if absent, -1 after printing an error.
 */
int
vkCmdOptUInt(VkCtl *ctl, const VkCmd *cmd, const char *name, unsigned int *retValue)
{
    const char *raw = vkCmdOptRaw(cmd, name);

    if (!raw)
        return 0;
    if (vkParseUIntPositive(raw, retValue) < 0) {
        vkCmdNumericError(ctl, raw, name);
        return -1;
    }
    return 1;
}

/**
 * vkCmdOptScaled:
 * @ctl: run state
 * @cmd: parsed command
 * @name: option name
 * @scale: unit of a number given without suffix (1024 for KiB)
 * @max: largest value accepted, in bytes
 * @retValue: set to the value in bytes when given
 *
 * Reads a size such as "512", "2G" or "1500MB".  On error prints virsh's
 * message and records the detail (bad suffix, overflow) as the pending
 * library error, which is how virsh reports it.
 *
 * Returns: 1 if given, 0 if absent, -1 after printing an error.
 */
int
vkCmdOptScaled(VkCtl *ctl, const VkCmd *cmd, const char *name, unsigned long long scale,
               unsigned long long max, unsigned long long *retValue)
{
    const char *raw = vkCmdOptRaw(cmd, name);
    g_autofree char *detail = NULL;
    unsigned long long val;
    const char *end = NULL;

    if (!raw)
        return 0;
    if (vkParseULLPrefix(raw, &val, &end) < 0 ||
        vkScaleInteger(&val, end, scale, max, &detail) < 0) {
        vkError(ctl, "Scaled numeric value '%s' for <%s> option is malformed or out of range",
                raw, name);
        if (detail)
            vkSetError(ctl, detail);
        return -1;
    }
    *retValue = val;
    return 1;
}

/**
 * vkCmdOptTimeoutMs:
 * @ctl: run state
 * @cmd: parsed command with a "timeout" option (seconds)
 * @retTimeout: set to the timeout in milliseconds when given
 *
 * Returns: 1 if given, 0 if absent, -1 after printing an error (not a
 * positive number of seconds that fits in an int of milliseconds).
 */
int
vkCmdOptTimeoutMs(VkCtl *ctl, const VkCmd *cmd, int *retTimeout)
{
    const char *raw = vkCmdOptRaw(cmd, "timeout");
    int secs;

    if (!raw)
        return 0;
    if (vkParseInt(raw, &secs) < 0 || secs < 1 || secs > INT_MAX / 1000) {
        vkCmdNumericError(ctl, raw, "timeout");
        return -1;
    }
    *retTimeout = secs * 1000;
    return 1;
}

/**
 * vkCmdOptArgvNext:
 * @cmd: parsed command
 * @prev: previous result, NULL to start
 *
 * Returns: the next value of the command's ARGV option, or NULL.
 */
const VkCmdOpt *
vkCmdOptArgvNext(const VkCmd *cmd, const VkCmdOpt *prev)
{
    const VkCmdOpt *opt = prev ? prev->next : cmd->opts;

    for (; opt; opt = opt->next) {
        if (opt->def->type == VK_OPT_ARGV)
            return opt;
    }
    return NULL;
}

/**
 * vkCmdCheckExclusive:
 * @ctl: run state
 * @a: whether the first option is in effect
 * @nameA: its name
 * @b: whether the second option is in effect
 * @nameB: its name
 *
 * Returns: false after printing an error if both are in effect.
 */
bool
vkCmdCheckExclusive(VkCtl *ctl, bool a, const char *nameA, bool b, const char *nameB)
{
    if (a && b) {
        vkError(ctl, "Options --%s and --%s are mutually exclusive", nameA, nameB);
        return false;
    }
    return true;
}

/**
 * vkCmdCheckRequires:
 * @ctl: run state
 * @opt: whether the option is in effect
 * @name: its name
 * @needed: whether the option it depends on is in effect
 * @neededName: that option's name
 *
 * Returns: false after printing an error if @opt is given without @needed.
 */
bool
vkCmdCheckRequires(VkCtl *ctl, bool opt, const char *name, bool needed, const char *neededName)
{
    if (opt && !needed) {
        vkError(ctl, "Option --%s is required by option --%s", neededName, name);
        return false;
    }
    return true;
}
