/* Host side of a QEMU guest's network interfaces: tap devices and bridges. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "conf/domain_conf.h"
#include "qemu/qemu_command.h"

/* The descriptors opened for a start, one QemuNetRuntime per def->nets[]. */
typedef struct {
    size_t nnets;
    QemuNetRuntime *nets;
    int **tapfds;   /* [nnets] arrays, NULL where none */
    int **vhostfds; /* [nnets] arrays, NULL where none */
} QemuInterfaceFds;

bool qemuInterfaceIsManagedTap(const DomainNetDef *net);
int qemuInterfacePrepare(DomainDef *def, QemuInterfaceFds **fds);
void qemuInterfaceFdsClose(QemuInterfaceFds *fds);
void qemuInterfaceFdsFree(QemuInterfaceFds *fds);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuInterfaceFds, qemuInterfaceFdsFree);
void qemuInterfaceStopDevices(const DomainDef *def);
