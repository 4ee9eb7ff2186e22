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

/**
 * virDomainQemuMonitorCommandWithFiles:
 * @domain: a domain
 * @cmd: the command
 * @ninfiles: number of @infiles
 * @infiles: descriptors to pass with the command
 * @noutfiles: set to the number of @outfiles
 * @outfiles: set to descriptors QEMU returned
 * @result: set to the reply
 * @flags: virDomainQemuMonitorCommandFlags
 *
 * No driver passes descriptors yet: after libvirt's argument checks this
 * fails with VIR_ERR_NO_SUPPORT.
 *
 * Returns: -1.
 */
int
virDomainQemuMonitorCommandWithFiles(virDomainPtr domain, const char *cmd, unsigned int ninfiles,
                                     int *infiles, unsigned int *noutfiles, int **outfiles,
                                     char **result, unsigned int flags)
{
    return virtkitDomainQemuMonitorCommandWithFiles(domain, cmd, ninfiles, infiles, noutfiles,
                                                    outfiles, result, flags);
}

/**
 * virDomainQemuAttach:
 * @conn: a connection
 * @pid_value: pid of a QEMU started outside
 * @flags: none
 *
 * No driver adopts outside QEMUs: after libvirt's argument checks this
 * fails with VIR_ERR_NO_SUPPORT.
 *
 * Returns: NULL.
 */
virDomainPtr
virDomainQemuAttach(virConnectPtr conn, unsigned int pid_value, unsigned int flags)
{
    return virtkitDomainQemuAttach(conn, pid_value, flags);
}

/**
 * virDomainQemuAgentCommand:
 * @domain: a domain
 * @cmd: a guest agent command
 * @timeout: seconds or virDomainQemuAgentCommandTimeoutValues
 * @flags: none
 *
 * No driver talks to a guest agent yet: after libvirt's argument checks
 * this fails with VIR_ERR_NO_SUPPORT.
 *
 * Returns: NULL.
 */
char *
virDomainQemuAgentCommand(virDomainPtr domain, const char *cmd, int timeout, unsigned int flags)
{
    return virtkitDomainQemuAgentCommand(domain, cmd, timeout, flags);
}

/**
 * virConnectDomainQemuMonitorEventRegister:
 * @conn: a connection
 * @dom: a domain, or NULL
 * @event: an event name, or NULL
 * @cb: the callback
 * @opaque: its data
 * @freecb: frees @opaque, or NULL
 * @flags: virConnectDomainQemuMonitorEventRegisterFlags
 *
 * No driver relays raw QMP events yet: after libvirt's argument checks
 * this fails with VIR_ERR_NO_SUPPORT.
 *
 * Returns: -1.
 */
int
virConnectDomainQemuMonitorEventRegister(virConnectPtr conn, virDomainPtr dom, const char *event,
                                         virConnectDomainQemuMonitorEventCallback cb,
                                         void *opaque, virFreeCallback freecb, unsigned int flags)
{
    return virtkitConnectDomainQemuMonitorEventRegister(conn, dom, event, cb, opaque, freecb,
                                                        flags);
}

/**
 * virConnectDomainQemuMonitorEventDeregister:
 * @conn: a connection
 * @callbackID: from virConnectDomainQemuMonitorEventRegister
 *
 * Returns: -1 (VIR_ERR_NO_SUPPORT after libvirt's argument checks).
 */
int
virConnectDomainQemuMonitorEventDeregister(virConnectPtr conn, int callbackID)
{
    return virtkitConnectDomainQemuMonitorEventDeregister(conn, callbackID);
}
