/* The in-memory "test" hypervisor driver (test:///default, test:///PATH.xml). */
#pragma once

/*
 * Registers the test driver with the driver registry (src/api/driver.h).
 * Called once by driversRegisterAll().  Returns 0 or -1.
 */
int testDriverRegister(void);
