/* qemu_entry.c: entry points of libvirt-qemu.so.0 (checks, then the driver table). */
#define ERR_DOMAIN VIR_FROM_NONE

#include "api/qemu_entry.h"
#include "api/driver.h"
#include "api/entry.h"
#include "util/error.h"

/*
 * Errors name the public function (libvirt-qemu.so.0's), not this one,
 * and come from VIR_FROM_NONE as libvirt 9.0's libvirt-qemu.c.
 */
#define QEMU_ENTRY_MONITOR_COMMAND "virDomainQemuMonitorCommand"

/**
 * virtkitDomainQemuMonitorCommand:
 * @domain: a domain
 * @cmd: a QMP command (JSON), or an HMP command line with
 *       VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP
 * @result: set to the reply (caller frees with free())
 * @flags: virDomainQemuMonitorCommandFlags
 *
 * virDomainQemuMonitorCommand: libvirt's checks (valid domain, @result
 * not NULL, a read-write connection; @cmd is left to the driver, as
 * libvirt does), then the driver.
 *
 * Returns: 0, or -1 with the error set.
 */
int
virtkitDomainQemuMonitorCommand(virDomainPtr domain, const char *cmd, char **result,
                                unsigned int flags)
{
    virConnectPtr conn;

    errorReset();
    if (!domainHandleIsValid(domain)) {
        errorReport(VIR_FROM_DOM, VIR_ERR_INVALID_DOMAIN, __FILE__, QEMU_ENTRY_MONITOR_COMMAND,
                    __LINE__, "%s", QEMU_ENTRY_MONITOR_COMMAND);
        entryDispatchError(NULL);
        return -1;
    }
    conn = domain->conn;
    if (!result) {
        reportInvalidArg("result", _("%1$s in %2$s must not be NULL"), "result",
                         QEMU_ENTRY_MONITOR_COMMAND);
        goto error;
    }
    if (connectIsReadOnly(conn)) {
        reportError(VIR_ERR_OPERATION_DENIED, _("read only access prevents %1$s"),
                    QEMU_ENTRY_MONITOR_COMMAND);
        goto error;
    }
    if (!conn->driver->domainQemuMonitorCommand) {
        reportError(VIR_ERR_NO_SUPPORT, "%s", QEMU_ENTRY_MONITOR_COMMAND);
        goto error;
    }
    if (conn->driver->domainQemuMonitorCommand(domain, cmd, result, flags) < 0)
        goto error;
    return 0;

 error:
    entryDispatchError(conn);
    return -1;
}
