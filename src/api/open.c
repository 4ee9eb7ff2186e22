/* Opening a connection: the default URI, URI checks, and offering the URI to the drivers. */
#include <stdlib.h>

#define ERR_DOMAIN VIR_FROM_NONE
#include "api/open.h"
#include "api/daemon_mode.h"
#include "api/driver.h"
#include "util/error.h"
#include "util/event.h"
#include "util/log.h"
#include "util/str.h"
#include "util/uri.h"

LOG_INIT("api.open");

/* The URI of the in-process test driver, virtkit's embedded default. */
#define OPEN_FALLBACK_URI "test:///default"

/**
 * openDefaultURI:
 *
 * The one place that decides which URI a NULL or empty name means:
 *   1. $LIBVIRT_DEFAULT_URI when set and not empty (as libvirt);
 *   2. inside virtkitd, the daemon's default driver (qemu:///system, or
 *      qemu:///session in a session daemon), as libvirtd answers a
 *      client that names no URI;
 *   3. "test:///default", the in-process test driver.
 * (Programs outside the daemon that want "the local daemon when one runs"
 * probe its socket themselves, as the CLI does: the library does not
 * connect anywhere behind the caller's back.)
 *
 * Returns: the URI (static or from the environment; do not free).
 */
const char *
openDefaultURI(void)
{
    const char *env = g_getenv("LIBVIRT_DEFAULT_URI");
    const char *daemon = daemonModeDefaultURI();

    if (env && *env)
        return env;
    if (daemon)
        return daemon;
    return OPEN_FALLBACK_URI;
}

static bool
openSchemeListed(const char *const *schemes, const char *scheme)
{
    size_t i;

    for (i = 0; schemes[i]; i++) {
        if (streq(schemes[i], scheme))
            return true;
    }
    return false;
}

/*
 * "scheme:///embed?root=DIR" runs a driver in-process on a private root;
 * libvirt checks these before asking any driver.
 */
static int
openCheckEmbed(const ParsedUri *uri)
{
    const char *root = uriGetParam(uri, "root");

    if (!root) {
        errorReport(VIR_FROM_URI, VIR_ERR_INVALID_ARG, __FILE__, __func__,
                    __LINE__, _("Missing URI parameter '%1$s'"), "root");
        return -1;
    }
    if (!g_path_is_absolute(root)) {
        reportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("root path must be absolute"));
        return -1;
    }
    if (!eventHaveImpl()) {
        errorReport(VIR_FROM_EVENT, VIR_ERR_CONFIG_UNSUPPORTED, __FILE__,
                    __func__, __LINE__, "%s",
                    _("An event loop implementation must be registered"));
        return -1;
    }
    return 0;
}

/*
 * Offers @conn's URI to @driver.  Returns 1 if the driver took it, 0 if
 * it declined, -1 on error (reported).
 */
static int
openTryDriver(virConnectPtr conn, ConnectDriver *driver,
              virConnectAuthPtr auth, unsigned int flags)
{
    DrvOpenStatus status;

    LOG_DEBUG("offering '%s' to driver %s", conn->uriString, driver->name);
    conn->driver = driver->hypervisor;
    status = driver->hypervisor->connectOpen(conn, conn->uri, auth, flags);
    if (status == DRV_OPEN_SUCCESS)
        return 1;
    conn->driver = NULL;
    conn->privateData = NULL;
    if (status == DRV_OPEN_DECLINED)
        return 0;
    if (!errorIsSet())
        reportError(VIR_ERR_INTERNAL_ERROR,
                    _("driver %1$s failed to open '%2$s'"), driver->name,
                    conn->uriString);
    return -1;
}

/**
 * openConnection:
 * @name: URI, or NULL / "" for the default (openDefaultURI)
 * @auth: credentials callback for drivers that authenticate, or NULL
 * @flags: virConnectFlags, stored in the connection and passed to drivers
 *
 * Parses @name and offers it to the registered drivers: first, in
 * registration order, those that list the URI's scheme (exactly, so
 * "qemu+unix" does not match "qemu"); then those that list no scheme
 * (the remote driver).  The first driver answering DRV_OPEN_SUCCESS owns
 * the connection; DRV_OPEN_ERROR stops the search.  An "/embed" URI is
 * only offered to embeddable drivers of its scheme.  Call virInitialize
 * first.
 *
 * Returns: a new connection with one reference, or NULL with an error
 * reported (not dispatched).
 */
virConnectPtr
openConnection(const char *name, virConnectAuthPtr auth, unsigned int flags)
{
    g_autoptr(ParsedUri) uri = NULL;
    virConnectPtr conn = NULL;
    bool embed;
    size_t n = driverCount();
    size_t pass;
    size_t i;

    if (!name || !*name)
        name = openDefaultURI();
    LOG_DEBUG("opening '%s' flags 0x%x", name, flags);

    if (uriParse(name, &uri) < 0)
        return NULL;
    if (!uri->scheme) {
        reportError(VIR_ERR_NO_CONNECT,
                    _("URI '%1$s' does not include a driver name"), name);
        return NULL;
    }
    embed = streq(uri->path, "/embed");
    if (embed && openCheckEmbed(uri) < 0)
        return NULL;

    conn = connectNew();
    conn->flags = flags;
    conn->uriString = uriFormat(uri);
    conn->uri = g_steal_pointer(&uri);

    for (pass = 0; pass < 2; pass++) {
        for (i = 0; i < n; i++) {
            ConnectDriver *driver = driverGet(i);
            int rc;

            if (pass == 0 && (!driver->uriSchemes ||
                              !openSchemeListed(driver->uriSchemes,
                                                conn->uri->scheme)))
                continue;
            if (pass == 1 && (driver->uriSchemes || embed))
                continue;
            if (embed && !driver->embeddable)
                continue;

            if ((rc = openTryDriver(conn, driver, auth, flags)) < 0)
                goto error;
            if (rc > 0)
                goto done;
        }
    }
    reportError(VIR_ERR_NO_CONNECT, "%s", name);
    goto error;

 done:
    /* The driver may have marked parameters as consumed. */
    g_free(conn->uriString);
    conn->uriString = uriFormat(conn->uri);
    LOG_DEBUG("connection %p: '%s' opened by driver %s", (void *)conn,
              conn->uriString, conn->driver->name);
    return conn;

 error:
    connectUnref(conn);
    return NULL;
}
