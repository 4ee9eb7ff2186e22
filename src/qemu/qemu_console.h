/* Guest consoles (virDomainOpenConsole): the serial pty of a running QEMU as a stream. */
#pragma once

#include <libvirt/libvirt.h>

#include "conf/domain_conf.h"

const DomainChrDef *qemuConsoleFind(const DomainDef *def, const char *devName, char **alias);
int qemuConsoleOpen(virStreamPtr st, const char *ptyPath, bool force);
