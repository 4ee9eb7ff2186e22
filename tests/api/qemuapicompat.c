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

int
main(int argc, char **argv)
{
    virConnectPtr conn;
    virConnectPtr ro;
    virDomainPtr dom;
    virDomainPtr rodom;
    char *res = NULL;
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
    show("no-support", virDomainQemuMonitorCommand(dom, "{\"execute\":\"query-status\"}", &res,
                                                   VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP), res);
    printf("flags: default=%d hmp=%d\n", VIR_DOMAIN_QEMU_MONITOR_COMMAND_DEFAULT,
           VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP);
    virDomainFree(dom);
    virDomainFree(rodom);
    virConnectClose(ro);
    virConnectClose(conn);
    return 0;
}
