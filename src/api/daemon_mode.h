/* Daemon mode: the library running inside virtkitd (private, not libvirt API). */
#pragma once

#include <stdbool.h>
#include <libvirt/libvirt.h>

/*
 * virtkitd calls virtkitDaemonInit() once, before it opens any
 * connection.  From then on, in that process:
 *   - URIs without transport or host ("qemu:///system") name drivers of
 *     this process: the remote driver declines them instead of
 *     connecting to the daemon, i.e. to itself;
 *   - stateful drivers serve their daemon URIs (qemu:///system,
 *     qemu:///session) with their files under the root prefix.
 *
 * virtkitDaemonInit is exported from libvirt.so.0 in the version node
 * VIRTKIT_PRIVATE_0.1 (src/libvirt.syms): it is no libvirt function and
 * only virtkitd may call it.  The other functions are internal to the
 * library.
 */

/* The daemon uses the root-mode layout (as root, or under --root). */
#define VIRTKIT_DAEMON_PRIVILEGED (1U << 0)

int virtkitDaemonInit(const char *root, unsigned int flags);
int virtkitDaemonReload(void);
int virtkitDaemonSetHostUUID(const char *uuid);

/*
 * Private to virtkitd as well: whether the driver serving @conn answers
 * the daemon's quick queries without ever waiting
 * (HypervisorDriver.quickQueries), so that the daemon may run them on its
 * event-loop thread.  Returns 1 or 0 (0 also for a NULL or closed
 * connection); reports no error.
 */
int virtkitConnectHasQuickQueries(virConnectPtr conn);

bool daemonModeIsActive(void);
bool daemonModeIsPrivileged(void);
const char *daemonModeGetRoot(void);
const char *daemonModeDefaultURI(void);
const char *daemonModeGetHostUUID(void);
