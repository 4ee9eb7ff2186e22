/* qemu_graphics.h: display ports of running domains (vnc/spice autoport). */
#pragma once

#include "conf/domain_conf.h"
#include "qemu/qemu_domain.h"

int qemuGraphicsReservePorts(QemuDriver *driver, DomainDef *def);
void qemuGraphicsRestorePorts(QemuDriver *driver, const DomainDef *def);
void qemuGraphicsReleasePorts(QemuDriver *driver, DomainDef *def);
