/* The QEMU hypervisor driver: its table of entry points and its registration. */
#pragma once

int qemuDriverRegister(void);
