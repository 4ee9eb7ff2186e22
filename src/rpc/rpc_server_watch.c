/* A GSource watching one file descriptor whose conditions can change: the server's sockets. */
#include <stdbool.h>

#include "rpc/rpc_server_watch.h"

/*
 * g_unix_fd_source_new() fixes its conditions at creation; the server
 * turns reading and writing on and off for each client as its queues and
 * limits change, so it needs the tag of g_source_add_unix_fd().  The
 * conditions are changed only on the thread that runs the context (the
 * server's event loop), which is what makes this race-free.
 *
 * The sources are marked as allowed to recurse: GLib "blocks" a source
 * that may not recurse for the time of its dispatch by taking its
 * descriptor out of the poll set and putting it back, and each of the two
 * changes writes the context's wake-up eventfd, which costs two system
 * calls and one more loop iteration per packet.  The server never
 * iterates its context from inside a dispatch; should anything do so, a
 * nested dispatch of the same watch is skipped (@dispatching), so a
 * client's socket is never read by two frames at once.
 */
typedef struct {
    GSource base;
    gpointer tag;            /* immutable */
    int fd;                  /* immutable */
    GIOCondition cond;       /* event-loop thread only */
    bool dispatching;        /* event-loop thread only */
    RpcServerWatchFunc func; /* immutable */
    gpointer opaque;         /* immutable */
    GDestroyNotify notify;   /* immutable */
} RpcServerWatch;

static gboolean
rpcServerWatchDispatch(GSource *source, GSourceFunc callback, gpointer data)
{
    RpcServerWatch *w = (RpcServerWatch *)source;
    GIOCondition ready = g_source_query_unix_fd(source, w->tag);
    gboolean ret;

    /* A nested iteration of the loop from inside @func: not now. */
    if (w->dispatching)
        return G_SOURCE_CONTINUE;
    w->dispatching = true;
    ret = w->func(w->fd, ready, w->opaque);
    w->dispatching = false;
    return ret;
}

static void
rpcServerWatchFinalize(GSource *source)
{
    RpcServerWatch *w = (RpcServerWatch *)source;

    if (w->notify)
        w->notify(w->opaque);
}

static GSourceFuncs rpcServerWatchFuncs = {
    .dispatch = rpcServerWatchDispatch,
    .finalize = rpcServerWatchFinalize,
};

/**
 * rpcServerWatchNew:
 * @fd: the descriptor to watch (stays owned by the caller)
 * @cond: conditions to watch at first (G_IO_IN, G_IO_OUT; errors and
 *        hang-ups are always reported by poll)
 * @func: called when a condition is ready
 * @opaque: passed to @func
 * @notify: frees @opaque when the source is destroyed, or NULL
 *
 * Returns: a new, unattached source (caller owns the reference); attach
 * it with g_source_attach().
 */
GSource *
rpcServerWatchNew(int fd, GIOCondition cond, RpcServerWatchFunc func, gpointer opaque,
                  GDestroyNotify notify)
{
    GSource *source = g_source_new(&rpcServerWatchFuncs, sizeof(RpcServerWatch));
    RpcServerWatch *w = (RpcServerWatch *)source;

    w->fd = fd;
    w->cond = cond;
    w->func = func;
    w->opaque = opaque;
    w->notify = notify;
    w->tag = g_source_add_unix_fd(source, fd, cond);
    g_source_set_can_recurse(source, TRUE);
    return source;
}

/**
 * rpcServerWatchSetCondition:
 * @source: a watch from rpcServerWatchNew
 * @cond: the conditions to watch from now on (0: none)
 *
 * Must run on the thread of the source's context (or before attaching).
 */
void
rpcServerWatchSetCondition(GSource *source, GIOCondition cond)
{
    RpcServerWatch *w = (RpcServerWatch *)source;

    if (w->cond == cond || g_source_is_destroyed(source))
        return;
    w->cond = cond;
    g_source_modify_unix_fd(source, w->tag, cond);
}

/**
 * rpcServerWatchGetCondition:
 * @source: a watch from rpcServerWatchNew
 *
 * Returns: the conditions currently watched.
 */
GIOCondition
rpcServerWatchGetCondition(GSource *source)
{
    return ((RpcServerWatch *)source)->cond;
}
