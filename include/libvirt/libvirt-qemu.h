/* libvirt-qemu.h: QEMU-specific API (libvirt-qemu.so.0), libvirt's names and values. */

/*
 * Part of virtkit's libvirt-compatible public API (libvirt 9.0.0 level).
 * Link with -lvirt-qemu (pkg-config libvirt-qemu).  Every function of
 * libvirt's libvirt-qemu.h exists with libvirt's argument checks; only
 * virDomainQemuMonitorCommand is implemented by a driver (QEMU), the
 * others fail with VIR_ERR_NO_SUPPORT; see docs/qemu-driver.md.
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
int virDomainQemuMonitorCommandWithFiles(virDomainPtr domain,
                                         const char *cmd,
                                         unsigned int ninfiles,
                                         int *infiles,
                                         unsigned int *noutfiles,
                                         int **outfiles,
                                         char **result,
                                         unsigned int flags);

virDomainPtr virDomainQemuAttach(virConnectPtr domain,
                                 unsigned int pid_value,
                                 unsigned int flags);

/* Timeouts of virDomainQemuAgentCommand() (seconds, or one of these) */
typedef enum {
    VIR_DOMAIN_QEMU_AGENT_COMMAND_MIN = VIR_DOMAIN_AGENT_RESPONSE_TIMEOUT_BLOCK,
    VIR_DOMAIN_QEMU_AGENT_COMMAND_BLOCK = VIR_DOMAIN_AGENT_RESPONSE_TIMEOUT_BLOCK,
    VIR_DOMAIN_QEMU_AGENT_COMMAND_DEFAULT = VIR_DOMAIN_AGENT_RESPONSE_TIMEOUT_DEFAULT,
    VIR_DOMAIN_QEMU_AGENT_COMMAND_NOWAIT = VIR_DOMAIN_AGENT_RESPONSE_TIMEOUT_NOWAIT,
    VIR_DOMAIN_QEMU_AGENT_COMMAND_SHUTDOWN = 60,
} virDomainQemuAgentCommandTimeoutValues;

char *virDomainQemuAgentCommand(virDomainPtr domain, const char *cmd,
                                int timeout, unsigned int flags);

/* A QMP event of a domain, as QEMU sent it (details: its JSON "data") */
typedef void (*virConnectDomainQemuMonitorEventCallback)(virConnectPtr conn,
                                                         virDomainPtr dom,
                                                         const char *event,
                                                         long long seconds,
                                                         unsigned int micros,
                                                         const char *details,
                                                         void *opaque);

/* Flags for virConnectDomainQemuMonitorEventRegister() */
typedef enum {
    VIR_CONNECT_DOMAIN_QEMU_MONITOR_EVENT_REGISTER_REGEX = (1 << 0),  /* event is a regex */
    VIR_CONNECT_DOMAIN_QEMU_MONITOR_EVENT_REGISTER_NOCASE = (1 << 1), /* case insensitive */
} virConnectDomainQemuMonitorEventRegisterFlags;

int virConnectDomainQemuMonitorEventRegister(virConnectPtr conn,
                                             virDomainPtr dom,
                                             const char *event,
                                             virConnectDomainQemuMonitorEventCallback cb,
                                             void *opaque,
                                             virFreeCallback freecb,
                                             unsigned int flags);
int virConnectDomainQemuMonitorEventDeregister(virConnectPtr conn,
                                               int callbackID);

#ifdef __cplusplus
}
#endif

#endif /* LIBVIRT_QEMU_H */
