/* libvirt-qemu ABI probe: built against Debian's libvirt-qemu, run on Debian's libraries and on ours. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libvirt/libvirt.h>
#include <libvirt/libvirt-qemu.h>
#include <libvirt/virterror.h>

/*
 * tests/api/qemuapicompat-run.sh runs this one binary twice: with
 * Debian's libvirt.so.0 + libvirt-qemu.so.0, and with ours first on
 * LD_LIBRARY_PATH (the binary resolves virDomainQemuMonitorCommand at
 * LIBVIRT_QEMU_0.8.3 in ours).  Both runs must print the same lines.
 * With argv[1] = URI and argv[2] = domain, the last line is the reply of
 * query-status on that (running QEMU) domain instead.
 */

static int handlerCalls;

static void
handler(void *userData, virErrorPtr err)
{
    (void)userData;
    (void)err;
    handlerCalls++;
}

static void
show(const char *label, int ret, const char *result)
{
    virErrorPtr e = virGetLastError();

    printf("%s: ret=%d", label, ret);
    if (e)
        printf(" code=%d domain=%d msg=[%s] handler=%d", e->code, e->domain, e->message,
               handlerCalls);
    if (result)
        printf(" result=[%s]", result);
    printf("\n");
}

static void
monitorEvent(virConnectPtr c, virDomainPtr d, const char *event, long long seconds,
             unsigned int micros, const char *details, void *opaque)
{
    (void)c;
    (void)d;
    (void)event;
    (void)seconds;
    (void)micros;
    (void)details;
    (void)opaque;
}

int
main(int argc, char **argv)
{
    virConnectPtr conn;
    virConnectPtr ro;
    virDomainPtr dom;
    virDomainPtr rodom;
    char *res = NULL;
    int fds[1] = { 0 };
    int *outfds = NULL;
    unsigned int nout = 0;
    int rc;

    virSetErrorFunc(NULL, handler);
    if (argc == 3) {
        if (!(conn = virConnectOpen(argv[1])) || !(dom = virDomainLookupByName(conn, argv[2]))) {
            show("open", -1, NULL);
            return 1;
        }
        rc = virDomainQemuMonitorCommand(dom, "{\"execute\":\"query-status\"}", &res, 0);
        /* the reply's id differs between drivers: only the return value is compared */
        show("query-status", rc, res && strstr(res, "\"return\"") ? strstr(res, "\"return\"") : res);
        free(res);
        res = NULL;
        rc = virDomainQemuMonitorCommand(dom, "info status", &res,
                                         VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP);
        show("hmp", rc, res);
        free(res);
        virDomainFree(dom);
        virConnectClose(conn);
        return rc == 0 ? 0 : 1;
    }
    if (!(conn = virConnectOpen("test:///default")) ||
        !(ro = virConnectOpenReadOnly("test:///default")))
        return 77;
    dom = virDomainLookupByName(conn, "test");
    rodom = virDomainLookupByName(ro, "test");
    show("null-domain", virDomainQemuMonitorCommand(NULL, "x", &res, 0), res);
    show("null-result", virDomainQemuMonitorCommand(dom, "x", NULL, 0), res);
    show("null-cmd", virDomainQemuMonitorCommand(dom, NULL, &res, 0), res);
    show("read-only", virDomainQemuMonitorCommand(rodom, "x", &res, 0), res);
    show("read-only-null-result", virDomainQemuMonitorCommand(rodom, "x", NULL, 0), res);
    show("no-support", virDomainQemuMonitorCommand(dom, "{\"execute\":\"query-status\"}", &res,
                                                   VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP), res);
    /* the rest of libvirt-qemu.h: checks in libvirt's order, then no support */
    show("wf-null-domain",
         virDomainQemuMonitorCommandWithFiles(NULL, "x", 0, NULL, NULL, NULL, &res, 0), res);
    show("wf-null-result",
         virDomainQemuMonitorCommandWithFiles(dom, "x", 0, NULL, NULL, NULL, NULL, 0), res);
    show("wf-null-cmd-result",
         virDomainQemuMonitorCommandWithFiles(dom, NULL, 0, NULL, NULL, NULL, NULL, 0), res);
    show("wf-read-only-null-cmd",
         virDomainQemuMonitorCommandWithFiles(rodom, NULL, 0, NULL, NULL, NULL, &res, 0), res);
    show("wf-read-only",
         virDomainQemuMonitorCommandWithFiles(rodom, "x", 0, NULL, NULL, NULL, &res, 0), res);
    show("wf-infiles", virDomainQemuMonitorCommandWithFiles(dom, "x", 1, fds, NULL, NULL, &res, 0),
         res);
    show("wf-outfiles",
         virDomainQemuMonitorCommandWithFiles(dom, "x", 0, NULL, &nout, &outfds, &res, 0), res);
    show("attach-null-conn", virDomainQemuAttach(NULL, 1, 0) ? 0 : -1, NULL);
    show("attach-zero", virDomainQemuAttach(conn, 0, 0) ? 0 : -1, NULL);
    show("attach-read-only-zero", virDomainQemuAttach(ro, 0, 0) ? 0 : -1, NULL);
    show("attach-read-only", virDomainQemuAttach(ro, 1, 0) ? 0 : -1, NULL);
    show("attach", virDomainQemuAttach(conn, 1, 0) ? 0 : -1, NULL);
    show("agent-null-domain", virDomainQemuAgentCommand(NULL, "x", 0, 0) ? 0 : -1, NULL);
    show("agent-read-only", virDomainQemuAgentCommand(rodom, "x", 0, 0) ? 0 : -1, NULL);
    show("agent", virDomainQemuAgentCommand(dom, "x", VIR_DOMAIN_QEMU_AGENT_COMMAND_DEFAULT, 0)
                      ? 0 : -1, NULL);
    show("agent-null-cmd", virDomainQemuAgentCommand(dom, NULL, 0, 0) ? 0 : -1, NULL);
    show("ev-null-conn",
         virConnectDomainQemuMonitorEventRegister(NULL, NULL, NULL, monitorEvent, NULL, NULL, 0),
         NULL);
    show("ev-null-cb", virConnectDomainQemuMonitorEventRegister(conn, NULL, NULL, NULL, NULL, NULL,
                                                                0), NULL);
    show("ev-read-only-null-cb",
         virConnectDomainQemuMonitorEventRegister(ro, NULL, NULL, NULL, NULL, NULL, 0), NULL);
    show("ev-other-domain-null-cb",
         virConnectDomainQemuMonitorEventRegister(conn, rodom, NULL, NULL, NULL, NULL, 0), NULL);
    show("ev-bad-domain",
         virConnectDomainQemuMonitorEventRegister(conn, (virDomainPtr)conn, NULL, monitorEvent,
                                                  NULL, NULL, 0), NULL);
    show("ev-read-only",
         virConnectDomainQemuMonitorEventRegister(ro, NULL, NULL, monitorEvent, NULL, NULL, 0),
         NULL);
    show("ev", virConnectDomainQemuMonitorEventRegister(
                   conn, dom, "STOP", monitorEvent, NULL, NULL,
                   VIR_CONNECT_DOMAIN_QEMU_MONITOR_EVENT_REGISTER_NOCASE), NULL);
    show("ev-dereg-null-conn", virConnectDomainQemuMonitorEventDeregister(NULL, 0), NULL);
    show("ev-dereg-negative", virConnectDomainQemuMonitorEventDeregister(conn, -1), NULL);
    show("ev-dereg-read-only-negative", virConnectDomainQemuMonitorEventDeregister(ro, -1), NULL);
    show("ev-dereg-read-only", virConnectDomainQemuMonitorEventDeregister(ro, 0), NULL);
    show("ev-dereg", virConnectDomainQemuMonitorEventDeregister(conn, 0), NULL);
    printf("flags: default=%d hmp=%d regex=%d nocase=%d\n",
           VIR_DOMAIN_QEMU_MONITOR_COMMAND_DEFAULT, VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP,
           VIR_CONNECT_DOMAIN_QEMU_MONITOR_EVENT_REGISTER_REGEX,
           VIR_CONNECT_DOMAIN_QEMU_MONITOR_EVENT_REGISTER_NOCASE);
    printf("agent timeouts: min=%d block=%d default=%d nowait=%d shutdown=%d\n",
           VIR_DOMAIN_QEMU_AGENT_COMMAND_MIN, VIR_DOMAIN_QEMU_AGENT_COMMAND_BLOCK,
           VIR_DOMAIN_QEMU_AGENT_COMMAND_DEFAULT, VIR_DOMAIN_QEMU_AGENT_COMMAND_NOWAIT,
           VIR_DOMAIN_QEMU_AGENT_COMMAND_SHUTDOWN);
    virDomainFree(dom);
    virDomainFree(rodom);
    virConnectClose(ro);
    virConnectClose(conn);
    return 0;
}
