/* QEMU driver: saving a domain's state to a file and restoring it (issue #6). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define ERR_DOMAIN VIR_FROM_QEMU

#include "api/domain_event.h"
#include "qemu/qemu_conf.h"
#include "qemu/qemu_dump.h"
#include "qemu/qemu_monitor.h"
#include "qemu/qemu_process.h"
#include "qemu/qemu_save.h"
#include "qemu/qemu_status.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/log.h"
#include "util/str.h"

LOG_INIT("qemu.save");

/*
 * The image (our own layout; reference/migration.md "Saving to a file"):
 *
 *   0  char[16]  magic "VirtkitQemuSave\n"
 *  16  u32 LE    format version (2; version 1 images are still read)
 *  20  u32 LE    version 2: size of the XML area in bytes, which holds the
 *                domain XML, a NUL and zeros up to its end (64 KiB spare
 *                when written, so that virDomainSaveImageDefineXML can
 *                store a longer XML in place, as libvirt leaves room);
 *                version 1: the exact length of the XML (no NUL)
 *  24  u32 LE    1 if the guest ran when saved, 0 if it was paused
 *  28  u32 LE    compression of the stream: an index in qemuSaveFormats
 *                (0 raw, 1 gzip, 2 bzip2, 3 xz, 4 lzop, 5 zstd)
 *  32  u32[8]    reserved (0)
 *  64  the XML area, then QEMU's migration stream to the end of the file
 *
 * The driver opens the file itself and hands QEMU the descriptor (getfd),
 * so QEMU never needs access to the path.
 */
#define QEMU_SAVE_MAGIC "VirtkitQemuSave\n"
#define QEMU_SAVE_MAGIC_LEN 16
#define QEMU_SAVE_VERSION 2
/* The first layout: an XML area exactly as long as the XML. */
#define QEMU_SAVE_VERSION_EXACT 1
/* Spare room after the XML (and its NUL) in a new image. */
#define QEMU_SAVE_XML_PAD (64 * 1024)
#define QEMU_SAVE_HEADER_LEN 64
#define QEMU_SAVE_XML_MAX (16 * 1024 * 1024)
#define QEMU_SAVE_FDNAME "vk-save"
/* How often the job's progress is asked while QEMU streams. */
#define QEMU_SAVE_POLL_US (50 * 1000)

G_STATIC_ASSERT(sizeof(QEMU_SAVE_MAGIC) - 1 == QEMU_SAVE_MAGIC_LEN);

/*
 * qemu.conf save_image_format: a compressor the driver runs itself (no
 * shell) between QEMU's end of a pipe and the file; the index is stored in
 * the image.  Each program takes -c (compress stdin to stdout) and -dc.
 */
static const char *const qemuSaveFormats[] = { "raw", "gzip", "bzip2", "xz", "lzop", "zstd" };
/* How long a compressor may take to finish once QEMU's stream ended. */
#define QEMU_SAVE_FILTER_WAIT_MS 120000

/* A running compressor or decompressor; pid 0 when none. */
typedef struct {
    GPid pid;
    const char *prog;
} QemuSaveFilter;

/*
 * Starts @prog (-c, or -dc with @decompress) reading @inFd and writing
 * @outFd, its stderr to /dev/null.  Returns 0, or -1 with an error.
 */
static int
qemuSaveFilterStart(QemuSaveFilter *filter, const char *prog, bool decompress, int inFd, int outFd)
{
    const char *argv[] = { prog, decompress ? "-dc" : "-c", NULL };
    g_autoptr(GError) gerr = NULL;

    if (!g_spawn_async_with_fds(NULL, (char **)argv, NULL,
                                G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD |
                                    G_SPAWN_STDERR_TO_DEV_NULL,
                                NULL, NULL, &filter->pid, inFd, outFd, -1, &gerr)) {
        reportError(VIR_ERR_OPERATION_FAILED, _("cannot run '%1$s' for the save image: %2$s"),
                    prog, gerr->message);
        filter->pid = 0;
        return -1;
    }
    filter->prog = prog;
    return 0;
}

/*
 * The descriptor QEMU writes its stream to (@decompress: reads it from,
 * restoring): a pipe to @prog, the compressor (decompressor) whose other
 * end is @fileFd, or a copy of @fileFd when @prog is NULL.  Returns it, or
 * -1 with an error.
 */
static int
qemuSaveQemuFd(QemuSaveFilter *filter, const char *prog, bool decompress, int fileFd)
{
    int pipefd[2];
    int qemuFd;
    int rc;

    if (!prog) {
        if ((qemuFd = dup(fileFd)) < 0)
            reportSystemError(errno, "%s", _("cannot duplicate the save image descriptor"));
        return qemuFd;
    }
    if (pipe2(pipefd, O_CLOEXEC) < 0) {
        reportSystemError(errno, "%s", decompress ? _("cannot create a pipe for the decompressor")
                                                  : _("cannot create a pipe for the compressor"));
        return -1;
    }
    if (decompress) {
        rc = qemuSaveFilterStart(filter, prog, true, fileFd, pipefd[1]);
        close(pipefd[1]);
        qemuFd = pipefd[0];
    } else {
        rc = qemuSaveFilterStart(filter, prog, false, pipefd[0], fileFd);
        close(pipefd[0]);
        qemuFd = pipefd[1];
    }
    if (rc < 0) {
        close(qemuFd);
        return -1;
    }
    return qemuFd;
}

/*
 * Waits (without any lock) for the filter to exit; with @kill first kills
 * it.  Returns 0 when it exited with status 0, else -1 with an error
 * (unless @kill: then nothing is reported).
 */
static int
qemuSaveFilterFinish(QemuSaveFilter *filter, bool kill_)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)QEMU_SAVE_FILTER_WAIT_MS * 1000;
    int status = 0;
    pid_t rc;

    if (filter->pid <= 0)
        return 0;
    if (kill_)
        kill(filter->pid, SIGKILL);
    while ((rc = waitpid(filter->pid, &status, WNOHANG)) == 0) {
        if (g_get_monotonic_time() > deadline) {
            kill(filter->pid, SIGKILL);
            waitpid(filter->pid, &status, 0);
            filter->pid = 0;
            if (!kill_)
                reportError(VIR_ERR_OPERATION_TIMEOUT,
                            _("'%1$s' did not finish the save image within %2$d s"),
                            filter->prog, QEMU_SAVE_FILTER_WAIT_MS / 1000);
            return -1;
        }
        g_usleep(10 * 1000);
    }
    g_spawn_close_pid(filter->pid);
    filter->pid = 0;
    if (kill_)
        return -1;
    if (rc < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        reportError(VIR_ERR_OPERATION_FAILED, _("'%1$s' failed on the save image (status %2$d)"),
                    filter->prog, status);
        return -1;
    }
    return 0;
}

/*
 * Hands QEMU @fd and runs a migration through it (@incoming: into QEMU),
 * then waits until QEMU reports it completed or failed.  @mon is entered
 * (the domain unlocked).  Saving, @vm (unlocked; locked a moment at each
 * poll) has a file job: it gets QEMU's figures, and an abort it asks
 * cancels the stream (VIR_ERR_OPERATION_ABORTED).  On completion @fd (a
 * pipe end of @filter's, or the file) is closed and @filter waited for.
 * Returns 0, or -1 with an error reported (@fd is then the caller's to
 * close).
 */
static int
qemuSaveStream(QemuMonitor *mon, DomainObj *vm, const char *name, int fd, bool incoming,
               QemuSaveFilter *filter)
{
    const char *uri = "fd:" QEMU_SAVE_FDNAME;
    bool cancelSent = false;
    int rc;

    if (qemuMonitorSendFileHandle(mon, QEMU_SAVE_FDNAME, fd) < 0)
        return -1;
    /* QEMU takes the named fd out of its table when the migration starts */
    if (incoming)
        rc = qemuMonitorMigrateIncoming(mon, uri);
    else
        rc = qemuMonitorMigrate(mon, uri, false);
    if (rc < 0) {
        g_autoptr(SavedError) saved = errorSave();

        qemuMonitorCloseFileHandle(mon, QEMU_SAVE_FDNAME);
        errorRestore(&saved);
        return -1;
    }
    for (;;) {
        g_autoptr(QemuMonitorMigrationInfo) info = qemuMonitorGetMigrationInfo(mon);

        bool abortAsked = false;

        if (!info)
            return -1;
        if (!incoming) {
            domainObjLock(vm);
            abortAsked = qemuFileJobUpdateLocked(vm, info);
            domainObjUnlock(vm);
        }
        switch (info->status) {
        case QEMU_MONITOR_MIGRATION_STATUS_COMPLETED:
            /* QEMU closed its end: the filter sees EOF and finishes */
            close(fd);
            return qemuSaveFilterFinish(filter, false);
        case QEMU_MONITOR_MIGRATION_STATUS_FAILED:
        case QEMU_MONITOR_MIGRATION_STATUS_CANCELLED:
            if (cancelSent) {
                qemuFileJobReportAborted(VIR_DOMAIN_JOB_OPERATION_SAVE);
                return -1;
            }
            reportError(VIR_ERR_OPERATION_FAILED,
                        incoming ? _("restoring domain '%1$s' failed in QEMU: %2$s")
                                 : _("saving domain '%1$s' failed in QEMU: %2$s"),
                        name, info->errorDesc ? info->errorDesc : _("no reason given"));
            return -1;
        default:
            break;
        }
        if (abortAsked && !cancelSent) {
            if (qemuMonitorMigrateCancel(mon) < 0)
                return -1;
            cancelSent = true;
        }
        g_usleep(QEMU_SAVE_POLL_US);
    }
}

/**
 * qemuSaveDomainLocked:
 * @driver: the driver
 * @vm: an active domain, locked, under a modifying job held by the caller
 * @path: the file to write (created or truncated, mode 0600)
 * @flags: VIR_DOMAIN_SAVE_RUNNING or _PAUSED: the state the image restores
 *         to (default: the state the guest had)
 *
 * Pauses the guest (shown as paused/save, SUSPENDED_PAUSED), writes the
 * image header and XML, lets QEMU stream its state into the file, then
 * stops the domain: shutoff/saved with STOPPED_SAVED.  On failure the
 * file is removed and a guest that ran runs again.
 *
 * Returns: 0, or -1 with an error reported.
 */
int
qemuSaveDomainLocked(QemuDriver *driver, DomainObj *vm, const char *path, unsigned int flags)
{
    return qemuSaveDomainXMLLocked(driver, vm, path, NULL, flags);
}

/**
 * qemuSaveDomainXMLLocked:
 * @driver: the driver
 * @vm: as for qemuSaveDomainLocked
 * @path: the file to write
 * @xml: the definition to store in the image (the caller checked that it
 *       describes @vm's guest), or NULL for @vm's own
 * @flags: as for qemuSaveDomainLocked
 *
 * qemuSaveDomainLocked storing @xml.
 *
 * Returns: 0, or -1 with an error reported.
 */
int
qemuSaveDomainXMLLocked(QemuDriver *driver, DomainObj *vm, const char *path, const char *xml,
                        unsigned int flags)
{
    QemuDomainPrivate *priv = qemuDomainPrivate(vm);
    unsigned char header[QEMU_SAVE_HEADER_LEN] = { 0 };
    g_autofree char *area = NULL;
    g_autofree char *name = g_strdup(vm->def->name);
    g_autofree char *prog = NULL;
    bool wasRunning = domainObjGetState(vm, NULL) == VIR_DOMAIN_RUNNING;
    bool paused = false;
    QemuSaveFilter filter = { 0 };
    const char *fmt = driver->config->saveImageFormat;
    unsigned int format = 0;
    QemuMonitor *mon;
    size_t xmlLen;
    size_t areaLen;
    int fd = -1;
    int qemuFd = -1;
    int rc;
    int err;

    while (fmt && format < G_N_ELEMENTS(qemuSaveFormats) && !streq(qemuSaveFormats[format], fmt))
        format++;
    if (format == G_N_ELEMENTS(qemuSaveFormats))
        format = 0;     /* qemu.conf parsing admits only known names */

    if (xml) {
        area = g_strdup(xml);
    } else if (!(area = domainDefFormat(vm->def,
                                        DOMAIN_DEF_FORMAT_SECURE | DOMAIN_DEF_FORMAT_INACTIVE))) {
        return -1;
    }
    xmlLen = strlen(area);
    if (xmlLen > QEMU_SAVE_XML_MAX - QEMU_SAVE_XML_PAD - 1) {
        reportError(VIR_ERR_OPERATION_FAILED, _("domain XML too large to save (%1$zu bytes)"),
                    xmlLen);
        return -1;
    }
    areaLen = xmlLen + 1 + QEMU_SAVE_XML_PAD;
    area = g_realloc(area, areaLen);
    memset(area + xmlLen, 0, areaLen - xmlLen);
    memcpy(header, QEMU_SAVE_MAGIC, QEMU_SAVE_MAGIC_LEN);
    filePutU32LE(header + 16, QEMU_SAVE_VERSION);
    filePutU32LE(header + 20, areaLen);
    if (flags & VIR_DOMAIN_SAVE_RUNNING)
        filePutU32LE(header + 24, 1);
    else if (flags & VIR_DOMAIN_SAVE_PAUSED)
        filePutU32LE(header + 24, 0);
    else
        filePutU32LE(header + 24, wasRunning ? 1 : 0);
    if (format > 0 && !(prog = g_find_program_in_path(qemuSaveFormats[format]))) {
        reportError(VIR_ERR_OPERATION_FAILED,
                    _("save_image_format '%1$s' needs the program '%2$s', which is not installed"),
                    qemuSaveFormats[format], qemuSaveFormats[format]);
        return -1;
    }
    filePutU32LE(header + 28, format);

    if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
        reportSystemError(errno, _("cannot create save image '%1$s'"), path);
        return -1;
    }
    if (fdWriteAll(fd, header, sizeof(header)) < 0 || fdWriteAll(fd, area, areaLen) < 0) {
        reportSystemError(errno, _("cannot write save image '%1$s'"), path);
        goto error;
    }

    /* GetJobInfo/GetJobStats show it, AbortJob cancels it */
    qemuFileJobBeginLocked(vm, VIR_DOMAIN_JOB_OPERATION_SAVE, true);

    /* as libvirt: the guest is paused first, so the image is consistent */
    if (wasRunning) {
        priv->pausedReason = VIR_DOMAIN_PAUSED_SAVE;
        if (!(mon = qemuDomainEnterMonitorLocked(vm)))
            goto error;
        rc = qemuMonitorStop(mon);
        if (qemuDomainExitMonitorLocked(vm, mon) < 0 || rc < 0)
            goto error;
        paused = true;
        if (domainObjGetState(vm, NULL) == VIR_DOMAIN_RUNNING) {
            domainObjSetState(vm, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_SAVE);
            qemuDomainEventQueueLocked(driver, vm, VIR_DOMAIN_EVENT_SUSPENDED,
                                       VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
        }
        priv->pausedReason = VIR_DOMAIN_PAUSED_UNKNOWN;
    }

    if ((qemuFd = qemuSaveQemuFd(&filter, prog, false, fd)) < 0)
        goto error;

    if (!(mon = qemuDomainEnterMonitorLocked(vm)))
        goto error;
    rc = qemuSaveStream(mon, vm, name, qemuFd, false, &filter);
    if (rc == 0)
        qemuFd = -1;    /* closed by qemuSaveStream */
    if (qemuDomainExitMonitorLocked(vm, mon) < 0 || rc < 0)
        goto error;
    qemuFileJobCompletedLocked(vm);
    /* flushing the image may take long: not under the domain's lock (the
     * job is still held), so queries go on */
    domainObjUnlock(vm);
    rc = fdSyncClose(fd);
    err = errno;
    domainObjLock(vm);
    fd = -1;
    if (rc < 0) {
        reportSystemError(err, _("cannot write save image '%1$s'"), path);
        goto error;
    }
    LOG_INFO("domain '%s' saved to '%s'", name, path);
    qemuFileJobEndLocked(vm);
    /* (destroyed while the image was flushed: it stopped then, the image is whole) */
    if (domainObjIsActive(vm))
        qemuProcessStop(driver, vm, VIR_DOMAIN_SHUTOFF_SAVED, VIR_DOMAIN_EVENT_STOPPED_SAVED);
    return 0;

 error:
    {
        g_autoptr(SavedError) saved = errorSave();

        qemuFileJobEndLocked(vm);
        if (qemuFd >= 0)
            close(qemuFd);
        if (filter.pid > 0) {
            domainObjUnlock(vm);
            qemuSaveFilterFinish(&filter, true);
            domainObjLock(vm);
        }
        if (fd >= 0)
            close(fd);
        unlink(path);
        priv->pausedReason = VIR_DOMAIN_PAUSED_UNKNOWN;
        if (paused && domainObjIsActive(vm) &&
            domainObjGetState(vm, NULL) == VIR_DOMAIN_PAUSED) {
            /* the state first (as restore): QEMU's RESUME then has nothing
             * to change, and the reason stays "save canceled" */
            domainObjSetState(vm, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_SAVE_CANCELED);
            rc = -1;
            if ((mon = qemuDomainEnterMonitorLocked(vm))) {
                rc = qemuMonitorCont(mon);
                if (qemuDomainExitMonitorLocked(vm, mon) < 0)
                    rc = -1;
            }
            if (rc == 0)
                qemuDomainEventQueueLocked(driver, vm, VIR_DOMAIN_EVENT_RESUMED,
                                           VIR_DOMAIN_EVENT_RESUMED_UNPAUSED);
            else if (domainObjIsActive(vm) && domainObjGetState(vm, NULL) == VIR_DOMAIN_RUNNING)
                domainObjSetState(vm, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_SAVE);
        }
        if (domainObjIsActive(vm))
            qemuStatusWriteLocked(driver, vm);
        errorRestore(&saved);
    }
    return -1;
}

/* What the header of an image says. */
typedef struct {
    uint32_t version;
    uint32_t areaLen;       /* bytes between the header and QEMU's stream */
    uint32_t running;
    uint32_t compression;
} QemuSaveHeader;

/*
 * Reads the header and the XML area of the image open as @fd (at its
 * start) into @hdr and @retXml (caller frees); @fd is left at QEMU's
 * stream.  Returns 0, or -1 with an error (see qemuSaveImageOpen).
 */
static int
qemuSaveImageReadHeader(int fd, const char *path, QemuSaveHeader *hdr, char **retXml)
{
    unsigned char header[QEMU_SAVE_HEADER_LEN];
    g_autofree char *area = NULL;
    ssize_t n;

    if ((n = fdReadAll(fd, header, sizeof(header))) < 0) {
        reportSystemError(errno, _("cannot read domain image '%1$s'"), path);
        return -1;
    }
    if (n < (ssize_t)sizeof(header) || memcmp(header, QEMU_SAVE_MAGIC, QEMU_SAVE_MAGIC_LEN) != 0) {
        reportError(VIR_ERR_INVALID_ARG,
                    _("'%1$s' is not a saved domain image (header magic mismatch)"), path);
        return -1;
    }
    hdr->version = fileGetU32LE(header + 16);
    hdr->areaLen = fileGetU32LE(header + 20);
    hdr->running = fileGetU32LE(header + 24);
    hdr->compression = fileGetU32LE(header + 28);
    if (hdr->version != QEMU_SAVE_VERSION && hdr->version != QEMU_SAVE_VERSION_EXACT) {
        reportError(VIR_ERR_OPERATION_UNSUPPORTED,
                    _("save image '%1$s' has unsupported format version %2$u"), path,
                    hdr->version);
        return -1;
    }
    if (hdr->compression >= G_N_ELEMENTS(qemuSaveFormats)) {
        reportError(VIR_ERR_OPERATION_UNSUPPORTED,
                    _("save image '%1$s' uses compression %2$u, which this build cannot read"),
                    path, hdr->compression);
        return -1;
    }
    if (hdr->areaLen == 0 || hdr->areaLen > QEMU_SAVE_XML_MAX || hdr->running > 1) {
        reportError(VIR_ERR_INVALID_ARG, _("save image '%1$s' has a corrupt header"), path);
        return -1;
    }
    area = g_malloc(hdr->areaLen + 1);
    if ((n = fdReadAll(fd, area, hdr->areaLen)) < 0) {
        reportSystemError(errno, _("cannot read domain image '%1$s'"), path);
        return -1;
    }
    if (n != (ssize_t)hdr->areaLen) {
        reportError(VIR_ERR_INVALID_ARG, _("save image '%1$s' is truncated"), path);
        return -1;
    }
    area[hdr->areaLen] = '\0';
    /* version 2: the XML ends at its NUL, inside the area */
    if (hdr->version == QEMU_SAVE_VERSION &&
        (strlen(area) == hdr->areaLen || strlen(area) == 0)) {
        reportError(VIR_ERR_INVALID_ARG, _("save image '%1$s' has a corrupt header"), path);
        return -1;
    }
    *retXml = g_steal_pointer(&area);
    return 0;
}

/**
 * qemuSaveImageOpen:
 * @path: an image written by qemuSaveDomainLocked
 * @retXml: set to the stored domain XML (caller frees)
 * @retRunning: set to whether the guest ran when saved
 * @retFd: if not NULL, set to the open file (caller closes), positioned at
 *         QEMU's stream; if NULL the file is closed
 * @retFormat: if not NULL, set to the stream's compression (pass it to
 *             qemuSaveRestoreLocked)
 *
 * Reads images of both format versions.
 *
 * Returns: 0, or -1 with an error reported: VIR_ERR_SYSTEM_ERROR when the
 * file cannot be read, VIR_ERR_INVALID_ARG when it is no image of ours
 * (as libvirt's QEMU driver for a bad magic), VIR_ERR_OPERATION_UNSUPPORTED
 * for a format version or compression this build cannot read.
 */
int
qemuSaveImageOpen(const char *path, char **retXml, bool *retRunning, int *retFd,
                  unsigned int *retFormat)
{
    QemuSaveHeader hdr;
    g_autofree char *xml = NULL;
    int fd;

    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        reportSystemError(errno, _("cannot read domain image '%1$s'"), path);
        return -1;
    }
    if (qemuSaveImageReadHeader(fd, path, &hdr, &xml) < 0) {
        close(fd);
        return -1;
    }
    *retXml = g_steal_pointer(&xml);
    *retRunning = hdr.running == 1;
    if (retFormat)
        *retFormat = hdr.compression;
    if (retFd)
        *retFd = fd;
    else
        close(fd);
    return 0;
}

/**
 * qemuSaveImageRewrite:
 * @path: an image written by qemuSaveDomainLocked
 * @xml: the definition to store instead (the caller checked it)
 * @running: 1 or 0: the state the image restores to from now on; -1 keeps
 *           the stored one
 *
 * Replaces the XML (and the state) in place; QEMU's stream stays as it is.
 * The XML must fit the image's XML area with its NUL; a version 1 image
 * (whose area is exactly as long as its XML) becomes a version 2 one with
 * the same area.
 *
 * Returns: 0, or -1 with an error reported: VIR_ERR_OPERATION_FAILED
 * "new xml too large to fit in file" as libvirt's when it does not fit,
 * or as qemuSaveImageOpen.
 */
int
qemuSaveImageRewrite(const char *path, const char *xml, int running)
{
    unsigned char header[QEMU_SAVE_HEADER_LEN] = { 0 };
    g_autofree char *oldXml = NULL;
    g_autofree char *area = NULL;
    QemuSaveHeader hdr;
    size_t xmlLen = strlen(xml);
    int fd;

    if ((fd = open(path, O_RDWR | O_CLOEXEC)) < 0) {
        reportSystemError(errno, _("cannot open domain image '%1$s'"), path);
        return -1;
    }
    if (qemuSaveImageReadHeader(fd, path, &hdr, &oldXml) < 0)
        goto error;
    if (xmlLen + 1 > hdr.areaLen) {
        reportError(VIR_ERR_OPERATION_FAILED, "%s", _("new xml too large to fit in file"));
        goto error;
    }
    area = g_malloc0(hdr.areaLen);
    memcpy(area, xml, xmlLen);
    memcpy(header, QEMU_SAVE_MAGIC, QEMU_SAVE_MAGIC_LEN);
    filePutU32LE(header + 16, QEMU_SAVE_VERSION);
    filePutU32LE(header + 20, hdr.areaLen);
    filePutU32LE(header + 24, running < 0 ? hdr.running : (running ? 1 : 0));
    filePutU32LE(header + 28, hdr.compression);
    /* the area first: a crash in between leaves a readable image */
    if (lseek(fd, QEMU_SAVE_HEADER_LEN, SEEK_SET) < 0 || fdWriteAll(fd, area, hdr.areaLen) < 0 ||
        lseek(fd, 0, SEEK_SET) < 0 || fdWriteAll(fd, header, sizeof(header)) < 0) {
        reportSystemError(errno, _("cannot write domain image '%1$s'"), path);
        goto error;
    }
    if (fdSyncClose(fd) < 0) {
        reportSystemError(errno, _("cannot write domain image '%1$s'"), path);
        return -1;
    }
    return 0;

 error:
    close(fd);
    return -1;
}

/**
 * qemuSaveRestoreLocked:
 * @driver: the driver
 * @vm: an inactive domain, locked, under a modifying job held by the caller,
 *      its definition the image's
 * @fd: the image, positioned at QEMU's stream (the caller keeps it)
 * @format: the stream's compression, from qemuSaveImageOpen
 * @running: resume the guest (true) or leave it paused
 *
 * Starts QEMU waiting for an incoming stream, feeds it the file, then
 * shows running/restored (STARTED_RESTORED) and resumes the guest, or
 * with @running false paused/user (STARTED_RESTORED, SUSPENDED_PAUSED).
 * On failure the process is stopped again (shutoff/failed).
 *
 * Returns: 0, or -1 with an error reported.
 */
int
qemuSaveRestoreLocked(QemuDriver *driver, DomainObj *vm, int fd, unsigned int format,
                      bool running)
{
    g_autofree char *name = g_strdup(vm->def->name);
    g_autofree char *prog = NULL;
    QemuSaveFilter filter = { 0 };
    QemuMonitor *mon;
    int qemuFd = -1;
    int rc;

    if (format > 0 && !(prog = g_find_program_in_path(qemuSaveFormats[format]))) {
        reportError(VIR_ERR_OPERATION_FAILED,
                    _("the save image is compressed with '%1$s', which is not installed"),
                    qemuSaveFormats[format]);
        return -1;
    }
    if (qemuProcessStart(driver, vm, QEMU_PROCESS_START_INCOMING) < 0)
        return -1;
    if ((qemuFd = qemuSaveQemuFd(&filter, prog, true, fd)) < 0)
        goto error;
    if (!(mon = qemuDomainEnterMonitorLocked(vm)))
        goto error;
    rc = qemuSaveStream(mon, vm, name, qemuFd, true, &filter);
    if (rc == 0)
        qemuFd = -1;
    if (qemuDomainExitMonitorLocked(vm, mon) < 0 || rc < 0)
        goto error;

    if (running) {
        /* the state first: the RESUME event then has nothing to report */
        domainObjSetState(vm, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_RESTORED);
        if (!(mon = qemuDomainEnterMonitorLocked(vm)))
            goto error;
        rc = qemuMonitorCont(mon);
        if (qemuDomainExitMonitorLocked(vm, mon) < 0 || rc < 0)
            goto error;
        qemuDomainEventQueueLocked(driver, vm, VIR_DOMAIN_EVENT_STARTED,
                                   VIR_DOMAIN_EVENT_STARTED_RESTORED);
    } else {
        domainObjSetState(vm, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER);
        qemuDomainEventQueueLocked(driver, vm, VIR_DOMAIN_EVENT_STARTED,
                                   VIR_DOMAIN_EVENT_STARTED_RESTORED);
        qemuDomainEventQueueLocked(driver, vm, VIR_DOMAIN_EVENT_SUSPENDED,
                                   VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
    }
    if (qemuStatusWriteLocked(driver, vm) < 0)
        LOG_WARN("domain '%s': cannot write its status, ignoring", name);
    LOG_INFO("domain '%s' restored", name);
    return 0;

 error:
    {
        g_autoptr(SavedError) saved = errorSave();

        if (qemuFd >= 0)
            close(qemuFd);
        if (filter.pid > 0) {
            domainObjUnlock(vm);
            qemuSaveFilterFinish(&filter, true);
            domainObjLock(vm);
        }
        if (domainObjIsActive(vm))
            qemuProcessStop(driver, vm, VIR_DOMAIN_SHUTOFF_FAILED, VIR_DOMAIN_EVENT_STOPPED_FAILED);
        errorRestore(&saved);
    }
    return -1;
}
