/* QEMU driver: core dumps of a running domain (virDomainCoreDump*, issue #6). */
#pragma once

#include <libvirt/libvirt.h>

#include "qemu/qemu_domain.h"

/* The dump in progress on a domain (QemuDomainPrivate.dump). */
typedef struct _QemuDump QemuDump;

int qemuDumpDomainLocked(QemuDriver *driver, DomainObj *vm, const char *path,
                         unsigned int dumpformat, unsigned int flags);
int qemuDumpJobInfoLocked(DomainObj *vm, virDomainJobInfoPtr info);
int qemuDumpJobStatsLocked(DomainObj *vm, int *type, virTypedParameterPtr *params,
                           int *nparams);
int qemuDumpAbortLocked(DomainObj *vm);
