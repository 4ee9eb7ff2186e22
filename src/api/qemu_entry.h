/* qemu_entry.h: entry points of libvirt-qemu.so.0, implemented inside libvirt.so.0 (private). */
#pragma once

/*
 * libvirt-qemu.so.0 (src/libvirt-qemu.c) holds only thin public wrappers:
 * the argument checks, the error slot and the driver tables live in
 * libvirt.so.0, so the checks run here.  These functions are exported
 * from libvirt.so.0 in the version node VIRTKIT_PRIVATE_0.1
 * (src/libvirt.syms); only libvirt-qemu.so.0 calls them.
 */

#include <libvirt/libvirt-qemu.h>

int virtkitDomainQemuMonitorCommand(virDomainPtr domain, const char *cmd, char **result,
                                    unsigned int flags);
int virtkitDomainQemuMonitorCommandWithFiles(virDomainPtr domain, const char *cmd,
                                             unsigned int ninfiles, int *infiles,
                                             unsigned int *noutfiles, int **outfiles,
                                             char **result, unsigned int flags);
virDomainPtr virtkitDomainQemuAttach(virConnectPtr conn, unsigned int pidValue,
                                     unsigned int flags);
char *virtkitDomainQemuAgentCommand(virDomainPtr domain, const char *cmd, int timeout,
                                    unsigned int flags);
int virtkitConnectDomainQemuMonitorEventRegister(virConnectPtr conn, virDomainPtr dom,
                                                 const char *event,
                                                 virConnectDomainQemuMonitorEventCallback cb,
                                                 void *opaque, virFreeCallback freecb,
                                                 unsigned int flags);
int virtkitConnectDomainQemuMonitorEventDeregister(virConnectPtr conn, int callbackID);
