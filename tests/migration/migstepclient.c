/*
 * A managed-direct migration client that drives the v3 steps by hand (the
 * private step entry points virtkitd serves) and then does what its stdin
 * says, for tests of what the daemons do when a client's connection
 * closes (tests/integration/test_migdisconnect.py).
 *
 *   migstepclient SRC_URI DST_URI NAME LAST_STEP [MIGRATE_URI]
 *
 * Opens one connection to each host (plus a second, idle one to each),
 * runs Begin3 ("begin") or Begin3 + Prepare3 ("prepare") with
 * VIR_MIGRATE_LIVE, prints "ready" (or "error: MESSAGE" and exits 1),
 * then reads one command a line and answers "done" after each:
 *   close-src / close-dst        close the connection the steps ran on
 *   close-other-src / -dst       close the idle connection
 *   exit                         leave without closing anything
 * End of input is "exit".
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "api/migrate_steps.h"

static void
quietErrors(void *opaque, virErrorPtr err)
{
}

static int
failed(const char *what)
{
    virErrorPtr err = virGetLastError();

    printf("error: %s: %s\n", what, err && err->message ? err->message : "unknown");
    fflush(stdout);
    return 1;
}

static void
closeConn(virConnectPtr *conn)
{
    if (*conn)
        virConnectClose(*conn);
    *conn = NULL;
}

/* Prepare3's parameters: Begin3's XML and the migration URI, if any. */
static int
addParams(virTypedParameterPtr *params, int *nparams, const char *xml, const char *uri)
{
    int maxparams = 0;

    if (virTypedParamsAddString(params, nparams, &maxparams, VIR_MIGRATE_PARAM_DEST_XML, xml) < 0)
        return -1;
    if (uri && virTypedParamsAddString(params, nparams, &maxparams, VIR_MIGRATE_PARAM_URI, uri) < 0)
        return -1;
    return 0;
}

int
main(int argc, char **argv)
{
    virConnectPtr src = NULL;
    virConnectPtr dst = NULL;
    virConnectPtr otherSrc = NULL;
    virConnectPtr otherDst = NULL;
    virDomainPtr dom = NULL;
    virTypedParameterPtr params = NULL;
    int nparams = 0;
    g_autofree char *xml = NULL;
    g_autofree char *cookieA = NULL;
    g_autofree char *cookieB = NULL;
    g_autofree char *uriOut = NULL;
    int lenA = 0;
    int lenB = 0;
    char line[128];
    bool prepare;

    if (argc < 5 || (g_strcmp0(argv[4], "begin") != 0 && g_strcmp0(argv[4], "prepare") != 0)) {
        fprintf(stderr, "usage: %s SRC_URI DST_URI NAME begin|prepare [MIGRATE_URI]\n", argv[0]);
        return 2;
    }
    prepare = g_strcmp0(argv[4], "prepare") == 0;
    virSetErrorFunc(NULL, quietErrors);
    if (!(src = virConnectOpen(argv[1])) || !(otherSrc = virConnectOpen(argv[1])) ||
        !(dst = virConnectOpen(argv[2])) || !(otherDst = virConnectOpen(argv[2])))
        return failed("open");
    if (!(dom = virDomainLookupByName(src, argv[3])))
        return failed("lookup");
    if (!(xml = virtkitDomainMigrateBegin3Params(dom, NULL, 0, &cookieA, &lenA, VIR_MIGRATE_LIVE)))
        return failed("Begin3");
    /* the step handle holds the connection: only the connection itself counts */
    virDomainFree(dom);
    if (prepare && addParams(&params, &nparams, xml, argc > 5 ? argv[5] : NULL) < 0)
        return failed("parameters");
    if (prepare && virtkitDomainMigratePrepare3Params(dst, params, nparams, cookieA, lenA, &cookieB,
                                                      &lenB, &uriOut, VIR_MIGRATE_LIVE) < 0)
        return failed("Prepare3");
    virTypedParamsFree(params, nparams);
    printf("ready\n");
    fflush(stdout);

    while (fgets(line, sizeof(line), stdin)) {
        g_strchomp(line);
        if (g_str_equal(line, "exit"))
            break;
        if (g_str_equal(line, "close-src"))
            closeConn(&src);
        else if (g_str_equal(line, "close-dst"))
            closeConn(&dst);
        else if (g_str_equal(line, "close-other-src"))
            closeConn(&otherSrc);
        else if (g_str_equal(line, "close-other-dst"))
            closeConn(&otherDst);
        else
            printf("unknown command '%s'\n", line);
        printf("done\n");
        fflush(stdout);
    }
    /* leave as a vanishing client does: the daemons see the sockets close */
    _exit(0);
}
