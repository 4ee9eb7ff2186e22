/* Public error API: the thread's last error, per-connection copies, handlers. */
#include <stdio.h>
#include <string.h>

#define ERR_DOMAIN VIR_FROM_NONE
#include "api/entry.h"
#include "util/enum.h"
#include "util/thread.h"

/*
 * Names of the error domains as virDefaultErrorFunc prints them
 * ("libvirt: QEMU Driver error : ..."); scripts match on these, so they
 * are libvirt's.
 */
ENUM_DECL(libvirtErrorDomain);
ENUM_IMPL(libvirtErrorDomain, VIR_ERR_DOMAIN_LAST,
          "", "Xen Driver", "Xen Daemon", "Xen Store", "S-Expression",
          "XML Util", "Domain", "XML-RPC", "Proxy Daemon", "Config File",
          "QEMU Driver", "Network", "Test Driver", "Remote Driver",
          "OpenVZ Driver", "Xen XM Driver", "Linux Statistics", "LXC Driver",
          "Storage Driver", "Network Driver", "Domain Config",
          "User Mode Linux Driver", "Node Device Driver", "Xen Inotify Driver",
          "Security Driver", "VirtualBox Driver", "Network Interface Driver",
          "Open Nebula Driver", "ESX Driver", "Power Hypervisor Driver",
          "Secrets Driver", "CPU Driver", "XenAPI Driver",
          "Network Filter Driver", "Lifecycle Hook", "Domain Snapshot",
          "Audit Utils", "Sysinfo Utils", "I/O Stream Utils", "VMware Driver",
          "Event Loop", "Xen Light Driver", "Lock Driver", "Hyper-V Driver",
          "Capabilities Utils", "URI Utils", "Authentication Utils",
          "DBus Utils", "Parallels Cloud Server", "Device Config",
          "SSH transport layer", "Lock Space", "Init control", "Identity",
          "Cgroup", "Access Manager", "Systemd", "Bhyve", "Crypto", "Firewall",
          "Polkit", "Thread jobs", "Admin Interface", "Log Manager",
          "Xen XL Config", "Perf", "Libssh transport layer",
          "Resource control", "FirewallD", "Domain Checkpoint", "TPM", "BPF",
          "Cloud-Hypervisor Driver");

/**
 * virGetLastError:
 *
 * Returns: the calling thread's last error, or NULL when the last public
 * call succeeded.  The struct belongs to the library and stays valid
 * until the thread's next public call.
 */
virErrorPtr
virGetLastError(void)
{
    virErrorPtr err = errorGetSlot();

    return err->code == VIR_ERR_OK ? NULL : err;
}

/**
 * virGetLastErrorMessage:
 *
 * Returns: the message of the thread's last error, "no error" when there
 * is none (never NULL; owned by the library).
 */
const char *
virGetLastErrorMessage(void)
{
    virErrorPtr err = errorGetSlot();

    if (err->code == VIR_ERR_OK)
        return _("no error");
    if (!err->message)
        return _("unknown error");
    return err->message;
}

/**
 * virGetLastErrorCode:
 *
 * Returns: the virErrorNumber of the thread's last error, VIR_ERR_OK if none.
 */
int
virGetLastErrorCode(void)
{
    return errorGetCode();
}

/**
 * virGetLastErrorDomain:
 *
 * Returns: the virErrorDomain of the thread's last error, VIR_FROM_NONE if none.
 */
int
virGetLastErrorDomain(void)
{
    virErrorPtr err = errorGetSlot();

    return err->code == VIR_ERR_OK ? VIR_FROM_NONE : err->domain;
}

/**
 * virResetLastError:
 *
 * Clears the calling thread's last error.
 */
void
virResetLastError(void)
{
    errorReset();
}

/**
 * virSaveLastError:
 *
 * Returns: a copy of the thread's last error (code VIR_ERR_OK when there
 * is none), never NULL.  The caller frees it with virFreeError.
 */
virErrorPtr
virSaveLastError(void)
{
    virErrorPtr copy = g_new0(virError, 1);

    errorCopy(errorGetSlot(), copy);
    return copy;
}

/**
 * virCopyLastError:
 * @to: destination, whose previous contents are released
 *
 * Deep-copies the thread's last error into @to (an empty error when there
 * is none).
 *
 * Returns: the copied error code, 0 when there was no error.
 */
int
virCopyLastError(virErrorPtr to)
{
    if (!to)
        return -1;
    errorCopy(errorGetSlot(), to);
    return to->code;
}

/**
 * virResetError:
 * @err: an error, or NULL
 *
 * Releases the strings of @err and zeroes it.
 */
void
virResetError(virErrorPtr err)
{
    errorClear(err);
}

/**
 * virFreeError:
 * @err: an error from virSaveLastError, or NULL
 *
 * Frees @err and its strings.
 */
void
virFreeError(virErrorPtr err)
{
    if (!err)
        return;
    errorClear(err);
    g_free(err);
}

/**
 * virConnGetLastError:
 * @conn: a connection
 *
 * Returns: the last error of a public call that failed on @conn (code
 * VIR_ERR_OK once reset), or NULL when @conn is NULL.  The struct belongs
 * to @conn; another thread's failure may overwrite it.
 */
virErrorPtr
virConnGetLastError(virConnectPtr conn)
{
    if (!conn)
        return NULL;
    return &conn->err;
}

/**
 * virConnCopyLastError:
 * @conn: a connection
 * @to: destination, whose previous contents are released
 *
 * Returns: the copied error code (0 when none), -1 when @conn or @to is NULL.
 */
int
virConnCopyLastError(virConnectPtr conn, virErrorPtr to)
{
    if (!conn || !to)
        return -1;
    mutexLock(&conn->lock);
    errorCopy(&conn->err, to);
    mutexUnlock(&conn->lock);
    return to->code;
}

/**
 * virConnResetLastError:
 * @conn: a connection, or NULL
 *
 * Clears @conn's last error.
 */
void
virConnResetLastError(virConnectPtr conn)
{
    if (!conn)
        return;
    mutexLock(&conn->lock);
    errorClear(&conn->err);
    mutexUnlock(&conn->lock);
}

/**
 * virSetErrorFunc:
 * @userData: passed to @handler
 * @handler: called with each error of a failed public call, or NULL to
 *           restore the default (printing to stderr)
 *
 * Sets the process-wide error handler; a connection's own handler
 * (virConnSetErrorFunc) takes precedence for calls on that connection.
 */
void
virSetErrorFunc(void *userData, virErrorFunc handler)
{
    entrySetGlobalHandler(userData, handler);
}

/**
 * virConnSetErrorFunc:
 * @conn: a connection, or NULL (then nothing happens)
 * @userData: passed to @handler
 * @handler: called instead of the global handler for failures on @conn,
 *           or NULL to fall back to the global one
 */
void
virConnSetErrorFunc(virConnectPtr conn, void *userData, virErrorFunc handler)
{
    if (!conn)
        return;
    mutexLock(&conn->lock);
    conn->handler = handler;
    conn->userData = userData;
    mutexUnlock(&conn->lock);
}

/**
 * virDefaultErrorFunc:
 * @err: an error, or NULL
 *
 * The handler used when none is set: prints @err on stderr in libvirt's
 * format, "libvirt: <domain> <level> : <message>" (an XML detail with a
 * line number reads "... : line N: <message>").  Being libvirt's
 * documented behaviour, this is the one place below tools/ that writes
 * to stderr.  Nothing is printed for NULL or an empty error.
 */
void
virDefaultErrorFunc(virErrorPtr err)
{
    const char *domain = NULL;
    const char *level = "";
    const char *msg = NULL;
    size_t len;

    if (!err || err->code == VIR_ERR_OK)
        return;
    if (!(domain = libvirtErrorDomainTypeToString(err->domain)))
        domain = "Unknown";
    if (err->level == VIR_ERR_WARNING)
        level = _("warning");
    else if (err->level == VIR_ERR_ERROR)
        level = _("error");
    msg = err->message ? err->message : _("unknown error");
    len = strlen(msg);

    if (err->domain == VIR_FROM_XML && err->code == VIR_ERR_XML_DETAIL &&
        err->int1 != 0)
        fprintf(stderr, "libvirt: %s %s : line %d: %s", domain, level,
                err->int1, msg);
    else if (len > 0 && msg[len - 1] == '\n')
        fprintf(stderr, "libvirt: %s %s : %s", domain, level, msg);
    else
        fprintf(stderr, "libvirt: %s %s : %s\n", domain, level, msg);
}
