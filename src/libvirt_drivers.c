/* The top of the library: the list of drivers built into libvirt.so.0. */
#include "api/driver.h"
#include "qemu/qemu_driver.h"
#include "remote/remote_driver.h"
#include "test/test_driver.h"

/**
 * driversRegisterAll:
 *
 * Registers every built-in driver, in the order URIs are offered to them.
 * Called once, from virInitialize.
 *
 * Returns: 0 on success, -1 with an error reported.
 */
int
driversRegisterAll(void)
{
    if (testDriverRegister() < 0)
        return -1;
    if (qemuDriverRegister() < 0)
        return -1;
    /* Last: it takes the URIs no in-process driver took. */
    if (remoteDriverRegister() < 0)
        return -1;
    return 0;
}
