/* The registry of connection drivers, in the order URIs are offered to them. */
#define ERR_DOMAIN VIR_FROM_NONE
#include "api/driver.h"
#include "util/error.h"
#include "util/log.h"
#include "util/thread.h"

LOG_INIT("api.driver");

#define DRIVER_MAX 32

/*
 * The registry is one of the globals STYLE.md allows: filled by
 * driversRegisterAll() under virInitialize's g_once, and by tests that
 * add a mock driver.  Entries are never removed.
 */
static Mutex driverLock;
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

    mutexLock(&driverLock);
    if (ndrivers >= DRIVER_MAX) {
        mutexUnlock(&driverLock);
        reportError(VIR_ERR_DRIVER_FULL, "%s", __func__);
        return -1;
    }
    idx = ndrivers;
    drivers[ndrivers++] = driver;
    mutexUnlock(&driverLock);
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

    mutexLock(&driverLock);
    n = ndrivers;
    mutexUnlock(&driverLock);
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

    mutexLock(&driverLock);
    if (i < ndrivers)
        driver = drivers[i];
    mutexUnlock(&driverLock);
    return driver;
}
