/* QEMU driver: saving a domain's state to a file and restoring it (issue #6). */
#pragma once

#include <stdbool.h>

#include "qemu/qemu_domain.h"

int qemuSaveDomainLocked(QemuDriver *driver, DomainObj *vm, const char *path, unsigned int flags);
int qemuSaveImageOpen(const char *path, char **retXml, bool *retRunning, int *retFd);
int qemuSaveRestoreLocked(QemuDriver *driver, DomainObj *vm, int fd, bool running);
