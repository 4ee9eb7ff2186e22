/* A GSource watching one file descriptor whose conditions can change: the server's sockets. */
#pragma once

#include <glib.h>

/*
 * Called on the thread running the watch's GMainContext with the
 * conditions that are ready.  Returns G_SOURCE_CONTINUE or G_SOURCE_REMOVE.
 */
typedef gboolean (*RpcServerWatchFunc)(int fd, GIOCondition cond, gpointer opaque);

GSource *rpcServerWatchNew(int fd, GIOCondition cond, RpcServerWatchFunc func, gpointer opaque,
                           GDestroyNotify notify);
void rpcServerWatchSetCondition(GSource *source, GIOCondition cond);
GIOCondition rpcServerWatchGetCondition(GSource *source);
