/* QEMU_PROGRAM in the daemon: decode, call libvirt-qemu's API on the client's connection, encode. */
#include <libvirt/libvirt-qemu.h>

#include "remote/qemu_protocol.h"
#include "remote/remote_dispatch_client.h"
#include "remote/remote_dispatch_qemu.h"

static int
remoteDispatchQemuDomainMonitorCommand(REMOTE_DISPATCH_PARAMS)
{
    qemu_domain_monitor_command_args *args = argsp;
    qemu_domain_monitor_command_ret *ret = retp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);

    if (!dom)
        return -1;
    if (virDomainQemuMonitorCommand(dom, args->cmd, &ret->result, args->flags) < 0)
        return remoteDispatchAPIError();
    return 0;
}

/* Not a query: it may change the guest (read-write sockets, normal workers). */
static const RpcServerProc remoteDispatchQemuProcs[] = {
    { QEMU_PROC_DOMAIN_MONITOR_COMMAND, "DOMAIN_MONITOR_COMMAND", "virDomainQemuMonitorCommand",
      remoteDispatchQemuDomainMonitorCommand, (xdrproc_t)xdr_qemu_domain_monitor_command_args,
      sizeof(qemu_domain_monitor_command_args), (xdrproc_t)xdr_qemu_domain_monitor_command_ret,
      sizeof(qemu_domain_monitor_command_ret), 0 },
};

/* For the VIR_ERR_NO_SUPPORT message of the procedures not implemented. */
static const char *const remoteDispatchQemuProcNames[QEMU_PROC_LAST] = {
    [QEMU_PROC_DOMAIN_MONITOR_COMMAND] = "DOMAIN_MONITOR_COMMAND",
    [QEMU_PROC_DOMAIN_ATTACH] = "DOMAIN_ATTACH",
    [QEMU_PROC_DOMAIN_AGENT_COMMAND] = "DOMAIN_AGENT_COMMAND",
    [QEMU_PROC_CONNECT_DOMAIN_MONITOR_EVENT_REGISTER] = "CONNECT_DOMAIN_MONITOR_EVENT_REGISTER",
    [QEMU_PROC_CONNECT_DOMAIN_MONITOR_EVENT_DEREGISTER] = "CONNECT_DOMAIN_MONITOR_EVENT_DEREGISTER",
    [QEMU_PROC_DOMAIN_MONITOR_EVENT] = "DOMAIN_MONITOR_EVENT",
    [QEMU_PROC_DOMAIN_MONITOR_COMMAND_WITH_FILES] = "DOMAIN_MONITOR_COMMAND_WITH_FILES",
};

/**
 * remoteDispatchQemuNewProgram:
 *
 * Returns: QEMU_PROGRAM with the procedures the daemon implements (caller
 * owns it until added to a server); the other numbers answer
 * VIR_ERR_NO_SUPPORT.
 */
RpcServerProgram *
remoteDispatchQemuNewProgram(void)
{
    RpcServerProgram *prog =
        rpcServerProgramNew(QEMU_PROGRAM, QEMU_PROTOCOL_VERSION, QEMU_PROC_LAST);

    rpcServerProgramAddProcs(prog, remoteDispatchQemuProcs, G_N_ELEMENTS(remoteDispatchQemuProcs));
    rpcServerProgramSetNames(prog, remoteDispatchQemuProcNames, QEMU_PROC_LAST);
    return prog;
}
