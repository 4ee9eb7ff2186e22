/* libvirt-stream.h: data streams (virStreamPtr) between an application and a driver. */

/*
 * Part of virtkit's libvirt-compatible public API (libvirt 9.0.0 level).
 * Include <libvirt/libvirt.h>, never this file directly.
 * Sparse streams (holes) are not provided yet.
 */

#ifndef LIBVIRT_STREAM_H
#define LIBVIRT_STREAM_H

#ifndef __VIR_LIBVIRT_H_INCLUDES__
#error "Don't include this file directly, only use libvirt/libvirt.h"
#endif

/* Flags of virStreamNew(). */
typedef enum {
    VIR_STREAM_NONBLOCK = (1 << 0), /* Send/Recv return -2 instead of waiting */
} virStreamFlags;

virStreamPtr virStreamNew(virConnectPtr conn, unsigned int flags);
int virStreamRef(virStreamPtr st);

int virStreamSend(virStreamPtr st, const char *data, size_t nbytes);
int virStreamRecv(virStreamPtr st, char *data, size_t nbytes);

/* Flags of virStreamRecvFlags(). */
typedef enum {
    VIR_STREAM_RECV_STOP_AT_HOLE = (1 << 0),
} virStreamRecvFlagsValues;

int virStreamRecvFlags(virStreamPtr st, char *data, size_t nbytes, unsigned int flags);

/* Supplies up to @nbytes of data for virStreamSendAll: count, 0 at the end, -1 on error. */
typedef int (*virStreamSourceFunc)(virStreamPtr st, char *data, size_t nbytes, void *opaque);

int virStreamSendAll(virStreamPtr st, virStreamSourceFunc handler, void *opaque);

/* Callbacks of the sparse variants (types only; the functions are not provided yet). */
typedef int (*virStreamSourceHoleFunc)(virStreamPtr st, int *inData, long long *length,
                                       void *opaque);
typedef int (*virStreamSourceSkipFunc)(virStreamPtr st, long long length, void *opaque);

/* Consumes @nbytes of data for virStreamRecvAll: the count taken, or -1 on error. */
typedef int (*virStreamSinkFunc)(virStreamPtr st, const char *data, size_t nbytes,
                                 void *opaque);

int virStreamRecvAll(virStreamPtr st, virStreamSinkFunc handler, void *opaque);

typedef int (*virStreamSinkHoleFunc)(virStreamPtr st, long long length, void *opaque);

/* Conditions of a stream event callback. */
typedef enum {
    VIR_STREAM_EVENT_READABLE = (1 << 0),
    VIR_STREAM_EVENT_WRITABLE = (1 << 1),
    VIR_STREAM_EVENT_ERROR = (1 << 2),
    VIR_STREAM_EVENT_HANGUP = (1 << 3),
} virStreamEventType;

typedef void (*virStreamEventCallback)(virStreamPtr stream, int events, void *opaque);

int virStreamEventAddCallback(virStreamPtr stream, int events, virStreamEventCallback cb,
                              void *opaque, virFreeCallback ff);
int virStreamEventUpdateCallback(virStreamPtr stream, int events);
int virStreamEventRemoveCallback(virStreamPtr stream);

int virStreamFinish(virStreamPtr st);
int virStreamAbort(virStreamPtr st);
int virStreamFree(virStreamPtr st);

#endif /* LIBVIRT_STREAM_H */
