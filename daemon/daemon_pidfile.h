/* The daemon's pid file: created and locked at start, so that two daemons never share a root. */
#pragma once

#include <glib.h>

typedef struct _DaemonPidfile DaemonPidfile;

DaemonPidfile *daemonPidfileAcquire(const char *path);
void daemonPidfileRelease(DaemonPidfile *pf);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DaemonPidfile, daemonPidfileRelease);
