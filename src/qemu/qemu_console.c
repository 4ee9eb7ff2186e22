/* Guest consoles (virDomainOpenConsole): the serial pty of a running QEMU as a stream. */
#define ERR_DOMAIN VIR_FROM_QEMU
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "qemu/qemu_console.h"
#include "api/fdstream.h"
#include "util/error.h"
#include "util/log.h"
#include "util/str.h"

LOG_INIT("qemu.console");

/*
 * One session per pty, as libvirt's character device locks: the stream
 * open on each pty path.  A second open fails unless forced; forcing
 * hangs the old session up (its reader sees the end of the data).  The
 * entry goes when its stream is finished, aborted or freed.  Recursive:
 * hanging up runs the old stream's close notification on this thread.
 */
static GRecMutex qemuConsoleLock;
static GHashTable *qemuConsoles; /* pty path -> virStreamPtr (not referenced) */

/* The alias QEMU knows the device by (qemu_command.c's plan), as libvirt names them. */
static char *
qemuConsoleAlias(const DomainDef *def, const DomainChrDef *chr)
{
    size_t i;

    if (chr->info.alias)
        return g_strdup(chr->info.alias);
    for (i = 0; i < def->nserials; i++) {
        if (def->serials[i] == chr)
            return g_strdup_printf("serial%d", chr->targetPort);
    }
    for (i = 0; i < def->nparallels; i++) {
        if (def->parallels[i] == chr)
            return g_strdup_printf("parallel%d", chr->targetPort);
    }
    for (i = 0; i < def->nconsoles; i++) {
        if (def->consoles[i] == chr)
            return g_strdup_printf("console%zu", i);
    }
    return NULL;
}

/* A serial-type first console is the first serial port itself. */
static const DomainChrDef *
qemuConsoleResolve(const DomainDef *def, const DomainChrDef *chr)
{
    if (def->nconsoles > 0 && chr == def->consoles[0] && def->nserials > 0 &&
        chr->targetType == DOMAIN_CHR_CONSOLE_TARGET_SERIAL)
        return def->serials[0];
    return chr;
}

/**
 * qemuConsoleFind:
 * @def: the live definition
 * @devName: a console, serial or parallel alias ("serial0", "console0"), or
 *           NULL for the first console (else the first serial port)
 * @alias: set to the device's alias (caller frees)
 *
 * Returns: the device, or NULL with libvirt's error: "cannot find
 * character device" or "... is not using a PTY" (VIR_ERR_INTERNAL_ERROR).
 */
const DomainChrDef *
qemuConsoleFind(const DomainDef *def, const char *devName, char **alias)
{
    const DomainChrDef *chr = NULL;
    size_t i;

    *alias = NULL;
    if (!devName) {
        if (def->nconsoles > 0)
            chr = def->consoles[0];
        else if (def->nserials > 0)
            chr = def->serials[0];
    } else {
        const DomainChrDef *const *lists[] = {
            (const DomainChrDef *const *)def->consoles,
            (const DomainChrDef *const *)def->serials,
            (const DomainChrDef *const *)def->parallels,
        };
        size_t counts[] = {def->nconsoles, def->nserials, def->nparallels};
        size_t l;

        for (l = 0; l < G_N_ELEMENTS(lists) && !chr; l++) {
            for (i = 0; i < counts[l] && !chr; i++) {
                g_autofree char *a = qemuConsoleAlias(def, lists[l][i]);

                if (a && streq(a, devName))
                    chr = lists[l][i];
            }
        }
    }
    if (!chr) {
        reportError(VIR_ERR_INTERNAL_ERROR, _("cannot find character device %1$s"),
                    devName ? devName : "(null)");
        return NULL;
    }
    chr = qemuConsoleResolve(def, chr);
    *alias = qemuConsoleAlias(def, chr);
    if (chr->source.type != DOMAIN_CHR_TYPE_PTY) {
        reportError(VIR_ERR_INTERNAL_ERROR, _("character device %1$s is not using a PTY"),
                    devName ? devName : (*alias ? *alias : "(null)"));
        g_clear_pointer(alias, g_free);
        return NULL;
    }
    return chr;
}

/* The stream's close notification: the pty is free again. */
static void
qemuConsoleClosed(virStreamPtr st, void *opaque)
{
    char *path = opaque;

    g_rec_mutex_lock(&qemuConsoleLock);
    if (qemuConsoles && g_hash_table_lookup(qemuConsoles, path) == st)
        g_hash_table_remove(qemuConsoles, path);
    g_rec_mutex_unlock(&qemuConsoleLock);
    LOG_DEBUG("console session on %s closed", path);
    g_free(path);
}

/**
 * qemuConsoleOpen:
 * @st: an unused stream
 * @ptyPath: the guest's pty (from query-chardev)
 * @force: take the console from a session that has it
 *
 * Binds @st to @ptyPath in raw mode, non-blocking.
 *
 * Returns: 0, or -1 with an error: VIR_ERR_OPERATION_FAILED "Active
 * console session exists for this domain" without @force.
 */
int
qemuConsoleOpen(virStreamPtr st, const char *ptyPath, bool force)
{
    struct termios tio;
    virStreamPtr old = NULL;
    char *key = NULL;
    int ret = -1;
    int fd;

    g_rec_mutex_lock(&qemuConsoleLock);
    if (!qemuConsoles)
        qemuConsoles = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    if ((old = g_hash_table_lookup(qemuConsoles, ptyPath))) {
        if (!force) {
            reportError(VIR_ERR_OPERATION_FAILED, "%s",
                        _("Active console session exists for this domain"));
            goto cleanup;
        }
        LOG_DEBUG("forcing the console session on %s off", ptyPath);
        g_hash_table_remove(qemuConsoles, ptyPath);
        fdStreamHangup(old);
    }

    if ((fd = open(ptyPath, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK)) < 0) {
        reportSystemError(errno, _("Unable to open stream for '%1$s'"), ptyPath);
        goto cleanup;
    }
    if (tcgetattr(fd, &tio) == 0) {
        cfmakeraw(&tio);
        if (tcsetattr(fd, TCSADRAIN, &tio) < 0)
            LOG_DEBUG("cannot make %s raw: %s", ptyPath, g_strerror(errno));
    }
    key = g_strdup(ptyPath);
    if (fdStreamOpen(st, fd, qemuConsoleClosed, key) < 0) {
        g_free(key);
        goto cleanup;
    }
    g_hash_table_insert(qemuConsoles, g_strdup(ptyPath), st);
    ret = 0;

 cleanup:
    g_rec_mutex_unlock(&qemuConsoleLock);
    return ret;
}
