/* Streams backed by a file descriptor (a pty, a pipe, a file), for the drivers. */
#pragma once

#include <libvirt/libvirt.h>

#include "api/datatypes.h"

/* Told once when the stream is finished, aborted, freed or forced off. */
typedef void (*FdStreamCloseFunc)(virStreamPtr st, void *opaque);

int fdStreamOpen(virStreamPtr st, int fd, FdStreamCloseFunc closeFunc, void *opaque);
int fdStreamOpenFile(virStreamPtr st, const char *path);
void fdStreamHangup(virStreamPtr st);
