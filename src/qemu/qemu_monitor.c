/* QMP client transport: one unix socket per QEMU, driven by a GMainContext. */
#define ERR_DOMAIN VIR_FROM_QEMU

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "qemu/qemu_monitor.h"
#include "qemu/qemu_monitor_priv.h"
#include "util/error.h"
#include "util/log.h"
#include "util/str.h"
#include "util/thread.h"

LOG_INIT("qemu.monitor");

#define NULLSTR(s) ((s) ? (s) : "<null>")

/* Bytes read from the socket per read() call, and read() calls per dispatch. */
#define QEMU_MONITOR_READ_CHUNK 65536
#define QEMU_MONITOR_READS_PER_DISPATCH 16

typedef enum {
    QEMU_MONITOR_PHASE_GREETING = 0,    /* connected, waiting for {"QMP": ...} */
    QEMU_MONITOR_PHASE_NEGOTIATING,     /* qmp_capabilities queued or in flight */
    QEMU_MONITOR_PHASE_READY,           /* commands flow */
    QEMU_MONITOR_PHASE_CLOSED,          /* EOF or fatal error; no more I/O */

    QEMU_MONITOR_PHASE_LAST
} QemuMonitorPhase;

typedef struct _QemuMonitorCmd QemuMonitorCmd;
struct _QemuMonitorCmd {
    int refs;                   /* protected by mon->lock */
    uint64_t id;                /* immutable */
    char *idStr;                /* immutable: "vk-ID" */
    char *name;                 /* immutable: the QMP command */
    json_object *cmd;           /* immutable: the command, with its id */
    char *wire;                 /* immutable: the line sent */
    size_t wireLen;             /* immutable */
    char *logText;              /* immutable: @wire with secrets redacted */
    int timeoutMs;              /* immutable */
    int64_t submitted;          /* immutable: monotonic µs */
    int64_t deadline;           /* immutable: monotonic µs */
    bool internal;              /* immutable: sent by the transport itself */
    QemuMonitorReplyFunc cb;    /* immutable: NULL for a synchronous command */
    void *cbOpaque;             /* immutable */
    GDestroyNotify cbOpaqueFree; /* immutable */
    int fd;                     /* immutable: an fd (ours) sent with the first byte, or -1 */
    bool pipelined;             /* immutable: may be written before earlier replies came */
    size_t written;             /* protected by mon->lock */
    bool done;                  /* protected by mon->lock: reply or error recorded */
    bool abandoned;             /* protected by mon->lock: caller got a timeout */
    json_object *reply;         /* protected by mon->lock */
    int errCode;                /* protected by mon->lock */
    char *errMsg;               /* protected by mon->lock */
};

struct _QemuMonitor {
    gint refs;                  /* atomic */
    char *name;                 /* immutable */
    GMainContext *ctx;          /* immutable (reference held) */
    QemuMonitorCallbacks cbs;   /* immutable */
    void *opaque;               /* immutable */
    GDestroyNotify opaqueFree;  /* immutable */

    Mutex lock;
    Cond cond;                  /* broadcast when a command completes or the phase changes */
    GSource *source;            /* protected by lock; NULL once I/O stopped */
    QemuMonitorPhase phase;     /* protected by lock */
    bool closing;               /* protected by lock: qemuMonitorClose() was called */
    int timeoutMs;              /* protected by lock */
    size_t maxMessage;          /* protected by lock */
    uint64_t nextId;            /* protected by lock */
    GQueue queue;               /* protected by lock: QemuMonitorCmd not yet sent */
    GQueue sent;                /* protected by lock: QemuMonitorCmd written (the tail maybe
                                 * partly) and awaiting their replies, oldest first */
    QemuMonitorVersion *version; /* protected by lock: from the greeting */
    int closedCode;             /* protected by lock */
    char *closedMsg;            /* protected by lock: why I/O stopped */

    GString *input;             /* event-loop thread only: bytes after the last newline */
};

typedef struct {
    GSource base;
    QemuMonitor *mon;           /* reference */
    int fd;                     /* owned; closed in finalize */
    gpointer tag;               /* set before the source is attached */
    GIOCondition events;        /* event-loop thread only, under mon->lock */
} QemuMonitorSource;

/* ---------------------------------------------------------------- */
/* Commands                                                         */

static QemuMonitorCmd *
qemuMonitorCmdRef(QemuMonitorCmd *cmd)
{
    cmd->refs++;
    return cmd;
}

/* Drops one reference; the caller holds mon->lock (or the command is no
 * longer shared). */
static void
qemuMonitorCmdUnrefLocked(QemuMonitorCmd *cmd)
{
    if (!cmd || --cmd->refs > 0)
        return;
    if (cmd->cbOpaqueFree)
        cmd->cbOpaqueFree(cmd->cbOpaque);
    if (cmd->fd >= 0)
        close(cmd->fd);
    json_object_put(cmd->cmd);
    json_object_put(cmd->reply);
    g_free(cmd->idStr);
    g_free(cmd->name);
    g_free(cmd->wire);
    g_free(cmd->logText);
    g_free(cmd->errMsg);
    g_free(cmd);
}

/* Id of the transport's qmp_capabilities; user commands start after it, so
 * that ids follow the order on the wire whenever commands are submitted. */
#define QEMU_MONITOR_NEGOTIATION_ID 1

/* Builds a command record; takes @json.  @id is 0 for the next free id. */
static QemuMonitorCmd *
qemuMonitorCmdNewLocked(QemuMonitor *mon, json_object *json, uint64_t id, unsigned int flags,
                        int timeoutMs)
{
    QemuMonitorCmd *cmd = g_new0(QemuMonitorCmd, 1);
    g_autofree char *text = NULL;
    const char *name = qemuMonitorJSONCommandName(json);

    cmd->refs = 1;
    cmd->fd = -1;
    cmd->id = id ? id : ++mon->nextId;
    cmd->idStr = g_strdup_printf("vk-%" G_GUINT64_FORMAT, (guint64)cmd->id);
    cmd->name = g_strdup(name ? name : "?");
    json_object_object_add(json, "id", json_object_new_string(cmd->idStr));
    cmd->cmd = json;
    text = jsonFormat(json);
    cmd->wire = g_strdup_printf("%s\n", text);
    cmd->wireLen = strlen(cmd->wire);
    cmd->logText = qemuMonitorJSONFormatRedacted(json, flags & QEMU_MONITOR_COMMAND_SECRET);
    cmd->timeoutMs = timeoutMs > 0 ? timeoutMs : mon->timeoutMs;
    cmd->submitted = g_get_monotonic_time();
    cmd->deadline = cmd->submitted + (int64_t)cmd->timeoutMs * 1000;
    return cmd;
}

static bool
qemuMonitorCmdIsAsync(QemuMonitorCmd *cmd)
{
    return cmd->cb != NULL;
}

/* "2", "1.5", "0.25": seconds without trailing zeros, locale-independent. */
static char *
qemuMonitorFormatSeconds(int ms)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];

    return g_strdup(g_ascii_formatd(buf, sizeof(buf), "%g", ms / 1000.0));
}

/* Records an error on @cmd (takes @msg): the waiter or the async callback
 * reports it. */
static void
qemuMonitorCmdSetErrorLocked(QemuMonitorCmd *cmd, int code, char *msg)
{
    cmd->errCode = code;
    g_free(cmd->errMsg);
    cmd->errMsg = msg;
    cmd->done = true;
}

/* Fills a virError for an async completion from @cmd's recorded error. */
static void
qemuMonitorCmdFillError(QemuMonitorCmd *cmd, virError *err)
{
    memset(err, 0, sizeof(*err));
    err->code = cmd->errCode;
    err->domain = VIR_FROM_QEMU;
    err->level = VIR_ERR_ERROR;
    err->message = errorFormatMessage(cmd->errCode, cmd->errMsg);
    err->str1 = g_strdup(cmd->errMsg);
}

/* Runs the async callback of each command in @list with its recorded
 * error, then drops the list's references.  Called without mon->lock. */
static void
qemuMonitorCompleteFailed(QemuMonitor *mon, GPtrArray *list)
{
    size_t i;

    for (i = 0; i < list->len; i++) {
        QemuMonitorCmd *cmd = list->pdata[i];
        virError err;

        qemuMonitorCmdFillError(cmd, &err);
        cmd->cb(mon, NULL, &err, cmd->cbOpaque);
        errorClear(&err);
    }
    mutexLock(&mon->lock);
    for (i = 0; i < list->len; i++)
        qemuMonitorCmdUnrefLocked(list->pdata[i]);
    mutexUnlock(&mon->lock);
}

/* Fails @cmd (which the caller has taken out of the queue / in-flight
 * slot, keeping that reference) with @reason; async ones move to @async
 * with that reference, others are released. */
static void
qemuMonitorCmdFailLocked(QemuMonitor *mon, QemuMonitorCmd *cmd, int code, const char *reason,
                         GPtrArray *async)
{
    char *msg = NULL;

    if (cmd->abandoned || cmd->done) {
        qemuMonitorCmdUnrefLocked(cmd);
        return;
    }
    msg = g_strdup_printf(_("QEMU command '%1$s' on domain '%2$s' got no reply: %3$s"),
                          cmd->name, mon->name, reason);
    qemuMonitorCmdSetErrorLocked(cmd, code, msg);
    if (qemuMonitorCmdIsAsync(cmd))
        g_ptr_array_add(async, cmd);
    else
        qemuMonitorCmdUnrefLocked(cmd);
}

/* ---------------------------------------------------------------- */
/* Monitor object                                                   */

/**
 * qemuMonitorRef:
 * @mon: a monitor
 *
 * Returns: @mon with one more reference.
 */
QemuMonitor *
qemuMonitorRef(QemuMonitor *mon)
{
    g_atomic_int_inc(&mon->refs);
    return mon;
}

/**
 * qemuMonitorUnref:
 * @mon: a monitor, or NULL
 *
 * Drops a reference.  The last one frees the monitor and calls the
 * opaqueFree given at open.  While I/O runs, the event loop holds a
 * reference: call qemuMonitorClose() to stop it.
 */
void
qemuMonitorUnref(QemuMonitor *mon)
{
    if (!mon || !g_atomic_int_dec_and_test(&mon->refs))
        return;
    if (mon->opaqueFree)
        mon->opaqueFree(mon->opaque);
    while (!g_queue_is_empty(&mon->queue))
        qemuMonitorCmdUnrefLocked(g_queue_pop_head(&mon->queue));
    while (!g_queue_is_empty(&mon->sent))
        qemuMonitorCmdUnrefLocked(g_queue_pop_head(&mon->sent));
    qemuMonitorJSONVersionFree(mon->version);
    g_free(mon->closedMsg);
    g_free(mon->name);
    g_string_free(mon->input, TRUE);
    g_main_context_unref(mon->ctx);
    mutexClear(&mon->lock);
    condClear(&mon->cond);
    g_free(mon);
}

/* The oldest command awaiting its reply (or still being written), or NULL. */
static QemuMonitorCmd *
qemuMonitorOldestLocked(QemuMonitor *mon)
{
    return g_queue_peek_head(&mon->sent);
}

/* The command partly written, or NULL. */
static QemuMonitorCmd *
qemuMonitorWritingLocked(QemuMonitor *mon)
{
    QemuMonitorCmd *last = g_queue_peek_tail(&mon->sent);

    return last && last->written < last->wireLen ? last : NULL;
}

/*
 * Is there a command to write now?  One command at a time: the next one
 * goes when the reply to the previous one came, except a pipelined one
 * (qemuMonitorBatchSubmit), which follows as soon as the one before it
 * is completely written, also behind the transport's qmp_capabilities.
 * Before negotiation only that qmp_capabilities may go first.
 */
static bool
qemuMonitorCanStartLocked(QemuMonitor *mon)
{
    QemuMonitorCmd *head = g_queue_peek_head(&mon->queue);

    if (!head)
        return false;
    if (!g_queue_is_empty(&mon->sent))
        return head->pipelined && !qemuMonitorWritingLocked(mon) &&
               (mon->phase == QEMU_MONITOR_PHASE_READY ||
                mon->phase == QEMU_MONITOR_PHASE_NEGOTIATING);
    if (mon->phase == QEMU_MONITOR_PHASE_READY)
        return true;
    return mon->phase == QEMU_MONITOR_PHASE_NEGOTIATING && head->internal;
}

/* Earliest deadline among async commands still waiting for an answer
 * (synchronous callers watch their own deadline), or -1. */
static int64_t
qemuMonitorNextDeadlineLocked(QemuMonitor *mon)
{
    int64_t next = -1;
    GList *l;

    for (l = mon->sent.head; l; l = l->next) {
        QemuMonitorCmd *cmd = l->data;

        if (qemuMonitorCmdIsAsync(cmd) && !cmd->done && (next < 0 || cmd->deadline < next))
            next = cmd->deadline;
    }
    for (l = mon->queue.head; l; l = l->next) {
        QemuMonitorCmd *cmd = l->data;

        if (qemuMonitorCmdIsAsync(cmd) && (next < 0 || cmd->deadline < next))
            next = cmd->deadline;
    }
    return next;
}

/*
 * Stops I/O for good: fails every pending command with @reason, records
 * why, and (unless the owner closed the monitor) calls the closed callback
 * once.  Event-loop thread, without mon->lock.
 */
static void
qemuMonitorFail(QemuMonitor *mon, QemuMonitorClosedReason why, int code, const char *reason)
{
    g_autoptr(GPtrArray) async = g_ptr_array_new();
    GSource *src = NULL;
    bool notify;

    mutexLock(&mon->lock);
    if (mon->phase == QEMU_MONITOR_PHASE_CLOSED) {
        mutexUnlock(&mon->lock);
        return;
    }
    LOG_DEBUG("monitor of '%s' stops: %s", mon->name, reason);
    mon->phase = QEMU_MONITOR_PHASE_CLOSED;
    mon->closedCode = code;
    mon->closedMsg = g_strdup(reason);
    while (!g_queue_is_empty(&mon->sent))
        qemuMonitorCmdFailLocked(mon, g_queue_pop_head(&mon->sent), code, reason, async);
    while (!g_queue_is_empty(&mon->queue))
        qemuMonitorCmdFailLocked(mon, g_queue_pop_head(&mon->queue), code, reason, async);
    src = g_steal_pointer(&mon->source);
    notify = !mon->closing;
    condBroadcast(&mon->cond);
    mutexUnlock(&mon->lock);

    qemuMonitorCompleteFailed(mon, async);
    if (notify && mon->cbs.closed)
        mon->cbs.closed(mon, why, reason, mon->opaque);
    if (src) {
        /* the loop thread's GLib allocations, under GLib's own locks */
        threadGlibInternalsBegin();
        g_source_destroy(src);
        g_source_unref(src);
        threadGlibInternalsEnd();
    }
}

/* ---------------------------------------------------------------- */
/* Event-loop side                                                  */

/*
 * send() of @buf with @passFd attached as SCM_RIGHTS: QEMU keeps the fd
 * received with a command's bytes for that command (getfd, add-fd).
 */
static ssize_t
qemuMonitorSendWithFd(int sock, const char *buf, size_t len, int passFd)
{
    struct msghdr msg = { 0 };
    struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    struct cmsghdr *cmsg;

    memset(&control, 0, sizeof(control));
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.buf;
    msg.msg_controllen = sizeof(control.buf);
    cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cmsg), &passFd, sizeof(int));
    return sendmsg(sock, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
}

/* Puts the next queued command in flight when the monitor allows it. */
static bool
qemuMonitorStartNextLocked(QemuMonitor *mon)
{
    QemuMonitorCmd *cmd = NULL;

    if (!qemuMonitorCanStartLocked(mon))
        return false;
    cmd = g_queue_pop_head(&mon->queue);
    g_queue_push_tail(&mon->sent, cmd);
    LOG_DEBUG("monitor '%s' send: %s", mon->name, cmd->logText);
    return true;
}

/* Writes the command being sent, then each one allowed to follow it, as
 * much as the socket takes. */
static int
qemuMonitorWriteLocked(QemuMonitor *mon, int fd, char **retReason)
{
    QemuMonitorCmd *cmd = NULL;

    if (!qemuMonitorWritingLocked(mon))
        qemuMonitorStartNextLocked(mon);
    while ((cmd = qemuMonitorWritingLocked(mon))) {
        ssize_t n;

        if (cmd->fd >= 0 && cmd->written == 0)
            n = qemuMonitorSendWithFd(fd, cmd->wire, cmd->wireLen, cmd->fd);
        else
            n = send(fd, cmd->wire + cmd->written, cmd->wireLen - cmd->written,
                     MSG_NOSIGNAL | MSG_DONTWAIT);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 0;
            *retReason = g_strdup_printf(_("cannot write to QEMU monitor: %1$s"),
                                         g_strerror(errno));
            return -1;
        }
        cmd->written += n;
        if (cmd->written == cmd->wireLen)
            qemuMonitorStartNextLocked(mon);
    }
    return 0;
}

/* Takes the detail of the thread's pending error (set by the pure JSON
 * layer on this thread), without the code's "internal error: " prefix, and
 * clears the slot: the detail goes into the error of the waiting thread. */
static char *
qemuMonitorTakeThreadError(void)
{
    virErrorPtr err = errorGetSlot();
    g_autofree char *prefix = errorFormatMessage(err->code, "");
    const char *msg = err->message ? err->message : "?";
    char *ret = NULL;

    if (*prefix && strPrefix(msg, prefix))
        msg += strlen(prefix);
    ret = g_strdup(msg);
    errorReset();
    return ret;
}

static void
qemuMonitorHandleGreeting(QemuMonitor *mon, QemuMonitorMessage *msg)
{
    g_autoptr(QemuMonitorVersion) ver = NULL;
    QemuMonitorCmd *cmd = NULL;

    if (!(ver = qemuMonitorJSONParseGreeting(msg->obj))) {
        g_autofree char *detail = qemuMonitorTakeThreadError();

        qemuMonitorFail(mon, QEMU_MONITOR_CLOSED_ERROR, VIR_ERR_INTERNAL_ERROR, detail);
        return;
    }
    mutexLock(&mon->lock);
    if (mon->phase != QEMU_MONITOR_PHASE_GREETING) {
        mutexUnlock(&mon->lock);
        LOG_WARN("second QMP greeting from monitor of '%s', ignoring", mon->name);
        return;
    }
    LOG_DEBUG("monitor '%s': QEMU %u.%u.%u (%s)", mon->name, ver->major, ver->minor,
              ver->micro, ver->package);
    mon->version = g_steal_pointer(&ver);
    mon->phase = QEMU_MONITOR_PHASE_NEGOTIATING;
    cmd = qemuMonitorCmdNewLocked(mon, qemuMonitorJSONMakeCommand("qmp_capabilities", NULL),
                                  QEMU_MONITOR_NEGOTIATION_ID, 0, QEMU_MONITOR_TIMEOUT_DEFAULT);
    cmd->internal = true;
    g_queue_push_head(&mon->queue, cmd);
    condBroadcast(&mon->cond);
    mutexUnlock(&mon->lock);
}

static void
qemuMonitorHandleEvent(QemuMonitor *mon, QemuMonitorMessage *msg)
{
    g_autoptr(QemuMonitorEvent) ev = NULL;
    bool deliver;

    if (!(ev = qemuMonitorJSONParseEvent(msg->obj))) {
        g_autofree char *detail = qemuMonitorTakeThreadError();

        LOG_WARN("monitor of '%s': %s, ignoring", mon->name, detail);
        return;
    }
    mutexLock(&mon->lock);
    deliver = !mon->closing;
    mutexUnlock(&mon->lock);
    if (deliver && mon->cbs.event)
        mon->cbs.event(mon, ev, mon->opaque);
}

static void
qemuMonitorHandleReply(QemuMonitor *mon, QemuMonitorMessage *msg)
{
    QemuMonitorCmd *cmd = NULL;
    const char *desc = NULL;

    mutexLock(&mon->lock);
    if (mon->phase == QEMU_MONITOR_PHASE_CLOSED) {
        /* Closed by its owner while this line was being handled. */
        mutexUnlock(&mon->lock);
        return;
    }
    /* QEMU answers in order: the reply is the oldest command's */
    cmd = qemuMonitorOldestLocked(mon);
    if (!cmd || (msg->id && !streq(msg->id, cmd->idStr))) {
        mutexUnlock(&mon->lock);
        LOG_WARN("monitor of '%s': reply with unknown id '%s', ignoring", mon->name,
                 NULLSTR(msg->id));
        return;
    }
    g_queue_pop_head(&mon->sent);

    if (cmd->internal) {
        if (jsonGetObject(msg->obj, "error")) {
            g_autofree char *reason = NULL;

            desc = jsonGetString(jsonGetObject(msg->obj, "error"), "desc");
            reason = g_strdup_printf(_("QMP capabilities negotiation failed: %1$s"),
                                     desc ? desc : "?");
            qemuMonitorCmdUnrefLocked(cmd);
            mutexUnlock(&mon->lock);
            qemuMonitorFail(mon, QEMU_MONITOR_CLOSED_ERROR, VIR_ERR_INTERNAL_ERROR, reason);
            return;
        }
        mon->phase = QEMU_MONITOR_PHASE_READY;
        condBroadcast(&mon->cond);
        qemuMonitorCmdUnrefLocked(cmd);
        mutexUnlock(&mon->lock);
        return;
    }

    if (cmd->abandoned) {
        QemuMonitorLateReply late = {
            .id = cmd->id,
            .command = cmd->name,
            .cmd = cmd->cmd,
            .reply = msg->obj,
            .elapsedMs = (g_get_monotonic_time() - cmd->submitted) / 1000,
        };
        bool deliver = !mon->closing;

        mutexUnlock(&mon->lock);
        LOG_DEBUG("monitor '%s': late reply to '%s' (%s) after %" G_GINT64_FORMAT " ms",
                  mon->name, cmd->name, cmd->idStr, (gint64)late.elapsedMs);
        if (deliver && mon->cbs.lateReply)
            mon->cbs.lateReply(mon, &late, mon->opaque);
        mutexLock(&mon->lock);
        qemuMonitorCmdUnrefLocked(cmd);
        mutexUnlock(&mon->lock);
        return;
    }

    if (qemuMonitorCmdIsAsync(cmd)) {
        if (cmd->done) {
            /* Already failed with a timeout: it cannot be abandoned
             * twice, so this is the late reply of an async command. */
            qemuMonitorCmdUnrefLocked(cmd);
            mutexUnlock(&mon->lock);
            return;
        }
        cmd->done = true;
        mutexUnlock(&mon->lock);
        cmd->cb(mon, msg->obj, NULL, cmd->cbOpaque);
        mutexLock(&mon->lock);
        qemuMonitorCmdUnrefLocked(cmd);
        mutexUnlock(&mon->lock);
        return;
    }

    /*
     * The message's reference moves to the command: Debian's json-c counts
     * references without atomics, so the loop thread must not drop a
     * reference of its own (when @msg is freed) while the waiting caller
     * already reads and releases the reply (a ThreadSanitizer report).
     */
    cmd->reply = g_steal_pointer(&msg->obj);
    cmd->done = true;
    condBroadcast(&mon->cond);
    qemuMonitorCmdUnrefLocked(cmd);
    mutexUnlock(&mon->lock);
}

/* Handles one complete line; returns -1 when the monitor had to stop. */
static int
qemuMonitorHandleLine(QemuMonitor *mon, const char *line, size_t len)
{
    g_autoptr(QemuMonitorMessage) msg = NULL;

    if (logEnabled(logCategory, LOG_LEVEL_DEBUG))
        LOG_DEBUG("monitor '%s' recv: %.*s", mon->name, (int)MIN(len, 4096), line);

    if (!(msg = qemuMonitorJSONParseMessage(line, len))) {
        g_autofree char *detail = qemuMonitorTakeThreadError();

        qemuMonitorFail(mon, QEMU_MONITOR_CLOSED_ERROR, VIR_ERR_INTERNAL_ERROR, detail);
        return -1;
    }
    switch (msg->type) {
    case QEMU_MONITOR_MESSAGE_GREETING:
        qemuMonitorHandleGreeting(mon, msg);
        break;
    case QEMU_MONITOR_MESSAGE_EVENT:
        qemuMonitorHandleEvent(mon, msg);
        break;
    case QEMU_MONITOR_MESSAGE_REPLY:
    case QEMU_MONITOR_MESSAGE_LAST:
        qemuMonitorHandleReply(mon, msg);
        break;
    }
    return 0;
}

static bool
qemuMonitorIsClosed(QemuMonitor *mon)
{
    bool ret;

    mutexLock(&mon->lock);
    ret = mon->phase == QEMU_MONITOR_PHASE_CLOSED;
    mutexUnlock(&mon->lock);
    return ret;
}

/* Splits the input buffer into lines and handles each one; stops (-1) as
 * soon as the monitor stopped, also when a callback closed it. */
static int
qemuMonitorProcessInput(QemuMonitor *mon, size_t maxMessage)
{
    GString *in = mon->input;
    size_t pos = 0;
    char *nl = NULL;
    int ret = 0;

    while (pos < in->len && (nl = memchr(in->str + pos, '\n', in->len - pos))) {
        const char *line = in->str + pos;
        size_t len = nl - line;

        pos += len + 1;
        if (len > 0 && line[len - 1] == '\r')
            len--;
        if (len > maxMessage) {
            g_autofree char *reason =
                g_strdup_printf(_("QEMU monitor sent a message longer than %1$zu bytes"),
                                maxMessage);

            qemuMonitorFail(mon, QEMU_MONITOR_CLOSED_ERROR, VIR_ERR_INTERNAL_ERROR, reason);
            ret = -1;
            break;
        }
        if (len == 0)
            continue;
        if (qemuMonitorHandleLine(mon, line, len) < 0 || qemuMonitorIsClosed(mon)) {
            ret = -1;
            break;
        }
    }
    g_string_erase(in, 0, pos);
    if (ret == 0 && in->len > maxMessage) {
        g_autofree char *reason =
            g_strdup_printf(_("QEMU monitor sent a message longer than %1$zu bytes"),
                            maxMessage);

        qemuMonitorFail(mon, QEMU_MONITOR_CLOSED_ERROR, VIR_ERR_INTERNAL_ERROR, reason);
        ret = -1;
    }
    return ret;
}

/* Reads what is available.  Returns 1 on EOF, -1 after a fatal error. */
static int
qemuMonitorRead(QemuMonitor *mon, int fd)
{
    char buf[QEMU_MONITOR_READ_CHUNK];
    size_t maxMessage;
    int i;

    mutexLock(&mon->lock);
    maxMessage = mon->maxMessage;
    mutexUnlock(&mon->lock);

    for (i = 0; i < QEMU_MONITOR_READS_PER_DISPATCH; i++) {
        ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

        if (n < 0) {
            g_autofree char *reason = NULL;

            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 0;
            /* QEMU exited with bytes of ours unread: that is an EOF too. */
            if (errno == ECONNRESET) {
                LOG_DEBUG("monitor '%s': connection reset, treated as end of file", mon->name);
                return 1;
            }
            reason = g_strdup_printf(_("cannot read from QEMU monitor: %1$s"), g_strerror(errno));
            qemuMonitorFail(mon, QEMU_MONITOR_CLOSED_ERROR, VIR_ERR_INTERNAL_ERROR, reason);
            return -1;
        }
        if (n == 0)
            return 1;
        g_string_append_len(mon->input, buf, n);
        if (qemuMonitorProcessInput(mon, maxMessage) < 0)
            return -1;
    }
    return 0;
}

/* Fails async commands whose deadline passed. */
static void
qemuMonitorExpireAsync(QemuMonitor *mon)
{
    g_autoptr(GPtrArray) expired = g_ptr_array_new();
    int64_t now = g_get_monotonic_time();
    QemuMonitorCmd *cmd = NULL;
    GList *l = NULL;
    GList *next = NULL;
    g_autofree char *secs = NULL;
    char *msg = NULL;

    mutexLock(&mon->lock);
    for (l = mon->sent.head; l; l = l->next) {
        cmd = l->data;
        if (!qemuMonitorCmdIsAsync(cmd) || cmd->done || cmd->deadline > now)
            continue;
        g_free(secs);
        secs = qemuMonitorFormatSeconds(cmd->timeoutMs);
        msg = g_strdup_printf(_("QEMU command '%1$s' on domain '%2$s' did not answer within %3$s s"),
                              cmd->name, mon->name, secs);
        qemuMonitorCmdSetErrorLocked(cmd, VIR_ERR_OPERATION_TIMEOUT, msg);
        cmd->abandoned = true;
        g_ptr_array_add(expired, qemuMonitorCmdRef(cmd));
    }
    for (l = mon->queue.head; l; l = next) {
        next = l->next;
        cmd = l->data;
        if (!qemuMonitorCmdIsAsync(cmd) || cmd->deadline > now)
            continue;
        g_free(secs);
        secs = qemuMonitorFormatSeconds(cmd->timeoutMs);
        if (qemuMonitorOldestLocked(mon))
            msg = g_strdup_printf(_("QEMU command '%1$s' on domain '%2$s' was not sent within %3$s s: the monitor is busy with command '%4$s'"),
                                  cmd->name, mon->name, secs, qemuMonitorOldestLocked(mon)->name);
        else
            msg = g_strdup_printf(_("QEMU command '%1$s' on domain '%2$s' was not sent within %3$s s: the monitor is not ready"),
                                  cmd->name, mon->name, secs);
        qemuMonitorCmdSetErrorLocked(cmd, VIR_ERR_OPERATION_TIMEOUT, msg);
        g_queue_delete_link(&mon->queue, l);
        g_ptr_array_add(expired, cmd);
    }
    mutexUnlock(&mon->lock);

    if (expired->len > 0)
        qemuMonitorCompleteFailed(mon, expired);
}

/* One dispatch of the monitor's source; returns G_SOURCE_REMOVE once the
 * monitor stopped. */
static gboolean
qemuMonitorIO(QemuMonitor *mon, int fd, GIOCondition revents)
{
    g_autofree char *reason = NULL;
    int rc = 0;

    if (revents & G_IO_NVAL) {
        qemuMonitorFail(mon, QEMU_MONITOR_CLOSED_ERROR, VIR_ERR_INTERNAL_ERROR,
                        _("invalid QEMU monitor socket"));
        return G_SOURCE_REMOVE;
    }
    if (revents & (G_IO_IN | G_IO_HUP | G_IO_ERR)) {
        rc = qemuMonitorRead(mon, fd);
        if (rc < 0)
            return G_SOURCE_REMOVE;
        if (rc > 0) {
            qemuMonitorFail(mon, QEMU_MONITOR_CLOSED_EOF, VIR_ERR_OPERATION_FAILED,
                            _("end of file from QEMU monitor"));
            return G_SOURCE_REMOVE;
        }
    }

    qemuMonitorExpireAsync(mon);

    mutexLock(&mon->lock);
    if (mon->phase == QEMU_MONITOR_PHASE_CLOSED) {
        mutexUnlock(&mon->lock);
        return G_SOURCE_REMOVE;
    }
    rc = qemuMonitorWriteLocked(mon, fd, &reason);
    mutexUnlock(&mon->lock);
    if (rc < 0) {
        qemuMonitorFail(mon, QEMU_MONITOR_CLOSED_ERROR, VIR_ERR_INTERNAL_ERROR, reason);
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

static gboolean
qemuMonitorSourcePrepare(GSource *base, gint *timeout)
{
    QemuMonitorSource *src = (QemuMonitorSource *)base;
    QemuMonitor *mon = src->mon;
    GIOCondition want = G_IO_IN;
    gboolean ready = FALSE;
    bool changed = false;
    gpointer tag = NULL;
    int64_t deadline;

    mutexLock(&mon->lock);
    ready = qemuMonitorCanStartLocked(mon);
    if (qemuMonitorWritingLocked(mon))
        want |= G_IO_OUT;
    deadline = qemuMonitorNextDeadlineLocked(mon);
    /*
     * @src is read and written under mon->lock only, so that the loop's
     * last touch of it is ordered before qemuMonitorClose() (which takes
     * the lock) drops what may be the last reference.  GLib's own ordering
     * of the two is real but invisible to ThreadSanitizer, which reported
     * the free as racing with the read of src->events.
     */
    if (want != src->events) {
        src->events = want;
        changed = true;
    }
    tag = src->tag;
    mutexUnlock(&mon->lock);

    /* Only on change: modifying the fd wakes the context up. */
    if (changed)
        g_source_modify_unix_fd(base, tag, want);

    *timeout = -1;
    if (deadline >= 0) {
        int64_t now = g_get_monotonic_time();

        if (deadline <= now)
            ready = TRUE;
        else
            *timeout = (gint)MIN((deadline - now + 999) / 1000, G_MAXINT);
    }
    return ready;
}

static gboolean
qemuMonitorSourceCheck(GSource *base)
{
    QemuMonitorSource *src = (QemuMonitorSource *)base;
    QemuMonitor *mon = src->mon;
    gboolean ready;
    int64_t deadline;

    if (g_source_query_unix_fd(base, src->tag))
        return TRUE;
    mutexLock(&mon->lock);
    ready = qemuMonitorCanStartLocked(mon);
    deadline = qemuMonitorNextDeadlineLocked(mon);
    mutexUnlock(&mon->lock);
    return ready || (deadline >= 0 && deadline <= g_get_monotonic_time());
}

static gboolean
qemuMonitorSourceDispatch(GSource *base, GSourceFunc callback, gpointer data)
{
    QemuMonitorSource *src = (QemuMonitorSource *)base;
    QemuMonitor *mon = qemuMonitorRef(src->mon);
    gboolean ret;

    /* Event-loop callbacks start and end with a clean error slot. */
    errorReset();
    ret = qemuMonitorIO(mon, src->fd, g_source_query_unix_fd(base, src->tag));
    errorReset();
    qemuMonitorUnref(mon);
    return ret;
}

static void
qemuMonitorSourceFinalize(GSource *base)
{
    QemuMonitorSource *src = (QemuMonitorSource *)base;

    if (src->fd >= 0)
        close(src->fd);
    src->fd = -1;
    qemuMonitorUnref(g_steal_pointer(&src->mon));
}

static GSourceFuncs qemuMonitorSourceFuncs = {
    .prepare = qemuMonitorSourcePrepare,
    .check = qemuMonitorSourceCheck,
    .dispatch = qemuMonitorSourceDispatch,
    .finalize = qemuMonitorSourceFinalize,
};

/* ---------------------------------------------------------------- */
/* Open and close                                                   */

/**
 * qemuMonitorOpenFD:
 * @fd: a connected stream socket to a QMP server (ownership taken, also
 *      on failure)
 * @name: the domain name, used in messages
 * @ctx: the event loop that will own the socket (reference taken)
 * @cbs: callbacks (copied), or NULL
 * @opaque: passed to the callbacks
 * @opaqueFree: called on @opaque when the monitor is freed (or when
 *              opening fails), or NULL
 *
 * Starts I/O on @ctx: the loop reads the greeting, negotiates
 * capabilities, then sends queued commands one at a time.  Every callback
 * runs on the thread running @ctx, without monitor locks.
 *
 * Returns: the monitor (caller owns one reference and must call
 * qemuMonitorClose()), or NULL with an error reported.
 */
QemuMonitor *
qemuMonitorOpenFD(int fd, const char *name, GMainContext *ctx, const QemuMonitorCallbacks *cbs,
                  void *opaque, GDestroyNotify opaqueFree)
{
    QemuMonitor *mon = NULL;
    QemuMonitorSource *src = NULL;
    int flags;

    if ((flags = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 ||
        fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
        reportSystemError(errno, _("cannot set up QEMU monitor socket of domain '%1$s'"), name);
        close(fd);
        if (opaqueFree)
            opaqueFree(opaque);
        return NULL;
    }

    mon = g_new0(QemuMonitor, 1);
    mon->refs = 1;
    mon->name = g_strdup(name);
    mon->ctx = g_main_context_ref(ctx);
    if (cbs)
        mon->cbs = *cbs;
    mon->opaque = opaque;
    mon->opaqueFree = opaqueFree;
    mutexInit(&mon->lock);
    condInit(&mon->cond);
    g_queue_init(&mon->queue);
    g_queue_init(&mon->sent);
    mon->timeoutMs = QEMU_MONITOR_DEFAULT_TIMEOUT_MS;
    mon->maxMessage = QEMU_MONITOR_DEFAULT_MAX_MESSAGE;
    mon->input = g_string_new(NULL);
    mon->phase = QEMU_MONITOR_PHASE_GREETING;
    mon->nextId = QEMU_MONITOR_NEGOTIATION_ID;

    src = (QemuMonitorSource *)g_source_new(&qemuMonitorSourceFuncs, sizeof(QemuMonitorSource));
    g_source_set_name(&src->base, "qemu-monitor");
    src->mon = qemuMonitorRef(mon);
    src->fd = fd;
    src->events = G_IO_IN;
    src->tag = g_source_add_unix_fd(&src->base, fd, G_IO_IN);
    mon->source = &src->base;   /* the monitor's reference to the source */
    threadGlibInternalsBegin();
    g_source_attach(&src->base, ctx);
    threadGlibInternalsEnd();

    LOG_DEBUG("monitor '%s' opened on fd %d", name, fd);
    return mon;
}

/**
 * qemuMonitorOpen:
 * @path: the QMP unix socket (created by QEMU)
 * @name: the domain name, used in messages
 * @ctx: the event loop that will own the socket
 * @connectTimeoutMs: how long to retry while the socket does not exist yet
 *                    or refuses connections (QEMU still starting); 0 tries once
 * @cbs: callbacks (copied), or NULL
 * @opaque: passed to the callbacks
 * @opaqueFree: called on @opaque when the monitor is freed, or NULL (it is
 *              also called when opening fails)
 *
 * Connects, then behaves as qemuMonitorOpenFD().  Blocks for up to
 * @connectTimeoutMs: call it from a worker thread without locks held.
 *
 * Returns: the monitor (caller owns a reference and must call
 * qemuMonitorClose()), or NULL with an error reported.
 */
QemuMonitor *
qemuMonitorOpen(const char *path, const char *name, GMainContext *ctx, int connectTimeoutMs,
                const QemuMonitorCallbacks *cbs, void *opaque, GDestroyNotify opaqueFree)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int64_t deadline = g_get_monotonic_time() + (int64_t)MAX(connectTimeoutMs, 0) * 1000;
    int fd = -1;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        reportError(VIR_ERR_INTERNAL_ERROR,
                    _("QEMU monitor socket path '%1$s' of domain '%2$s' is too long"), path, name);
        goto error;
    }
    memcpy(addr.sun_path, path, strlen(path));

    while (true) {
        int err;

        if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0) {
            reportSystemError(errno, "%s", _("cannot create socket"));
            goto error;
        }
        if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0)
            break;
        err = errno;
        close(fd);
        fd = -1;
        if ((err != ENOENT && err != ECONNREFUSED && err != EAGAIN && err != EINTR) ||
            g_get_monotonic_time() >= deadline) {
            reportSystemError(err, _("cannot connect to QEMU monitor '%1$s' of domain '%2$s'"),
                              path, name);
            goto error;
        }
        g_usleep(5 * 1000);
    }
    return qemuMonitorOpenFD(fd, name, ctx, cbs, opaque, opaqueFree);

 error:
    if (opaqueFree)
        opaqueFree(opaque);
    return NULL;
}

/**
 * qemuMonitorClose:
 * @mon: a monitor, or NULL
 *
 * Stops I/O, fails every pending command ("monitor closed"), wakes the
 * synchronous waiters and drops the caller's reference.  Pending
 * asynchronous commands complete with that error from the calling thread.
 * The closed callback is not called; an event or late-reply callback
 * already running on the event loop may still finish.  The socket is
 * closed by the event loop once it released the monitor's source.
 */
void
qemuMonitorClose(QemuMonitor *mon)
{
    g_autoptr(GPtrArray) async = g_ptr_array_new();
    GSource *src = NULL;
    const char *reason = _("the monitor was closed");

    if (!mon)
        return;
    mutexLock(&mon->lock);
    mon->closing = true;
    if (mon->phase != QEMU_MONITOR_PHASE_CLOSED) {
        mon->phase = QEMU_MONITOR_PHASE_CLOSED;
        mon->closedCode = VIR_ERR_OPERATION_FAILED;
        mon->closedMsg = g_strdup(reason);
        while (!g_queue_is_empty(&mon->sent))
            qemuMonitorCmdFailLocked(mon, g_queue_pop_head(&mon->sent),
                                     VIR_ERR_OPERATION_FAILED, reason, async);
        while (!g_queue_is_empty(&mon->queue))
            qemuMonitorCmdFailLocked(mon, g_queue_pop_head(&mon->queue),
                                     VIR_ERR_OPERATION_FAILED, reason, async);
    }
    src = g_steal_pointer(&mon->source);
    condBroadcast(&mon->cond);
    mutexUnlock(&mon->lock);

    qemuMonitorCompleteFailed(mon, async);
    if (src) {
        /* the loop thread's GLib allocations, under GLib's own locks */
        threadGlibInternalsBegin();
        g_source_destroy(src);
        g_source_unref(src);
        threadGlibInternalsEnd();
    }
    LOG_DEBUG("monitor '%s' closed", mon->name);
    qemuMonitorUnref(mon);
}

/**
 * qemuMonitorGetName:
 * @mon: a monitor
 *
 * Returns: the name given at open (valid while @mon is referenced).
 */
const char *
qemuMonitorGetName(QemuMonitor *mon)
{
    return mon->name;
}

/**
 * qemuMonitorSetTimeout:
 * @mon: a monitor
 * @timeoutMs: the default per-command timeout in ms (> 0; other values
 *             restore QEMU_MONITOR_DEFAULT_TIMEOUT_MS)
 *
 * Applies to commands submitted afterwards.
 */
void
qemuMonitorSetTimeout(QemuMonitor *mon, int timeoutMs)
{
    mutexLock(&mon->lock);
    mon->timeoutMs = timeoutMs > 0 ? timeoutMs : QEMU_MONITOR_DEFAULT_TIMEOUT_MS;
    mutexUnlock(&mon->lock);
}

/**
 * qemuMonitorGetTimeout:
 * @mon: a monitor
 *
 * Returns: the default per-command timeout in ms.
 */
int
qemuMonitorGetTimeout(QemuMonitor *mon)
{
    int ret;

    mutexLock(&mon->lock);
    ret = mon->timeoutMs;
    mutexUnlock(&mon->lock);
    return ret;
}

/**
 * qemuMonitorSetMaxMessage:
 * @mon: a monitor
 * @bytes: the longest line accepted from QEMU; a longer one is a fatal
 *         protocol error (0 restores QEMU_MONITOR_DEFAULT_MAX_MESSAGE)
 */
void
qemuMonitorSetMaxMessage(QemuMonitor *mon, size_t bytes)
{
    mutexLock(&mon->lock);
    mon->maxMessage = bytes > 0 ? bytes : QEMU_MONITOR_DEFAULT_MAX_MESSAGE;
    mutexUnlock(&mon->lock);
}

/**
 * qemuMonitorGetVersion:
 * @mon: a monitor
 *
 * Returns: a copy of the QEMU version from the greeting (caller owns it),
 * or NULL when the greeting has not arrived (no error reported).
 */
QemuMonitorVersion *
qemuMonitorGetVersion(QemuMonitor *mon)
{
    QemuMonitorVersion *ret = NULL;

    mutexLock(&mon->lock);
    if (mon->version) {
        ret = g_new0(QemuMonitorVersion, 1);
        *ret = *mon->version;
        ret->package = g_strdup(mon->version->package);
    }
    mutexUnlock(&mon->lock);
    return ret;
}

/**
 * qemuMonitorGetPendingCount:
 * @mon: a monitor
 *
 * Test helper (qemu_monitor_priv.h).
 *
 * Returns: the number of commands queued or in flight.
 */
unsigned int
qemuMonitorGetPendingCount(QemuMonitor *mon)
{
    unsigned int ret;

    mutexLock(&mon->lock);
    ret = g_queue_get_length(&mon->queue) + g_queue_get_length(&mon->sent);
    mutexUnlock(&mon->lock);
    return ret;
}

/**
 * qemuMonitorIsAwaitingReply:
 * @mon: a monitor
 *
 * Test helper (qemu_monitor_priv.h).
 *
 * Returns: true when a command was written completely and waits for its
 * reply.
 */
bool
qemuMonitorIsAwaitingReply(QemuMonitor *mon)
{
    bool ret;

    mutexLock(&mon->lock);
    ret = qemuMonitorOldestLocked(mon) &&
          qemuMonitorOldestLocked(mon)->written == qemuMonitorOldestLocked(mon)->wireLen;
    mutexUnlock(&mon->lock);
    return ret;
}

static bool
qemuMonitorCheckNotLoopThread(QemuMonitor *mon, const char *what)
{
    if (g_main_context_is_owner(mon->ctx)) {
        reportError(VIR_ERR_INTERNAL_ERROR,
                    _("QEMU command '%1$s' on domain '%2$s' cannot be waited for on the event loop thread"),
                    what, mon->name);
        return false;
    }
    return true;
}

/**
 * qemuMonitorWaitReady:
 * @mon: a monitor
 * @timeoutMs: how long to wait, QEMU_MONITOR_TIMEOUT_DEFAULT for the
 *             monitor's timeout
 *
 * Waits until the greeting arrived and capabilities were negotiated.
 * Blocks: worker threads only, no domain lock held.
 *
 * Returns: 0 when ready, -1 with VIR_ERR_OPERATION_TIMEOUT or the reason
 * the monitor stopped reported.
 */
int
qemuMonitorWaitReady(QemuMonitor *mon, int timeoutMs)
{
    int64_t deadline;
    int ret = -1;

    if (!qemuMonitorCheckNotLoopThread(mon, "qmp_capabilities"))
        return -1;
    qemuMonitorRef(mon);
    mutexLock(&mon->lock);
    if (timeoutMs <= 0)
        timeoutMs = mon->timeoutMs;
    deadline = g_get_monotonic_time() + (int64_t)timeoutMs * 1000;
    while (mon->phase < QEMU_MONITOR_PHASE_READY) {
        if (!condWaitUntil(&mon->cond, &mon->lock, deadline) &&
            mon->phase < QEMU_MONITOR_PHASE_READY) {
            g_autofree char *secs = qemuMonitorFormatSeconds(timeoutMs);

            reportError(VIR_ERR_OPERATION_TIMEOUT,
                        _("QEMU monitor of domain '%1$s' was not ready within %2$s s"),
                        mon->name, secs);
            goto cleanup;
        }
    }
    if (mon->phase == QEMU_MONITOR_PHASE_CLOSED) {
        reportError(mon->closedCode, _("QEMU monitor of domain '%1$s' stopped: %2$s"),
                    mon->name, mon->closedMsg);
        goto cleanup;
    }
    ret = 0;

 cleanup:
    mutexUnlock(&mon->lock);
    qemuMonitorUnref(mon);
    return ret;
}

/*
 * Writes what may go now from the calling thread, as the loop would
 * (mon->lock held): a command submitted while the monitor is idle is on
 * the wire without a wake-up of the loop thread, which only reads the
 * reply (one thread hand-off less per command).  The socket stays the
 * loop's: it is used only while mon->source exists (cleared under the
 * lock before the source and its fd go away), never blocks (the loop
 * writes the rest of a partial write), and a write error is left for the
 * loop, which meets it again and stops the monitor on its own thread.
 *
 * Returns: true when the loop must be woken: part of a command is left
 * to write, or a write failed.
 */
static bool
qemuMonitorWriteNowLocked(QemuMonitor *mon)
{
    QemuMonitorSource *src = (QemuMonitorSource *)mon->source;
    g_autofree char *reason = NULL;

    if (!src || mon->phase == QEMU_MONITOR_PHASE_CLOSED)
        return true;
    if (qemuMonitorWriteLocked(mon, src->fd, &reason) < 0) {
        LOG_DEBUG("monitor '%s': %s; the loop takes over", mon->name, reason);
        return true;
    }
    return qemuMonitorWritingLocked(mon) != NULL;
}

/* Queues @json (taken); reports and returns NULL when the monitor has
 * stopped.  The returned command has a reference for the caller and one
 * for the queue. */
static QemuMonitorCmd *
qemuMonitorSubmit(QemuMonitor *mon, json_object *json, int passFd, unsigned int flags,
                  int timeoutMs, QemuMonitorReplyFunc cb, void *opaque,
                  GDestroyNotify opaqueFree)
{
    QemuMonitorCmd *cmd = NULL;
    bool wake;

    mutexLock(&mon->lock);
    if (mon->phase == QEMU_MONITOR_PHASE_CLOSED) {
        const char *name = qemuMonitorJSONCommandName(json);

        reportError(mon->closedCode, _("QEMU command '%1$s' on domain '%2$s' cannot be sent: %3$s"),
                    name ? name : "?", mon->name, mon->closedMsg);
        mutexUnlock(&mon->lock);
        json_object_put(json);
        if (opaqueFree)
            opaqueFree(opaque);
        return NULL;
    }
    cmd = qemuMonitorCmdNewLocked(mon, json, 0, flags, timeoutMs);
    if (passFd >= 0 && (cmd->fd = fcntl(passFd, F_DUPFD_CLOEXEC, 3)) < 0) {
        reportSystemError(errno, "%s", _("cannot duplicate the file descriptor for QEMU"));
        qemuMonitorCmdUnrefLocked(cmd);
        mutexUnlock(&mon->lock);
        if (opaqueFree)
            opaqueFree(opaque);
        return NULL;
    }
    cmd->cb = cb;
    cmd->cbOpaque = opaque;
    cmd->cbOpaqueFree = opaqueFree;
    g_queue_push_tail(&mon->queue, qemuMonitorCmdRef(cmd));
    LOG_DEBUG("monitor '%s' queued %s (%s), timeout %d ms", mon->name, cmd->name, cmd->idStr,
              cmd->timeoutMs);
    /* an async deadline may be earlier than the loop's poll timeout */
    wake = qemuMonitorWriteNowLocked(mon) || cb;
    mutexUnlock(&mon->lock);

    if (wake)
        g_main_context_wakeup(mon->ctx);
    return cmd;
}

/*
 * Waits for the reply to @c, a synchronous command (mon->lock held,
 * dropped while waiting; the caller keeps its reference to @c).  On
 * timeout a command still queued is dropped (never sent), one already
 * sent is abandoned (its reply goes to the lateReply callback).
 *
 * Returns: 0 with the reply moved to *retReply, -1 with an error reported.
 */
static int
qemuMonitorWaitCmdLocked(QemuMonitor *mon, QemuMonitorCmd *c, json_object **retReply)
{
    g_autofree char *secs = NULL;
    g_autofree char *busy = NULL;
    bool timedOut = false;
    bool notSent = false;

    while (!c->done) {
        if (condWaitUntil(&mon->cond, &mon->lock, c->deadline) || c->done)
            continue;
        timedOut = true;
        if (g_queue_remove(&mon->queue, c)) {
            qemuMonitorCmdUnrefLocked(c);
            notSent = true;
            if (qemuMonitorOldestLocked(mon))
                busy = g_strdup(qemuMonitorOldestLocked(mon)->name);
        } else {
            c->abandoned = true;
        }
        break;
    }

    if (timedOut) {
        secs = qemuMonitorFormatSeconds(c->timeoutMs);
        LOG_DEBUG("monitor '%s': %s (%s) timed out after %s s%s", mon->name, c->name,
                  c->idStr, secs, notSent ? ", not sent" : "");
        if (!notSent)
            reportError(VIR_ERR_OPERATION_TIMEOUT,
                        _("QEMU command '%1$s' on domain '%2$s' did not answer within %3$s s"),
                        c->name, mon->name, secs);
        else if (busy)
            reportError(VIR_ERR_OPERATION_TIMEOUT,
                        _("QEMU command '%1$s' on domain '%2$s' was not sent within %3$s s: the monitor is busy with command '%4$s'"),
                        c->name, mon->name, secs, busy);
        else
            reportError(VIR_ERR_OPERATION_TIMEOUT,
                        _("QEMU command '%1$s' on domain '%2$s' was not sent within %3$s s: the monitor is not ready"),
                        c->name, mon->name, secs);
        return -1;
    }
    if (c->reply) {
        *retReply = g_steal_pointer(&c->reply);
        return 0;
    }
    reportError(c->errCode, "%s", c->errMsg);
    return -1;
}

/**
 * qemuMonitorCommand:
 * @mon: a monitor
 * @cmd: the command (ownership taken), e.g. from qemuMonitorJSONMakeCommand()
 * @flags: QemuMonitorCommandFlags
 * @timeoutMs: timeout in ms, QEMU_MONITOR_TIMEOUT_DEFAULT (or <= 0) for the
 *             monitor's; counted from now, queueing included
 * @retReply: set to the reply (caller owns it) on success
 *
 * Sends @cmd and waits for its reply.  Writes @cmd itself when the
 * monitor is idle (non-blocking; the event loop writes the rest and reads
 * the reply), then blocks on a condition with a deadline.  The caller
 * must not hold a domain lock, nor any lock the event loop or the monitor
 * callbacks take, and must not be the event-loop thread.  @mon must be valid when
 * the call starts (the caller holds a reference, e.g. taken with
 * qemuMonitorRef() before dropping the domain lock); the call keeps its
 * own reference while it waits, so a concurrent qemuMonitorClose() only
 * makes it fail.
 *
 * On timeout the command stays tracked: if it was sent, its reply goes
 * to the lateReply callback when it arrives; if it was still queued, it
 * is dropped and never sent.
 *
 * Returns: 0 when a reply arrived (which may be a QMP error: check it with
 * qemuMonitorJSONCheckReply()), -1 with an error reported on timeout
 * (VIR_ERR_OPERATION_TIMEOUT), EOF or when the monitor stopped.
 */
int
qemuMonitorCommand(QemuMonitor *mon, json_object *cmd, unsigned int flags, int timeoutMs,
                   json_object **retReply)
{
    return qemuMonitorCommandWithFd(mon, cmd, -1, flags, timeoutMs, retReply);
}

/**
 * qemuMonitorCommandWithFd:
 * @mon: a monitor
 * @cmd: the command (ownership taken)
 * @passFd: a file descriptor to pass to QEMU with the command (SCM_RIGHTS),
 *          or -1; the caller keeps its own: the monitor sends a duplicate
 * @flags: QemuMonitorCommandFlags
 * @timeoutMs: as for qemuMonitorCommand()
 * @retReply: set to the reply (caller owns it) on success
 *
 * qemuMonitorCommand() with an fd attached to the command's first byte,
 * for "getfd" and "add-fd".  Same locking rules.
 *
 * Returns: as qemuMonitorCommand().
 */
int
qemuMonitorCommandWithFd(QemuMonitor *mon, json_object *cmd, int passFd, unsigned int flags,
                         int timeoutMs, json_object **retReply)
{
    QemuMonitorCmd *c = NULL;
    int ret = -1;

    if (!qemuMonitorCheckNotLoopThread(mon, NULLSTR(qemuMonitorJSONCommandName(cmd)))) {
        json_object_put(cmd);
        return -1;
    }
    /* Keep @mon alive while waiting, even if its owner closes it. */
    qemuMonitorRef(mon);
    if (!(c = qemuMonitorSubmit(mon, cmd, passFd, flags, timeoutMs, NULL, NULL, NULL))) {
        qemuMonitorUnref(mon);
        return -1;
    }

    mutexLock(&mon->lock);
    ret = qemuMonitorWaitCmdLocked(mon, c, retReply);
    qemuMonitorCmdUnrefLocked(c);
    mutexUnlock(&mon->lock);
    qemuMonitorUnref(mon);
    return ret;
}

/**
 * qemuMonitorCommandAsync:
 * @mon: a monitor
 * @cmd: the command (ownership taken)
 * @flags: QemuMonitorCommandFlags
 * @timeoutMs: timeout in ms, QEMU_MONITOR_TIMEOUT_DEFAULT for the monitor's
 * @cb: completion callback: runs once on the event-loop thread, without
 *      monitor locks (or from qemuMonitorClose()'s thread if it closes the
 *      monitor first)
 * @opaque: passed to @cb
 * @opaqueFree: releases @opaque after @cb ran (also on failure here)
 * @retId: set to the command id, or NULL
 *
 * Queues @cmd and returns at once.  On timeout @cb gets a
 * VIR_ERR_OPERATION_TIMEOUT error; a reply arriving later goes to the
 * lateReply callback.  Callable from any thread.
 *
 * Returns: 0 when queued, -1 with an error reported when the monitor has
 * stopped (@cb is not called then).
 */
int
qemuMonitorCommandAsync(QemuMonitor *mon, json_object *cmd, unsigned int flags, int timeoutMs,
                        QemuMonitorReplyFunc cb, void *opaque, GDestroyNotify opaqueFree,
                        uint64_t *retId)
{
    QemuMonitorCmd *c = NULL;

    if (!(c = qemuMonitorSubmit(mon, cmd, -1, flags, timeoutMs, cb, opaque, opaqueFree)))
        return -1;
    if (retId)
        *retId = c->id;
    mutexLock(&mon->lock);
    qemuMonitorCmdUnrefLocked(c);
    mutexUnlock(&mon->lock);
    return 0;
}

/* ---------------------------------------------------------------- */
/* Pipelined batches                                                */

static void
qemuMonitorJSONPut(gpointer obj)
{
    json_object_put(obj);
}

struct _QemuMonitorBatch {
    QemuMonitor *mon;           /* reference */
    GPtrArray *cmds;            /* QemuMonitorCmd, a reference each (under mon->lock) */
    bool waited;
};

/**
 * qemuMonitorBatchSubmit:
 * @mon: a monitor
 * @cmds: the commands (each ownership taken, also on failure), all with
 *        replies that carry no data (e.g. migrate-set-capabilities)
 * @ncmds: how many
 * @timeoutMs: timeout of each command in ms counted from now,
 *             QEMU_MONITOR_TIMEOUT_DEFAULT for the monitor's
 *
 * Queues @cmds together, pipelined: each is written as soon as the one
 * before it is written, without waiting for its reply (QEMU runs them in
 * order and answers in order), so the batch costs one round trip.
 * Submitted before the monitor is ready, they follow the transport's
 * qmp_capabilities on the wire.  QEMU runs every command of a batch even
 * when an earlier one fails: batch only commands whose later ones are
 * harmless after an earlier failure.  Callable from any thread.
 *
 * Returns: the batch (caller frees it with qemuMonitorBatchFree(), usually
 * after qemuMonitorBatchWait()), or NULL with an error reported when the
 * monitor has stopped.
 */
QemuMonitorBatch *
qemuMonitorBatchSubmit(QemuMonitor *mon, json_object **cmds, size_t ncmds, int timeoutMs)
{
    QemuMonitorBatch *batch = NULL;
    bool wake;
    size_t i;

    mutexLock(&mon->lock);
    if (mon->phase == QEMU_MONITOR_PHASE_CLOSED) {
        const char *name = ncmds > 0 ? qemuMonitorJSONCommandName(cmds[0]) : NULL;

        reportError(mon->closedCode, _("QEMU command '%1$s' on domain '%2$s' cannot be sent: %3$s"),
                    name ? name : "?", mon->name, mon->closedMsg);
        mutexUnlock(&mon->lock);
        for (i = 0; i < ncmds; i++)
            json_object_put(cmds[i]);
        return NULL;
    }
    batch = g_new0(QemuMonitorBatch, 1);
    batch->mon = qemuMonitorRef(mon);
    batch->cmds = g_ptr_array_new();
    for (i = 0; i < ncmds; i++) {
        QemuMonitorCmd *cmd = qemuMonitorCmdNewLocked(mon, cmds[i], 0, 0, timeoutMs);

        cmd->pipelined = true;
        g_queue_push_tail(&mon->queue, qemuMonitorCmdRef(cmd));
        g_ptr_array_add(batch->cmds, cmd);
        LOG_DEBUG("monitor '%s' queued %s (%s), pipelined, timeout %d ms", mon->name, cmd->name,
                  cmd->idStr, cmd->timeoutMs);
    }
    wake = qemuMonitorWriteNowLocked(mon);
    mutexUnlock(&mon->lock);

    if (wake)
        g_main_context_wakeup(mon->ctx);
    return batch;
}

/* Gives up on the commands of @batch from @from on (mon->lock held): one
 * still queued is never sent, one sent is abandoned (its reply, when it
 * comes, goes to the lateReply callback). */
static void
qemuMonitorBatchDropLocked(QemuMonitorBatch *batch, size_t from)
{
    size_t i;

    for (i = from; i < batch->cmds->len; i++) {
        QemuMonitorCmd *cmd = batch->cmds->pdata[i];

        if (g_queue_remove(&batch->mon->queue, cmd))
            qemuMonitorCmdUnrefLocked(cmd);
        else if (!cmd->done)
            cmd->abandoned = true;
    }
}

/**
 * qemuMonitorBatchWait:
 * @batch: a batch from qemuMonitorBatchSubmit()
 *
 * Waits for the replies, in order.  Same rules as qemuMonitorCommand():
 * a worker thread, no domain lock held.  Call it once.
 *
 * Returns: 0 when every command succeeded; -1 with the first error in the
 * batch's order reported: an error reply of QEMU ("unable to execute QEMU
 * command 'CMD': DESC"), or the timeout or end of file of the first
 * command without a reply (the later ones are then given up).
 */
int
qemuMonitorBatchWait(QemuMonitorBatch *batch)
{
    QemuMonitor *mon = batch->mon;
    g_autoptr(GPtrArray) replies = g_ptr_array_new_with_free_func(qemuMonitorJSONPut);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    SavedError *waitError = NULL;
    size_t i;

    if (!qemuMonitorCheckNotLoopThread(mon, "batch"))
        return -1;
    mutexLock(&mon->lock);
    batch->waited = true;
    for (i = 0; i < batch->cmds->len; i++) {
        QemuMonitorCmd *cmd = batch->cmds->pdata[i];
        json_object *reply = NULL;

        if (qemuMonitorWaitCmdLocked(mon, cmd, &reply) < 0) {
            qemuMonitorBatchDropLocked(batch, i + 1);
            waitError = errorSave();
            break;
        }
        g_ptr_array_add(replies, reply);
        g_ptr_array_add(names, g_strdup(cmd->name));
    }
    mutexUnlock(&mon->lock);

    /* json-c and error reporting without the monitor lock */
    for (i = 0; i < replies->len; i++) {
        if (qemuMonitorJSONCheckReply(replies->pdata[i], names->pdata[i], json_type_null,
                                      NULL) < 0) {
            savedErrorFree(waitError);
            return -1;
        }
    }
    if (waitError) {
        errorRestore(&waitError);
        return -1;
    }
    return 0;
}

/**
 * qemuMonitorBatchFree:
 * @batch: a batch, or NULL
 *
 * Releases @batch.  Commands of a batch nobody waited for are given up:
 * those still queued are never sent.
 */
void
qemuMonitorBatchFree(QemuMonitorBatch *batch)
{
    QemuMonitor *mon = NULL;
    size_t i;

    if (!batch)
        return;
    mon = batch->mon;
    mutexLock(&mon->lock);
    if (!batch->waited)
        qemuMonitorBatchDropLocked(batch, 0);
    for (i = 0; i < batch->cmds->len; i++)
        qemuMonitorCmdUnrefLocked(batch->cmds->pdata[i]);
    mutexUnlock(&mon->lock);
    g_ptr_array_free(batch->cmds, TRUE);
    qemuMonitorUnref(mon);
    g_free(batch);
}

/**
 * qemuMonitorRunBatch:
 * @mon: a monitor
 * @cmds: the commands (each ownership taken), as for qemuMonitorBatchSubmit()
 * @ncmds: how many
 *
 * qemuMonitorBatchSubmit() with the monitor's timeout, then
 * qemuMonitorBatchWait(): one round trip for all.
 *
 * Returns: 0 when every command succeeded, -1 with the first error reported.
 */
int
qemuMonitorRunBatch(QemuMonitor *mon, json_object **cmds, size_t ncmds)
{
    g_autoptr(QemuMonitorBatch) batch = NULL;

    if (!qemuMonitorCheckNotLoopThread(mon, "batch")) {
        size_t i;

        for (i = 0; i < ncmds; i++)
            json_object_put(cmds[i]);
        return -1;
    }
    if (!(batch = qemuMonitorBatchSubmit(mon, cmds, ncmds, QEMU_MONITOR_TIMEOUT_DEFAULT)))
        return -1;
    return qemuMonitorBatchWait(batch);
}

/* ---------------------------------------------------------------- */
/* Typed commands (synchronous; same contract as qemuMonitorCommand)  */

static json_object *
qemuMonitorRun(QemuMonitor *mon, json_object *cmd)
{
    json_object *reply = NULL;

    if (qemuMonitorCommand(mon, cmd, 0, QEMU_MONITOR_TIMEOUT_DEFAULT, &reply) < 0)
        return NULL;
    return reply;
}

/* Runs a command whose reply carries no data. */
static int
qemuMonitorRunCheck(QemuMonitor *mon, json_object *cmd)
{
    g_autofree char *name = g_strdup(qemuMonitorJSONCommandName(cmd));
    g_autoptr(json_object) reply = qemuMonitorRun(mon, cmd);

    if (!reply)
        return -1;
    return qemuMonitorJSONCheckReply(reply, name, json_type_null, NULL);
}

/**
 * qemuMonitorArbitraryCommand:
 * @mon: a monitor
 * @text: a QMP command as JSON text (qemu-monitor-command passthrough)
 * @retReply: set to QEMU's reply as JSON text (caller owns it), also when
 *            it is a QMP error
 *
 * Returns: 0 when QEMU answered, -1 with an error reported.
 */
int
qemuMonitorArbitraryCommand(QemuMonitor *mon, const char *text, char **retReply)
{
    json_object *cmd = qemuMonitorJSONBuildArbitrary(text);
    g_autoptr(json_object) reply = NULL;

    if (!cmd || !(reply = qemuMonitorRun(mon, cmd)))
        return -1;
    *retReply = jsonFormat(reply);
    return 0;
}

/**
 * qemuMonitorHumanCommand:
 * @mon: a monitor
 * @cmdline: an HMP command line
 * @secret: the command line carries secrets (never logged)
 * @retOutput: set to HMP's output (caller owns it)
 *
 * Returns: 0 on success, -1 with an error reported.
 */
int
qemuMonitorHumanCommand(QemuMonitor *mon, const char *cmdline, bool secret, char **retOutput)
{
    g_autoptr(json_object) reply = NULL;
    char *out = NULL;

    if (qemuMonitorCommand(mon, qemuMonitorJSONBuildHumanCommand(cmdline),
                           secret ? QEMU_MONITOR_COMMAND_SECRET : 0,
                           QEMU_MONITOR_TIMEOUT_DEFAULT, &reply) < 0)
        return -1;
    if (!(out = qemuMonitorJSONParseHumanCommand(reply)))
        return -1;
    *retOutput = out;
    return 0;
}

/**
 * qemuMonitorGetStatus:
 * @mon: a monitor
 *
 * Runs query-status.
 *
 * Returns: the status (caller owns it), or NULL with an error reported.
 */
QemuMonitorStatus *
qemuMonitorGetStatus(QemuMonitor *mon)
{
    g_autoptr(json_object) reply =
        qemuMonitorRun(mon, qemuMonitorJSONMakeCommand("query-status", NULL));

    return reply ? qemuMonitorJSONParseStatus(reply) : NULL;
}

/**
 * qemuMonitorStop:
 * @mon: a monitor
 *
 * Pauses the guest ("stop").
 *
 * Returns: 0 on success, -1 with an error reported.
 */
int
qemuMonitorStop(QemuMonitor *mon)
{
    return qemuMonitorRunCheck(mon, qemuMonitorJSONMakeCommand("stop", NULL));
}

/**
 * qemuMonitorCont:
 * @mon: a monitor
 *
 * Resumes the guest ("cont").
 *
 * Returns: 0 on success, -1 with an error reported.
 */
int
qemuMonitorCont(QemuMonitor *mon)
{
    return qemuMonitorRunCheck(mon, qemuMonitorJSONMakeCommand("cont", NULL));
}

/**
 * qemuMonitorSendFileHandle:
 * @mon: a monitor
 * @name: the name QEMU will know the fd by ("fd:NAME" in migrate URIs)
 * @fd: the descriptor (the caller keeps it; QEMU gets a duplicate)
 *
 * Hands QEMU a file descriptor ("getfd" over SCM_RIGHTS).  A name in use
 * is replaced, as QEMU does.
 *
 * Returns: 0 on success, -1 with an error reported.
 */
int
qemuMonitorSendFileHandle(QemuMonitor *mon, const char *name, int fd)
{
    json_object *args = json_object_new_object();
    json_object *cmd = NULL;
    g_autoptr(json_object) reply = NULL;

    json_object_object_add(args, "fdname", json_object_new_string(name));
    cmd = qemuMonitorJSONMakeCommand("getfd", args);
    if (qemuMonitorCommandWithFd(mon, cmd, fd, 0, QEMU_MONITOR_TIMEOUT_DEFAULT, &reply) < 0)
        return -1;
    return qemuMonitorJSONCheckReply(reply, "getfd", json_type_null, NULL);
}

/**
 * qemuMonitorCloseFileHandle:
 * @mon: a monitor
 * @name: a name given to qemuMonitorSendFileHandle()
 *
 * Makes QEMU close the descriptor ("closefd").
 *
 * Returns: 0 on success, -1 with an error reported (also when QEMU has no
 * fd of that name).
 */
int
qemuMonitorCloseFileHandle(QemuMonitor *mon, const char *name)
{
    json_object *args = json_object_new_object();

    json_object_object_add(args, "fdname", json_object_new_string(name));
    return qemuMonitorRunCheck(mon, qemuMonitorJSONMakeCommand("closefd", args));
}

/**
 * qemuMonitorSystemPowerdown:
 * @mon: a monitor
 *
 * Presses the ACPI power button ("system_powerdown").
 *
 * Returns: 0 on success, -1 with an error reported.
 */
int
qemuMonitorSystemPowerdown(QemuMonitor *mon)
{
    return qemuMonitorRunCheck(mon, qemuMonitorJSONMakeCommand("system_powerdown", NULL));
}

/**
 * qemuMonitorSystemReset:
 * @mon: a monitor
 *
 * Resets the guest ("system_reset").
 *
 * Returns: 0 on success, -1 with an error reported.
 */
int
qemuMonitorSystemReset(QemuMonitor *mon)
{
    return qemuMonitorRunCheck(mon, qemuMonitorJSONMakeCommand("system_reset", NULL));
}

/**
 * qemuMonitorQuit:
 * @mon: a monitor
 *
 * Asks QEMU to exit ("quit"); the closed callback follows with EOF.
 *
 * Returns: 0 on success, -1 with an error reported.
 */
int
qemuMonitorQuit(QemuMonitor *mon)
{
    return qemuMonitorRunCheck(mon, qemuMonitorJSONMakeCommand("quit", NULL));
}

/**
 * qemuMonitorGetCPUInfo:
 * @mon: a monitor
 *
 * Runs query-cpus-fast.
 *
 * Returns: a GPtrArray of QemuMonitorCPUInfo (caller owns it), or NULL
 * with an error reported.
 */
GPtrArray *
qemuMonitorGetCPUInfo(QemuMonitor *mon)
{
    g_autoptr(json_object) reply =
        qemuMonitorRun(mon, qemuMonitorJSONMakeCommand("query-cpus-fast", NULL));

    return reply ? qemuMonitorJSONParseCPUInfo(reply) : NULL;
}

/**
 * qemuMonitorSetBalloon:
 * @mon: a monitor
 * @bytes: the target guest memory size
 *
 * Returns: 0 on success, -1 with an error reported.
 */
int
qemuMonitorSetBalloon(QemuMonitor *mon, uint64_t bytes)
{
    return qemuMonitorRunCheck(mon, qemuMonitorJSONBuildBalloon(bytes));
}

/**
 * qemuMonitorGetBalloon:
 * @mon: a monitor
 * @retActual: set to the guest memory size in bytes
 *
 * Returns: 0 on success, -1 with an error reported.
 */
int
qemuMonitorGetBalloon(QemuMonitor *mon, uint64_t *retActual)
{
    g_autoptr(json_object) reply =
        qemuMonitorRun(mon, qemuMonitorJSONMakeCommand("query-balloon", NULL));

    return reply ? qemuMonitorJSONParseBalloon(reply, retActual) : -1;
}

/**
 * qemuMonitorQueryVersion:
 * @mon: a monitor
 *
 * Runs query-version.
 *
 * Returns: the version (caller owns it), or NULL with an error reported.
 */
QemuMonitorVersion *
qemuMonitorQueryVersion(QemuMonitor *mon)
{
    g_autoptr(json_object) reply =
        qemuMonitorRun(mon, qemuMonitorJSONMakeCommand("query-version", NULL));

    return reply ? qemuMonitorJSONParseVersion(reply) : NULL;
}

/**
 * qemuMonitorGetKVMState:
 * @mon: a monitor
 * @ret: filled on success
 *
 * Returns: 0 on success, -1 with an error reported.
 */
int
qemuMonitorGetKVMState(QemuMonitor *mon, QemuMonitorKVMState *ret)
{
    g_autoptr(json_object) reply =
        qemuMonitorRun(mon, qemuMonitorJSONMakeCommand("query-kvm", NULL));

    return reply ? qemuMonitorJSONParseKVM(reply, ret) : -1;
}

/**
 * qemuMonitorGetMachines:
 * @mon: a monitor
 *
 * Returns: a GPtrArray of QemuMonitorMachineInfo (caller owns it), or NULL
 * with an error reported.
 */
GPtrArray *
qemuMonitorGetMachines(QemuMonitor *mon)
{
    g_autoptr(json_object) reply =
        qemuMonitorRun(mon, qemuMonitorJSONMakeCommand("query-machines", NULL));

    return reply ? qemuMonitorJSONParseMachines(reply) : NULL;
}

/**
 * qemuMonitorGetCommands:
 * @mon: a monitor
 *
 * Returns: the names of the QMP commands QEMU knows (caller owns them,
 * g_strfreev), or NULL with an error reported.
 */
char **
qemuMonitorGetCommands(QemuMonitor *mon)
{
    g_autoptr(json_object) reply =
        qemuMonitorRun(mon, qemuMonitorJSONMakeCommand("query-commands", NULL));

    return reply ? qemuMonitorJSONParseCommands(reply) : NULL;
}

/**
 * qemuMonitorQomList:
 * @mon: a monitor
 * @path: a QOM path
 *
 * Returns: a GPtrArray of QemuMonitorQomProperty (caller owns it), or
 * NULL with an error reported.
 */
GPtrArray *
qemuMonitorQomList(QemuMonitor *mon, const char *path)
{
    g_autoptr(json_object) reply = qemuMonitorRun(mon, qemuMonitorJSONBuildQomList(path));

    return reply ? qemuMonitorJSONParseQomList(reply) : NULL;
}

/**
 * qemuMonitorQomGet:
 * @mon: a monitor
 * @path: a QOM path
 * @property: the property
 *
 * Returns: the value (caller owns the reference), or NULL with an error
 * reported.
 */
json_object *
qemuMonitorQomGet(QemuMonitor *mon, const char *path, const char *property)
{
    g_autoptr(json_object) reply = qemuMonitorRun(mon, qemuMonitorJSONBuildQomGet(path, property));

    return reply ? qemuMonitorJSONParseQomGet(reply) : NULL;
}

/**
 * qemuMonitorGetChardevs:
 * @mon: a monitor
 *
 * Runs query-chardev (pty paths of serial consoles).
 *
 * Returns: a GPtrArray of QemuMonitorChardevInfo (caller owns it), or NULL
 * with an error reported.
 */
GPtrArray *
qemuMonitorGetChardevs(QemuMonitor *mon)
{
    g_autoptr(json_object) reply =
        qemuMonitorRun(mon, qemuMonitorJSONMakeCommand("query-chardev", NULL));

    return reply ? qemuMonitorJSONParseChardevs(reply) : NULL;
}

/**
 * qemuMonitorGetBlockInfo:
 * @mon: a monitor
 *
 * Returns: a GPtrArray of QemuMonitorBlockInfo (caller owns it), or NULL
 * with an error reported.
 */
GPtrArray *
qemuMonitorGetBlockInfo(QemuMonitor *mon)
{
    g_autoptr(json_object) reply =
        qemuMonitorRun(mon, qemuMonitorJSONMakeCommand("query-block", NULL));

    return reply ? qemuMonitorJSONParseBlockInfo(reply) : NULL;
}

/**
 * qemuMonitorGetBlockStats:
 * @mon: a monitor
 *
 * Returns: a GPtrArray of QemuMonitorBlockStats (caller owns it), or NULL
 * with an error reported.
 */
GPtrArray *
qemuMonitorGetBlockStats(QemuMonitor *mon)
{
    g_autoptr(json_object) reply =
        qemuMonitorRun(mon, qemuMonitorJSONMakeCommand("query-blockstats", NULL));

    return reply ? qemuMonitorJSONParseBlockStats(reply) : NULL;
}

/**
 * qemuMonitorGetVNC:
 * @mon: a monitor
 *
 * Returns: the VNC server info (caller owns it), or NULL with an error
 * reported.
 */
QemuMonitorVNCInfo *
qemuMonitorGetVNC(QemuMonitor *mon)
{
    g_autoptr(json_object) reply =
        qemuMonitorRun(mon, qemuMonitorJSONMakeCommand("query-vnc", NULL));

    return reply ? qemuMonitorJSONParseVNC(reply) : NULL;
}

/**
 * qemuMonitorGetSpice:
 * @mon: a monitor
 *
 * Returns: the SPICE server info (caller owns it), or NULL with an error
 * reported.
 */
QemuMonitorSpiceInfo *
qemuMonitorGetSpice(QemuMonitor *mon)
{
    g_autoptr(json_object) reply =
        qemuMonitorRun(mon, qemuMonitorJSONMakeCommand("query-spice", NULL));

    return reply ? qemuMonitorJSONParseSpice(reply) : NULL;
}

/**
 * qemuMonitorGetMigrationInfo:
 * @mon: a monitor
 *
 * Runs query-migrate.
 *
 * Returns: the migration info (caller owns it), or NULL with an error
 * reported.
 */
QemuMonitorMigrationInfo *
qemuMonitorGetMigrationInfo(QemuMonitor *mon)
{
    g_autoptr(json_object) reply =
        qemuMonitorRun(mon, qemuMonitorJSONMakeCommand("query-migrate", NULL));

    return reply ? qemuMonitorJSONParseMigrationInfo(reply) : NULL;
}

/**
 * qemuMonitorMigrate:
 * @mon: a monitor
 * @uri: the migration URI
 * @resume: resume a paused postcopy migration
 *
 * Starts an outgoing migration; QEMU answers at once.
 *
 * Returns: 0 on success, -1 with an error reported.
 */
int
qemuMonitorMigrate(QemuMonitor *mon, const char *uri, bool resume)
{
    return qemuMonitorRunCheck(mon, qemuMonitorJSONBuildMigrate(uri, resume));
}

/**
 * qemuMonitorMigrateIncoming:
 * @mon: a monitor of a QEMU started with "-incoming defer"
 * @uri: where to listen
 *
 * Returns: 0 on success, -1 with an error reported.
 */
int
qemuMonitorMigrateIncoming(QemuMonitor *mon, const char *uri)
{
    return qemuMonitorRunCheck(mon, qemuMonitorJSONBuildMigrateIncoming(uri));
}

/**
 * qemuMonitorMigrateCancel:
 * @mon: a monitor
 *
 * Runs migrate_cancel (succeeds when no migration runs).
 *
 * Returns: 0 on success, -1 with an error reported.
 */
int
qemuMonitorMigrateCancel(QemuMonitor *mon)
{
    return qemuMonitorRunCheck(mon, qemuMonitorJSONMakeCommand("migrate_cancel", NULL));
}

/**
 * qemuMonitorMigrateContinue:
 * @mon: a monitor
 * @status: the status the migration paused in
 *
 * Returns: 0 on success, -1 with an error reported.
 */
int
qemuMonitorMigrateContinue(QemuMonitor *mon, QemuMonitorMigrationStatus status)
{
    return qemuMonitorRunCheck(mon, qemuMonitorJSONBuildMigrateContinue(status));
}

/**
 * qemuMonitorMigrateStartPostcopy:
 * @mon: a monitor
 *
 * Returns: 0 on success, -1 with an error reported.
 */
int
qemuMonitorMigrateStartPostcopy(QemuMonitor *mon)
{
    return qemuMonitorRunCheck(mon, qemuMonitorJSONMakeCommand("migrate-start-postcopy", NULL));
}

/**
 * qemuMonitorMigratePause:
 * @mon: a monitor
 *
 * migrate-pause: breaks the connection of a post-copy migration, which
 * then waits in postcopy-paused for a recovery.
 *
 * Returns: 0 on success, -1 with an error reported.
 */
int
qemuMonitorMigratePause(QemuMonitor *mon)
{
    return qemuMonitorRunCheck(mon, qemuMonitorJSONMakeCommand("migrate-pause", NULL));
}

/**
 * qemuMonitorSetMigrationParams:
 * @mon: a monitor
 * @params: the parameters to change
 *
 * Returns: 0 on success, -1 with an error reported.
 */
int
qemuMonitorSetMigrationParams(QemuMonitor *mon, const QemuMonitorMigrationParams *params)
{
    return qemuMonitorRunCheck(mon, qemuMonitorJSONBuildMigrateSetParameters(params));
}

/**
 * qemuMonitorGetMigrationParams:
 * @mon: a monitor
 *
 * Returns: the current parameters (caller owns them), or NULL with an
 * error reported.
 */
QemuMonitorMigrationParams *
qemuMonitorGetMigrationParams(QemuMonitor *mon)
{
    g_autoptr(json_object) reply =
        qemuMonitorRun(mon, qemuMonitorJSONMakeCommand("query-migrate-parameters", NULL));

    return reply ? qemuMonitorJSONParseMigrationParams(reply) : NULL;
}

/**
 * qemuMonitorSetMigrationCaps:
 * @mon: a monitor
 * @caps: the capabilities to change
 *
 * Returns: 0 on success, -1 with an error reported.
 */
int
qemuMonitorSetMigrationCaps(QemuMonitor *mon, const QemuMonitorMigrationCaps *caps)
{
    return qemuMonitorRunCheck(mon, qemuMonitorJSONBuildMigrateSetCapabilities(caps));
}

/**
 * qemuMonitorGetMigrationCaps:
 * @mon: a monitor
 * @ret: filled on success
 *
 * Returns: 0 on success, -1 with an error reported.
 */
int
qemuMonitorGetMigrationCaps(QemuMonitor *mon, QemuMonitorMigrationCaps *ret)
{
    g_autoptr(json_object) reply =
        qemuMonitorRun(mon, qemuMonitorJSONMakeCommand("query-migrate-capabilities", NULL));

    return reply ? qemuMonitorJSONParseMigrationCaps(reply, ret) : -1;
}

/**
 * qemuMonitorClientMigrateInfo:
 * @mon: a monitor
 * @protocol: "spice"
 * @hostname: destination host for graphics clients
 * @port: plain port or -1
 * @tlsPort: TLS port or -1
 * @certSubject: certificate subject or NULL
 *
 * Returns: 0 on success, -1 with an error reported.
 */
int
qemuMonitorClientMigrateInfo(QemuMonitor *mon, const char *protocol, const char *hostname,
                             int port, int tlsPort, const char *certSubject)
{
    return qemuMonitorRunCheck(mon, qemuMonitorJSONBuildClientMigrateInfo(protocol, hostname, port,
                                                                        tlsPort, certSubject));
}

/* ---------------------------------------------------------------- */
/* Busy state (issue 7: queries and job waiters never wait on QEMU)   */

/**
 * qemuMonitorIsIdle:
 * @mon: a monitor
 *
 * Returns: true when the monitor is ready and has nothing queued or in
 * flight, i.e. a command submitted now is sent at once.  Callable from
 * any thread; never blocks.
 */
bool
qemuMonitorIsIdle(QemuMonitor *mon)
{
    bool idle;

    mutexLock(&mon->lock);
    idle = mon->phase == QEMU_MONITOR_PHASE_READY && !mon->closing &&
           g_queue_is_empty(&mon->sent) &&
           g_queue_is_empty(&mon->queue);
    mutexUnlock(&mon->lock);
    return idle;
}

/**
 * qemuMonitorGetPending:
 * @mon: a monitor
 * @minAgeMs: how long the command must have waited for its reply
 * @abandonedOnly: only a command whose caller already got a timeout
 * @retAgeMs: set to its age in ms when one is returned
 *
 * Looks at the command in flight: QEMU has not answered it for at least
 * @minAgeMs.  Callable from any thread; never blocks.
 *
 * Returns: the QMP command's name (caller frees), or NULL when there is
 * no such command.
 */
char *
qemuMonitorGetPending(QemuMonitor *mon, int minAgeMs, bool abandonedOnly, int64_t *retAgeMs)
{
    QemuMonitorCmd *cmd = NULL;
    char *name = NULL;
    int64_t age;

    mutexLock(&mon->lock);
    cmd = qemuMonitorOldestLocked(mon);
    if (cmd && !cmd->internal && (!abandonedOnly || cmd->abandoned)) {
        age = (g_get_monotonic_time() - cmd->submitted) / 1000;
        if (age >= minAgeMs) {
            name = g_strdup(cmd->name);
            *retAgeMs = age;
        }
    }
    mutexUnlock(&mon->lock);
    return name;
}
