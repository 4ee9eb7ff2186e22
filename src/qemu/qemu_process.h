/* QEMU processes: launch, monitor events, stop, reap, reconnect. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "qemu/qemu_domain.h"

/* Flags of qemuProcessStart. */
typedef enum {
    QEMU_PROCESS_START_PAUSED = 1 << 0,     /* leave the CPUs stopped */
    QEMU_PROCESS_START_INCOMING = 1 << 1,   /* migration destination: -incoming defer,
                                             * paused, no lifecycle event (the
                                             * migration table shows them) */
} QemuProcessStartFlags;

int qemuProcessStart(QemuDriver *driver, DomainObj *vm, unsigned int flags);
int qemuProcessStartFull(QemuDriver *driver, DomainObj *vm, unsigned int flags,
                         json_object **initCmds, size_t ninitCmds);
void qemuProcessStop(QemuDriver *driver, DomainObj *vm, int reason, int detail);
int qemuProcessKill(DomainObj *vm, int graceMs, bool force);
int qemuProcessReconnect(QemuDriver *driver, DomainObj *vm);
void qemuProcessDetach(DomainObj *vm);
int qemuProcessGetCpuTime(pid_t pid, unsigned long long *retNs);
bool qemuProcessIsAlive(pid_t pid, const char *name);
GThreadPool *qemuProcessWorkersNew(QemuDriver *driver);
void qemuProcessQueueMigrationWork(QemuDriver *driver, DomainObj *vm);
