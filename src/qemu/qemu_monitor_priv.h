/* Test-only access to the QMP transport's internals (tests/qemu only). */
#pragma once

#include "qemu/qemu_monitor.h"

unsigned int qemuMonitorGetPendingCount(QemuMonitor *mon);
bool qemuMonitorIsAwaitingReply(QemuMonitor *mon);
