/* Daemon mode: the library running inside virtkitd (private, not libvirt API). */
#include <glib.h>

#define ERR_DOMAIN VIR_FROM_NONE

#include "api/daemon_mode.h"
#include "api/datatypes.h"
#include "api/driver.h"
#include "api/entry.h"
#include "util/error.h"
#include "util/log.h"

LOG_INIT("api.daemon");

/*
 * Written once by virtkitDaemonInit, before the daemon opens connections
 * or starts threads that use the library; read-only afterwards.  The
 * active flag is atomic so that a late reader never sees it half set.
 */
static gint daemonModeActive;
static bool daemonModePrivileged;
static char *daemonModeRoot;
static char *daemonModeHostUUID;   /* set once before connections, like the above */

/**
 * virtkitDaemonReload:
 *
 * What virtkitd does on SIGHUP, as libvirtd: every driver that keeps
 * state on disk re-reads it (the QEMU driver loads the persistent
 * definitions of its config directory: new ones appear, changed ones
 * replace the inactive definition).  Private to virtkitd, like
 * virtkitDaemonInit.
 *
 * Returns: 0, or -1 when a driver failed (the others still reloaded; the
 * first error is kept).
 */
int
virtkitDaemonReload(void)
{
    g_autoptr(SavedError) first = NULL;
    size_t n = driverCount();
    size_t i;
    int ret = 0;

    errorReset();
    if (!g_atomic_int_get(&daemonModeActive)) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s", _("daemon mode is not initialized"));
        entryDispatchError(NULL);
        return -1;
    }
    for (i = 0; i < n; i++) {
        ConnectDriver *driver = driverGet(i);

        if (!driver || !driver->stateReload)
            continue;
        LOG_INFO("reloading driver %s", driver->name);
        if (driver->stateReload() < 0) {
            if (!first)
                first = errorSave();
            ret = -1;
        }
        errorReset();
    }
    if (first) {
        errorRestore(&first);
        entryDispatchError(NULL);
    }
    return ret;
}

/**
 * virtkitDaemonInit:
 * @root: absolute directory put in front of every path of the stateful
 *        drivers (virtkitd --root DIR), or NULL for the real paths
 * @flags: VIRTKIT_DAEMON_PRIVILEGED for the root-mode layout (/etc,
 *         /run, /var under @root), else the per-user (session) layout
 *
 * Marks this process as the daemon (see daemon_mode.h).  Private to
 * virtkitd: exported in the VIRTKIT_PRIVATE_0.1 node, not libvirt API.
 * Call once, before opening any connection.
 *
 * Returns: 0, or -1 with the error available from virGetLastError
 * (unknown flags, relative @root, called twice).
 */
int
virtkitDaemonInit(const char *root, unsigned int flags)
{
    errorReset();
    if (flags & ~VIRTKIT_DAEMON_PRIVILEGED) {
        reportError(VIR_ERR_INVALID_ARG, _("unsupported flags (0x%1$x) in function %2$s"),
                    flags & ~VIRTKIT_DAEMON_PRIVILEGED, __func__);
        goto error;
    }
    if (root && !g_path_is_absolute(root)) {
        reportError(VIR_ERR_INVALID_ARG, _("root directory '%1$s' must be absolute"), root);
        goto error;
    }
    if (g_atomic_int_get(&daemonModeActive)) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s", _("daemon mode is already initialized"));
        goto error;
    }
    daemonModeRoot = g_strdup(root);
    daemonModePrivileged = !!(flags & VIRTKIT_DAEMON_PRIVILEGED);
    g_atomic_int_set(&daemonModeActive, 1);
    LOG_INFO("daemon mode: %s layout, root '%s'", daemonModePrivileged ? "system" : "session",
             root ? root : "/");
    return 0;

 error:
    entryDispatchError(NULL);
    return -1;
}

/**
 * virtkitConnectHasQuickQueries:
 * @conn: an open connection of this process (the caller holds a reference)
 *
 * Tells virtkitd whether the driver of @conn set quickQueries in its
 * table (src/api/driver.h): the procedures the daemon flags as inline
 * then run on its event-loop thread.  Private to virtkitd: exported in
 * the VIRTKIT_PRIVATE_0.1 node, not libvirt API.
 *
 * Returns: 1 when it did, 0 otherwise (also for NULL); no error.
 */
int
virtkitConnectHasQuickQueries(virConnectPtr conn)
{
    return conn && conn->driver && conn->driver->quickQueries ? 1 : 0;
}

/**
 * daemonModeIsActive:
 *
 * Returns: true inside virtkitd (after virtkitDaemonInit).
 */
bool
daemonModeIsActive(void)
{
    return g_atomic_int_get(&daemonModeActive) != 0;
}

/**
 * daemonModeIsPrivileged:
 *
 * Returns: true when the daemon uses the root-mode layout (serves
 * qemu:///system); false outside the daemon or in a session daemon.
 */
bool
daemonModeIsPrivileged(void)
{
    return daemonModeIsActive() && daemonModePrivileged;
}

/**
 * daemonModeGetRoot:
 *
 * Returns: the daemon's root prefix, or NULL (none, or not a daemon).
 * The string lives as long as the process; do not free.
 */
const char *
daemonModeGetRoot(void)
{
    return daemonModeIsActive() ? daemonModeRoot : NULL;
}

/**
 * daemonModeDefaultURI:
 *
 * The daemon's default driver, as libvirtd's: what a client gets when it
 * opens no particular URI.
 *
 * Returns: "qemu:///system" in a privileged daemon, "qemu:///session" in
 * a session daemon, NULL outside the daemon (static; do not free).
 */
const char *
daemonModeDefaultURI(void)
{
    if (!daemonModeIsActive())
        return NULL;
    return daemonModePrivileged ? "qemu:///system" : "qemu:///session";
}

/**
 * virtkitDaemonSetHostUUID:
 * @uuid: the host UUID of virtkitd's config (host_uuid), a UUID string
 *
 * Tells the drivers of the daemon which host UUID to report (the test
 * driver's test:///default uses it, so that two daemons on one machine
 * are two hosts to migration).  Private to virtkitd (VIRTKIT_PRIVATE_0.1);
 * call after virtkitDaemonInit, before opening any connection.
 *
 * Returns: 0, or -1 with the error available from virGetLastError.
 */
int
virtkitDaemonSetHostUUID(const char *uuid)
{
    errorReset();
    if (!g_atomic_int_get(&daemonModeActive)) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s", _("daemon mode is not initialized"));
        goto error;
    }
    if (!uuid || !g_uuid_string_is_valid(uuid)) {
        reportError(VIR_ERR_INVALID_ARG, _("host UUID '%1$s' is not a UUID"),
                    uuid ? uuid : "(null)");
        goto error;
    }
    g_free(daemonModeHostUUID);
    daemonModeHostUUID = g_strdup(uuid);
    return 0;

 error:
    entryDispatchError(NULL);
    return -1;
}

/**
 * daemonModeGetHostUUID:
 *
 * Returns: the daemon's configured host UUID string, or NULL (none, or
 * not in daemon mode).
 */
const char *
daemonModeGetHostUUID(void)
{
    return daemonModeIsActive() ? daemonModeHostUUID : NULL;
}
