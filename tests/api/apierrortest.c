/* Public error functions: thread slot, connection copy, handlers, default printer. */
#include <string.h>

#include "mockdriver.h"

static int globalCalls;
static int connCalls;
static virErrorPtr seen;

static void
globalHandler(void *userData, virErrorPtr err)
{
    globalCalls++;
    seen = err;
}

static void
connHandler(void *userData, virErrorPtr err)
{
    connCalls++;
    g_assert_cmpstr(userData, ==, "conn-data");
}

static virConnectPtr
openMock(void)
{
    virConnectPtr conn = virConnectOpen("mock:///");

    g_assert_nonnull(conn);
    return conn;
}

static void
testNoError(void)
{
    virError copy;
    virErrorPtr saved = NULL;

    virResetLastError();
    g_assert_null(virGetLastError());
    g_assert_cmpstr(virGetLastErrorMessage(), ==, "no error");
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_OK);
    g_assert_cmpint(virGetLastErrorDomain(), ==, VIR_FROM_NONE);
    memset(&copy, 0, sizeof(copy));
    g_assert_cmpint(virCopyLastError(&copy), ==, 0);
    g_assert_cmpint(copy.code, ==, VIR_ERR_OK);
    saved = virSaveLastError();
    g_assert_nonnull(saved);
    g_assert_cmpint(saved->code, ==, VIR_ERR_OK);
    virFreeError(saved);
    virFreeError(NULL);
    virResetError(NULL);
}

static void
testLastError(void)
{
    virConnectPtr conn = openMock();
    virError copy;
    virErrorPtr saved = NULL;
    virErrorPtr err = NULL;

    virSetErrorFunc(NULL, globalHandler);
    g_assert_null(virDomainLookupByName(conn, "nosuch"));
    err = virGetLastError();
    g_assert_nonnull(err);
    g_assert_cmpint(err->code, ==, VIR_ERR_NO_DOMAIN);
    g_assert_cmpint(err->domain, ==, VIR_FROM_TEST);
    g_assert_cmpstr(err->message, ==,
                    "Domain not found: no domain with matching name 'nosuch'");
    g_assert_cmpstr(err->str1, ==, "Domain not found: %s");
    g_assert_cmpstr(err->str2, ==, "no domain with matching name 'nosuch'");
    g_assert_cmpint(err->int1, ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_NO_DOMAIN);
    g_assert_cmpint(virGetLastErrorDomain(), ==, VIR_FROM_TEST);

    memset(&copy, 0, sizeof(copy));
    g_assert_cmpint(virCopyLastError(&copy), ==, VIR_ERR_NO_DOMAIN);
    g_assert_cmpstr(copy.message, ==, err->message);
    g_assert_true(copy.message != err->message);
    virResetError(&copy);
    g_assert_cmpint(copy.code, ==, 0);
    g_assert_null(copy.message);
    saved = virSaveLastError();
    g_assert_cmpint(saved->code, ==, VIR_ERR_NO_DOMAIN);
    virFreeError(saved);

    /* The connection keeps its own copy, until reset; success keeps it. */
    g_assert_cmpint(virConnGetLastError(conn)->code, ==, VIR_ERR_NO_DOMAIN);
    g_assert_cmpint(virConnectNumOfDomains(conn), ==, 1);
    g_assert_null(virGetLastError());
    g_assert_cmpint(virConnGetLastError(conn)->code, ==, VIR_ERR_NO_DOMAIN);
    g_assert_cmpint(virConnCopyLastError(conn, &copy), ==, VIR_ERR_NO_DOMAIN);
    virResetError(&copy);
    virConnResetLastError(conn);
    g_assert_nonnull(virConnGetLastError(conn));
    g_assert_cmpint(virConnGetLastError(conn)->code, ==, VIR_ERR_OK);
    g_assert_cmpint(virConnCopyLastError(conn, &copy), ==, 0);
    g_assert_null(virConnGetLastError(NULL));
    g_assert_cmpint(virConnCopyLastError(NULL, &copy), ==, -1);
    virConnResetLastError(NULL);

    /* Argument errors are copied to the connection too. */
    g_assert_cmpint(virConnectGetVersion(conn, NULL), ==, -1);
    g_assert_cmpint(virConnGetLastError(conn)->code, ==, VIR_ERR_INVALID_ARG);
    err = virGetLastError();
    g_assert_cmpstr(err->str1, ==, "virConnectGetVersion");
    g_assert_cmpstr(err->str2, ==, "hvVer");
    g_assert_cmpint(err->int1, ==, 0);

    g_assert_cmpint(virConnectClose(conn), ==, 0);
    virSetErrorFunc(NULL, NULL);
}

static void
testHandlers(void)
{
    virConnectPtr conn = openMock();

    virSetErrorFunc((void *)"global-data", globalHandler);
    globalCalls = connCalls = 0;
    g_assert_null(virDomainLookupByName(conn, "nosuch"));
    g_assert_cmpint(globalCalls, ==, 1);
    g_assert_true(seen == virGetLastError());
    g_assert_cmpint(virConnectNumOfDomains(conn), ==, 1);
    g_assert_cmpint(globalCalls, ==, 1);
    g_assert_null(virDomainGetName(NULL));
    g_assert_cmpint(globalCalls, ==, 2);

    /* A connection's handler replaces the global one for that connection. */
    virConnSetErrorFunc(conn, (void *)"conn-data", connHandler);
    g_assert_null(virDomainLookupByName(conn, "nosuch"));
    g_assert_cmpint(connCalls, ==, 1);
    g_assert_cmpint(globalCalls, ==, 2);
    g_assert_null(virDomainGetName(NULL));
    g_assert_cmpint(globalCalls, ==, 3);
    virConnSetErrorFunc(conn, NULL, NULL);
    g_assert_null(virDomainLookupByName(conn, "nosuch"));
    g_assert_cmpint(globalCalls, ==, 4);
    g_assert_cmpint(connCalls, ==, 1);
    virConnSetErrorFunc(NULL, NULL, connHandler);

    virSetErrorFunc(NULL, NULL);
    g_assert_cmpint(virConnectClose(conn), ==, 0);
}

static void
testGenericFailure(void)
{
    virErrorPtr err = NULL;

    virSetErrorFunc(NULL, globalHandler);
    globalCalls = 0;
    g_assert_cmpint(virGetVersion(NULL, NULL, NULL), ==, -1);
    err = virGetLastError();
    g_assert_nonnull(err);
    g_assert_cmpint(err->code, ==, VIR_ERR_INTERNAL_ERROR);
    g_assert_cmpint(err->domain, ==, VIR_FROM_NONE);
    g_assert_cmpint(err->level, ==, VIR_ERR_ERROR);
    g_assert_cmpstr(err->message, ==, "An error occurred, but the cause is unknown");
    g_assert_null(err->str1);
    g_assert_cmpint(globalCalls, ==, 1);
    virSetErrorFunc(NULL, NULL);
}

static gpointer
otherThread(gpointer data)
{
    /* Each thread has its own slot. */
    g_assert_null(virGetLastError());
    g_assert_null(virDomainGetName(NULL));
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_INVALID_DOMAIN);
    return NULL;
}

static void
testThreadLocal(void)
{
    virSetErrorFunc(NULL, globalHandler);
    g_assert_cmpint(virConnectGetVersion(NULL, NULL), ==, -1);
    g_thread_join(g_thread_new("other", otherThread, NULL));
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_INVALID_CONN);
    virSetErrorFunc(NULL, NULL);
}

static void
testDefaultPrinter(void)
{
    if (g_test_subprocess()) {
        virError e;

        virSetErrorFunc(NULL, NULL);
        virConnectGetType(NULL);
        virDomainGetName(NULL);
        memset(&e, 0, sizeof(e));
        e.code = VIR_ERR_INTERNAL_ERROR;
        e.domain = VIR_FROM_QEMU;
        e.level = VIR_ERR_WARNING;
        e.message = (char *)"hello";
        virDefaultErrorFunc(&e);
        e.domain = 9999;
        e.level = VIR_ERR_NONE;
        virDefaultErrorFunc(&e);
        e.domain = VIR_FROM_NONE;
        e.level = VIR_ERR_ERROR;
        e.message = (char *)"ends\n";
        virDefaultErrorFunc(&e);
        e.code = VIR_ERR_XML_DETAIL;
        e.domain = VIR_FROM_XML;
        e.int1 = 4;
        e.message = (char *)"detail";
        virDefaultErrorFunc(&e);
        e.code = VIR_ERR_OK;
        virDefaultErrorFunc(&e);
        virDefaultErrorFunc(NULL);
        return;
    }
    g_test_trap_subprocess(NULL, 0, 0);
    g_test_trap_assert_passed();
    g_test_trap_assert_stderr(
        "libvirt: Domain Config error : invalid connection pointer in virConnectGetType\n"
        "libvirt: Domain error : invalid domain pointer in virDomainGetName\n"
        "libvirt: QEMU Driver warning : hello\n"
        "libvirt: Unknown  : hello\n"
        "libvirt:  error : ends\n"
        "libvirt: XML Util error : line 4: detail");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    mockDriverRegister();
    g_test_add_func("/error/none", testNoError);
    g_test_add_func("/error/last", testLastError);
    g_test_add_func("/error/handlers", testHandlers);
    g_test_add_func("/error/generic", testGenericFailure);
    g_test_add_func("/error/thread-local", testThreadLocal);
    g_test_add_func("/error/default-printer", testDefaultPrinter);
    return g_test_run();
}
