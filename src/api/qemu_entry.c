/* qemu_entry.c: entry points of libvirt-qemu.so.0 (checks, then the driver table). */
#define ERR_DOMAIN VIR_FROM_NONE

#include "api/qemu_entry.h"
#include "api/driver.h"
#include "api/entry.h"
#include "util/error.h"

/*
 * Errors name the public function (libvirt-qemu.so.0's), not these, and
 * come from VIR_FROM_NONE, as libvirt 9.0's libvirt-qemu.c; the order of
 * the checks is libvirt's (tests/api/qemuapicompat compares them).  A
 * driver without the entry answers VIR_ERR_NO_SUPPORT.
 */

/* @fn: the public name, a string literal */
#define QEMU_ENTRY_CHECK_CONN(conn, fn, retval) \
    do { \
        if (!connectIsValid(conn)) { \
            errorReport(VIR_FROM_NONE, VIR_ERR_INVALID_CONN, __FILE__, fn, __LINE__, "%s", fn); \
            entryDispatchError(NULL); \
            return retval; \
        } \
    } while (0)

#define QEMU_ENTRY_CHECK_DOMAIN(dom, fn, retval) \
    do { \
        if (!domainHandleIsValid(dom)) { \
            errorReport(VIR_FROM_DOM, VIR_ERR_INVALID_DOMAIN, __FILE__, fn, __LINE__, "%s", fn); \
            entryDispatchError(NULL); \
            return retval; \
        } \
    } while (0)

#define QEMU_ENTRY_NON_NULL(arg, fn, label) \
    do { \
        if (!(arg)) { \
            reportInvalidArg(#arg, _("%1$s in %2$s must not be NULL"), #arg, fn); \
            goto label; \
        } \
    } while (0)

#define QEMU_ENTRY_READ_ONLY(conn, fn, label) \
    do { \
        if (connectIsReadOnly(conn)) { \
            reportError(VIR_ERR_OPERATION_DENIED, _("read only access prevents %1$s"), fn); \
            goto label; \
        } \
    } while (0)

#define QEMU_ENTRY_DRIVER(conn, field, fn, label) \
    do { \
        if (!(conn)->driver->field) { \
            reportError(VIR_ERR_NO_SUPPORT, "%s", fn); \
            goto label; \
        } \
    } while (0)

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
    static const char fn[] = "virDomainQemuMonitorCommand";
    virConnectPtr conn;

    errorReset();
    QEMU_ENTRY_CHECK_DOMAIN(domain, fn, -1);
    conn = domain->conn;
    QEMU_ENTRY_NON_NULL(result, fn, error);
    QEMU_ENTRY_READ_ONLY(conn, fn, error);
    QEMU_ENTRY_DRIVER(conn, domainQemuMonitorCommand, fn, error);
    if (conn->driver->domainQemuMonitorCommand(domain, cmd, result, flags) < 0)
        goto error;
    return 0;

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virtkitDomainQemuMonitorCommandWithFiles:
 * @domain: a domain
 * @cmd: the command
 * @ninfiles: number of @infiles
 * @infiles: descriptors to pass along
 * @noutfiles: set to the number of @outfiles
 * @outfiles: set to descriptors QEMU returned
 * @result: set to the reply
 * @flags: virDomainQemuMonitorCommandFlags
 *
 * virDomainQemuMonitorCommandWithFiles: libvirt's checks (domain, @cmd,
 * @result, read-write); no driver of ours passes descriptors, so then
 * VIR_ERR_NO_SUPPORT.
 *
 * Returns: -1 with the error set.
 */
int
virtkitDomainQemuMonitorCommandWithFiles(virDomainPtr domain, const char *cmd,
                                         unsigned int ninfiles, int *infiles,
                                         unsigned int *noutfiles, int **outfiles,
                                         char **result, unsigned int flags)
{
    static const char fn[] = "virDomainQemuMonitorCommandWithFiles";
    virConnectPtr conn;

    (void)ninfiles;
    (void)infiles;
    (void)noutfiles;
    (void)outfiles;
    (void)flags;
    errorReset();
    QEMU_ENTRY_CHECK_DOMAIN(domain, fn, -1);
    conn = domain->conn;
    QEMU_ENTRY_NON_NULL(cmd, fn, error);
    QEMU_ENTRY_NON_NULL(result, fn, error);
    QEMU_ENTRY_READ_ONLY(conn, fn, error);
    reportError(VIR_ERR_NO_SUPPORT, "%s", fn);

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virtkitDomainQemuAttach:
 * @conn: a connection
 * @pidValue: the pid of a QEMU started outside
 * @flags: none
 *
 * virDomainQemuAttach: libvirt's checks; no driver of ours adopts a QEMU
 * it did not start, so then VIR_ERR_NO_SUPPORT.
 *
 * Returns: NULL with the error set.
 */
virDomainPtr
virtkitDomainQemuAttach(virConnectPtr conn, unsigned int pidValue, unsigned int flags)
{
    static const char fn[] = "virDomainQemuAttach";

    (void)flags;
    errorReset();
    QEMU_ENTRY_CHECK_CONN(conn, fn, NULL);
    if (pidValue == 0) {
        reportInvalidArg("pid_value", _("%1$s in %2$s must not be zero"), "pid_value", fn);
        goto error;
    }
    QEMU_ENTRY_READ_ONLY(conn, fn, error);
    reportError(VIR_ERR_NO_SUPPORT, "%s", fn);

 error:
    entryDispatchError(conn);
    return NULL;
}

/**
 * virtkitDomainQemuAgentCommand:
 * @domain: a domain
 * @cmd: a guest agent command
 * @timeout: seconds, or a VIR_DOMAIN_QEMU_AGENT_COMMAND_* value
 * @flags: none
 *
 * virDomainQemuAgentCommand: libvirt's checks; no driver of ours talks to
 * a guest agent, so then VIR_ERR_NO_SUPPORT.
 *
 * Returns: NULL with the error set.
 */
char *
virtkitDomainQemuAgentCommand(virDomainPtr domain, const char *cmd, int timeout,
                              unsigned int flags)
{
    static const char fn[] = "virDomainQemuAgentCommand";
    virConnectPtr conn;

    (void)cmd;
    (void)timeout;
    (void)flags;
    errorReset();
    QEMU_ENTRY_CHECK_DOMAIN(domain, fn, NULL);
    conn = domain->conn;
    QEMU_ENTRY_READ_ONLY(conn, fn, error);
    reportError(VIR_ERR_NO_SUPPORT, "%s", fn);

 error:
    entryDispatchError(conn);
    return NULL;
}

/**
 * virtkitConnectDomainQemuMonitorEventRegister:
 * @conn: a connection
 * @dom: a domain of @conn, or NULL for all
 * @event: an event name, or NULL for all
 * @cb: the callback
 * @opaque: its data
 * @freecb: frees @opaque, or NULL
 * @flags: virConnectDomainQemuMonitorEventRegisterFlags
 *
 * virConnectDomainQemuMonitorEventRegister: libvirt's checks; no driver of
 * ours relays raw QMP events, so then VIR_ERR_NO_SUPPORT.
 *
 * Returns: -1 with the error set.
 */
int
virtkitConnectDomainQemuMonitorEventRegister(virConnectPtr conn, virDomainPtr dom,
                                             const char *event,
                                             virConnectDomainQemuMonitorEventCallback cb,
                                             void *opaque, virFreeCallback freecb,
                                             unsigned int flags)
{
    static const char fn[] = "virConnectDomainQemuMonitorEventRegister";

    (void)event;
    (void)opaque;
    (void)freecb;
    (void)flags;
    errorReset();
    QEMU_ENTRY_CHECK_CONN(conn, fn, -1);
    if (dom) {
        if (!domainHandleIsValid(dom)) {
            errorReport(VIR_FROM_DOM, VIR_ERR_INVALID_DOMAIN, __FILE__, fn, __LINE__, "%s", fn);
            goto error;
        }
        if (dom->conn != conn) {
            reportInvalidArg("dom", _("domain '%1$s' in %2$s must match connection"), dom->name,
                             fn);
            goto error;
        }
    }
    QEMU_ENTRY_NON_NULL(cb, fn, error);
    QEMU_ENTRY_READ_ONLY(conn, fn, error);
    reportError(VIR_ERR_NO_SUPPORT, "%s", fn);

 error:
    entryDispatchError(conn);
    return -1;
}

/**
 * virtkitConnectDomainQemuMonitorEventDeregister:
 * @conn: a connection
 * @callbackID: from the register call
 *
 * virConnectDomainQemuMonitorEventDeregister: libvirt's checks; nothing
 * can have been registered, so then VIR_ERR_NO_SUPPORT.
 *
 * Returns: -1 with the error set.
 */
int
virtkitConnectDomainQemuMonitorEventDeregister(virConnectPtr conn, int callbackID)
{
    static const char fn[] = "virConnectDomainQemuMonitorEventDeregister";

    errorReset();
    QEMU_ENTRY_CHECK_CONN(conn, fn, -1);
    if (callbackID < 0) {
        reportInvalidArg("callbackID", _("%1$s in %2$s must be zero or greater"), "callbackID",
                         fn);
        goto error;
    }
    QEMU_ENTRY_READ_ONLY(conn, fn, error);
    reportError(VIR_ERR_NO_SUPPORT, "%s", fn);

 error:
    entryDispatchError(conn);
    return -1;
}
