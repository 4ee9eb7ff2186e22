/* libvirt-qemu.h: QEMU-specific API (libvirt-qemu.so.0), libvirt's names and values. */

/*
 * Part of virtkit's libvirt-compatible public API (libvirt 9.0.0 level).
 * Link with -lvirt-qemu (pkg-config libvirt-qemu).  Of libvirt's
 * libvirt-qemu.h only virDomainQemuMonitorCommand is provided so far; see
 * docs/qemu-driver.md.
 */

#ifndef LIBVIRT_QEMU_H
#define LIBVIRT_QEMU_H

#include <libvirt/libvirt.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Flags for virDomainQemuMonitorCommand() */
typedef enum {
    VIR_DOMAIN_QEMU_MONITOR_COMMAND_DEFAULT = 0,
    VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP = (1 << 0), /* cmd is an HMP command line */
} virDomainQemuMonitorCommandFlags;

int virDomainQemuMonitorCommand(virDomainPtr domain, const char *cmd,
                                char **result, unsigned int flags);

#ifdef __cplusplus
}
#endif

#endif /* LIBVIRT_QEMU_H */
