/* QEMU driver: core dumps, and the job record of a dump or save (issue #6). */
#pragma once

#include <stdbool.h>
#include <libvirt/libvirt.h>

#include "qemu/qemu_domain.h"
#include "qemu/qemu_monitor.h"

/* A dump or save streaming to a file (QemuDomainPrivate.fileJob). */
typedef struct _QemuFileJob QemuFileJob;

int qemuDumpDomainLocked(QemuDriver *driver, DomainObj *vm, const char *path,
                         unsigned int dumpformat, unsigned int flags);

QemuFileJob *qemuFileJobBeginLocked(DomainObj *vm, int operation, bool abortable);
void qemuFileJobEndLocked(DomainObj *vm);
void qemuFileJobCompletedLocked(DomainObj *vm);
void qemuFileJobDumpCompletedLocked(DomainObj *vm, const QemuMonitorEvent *ev);
void qemuFileJobNotifyGoneLocked(DomainObj *vm);
bool qemuFileJobUpdateLocked(DomainObj *vm, const QemuMonitorMigrationInfo *info);
void qemuFileJobReportAborted(int operation);
int qemuFileJobInfoLocked(DomainObj *vm, virDomainJobInfoPtr info);
int qemuFileJobStatsLocked(DomainObj *vm, int *type, virTypedParameterPtr *params,
                           int *nparams);
int qemuFileJobAbortLocked(DomainObj *vm);
