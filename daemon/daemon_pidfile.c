/* The daemon's pid file: created and locked at start, so that two daemons never share a root. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ERR_DOMAIN VIR_FROM_NONE

#include "daemon_pidfile.h"
#include "util/error.h"
#include "util/log.h"
#include "util/str.h"

LOG_INIT("daemon.pidfile");

/*
 * The file holds the pid in decimal and a newline.  It stays open with a
 * write lock (fcntl) for the daemon's life: a second daemon fails to take
 * the lock and stops, while a file left by a daemon that died holds no
 * lock and is simply taken over.
 */
struct _DaemonPidfile {
    char *path;
    int fd;
};

/**
 * daemonPidfileAcquire:
 * @path: the pid file (its directory is created if missing)
 *
 * Returns: the held pid file (release with daemonPidfileRelease, which
 * removes it), or NULL with an error reported, e.g. when another daemon
 * holds it.
 */
DaemonPidfile *
daemonPidfileAcquire(const char *path)
{
    g_autofree char *dir = g_path_get_dirname(path);
    g_autofree char *text = g_strdup_printf("%lld\n", (long long)getpid());
    struct flock lock = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    DaemonPidfile *pf = NULL;
    int fd;

    if (g_mkdir_with_parents(dir, 0755) < 0) {
        reportSystemError(errno, _("cannot create directory '%1$s'"), dir);
        return NULL;
    }
    if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0) {
        reportSystemError(errno, _("cannot open pid file '%1$s'"), path);
        return NULL;
    }
    if (fcntl(fd, F_SETLK, &lock) < 0) {
        int saved = errno;
        char buf[32] = "";
        ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

        if (n > 0)
            buf[strcspn(buf, "\n")] = '\0';
        close(fd);
        if (saved == EAGAIN || saved == EACCES)
            reportError(VIR_ERR_OPERATION_FAILED,
                        _("pid file '%1$s' is held by another daemon (pid %2$s)"), path,
                        n > 0 ? buf : "?");
        else
            reportSystemError(saved, _("cannot lock pid file '%1$s'"), path);
        return NULL;
    }
    if (ftruncate(fd, 0) < 0 || pwrite(fd, text, strlen(text), 0) != (ssize_t)strlen(text)) {
        reportSystemError(errno, _("cannot write pid file '%1$s'"), path);
        close(fd);
        return NULL;
    }
    pf = g_new0(DaemonPidfile, 1);
    pf->path = g_strdup(path);
    pf->fd = fd;
    LOG_DEBUG("pid file '%s' written", path);
    return pf;
}

/**
 * daemonPidfileRelease:
 * @pf: a held pid file, or NULL
 *
 * Removes the file, then drops the lock.
 */
void
daemonPidfileRelease(DaemonPidfile *pf)
{
    if (!pf)
        return;
    if (unlink(pf->path) < 0 && errno != ENOENT)
        LOG_WARN("cannot remove pid file '%s': %s, ignoring", pf->path, g_strerror(errno));
    close(pf->fd);
    g_free(pf->path);
    g_free(pf);
}
