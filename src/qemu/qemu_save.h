/* QEMU driver: saving a domain's state to a file and restoring it (issue #6). */
#pragma once

#include <stdbool.h>

#include "qemu/qemu_domain.h"

int qemuSaveDomainLocked(QemuDriver *driver, DomainObj *vm, const char *path, unsigned int flags);
int qemuSaveImageOpen(const char *path, char **retXml, bool *retRunning, int *retFd,
                      unsigned int *retFormat);
int qemuSaveRestoreLocked(QemuDriver *driver, DomainObj *vm, int fd, unsigned int format,
                          bool running);
int qemuSaveDomainXMLLocked(QemuDriver *driver, DomainObj *vm, const char *path, const char *xml,
                            unsigned int flags);
int qemuSaveImageRewrite(const char *path, const char *xml, int running);
