/* A stream's event callback record, shared by the stream drivers (fdstream, remote). */
#pragma once

#include <glib.h>
#include <libvirt/libvirt.h>

/*
 * One virStreamEventAddCallback registration.  Reference counted: the
 * stream driver and each loop source that may fire it hold a reference;
 * the application's free function runs when the last one goes.  A stream
 * being freed detaches the record (streamEventCbDetach), which waits for
 * a callback running on another thread, so the callback never sees a
 * freed stream.
 */
typedef struct _StreamEventCb StreamEventCb;

StreamEventCb *streamEventCbNew(virStreamPtr st, virStreamEventCallback cb, void *opaque,
                                virFreeCallback ff);
StreamEventCb *streamEventCbRef(StreamEventCb *ecb);
void streamEventCbUnref(StreamEventCb *ecb);
void streamEventCbFire(StreamEventCb *ecb, int events);
void streamEventCbDetach(StreamEventCb *ecb);
void streamEventCbForgetFree(StreamEventCb *ecb);
