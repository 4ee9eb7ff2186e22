/* vk_console.c: commands that use streams: console and screenshot */

/*
 * Both follow virsh 9.0's behaviour and texts: "console" puts the
 * terminal in raw mode, copies the guest's console to stdout and the
 * keyboard to the guest until the escape character (-e, default ^]) or
 * the end of the console; "screenshot" saves the image under a generated
 * name NAME-YYYY-MM-DD-HH:MM:SS.EXT unless a file is given.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "vk_console.h"
#include "vk_domain.h"
#include "vk_util.h"

/* How long the console loop sleeps in poll() between looks at the stream. */
#define VK_CONSOLE_POLL_MS 10

/* The byte the escape sequence stands for: "^]" is Ctrl + ], "x" is x. */
static char
vkConsoleEscapeByte(const char *esc)
{
    if (esc[0] == '^' && esc[1])
        return (char)(g_ascii_toupper(esc[1]) ^ 0x40);
    return esc[0];
}

/* Writes all of @buf to @fd (stdout), riding out EAGAIN/EINTR. */
static int
vkConsoleWriteAll(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);

        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                struct pollfd p = { .fd = fd, .events = POLLOUT };

                poll(&p, 1, 100);
                continue;
            }
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Sends all of @buf on the non-blocking stream. */
static int
vkConsoleSendAll(virStreamPtr st, const char *buf, size_t len)
{
    while (len > 0) {
        int n = virStreamSend(st, buf, len);

        if (n == -2) {
            g_usleep(1000);
            continue;
        }
        if (n < 0)
            return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/*
 * The copy loop.  Returns 0 when the user typed the escape character or
 * the console ended, -1 on a stream error (left for the caller to report).
 */
static int
vkConsoleLoop(virStreamPtr st, char escape)
{
    char buf[4096];

    for (;;) {
        struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
        int n;

        /* Everything the guest wrote so far. */
        while ((n = virStreamRecv(st, buf, sizeof(buf))) > 0) {
            if (vkConsoleWriteAll(STDOUT_FILENO, buf, (size_t)n) < 0)
                return 0;
        }
        if (n == 0)
            return 0;   /* the console closed (guest stopped, session taken) */
        if (n != -2)
            return -1;

        if (poll(&p, 1, VK_CONSOLE_POLL_MS) < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (!(p.revents & (POLLIN | POLLHUP | POLLERR)))
            continue;
        n = (int)read(STDIN_FILENO, buf, sizeof(buf));
        if (n <= 0) {
            if (n < 0 && (errno == EINTR || errno == EAGAIN))
                continue;
            return 0;   /* no more input */
        }
        {
            char *esc = memchr(buf, escape, (size_t)n);
            size_t len = esc ? (size_t)(esc - buf) : (size_t)n;

            if (len > 0 && vkConsoleSendAll(st, buf, len) < 0)
                return -1;
            if (esc)
                return 0;
        }
    }
}

/**
 * vkConsoleCmdConsole:
 * @ctl: run state
 * @cmd: parsed "console" command
 *
 * Connects the terminal to the domain's text console, as virsh console.
 *
 * Returns: true when the session ended normally.
 */
bool
vkConsoleCmdConsole(VkCtl *ctl, const VkCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    const char *devname = NULL;
    const char *escape = ctl->escape ? ctl->escape : "^]";
    unsigned int flags = 0;
    struct termios saved;
    struct termios raw;
    virStreamPtr st = NULL;
    int state = 0;
    bool ret = false;
    int rc;

    if (!(dom = vkDomainLookup(ctl, cmd, "domain", VK_DOMAIN_BY_ANY, NULL)))
        return false;
    if (vkCmdOptString(ctl, cmd, "devname", &devname) < 0)
        return false;
    if (vkCmdOptBool(cmd, "force"))
        flags |= VIR_DOMAIN_CONSOLE_FORCE;
    if (vkCmdOptBool(cmd, "safe"))
        flags |= VIR_DOMAIN_CONSOLE_SAFE;
    if (virDomainGetState(dom, &state, NULL, 0) < 0) {
        vkError(ctl, "Unable to get domain status");
        return false;
    }
    if (state == VIR_DOMAIN_SHUTOFF) {
        vkError(ctl, "The domain is not running");
        return false;
    }
    if (!isatty(STDIN_FILENO)) {
        vkError(ctl, "Cannot run interactive console without a controlling TTY");
        return false;
    }

    vkPrintExtra(ctl, "Connected to domain '%s'\n", virDomainGetName(dom));
    vkPrintExtra(ctl, "Escape character is %s", escape);
    if (escape[0] == '^')
        vkPrintExtra(ctl, " (Ctrl + %c)", escape[1]);
    vkPrintExtra(ctl, "\n");
    fflush(stdout);

    if (tcgetattr(STDIN_FILENO, &saved) < 0) {
        vkError(ctl, "unable to get tty attributes: %s", g_strerror(errno));
        return false;
    }
    raw = saved;
    cfmakeraw(&raw);
    if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) < 0) {
        vkError(ctl, "unable to set tty attributes: %s", g_strerror(errno));
        return false;
    }

    if (!(st = virStreamNew(vkCtlConn(ctl), VIR_STREAM_NONBLOCK)))
        goto restore;
    if (virDomainOpenConsole(dom, devname, st, flags) < 0)
        goto restore;
    rc = vkConsoleLoop(st, vkConsoleEscapeByte(escape));
    if (rc == 0) {
        /* Leaving: the other end needs no more data from us. */
        virStreamAbort(st);
        vkResetError(ctl);
        ret = true;
    } else {
        virStreamAbort(st);
    }

 restore:
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    if (st)
        virStreamFree(st);
    /* The command loop prints the newline that ends the session's last line. */
    fflush(stdout);
    return ret;
}

/* The file name virsh makes up: NAME-YYYY-MM-DD-HH:MM:SS plus an extension for known types. */
static char *
vkConsoleScreenshotName(virDomainPtr dom, const char *mime)
{
    const char *ext = "";
    char stamp[64];
    time_t now = time(NULL);
    struct tm tm;

    if (g_str_equal(mime, "image/x-portable-pixmap"))
        ext = ".ppm";
    else if (g_str_equal(mime, "image/png"))
        ext = ".png";
    localtime_r(&now, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%d-%H:%M:%S", &tm);
    return g_strdup_printf("%s-%s%s", virDomainGetName(dom), stamp, ext);
}

static int
vkConsoleSink(virStreamPtr st G_GNUC_UNUSED, const char *data, size_t nbytes, void *opaque)
{
    int fd = *(int *)opaque;

    return vkConsoleWriteAll(fd, data, nbytes) < 0 ? -1 : (int)nbytes;
}

/**
 * vkConsoleCmdScreenshot:
 * @ctl: run state
 * @cmd: parsed "screenshot" command
 *
 * Saves a screenshot of the domain's display, as virsh screenshot.
 *
 * Returns: true on success.
 */
bool
vkConsoleCmdScreenshot(VkCtl *ctl, const VkCmd *cmd)
{
    g_autoptr(virDomain) dom = NULL;
    g_autofree char *generated = NULL;
    const char *name = NULL;
    const char *file = NULL;
    unsigned int screen = 0;
    virStreamPtr st = NULL;
    char *mime = NULL;
    bool created = false;
    bool ret = false;
    int fd = -1;

    if (!(dom = vkDomainLookup(ctl, cmd, "domain", VK_DOMAIN_BY_ANY, &name)))
        return false;
    if (vkCmdOptUInt(ctl, cmd, "screen", &screen) < 0)
        return false;
    if (vkCmdOptString(ctl, cmd, "file", &file) < 0)
        return false;
    if (!(st = virStreamNew(vkCtlConn(ctl), 0)))
        return false;
    if (!(mime = virDomainScreenshot(dom, st, screen, 0))) {
        vkError(ctl, "could not take a screenshot of %s", name);
        goto cleanup;
    }
    if (!file)
        file = generated = vkConsoleScreenshotName(dom, mime);
    if ((fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666)) >= 0) {
        created = true;
    } else if (errno != EEXIST ||
               (fd = open(file, O_WRONLY | O_TRUNC | O_CLOEXEC, 0666)) < 0) {
        vkError(ctl, "cannot create file %s", file);
        goto cleanup;
    }
    if (virStreamRecvAll(st, vkConsoleSink, &fd) < 0) {
        vkError(ctl, "could not receive data from domain %s", name);
        goto cleanup;
    }
    if (close(fd) < 0) {
        fd = -1;
        vkError(ctl, "cannot close file %s", file);
        goto cleanup;
    }
    fd = -1;
    if (virStreamFinish(st) < 0) {
        vkError(ctl, "cannot close stream on domain %s", name);
        goto cleanup;
    }
    /* The command loop ends the line, as virsh does. */
    vkPrintExtra(ctl, "Screenshot saved to %s, with type of %s", file, mime);
    ret = true;

 cleanup:
    if (fd >= 0)
        close(fd);
    if (!ret && created)
        unlink(file);
    free(mime);
    virStreamFree(st);
    return ret;
}
