/* vk_shell.c: the interactive shell: line editing, history, completion
 *
 * Line editing and history come from libedit's readline interface.  When
 * standard input is not a terminal the shell reads plain lines and echoes
 * each one after the prompt, which is what virsh's readline does, so that
 * transcripts look the same.
 *
 * Completion works on the same words the parser sees: the first word of a
 * command completes to command names, "--" words to the options the command
 * has not had yet, and values to what the option takes (domain names from
 * the connection, event names, command names, file names).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <editline/readline.h>
#include <glib-unix.h>

#include "vk_shell.h"
#include "vk_commands.h"
#include "vk_event.h"
#include "vk_util.h"

#define VK_SHELL_HISTORY_MAX 500

static VkCtl *vkShellCtl;            /* for the completion callbacks */
static char **vkShellMatches;        /* candidates of the current completion */
static size_t vkShellMatchIdx;
static volatile sig_atomic_t vkShellInterrupted;

static void
vkShellAddDomains(VkCtl *ctl, const VkOptDef *opt, GPtrArray *out)
{
    virDomainPtr *doms = NULL;
    int n;
    int i;

    if (!ctl->conn) {
        /* complete quietly: a failing connection is reported by the next command */
        if (vkCtlConnect(ctl, ctl->uri, ctl->readonly) < 0) {
            vkResetError(ctl);
            return;
        }
    }
    if ((n = virConnectListAllDomains(ctl->conn, &doms, opt->completeFlags)) < 0) {
        vkResetError(ctl);
        return;
    }
    for (i = 0; i < n; i++) {
        g_ptr_array_add(out, g_strdup(virDomainGetName(doms[i])));
        virDomainFree(doms[i]);
    }
    free(doms);
}

static void
vkShellAddValues(VkCtl *ctl, const VkOptDef *opt, GPtrArray *out)
{
    const VkCmdDef *def;
    size_t i;

    switch (opt->complete) {
    case VK_COMPLETE_DOMAIN:
        vkShellAddDomains(ctl, opt, out);
        break;
    case VK_COMPLETE_EVENT:
        for (i = 0; i < vkEventCount(); i++)
            g_ptr_array_add(out, g_strdup(vkEventName(i)));
        break;
    case VK_COMPLETE_COMMAND:
        for (def = vkCommands; def->name; def++)
            g_ptr_array_add(out, g_strdup(def->name));
        break;
    case VK_COMPLETE_FILE:
    case VK_COMPLETE_NONE:
        break;
    }
}

/**
 * vkShellCandidates:
 * @ctl: run state (the connection is used for domain names)
 * @line: the whole line being edited
 * @wordStart: offset in @line of the word being completed
 * @word: the word being completed (may be empty)
 *
 * Works out what may be typed at the cursor.  Candidates that do not
 * start with @word are left out.  A single entry "\x01file" asks the
 * caller to complete a file name instead.
 *
 * Returns: a NULL-terminated list (caller owns, g_strfreev()), possibly empty.
 */
char **
vkShellCandidates(VkCtl *ctl, const char *line, size_t wordStart, const char *word)
{
    g_autofree char *prefix = g_strndup(line, wordStart);
    g_autoptr(GPtrArray) words = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(g_free);
    const char *pos = prefix;
    const VkCmdDef *def;
    const VkOptDef *pending = NULL;
    guint64 seen = 0;
    bool dataOnly = false;
    GPtrArray *result;
    size_t i;

    /* the words of the command the cursor is in */
    for (;;) {
        char *w = NULL;
        char *err = NULL;
        VkToken tk = vkCmdNextToken(&pos, true, &w, &err);

        g_free(err);
        if (tk == VK_TOKEN_END || tk == VK_TOKEN_ERROR)
            break;
        if (tk == VK_TOKEN_END_CMD) {
            g_ptr_array_set_size(words, 0);
            continue;
        }
        g_ptr_array_add(words, w);
    }

    if (words->len == 0) {
        for (def = vkCommands; def->name; def++)
            g_ptr_array_add(out, g_strdup(def->name));
        goto done;
    }
    if (!(def = vkCommandsLookup(g_ptr_array_index(words, 0))))
        goto done;

    /* replay the parser's rules to see which options are taken */
    for (i = 1; i < words->len; i++) {
        const char *w = g_ptr_array_index(words, i);
        const VkOptDef *opt;

        if (pending) {
            pending = NULL;
            continue;
        }
        if (!dataOnly && g_str_has_prefix(w, "--") && g_ascii_isalnum(w[2])) {
            g_autofree char *name = g_strndup(w + 2, strcspn(w + 2, "="));

            if ((opt = vkCmdDefFindOpt(def, name))) {
                seen |= G_GUINT64_CONSTANT(1) << (opt - def->opts);
                if (opt->type != VK_OPT_BOOL && !strchr(w, '='))
                    pending = opt;
            }
            continue;
        }
        if (!dataOnly && vkStreq(w, "--")) {
            dataOnly = true;
            continue;
        }
        for (opt = def->opts; opt && opt->name; opt++) {
            guint64 bit = G_GUINT64_CONSTANT(1) << (opt - def->opts);

            if (opt->type != VK_OPT_BOOL && !(seen & bit)) {
                if (opt->type != VK_OPT_ARGV)
                    seen |= bit;
                break;
            }
        }
    }

    if (pending) {
        if (pending->complete == VK_COMPLETE_FILE)
            goto file;
        vkShellAddValues(ctl, pending, out);
        goto done;
    }

    if (!g_str_has_prefix(word, "-")) {
        const VkOptDef *opt;

        for (opt = def->opts; opt && opt->name; opt++) {
            guint64 bit = G_GUINT64_CONSTANT(1) << (opt - def->opts);

            if (opt->type == VK_OPT_BOOL || (seen & bit))
                continue;
            if (opt->complete == VK_COMPLETE_FILE)
                goto file;
            vkShellAddValues(ctl, opt, out);
            break;
        }
    }
    if (!dataOnly && (!*word || g_str_has_prefix(word, "-"))) {
        const VkOptDef *opt;

        for (opt = def->opts; opt && opt->name; opt++) {
            guint64 bit = G_GUINT64_CONSTANT(1) << (opt - def->opts);

            if (!(seen & bit) || opt->type == VK_OPT_ARGV)
                g_ptr_array_add(out, g_strdup_printf("--%s", opt->name));
        }
    }

 done:
    result = g_ptr_array_new();
    for (i = 0; i < out->len; i++) {
        const char *c = g_ptr_array_index(out, i);

        if (g_str_has_prefix(c, word))
            g_ptr_array_add(result, g_strdup(c));
    }
    g_ptr_array_add(result, NULL);
    return (char **) g_ptr_array_free(result, FALSE);

 file:
    result = g_ptr_array_new();
    g_ptr_array_add(result, g_strdup("\x01" "file"));
    g_ptr_array_add(result, NULL);
    return (char **) g_ptr_array_free(result, FALSE);
}

static char *
vkShellGenerator(const char *text G_GNUC_UNUSED, int state)
{
    if (state == 0)
        vkShellMatchIdx = 0;
    if (!vkShellMatches || !vkShellMatches[vkShellMatchIdx])
        return NULL;
    /* readline frees the matches with free() */
    return strdup(vkShellMatches[vkShellMatchIdx++]);
}

static char **
vkShellComplete(const char *text, int start, int end G_GNUC_UNUSED)
{
    g_strfreev(vkShellMatches);
    vkShellMatches = vkShellCandidates(vkShellCtl, rl_line_buffer, (size_t) start, text);

    if (vkShellMatches[0] && vkStreq(vkShellMatches[0], "\x01" "file")) {
        g_clear_pointer(&vkShellMatches, g_strfreev);
        rl_attempted_completion_over = 0;
        return NULL;
    }
    rl_attempted_completion_over = 1;
    if (!vkShellMatches[0])
        return NULL;
    return rl_completion_matches(text, vkShellGenerator);
}

static char *
vkShellHistoryFile(void)
{
    g_autofree char *dir = g_build_filename(g_get_user_cache_dir(), "virtkit", NULL);

    if (g_mkdir_with_parents(dir, 0755) < 0)
        return NULL;
    return g_build_filename(dir, "history", NULL);
}

/* Written by the SIGINT handler so that a terminal read in progress wakes. */
static int vkShellWakeFds[2] = { -1, -1 };

static void
vkShellSigint(int sig G_GNUC_UNUSED)
{
    int saved = errno;
    char c = 0;

    vkShellInterrupted = 1;
    if (vkShellWakeFds[1] >= 0 && write(vkShellWakeFds[1], &c, 1) < 0) {
        /* the pipe is full: a wake-up is already pending */
    }
    errno = saved;
}

/*
 * Character source for the line editor.  A Ctrl-C must end the line being
 * edited at once; relying on read() failing with EINTR is not enough: the
 * editor retries an interrupted read, and whether the signal lands before or
 * during that retry is a race (seen under load in CI).  So wait on the
 * terminal and on a pipe the handler writes to, and answer end-of-input
 * once interrupted.
 */
static int
vkShellGetc(FILE *in)
{
    for (;;) {
        struct pollfd fds[2] = {
            { .fd = fileno(in), .events = POLLIN },
            { .fd = vkShellWakeFds[0], .events = POLLIN },
        };
        unsigned char c;
        ssize_t n;

        if (vkShellInterrupted)
            return EOF;
        if (poll(fds, vkShellWakeFds[0] >= 0 ? 2 : 1, -1) < 0) {
            if (errno == EINTR)
                continue;
            return EOF;
        }
        if (fds[1].revents & POLLIN) {
            char buf[16];

            while (read(vkShellWakeFds[0], buf, sizeof(buf)) > 0)
                ;
            continue;
        }
        if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR)))
            continue;
        n = read(fileno(in), &c, 1);
        if (n == 1)
            return c;
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        return EOF;
    }
}

/* Reads one line: with libedit on a terminal, else plain with the line
 * echoed after the prompt.  Returns NULL at end of input; *retInterrupted
 * tells a Ctrl-C at the prompt apart (caller owns the line, free()). */
static char *
vkShellReadLine(const char *prompt, bool tty, bool *retInterrupted)
{
    struct sigaction sa;
    struct sigaction oldsa;
    char *line;

    *retInterrupted = false;
    if (!tty) {
        g_autoptr(GString) buf = g_string_new(NULL);
        int c;

        fputs(prompt, stdout);
        fflush(stdout);
        while ((c = getchar()) != EOF && c != '\n')
            g_string_append_c(buf, (char) c);
        if (c == EOF && buf->len == 0)
            return NULL;
        printf("%s\n", buf->str);
        return strdup(buf->str);
    }

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = vkShellSigint;
    sigemptyset(&sa.sa_mask);
    vkShellInterrupted = 0;
    sigaction(SIGINT, &sa, &oldsa);
    line = readline(prompt);
    sigaction(SIGINT, &oldsa, NULL);
    if (!line && vkShellInterrupted)
        *retInterrupted = true;
    return line;
}

/**
 * vkShellRun:
 * @ctl: run state
 *
 * Runs the interactive shell until "quit", "exit" or end of input.
 * Ctrl-C at the prompt abandons the line being typed.
 *
 * Returns: 0 (the shell's exit status, whatever the commands did, as virsh).
 */
int
vkShellRun(VkCtl *ctl)
{
    g_autofree char *histfile = vkShellHistoryFile();
    bool tty = isatty(STDIN_FILENO);

    vkShellCtl = ctl;
    ctl->interactive = true;
    if (tty) {
        rl_readline_name = "virtkit";
        if (vkShellWakeFds[0] < 0 && g_unix_open_pipe(vkShellWakeFds, FD_CLOEXEC, NULL)) {
            g_unix_set_fd_nonblocking(vkShellWakeFds[0], TRUE, NULL);
            g_unix_set_fd_nonblocking(vkShellWakeFds[1], TRUE, NULL);
        }
        rl_getc_function = vkShellGetc;
        rl_attempted_completion_function = vkShellComplete;
        rl_basic_word_break_characters = " \t\n;";
        using_history();
        stifle_history(VK_SHELL_HISTORY_MAX);
        if (histfile)
            read_history(histfile);
    }

    vkPrintExtra(ctl, "%s",
                 "Welcome to virtkit, the interactive virtualization shell.\n\n"
                 "Type:  'help' for help with commands\n"
                 "       'quit' to quit\n\n");

    while (!ctl->quit) {
        const char *prompt = ctl->readonly ? "virtkit > " : "virtkit # ";
        g_autoptr(VkCmd) cmds = NULL;
        g_autofree char *error = NULL;
        bool interrupted = false;
        char *line;

        fflush(stdout);
        if (!(line = vkShellReadLine(prompt, tty, &interrupted))) {
            if (interrupted) {
                fputc('\n', stdout);
                continue;
            }
            break;
        }
        if (tty && *line)
            add_history(line);
        if (vkCmdParseString(line, &cmds, &error) < 0)
            vkError(ctl, "%s", error);
        else if (cmds)
            vkCtlRunCommands(ctl, cmds);
        free(line);
    }

    /* virsh ends the session with an empty line, after "quit" or at EOF */
    fputc('\n', stdout);
    fflush(stdout);
    if (tty && histfile)
        write_history(histfile);
    g_clear_pointer(&vkShellMatches, g_strfreev);
    vkShellCtl = NULL;
    return 0;
}
