/* driversRegisterAll() for the API unit tests: no built-in driver, the tests register mocks. */
#include "api/driver.h"

/**
 * driversRegisterAll:
 *
 * Stands in for src/libvirt_drivers.c in unit tests, so that only the
 * mock drivers (tests/api/mockdriver.c) exist.
 *
 * Returns: 0.
 */
int
driversRegisterAll(void)
{
    return 0;
}
