/* The registry of connection drivers, in the order URIs are offered to them. */
#define ERR_DOMAIN VIR_FROM_NONE
#include "api/driver.h"
#include "util/error.h"
#include "util/log.h"

LOG_INIT("api.driver");

#define DRIVER_MAX 32

/*
 * The registry is one of the globals STYLE.md allows: filled by
 * driversRegisterAll() under virInitialize's g_once, and by tests that
 * add a mock driver.  Entries are never removed.
 */
static GMutex driverLock;
static ConnectDriver *drivers[DRIVER_MAX];  /* protected by driverLock */
static size_t ndrivers;                     /* protected by driverLock */

/**
 * driverRegister:
 * @driver: a driver description, which must outlive the process
 *
 * Appends @driver to the registry; drivers are offered URIs in
 * registration order (see openConnection).
 *
 * Returns: the driver's index, or -1 with VIR_ERR_DRIVER_FULL when the
 * registry is full.
 */
int
driverRegister(ConnectDriver *driver)
{
    int idx;

    g_mutex_lock(&driverLock);
    if (ndrivers >= DRIVER_MAX) {
        g_mutex_unlock(&driverLock);
        reportError(VIR_ERR_DRIVER_FULL, "%s", __func__);
        return -1;
    }
    idx = ndrivers;
    drivers[ndrivers++] = driver;
    g_mutex_unlock(&driverLock);
    LOG_DEBUG("registered driver %d: %s", idx, driver->name);
    return idx;
}

/**
 * driverCount:
 *
 * Returns: the number of registered drivers.
 */
size_t
driverCount(void)
{
    size_t n;

    g_mutex_lock(&driverLock);
    n = ndrivers;
    g_mutex_unlock(&driverLock);
    return n;
}

/**
 * driverGet:
 * @i: an index below driverCount()
 *
 * Returns: the @i-th registered driver, or NULL when out of range.
 */
ConnectDriver *
driverGet(size_t i)
{
    ConnectDriver *driver = NULL;

    g_mutex_lock(&driverLock);
    if (i < ndrivers)
        driver = drivers[i];
    g_mutex_unlock(&driverLock);
    return driver;
}
