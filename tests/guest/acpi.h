/* acpi.h: just enough ACPI to notice the power button and switch off. */
#pragma once

#include <stdbool.h>

void acpiInit(void);
bool acpiPowerButtonPressed(void);
int acpiPowerOff(void);
