/* libvirt-qemu.c: libvirt-qemu.so.0, the QEMU-specific public API (wrappers into libvirt.so.0). */
#include <libvirt/libvirt-qemu.h>

#include "api/qemu_entry.h"

/*
 * The checks and the error handling are in libvirt.so.0
 * (src/api/qemu_entry.c): a second copy of the library's state here
 * would have its own error slot.
 */

/**
 * virDomainQemuMonitorCommand:
 * @domain: a running domain of the QEMU driver
 * @cmd: a QMP command as JSON text, or an HMP command line with
 *       VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP
 * @result: set to QEMU's reply (QMP: the whole reply as JSON text, also
 *          when it is a QMP error; HMP: the command's output); caller
 *          frees it with free()
 * @flags: virDomainQemuMonitorCommandFlags
 *
 * Passes a command straight to the domain's QEMU monitor.  The domain is
 * marked tainted ("custom-monitor"), as libvirt does.
 *
 * Returns: 0, or -1 on error.
 */
int
virDomainQemuMonitorCommand(virDomainPtr domain, const char *cmd, char **result,
                            unsigned int flags)
{
    return virtkitDomainQemuMonitorCommand(domain, cmd, result, flags);
}
