/* Differential probe: built against virtkit and against Debian's libvirt, the output must match. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

/* VIR_DOMAIN_EVENT_CALLBACK through void (*)(void), which -Wcast-function-type accepts. */
#define GENERIC_CB(cb) ((virConnectDomainEventGenericCallback)(void (*)(void))(cb))

/*
 * Only behaviour of the public API layer is printed: entry-point checks,
 * error functions, handles, typed parameters, the event loop and event
 * registration/delivery.  Driver-specific answers (flags a driver
 * refuses, its version numbers) are left out.  Pointers in messages are
 * masked by apicompat-run.sh.  Exit 77 when test:///default cannot be
 * opened.
 */

static int handlerCalls;

static void
handler(void *userData, virErrorPtr err)
{
    handlerCalls++;
}

static void
show(const char *label, long long ret)
{
    virErrorPtr e = virGetLastError();

    if (e)
        printf("%s: ret=%lld code=%d domain=%d level=%d msg=[%s] str1=[%s] str2=[%s] int1=%d handler=%d\n",
               label, ret, e->code, e->domain, e->level, e->message,
               e->str1 ? e->str1 : "-", e->str2 ? e->str2 : "-", e->int1,
               handlerCalls);
    else
        printf("%s: ret=%lld ok handler=%d\n", label, ret, handlerCalls);
}

#define TI(label, expr) \
    do { handlerCalls = 0; long long r_ = (long long)(expr); show(label, r_); } while (0)
#define TP(label, expr) \
    do { handlerCalls = 0; const void *p_ = (const void *)(expr); show(label, p_ != NULL); } while (0)

static void closecb(virConnectPtr c, int reason, void *opaque) { }

static int
tagIs(const void *opaque, const char *tag)
{
    return opaque && strcmp(opaque, tag) == 0;
}
static void gencb(virConnectPtr c, virDomainPtr d, void *o) { }

static void
metacb(virConnectPtr c, virDomainPtr d, int type, const char *nsuri, void *opaque)
{
    printf("  metadata-change %s type=%d nsuri=%s\n", virDomainGetName(d), type,
           nsuri ? nsuri : "(null)");
}

static int nfree;

static void
freecb(void *opaque)
{
    nfree++;
    printf("  freecb(%s)\n", (const char *)opaque);
}

static int
lifecb(virConnectPtr c, virDomainPtr d, int event, int detail, void *opaque)
{
    char uuid[VIR_UUID_STRING_BUFLEN];

    virDomainGetUUIDString(d, uuid);
    printf("  lifecycle[%s] dom=%s uuid=%s id=%d event=%d detail=%d conn-ok=%d\n",
           (const char *)opaque, virDomainGetName(d), uuid,
           (int)virDomainGetID(d), event, detail, virDomainGetConnect(d) == c);
    return 0;
}

static int tcount;

static void
timerCb(int timer, void *opaque)
{
    tcount++;
    printf("  timer %d fired (%s)\n", timer, (const char *)opaque);
    if (tagIs(opaque, "selfremove"))
        printf("  remove self -> %d\n", virEventRemoveTimeout(timer));
}

static void
handleCb(int watch, int fd, int events, void *opaque)
{
    char buf[16];

    printf("  handle %d events=%d (%s)\n", watch, events, (const char *)opaque);
    if (events & VIR_EVENT_HANDLE_READABLE)
        (void)!read(fd, buf, sizeof(buf));
    if (tagIs(opaque, "selfremove"))
        printf("  remove self -> %d\n", virEventRemoveHandle(watch));
}

/* The event loop's observable sequencing: frequencies, updates, removal, free callbacks. */
static void
eventLoopSequence(void)
{
    int t0;
    int tm;
    int t1;
    int h;
    int p[2];
    int i;

    t0 = virEventAddTimeout(0, timerCb, (void *)"zero", freecb);
    tm = virEventAddTimeout(-1, timerCb, (void *)"disabled", freecb);
    for (i = 0; i < 3; i++)
        printf("run -> %d\n", virEventRunDefaultImpl());
    printf("fired %d\n", tcount);
    virEventUpdateTimeout(t0, -1);
    virEventUpdateTimeout(tm, 0);
    printf("run -> %d\n", virEventRunDefaultImpl());
    nfree = 0;
    printf("remove t0 -> %d\n", virEventRemoveTimeout(t0));
    printf("remove t0 again -> %d\n", virEventRemoveTimeout(t0));
    printf("remove tm -> %d nfree=%d\n", virEventRemoveTimeout(tm), nfree);
    printf("run -> %d\n", virEventRunDefaultImpl());
    printf("nfree=%d\n", nfree);
    virEventAddTimeout(0, timerCb, (void *)"selfremove", freecb);
    printf("run -> %d\n", virEventRunDefaultImpl());
    printf("run -> %d\n", virEventRunDefaultImpl());
    printf("nfree=%d\n", nfree);

    if (pipe(p) < 0)
        return;
    h = virEventAddHandle(p[0], VIR_EVENT_HANDLE_READABLE, handleCb, (void *)"h", freecb);
    if (write(p[1], "x", 1) != 1)
        return;
    printf("run -> %d\n", virEventRunDefaultImpl());
    virEventUpdateHandle(h, 0);
    if (write(p[1], "x", 1) != 1)
        return;
    t1 = virEventAddTimeout(30, timerCb, (void *)"30ms", NULL);
    printf("run (handle disabled) -> %d\n", virEventRunDefaultImpl());
    virEventRemoveTimeout(t1);
    virEventUpdateHandle(h, VIR_EVENT_HANDLE_READABLE);
    printf("run -> %d\n", virEventRunDefaultImpl());
    nfree = 0;
    printf("remove handle -> %d nfree=%d\n", virEventRemoveHandle(h), nfree);
    printf("remove handle again -> %d\n", virEventRemoveHandle(h));
    h = virEventAddHandle(p[0], VIR_EVENT_HANDLE_READABLE, handleCb, (void *)"selfremove", freecb);
    if (write(p[1], "x", 1) != 1)
        return;
    printf("run -> %d\n", virEventRunDefaultImpl());
    h = virEventAddHandle(p[1], VIR_EVENT_HANDLE_WRITABLE, handleCb, (void *)"w", freecb);
    printf("run -> %d\n", virEventRunDefaultImpl());
    close(p[0]);
    printf("(reader closed)\n");
    printf("run -> %d\n", virEventRunDefaultImpl());
    printf("run -> %d\n", virEventRunDefaultImpl());
    printf("remove w -> %d\n", virEventRemoveHandle(h));
    printf("run -> %d\n", virEventRunDefaultImpl());
    printf("nfree=%d\n", nfree);
    close(p[1]);
}

int
main(void)
{
    virConnectPtr conn;
    virConnectPtr ro;
    virDomainPtr dom;
    virDomainPtr rodom;
    unsigned long ul = 0;
    unsigned long ul2 = 0;
    int st;
    int rs;
    int id;
    int id2;
    int idro;
    virDomainInfo di;
    virNodeInfo ni;
    unsigned char uuid[VIR_UUID_BUFLEN];
    char uuidstr[VIR_UUID_STRING_BUFLEN];
    virTypedParameterPtr params = NULL;
    int nparams = 0;
    int maxparams = 0;
    int iv = 0;
    const char *sv = NULL;
    virError copy;
    virErrorPtr saved;

    setvbuf(stdout, NULL, _IOLBF, 0);
    /* Default-handler output goes to stderr: fold it into stdout. */
    dup2(STDOUT_FILENO, STDERR_FILENO);
    virInitialize();

    conn = virConnectOpen("test:///default");
    if (!conn)
        return 77;
    virSetErrorFunc(NULL, handler);
    ro = virConnectOpenReadOnly("test:///default");
    dom = virDomainLookupByName(conn, "test");
    rodom = virDomainLookupByName(ro, "test");
    if (!ro || !dom || !rodom)
        return 77;

    TI("virGetVersion", virGetVersion(&ul, NULL, NULL));
    printf("  libVer=%lu\n", ul);
    TI("virGetVersion Test", virGetVersion(&ul, "Test", &ul2));
    printf("  libVer=%lu typeVer=%lu\n", ul, ul2);
    TI("virGetVersion bogus", virGetVersion(&ul, "bogus", &ul2));
    printf("  typeVer=%lu\n", ul2);
    TI("virGetVersion NULL", virGetVersion(NULL, NULL, &ul2));

    TP("open bogus", virConnectOpen("bogus"));
    TP("open ::::", virConnectOpen("::::"));
    {
        char *uri = virConnectGetURI(conn);
        printf("  uri=%s\n", uri);
        free(uri);
    }
    TI("libversion", virConnectGetLibVersion(conn, &ul));
    printf("  libVer=%lu\n", ul);

    TI("ref", virConnectRef(conn));
    TI("close (ref left)", virConnectClose(conn));
    TI("close NULL", virConnectClose(NULL));
    TP("GetType NULL", virConnectGetType(NULL));
    TI("GetVersion NULL", virConnectGetVersion(NULL, &ul));
    TI("GetVersion NULL arg", virConnectGetVersion(conn, NULL));
    TI("NodeGetInfo NULL arg", virNodeGetInfo(conn, NULL));
    TI("NodeGetFreeMemory NULL", (long long)virNodeGetFreeMemory(NULL));
    TI("RegisterCloseCallback", virConnectRegisterCloseCallback(conn, closecb, NULL, NULL));
    TI("RegisterCloseCallback again", virConnectRegisterCloseCallback(conn, closecb, NULL, NULL));
    TI("UnregisterCloseCallback other", virConnectUnregisterCloseCallback(conn, (virConnectCloseFunc)(void (*)(void))gencb));
    TI("UnregisterCloseCallback", virConnectUnregisterCloseCallback(conn, closecb));
    TI("UnregisterCloseCallback again", virConnectUnregisterCloseCallback(conn, closecb));
    TI("RegisterCloseCallback NULL", virConnectRegisterCloseCallback(conn, NULL, NULL, NULL));
    TI("SetKeepAlive NULL", virConnectSetKeepAlive(NULL, 5, 3));
    TI("SetKeepAlive in-process", virConnectSetKeepAlive(conn, 5, 3));
    TI("SetKeepAlive in-process off", virConnectSetKeepAlive(conn, 0, 0));
    TI("ListDomains NULL ids", virConnectListDomains(conn, NULL, 4));
    TI("ListDomains -1", virConnectListDomains(conn, NULL, -1));
    TI("ListDomains NULL 0", virConnectListDomains(conn, NULL, 0));
    TI("ListDefined NULL", virConnectListDefinedDomains(conn, NULL, 2));
    TI("ListAll count", virConnectListAllDomains(conn, NULL, 0));
    TP("LookupByName NULL", virDomainLookupByName(conn, NULL));
    TP("LookupByUUIDString garbage", virDomainLookupByUUIDString(conn, "garbage"));
    {
        virDomainPtr d = virDomainLookupByUUIDString(conn, "6695eb01f6a4830479aa97f2502e193f");

        TP("LookupByUUIDString nodash", d);
        if (d)
            virDomainFree(d);
    }
    TP("LookupByID -1", virDomainLookupByID(conn, -1));
    TP("DefineXML ro", virDomainDefineXML(ro, "<domain/>"));
    TP("DefineXML ro NULL", virDomainDefineXML(ro, NULL));
    TP("CreateXML NULL", virDomainCreateXML(conn, NULL, 0));

    TI("GetName NULL", virDomainGetName(NULL) != NULL);
    TI("GetID NULL", (int)virDomainGetID(NULL));
    TI("GetID", (int)virDomainGetID(dom));
    TP("GetName", virDomainGetName(dom));
    printf("  name=%s\n", virDomainGetName(dom));
    TI("GetUUID", virDomainGetUUID(dom, uuid));
    TI("GetUUIDString", virDomainGetUUIDString(dom, uuidstr));
    printf("  uuid=%s\n", uuidstr);
    TI("GetUUIDString NULL", virDomainGetUUIDString(dom, NULL));
    TI("GetConnect same", virDomainGetConnect(dom) == conn);
    TI("GetInfo NULL", virDomainGetInfo(dom, NULL));
    TI("GetState reason NULL", virDomainGetState(dom, &st, NULL, 0));
    TI("GetState NULL", virDomainGetState(dom, NULL, &rs, 0));
    TI("Suspend ro", virDomainSuspend(rodom));
    TI("SetMemory ro 0", virDomainSetMemory(rodom, 0));
    TI("SetMemory 0", virDomainSetMemory(dom, 0));
    TI("SetMaxMemory big", virDomainSetMaxMemory(dom, ULONG_MAX));
    TI("SetMemoryFlags big", virDomainSetMemoryFlags(dom, LLONG_MAX / 1024, 0));
    TI("SetVcpusFlags GUEST|CONFIG", virDomainSetVcpusFlags(dom, 1, VIR_DOMAIN_VCPU_GUEST | VIR_DOMAIN_AFFECT_CONFIG));
    TI("SetVcpusFlags MAXIMUM", virDomainSetVcpusFlags(dom, 0, VIR_DOMAIN_VCPU_MAXIMUM));
    TI("SetVcpusFlags 0", virDomainSetVcpusFlags(dom, 0, 0));
    TI("GetVcpusFlags LIVE|CONFIG", virDomainGetVcpusFlags(dom, 3));
    TI("GetVcpusFlags ro GUEST", virDomainGetVcpusFlags(rodom, VIR_DOMAIN_VCPU_GUEST));
    TP("GetXMLDesc ro SECURE", virDomainGetXMLDesc(rodom, VIR_DOMAIN_XML_SECURE));
    TI("GetJobStats KEEP", ({ int t; virTypedParameterPtr p = NULL; int n = 0;
                             virDomainGetJobStats(dom, &t, &p, &n, VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED); }));
    TP("GetMetadata 99", virDomainGetMetadata(dom, 99, NULL, 0));
    TP("GetMetadata ELEMENT NULL uri", virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, NULL, 0));
    TI("SetMetadata TITLE newline", virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_TITLE, "a\nb", NULL, NULL, 0));
    TI("SetMetadata DESC key", virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_DESCRIPTION, "d", "k", "u", 0));
    TI("SetMetadata ELEMENT no key", virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, "<x/>", NULL, "u", 0));
    TI("Ref dom", virDomainRef(dom));
    TI("Free dom", virDomainFree(dom));
    TI("Free NULL", virDomainFree(NULL));

    /* errors */
    virResetLastError();
    printf("no error: last=%d msg=[%s] code=%d domain=%d\n", virGetLastError() != NULL,
           virGetLastErrorMessage(), virGetLastErrorCode(), virGetLastErrorDomain());
    memset(&copy, 0, sizeof(copy));
    iv = virCopyLastError(&copy);
    printf("copy none=%d code=%d\n", iv, copy.code);
    saved = virSaveLastError();
    printf("save none: %d code=%d\n", saved != NULL, saved ? saved->code : -1);
    virFreeError(saved);
    virDomainGetInfo(dom, NULL);
    iv = virCopyLastError(&copy);
    printf("copy=%d code=%d msg=[%s]\n", iv, copy.code, copy.message);
    virResetError(&copy);
    printf("reset: code=%d msg=%d\n", copy.code, copy.message != NULL);
    saved = virSaveLastError();
    printf("save: code=%d msg=[%s]\n", saved->code, saved->message);
    virFreeError(saved);
    virFreeError(NULL);
    virResetError(NULL);
    printf("conn error: code=%d\n", virConnGetLastError(conn)->code);
    printf("conn copy=%d\n", virConnCopyLastError(conn, &copy));
    virResetError(&copy);
    virConnResetLastError(conn);
    iv = virConnCopyLastError(conn, &copy);
    printf("conn reset: ptr=%d code=%d copy=%d\n", virConnGetLastError(conn) != NULL,
           virConnGetLastError(conn)->code, iv);
    printf("conn NULL: %d %d\n", virConnGetLastError(NULL) != NULL, virConnCopyLastError(NULL, &copy));
    virConnSetErrorFunc(conn, NULL, handler);
    handlerCalls = 0;
    virDomainGetInfo(dom, NULL);
    printf("conn+global handler calls=%d\n", handlerCalls);
    virConnSetErrorFunc(conn, NULL, NULL);
    virSetErrorFunc(NULL, NULL);
    printf("default handler output:\n");
    fflush(stdout);
    virConnectGetType(NULL);
    virDomainGetName(NULL);
    virDomainGetInfo(dom, NULL);
    virGetVersion(NULL, NULL, NULL);
    virTypedParamsGetInt(&(virTypedParameter){ .field = "a", .type = VIR_TYPED_PARAM_UINT }, 1, "a", &iv);
    {
        virError e;
        memset(&e, 0, sizeof(e));
        e.code = VIR_ERR_INTERNAL_ERROR;
        e.level = VIR_ERR_WARNING;
        e.domain = VIR_FROM_QEMU;
        e.message = (char *)"warned";
        virDefaultErrorFunc(&e);
        e.level = VIR_ERR_NONE;
        e.domain = 9999;
        virDefaultErrorFunc(&e);
        e.message = (char *)"nl\n";
        e.level = VIR_ERR_ERROR;
        e.domain = VIR_FROM_NONE;
        virDefaultErrorFunc(&e);
        e.code = VIR_ERR_XML_DETAIL;
        e.domain = VIR_FROM_XML;
        e.int1 = 3;
        e.message = (char *)"detail";
        virDefaultErrorFunc(&e);
        printf("\n");
        e.code = VIR_ERR_OK;
        virDefaultErrorFunc(&e);
        virDefaultErrorFunc(NULL);
        for (e.domain = 0; e.domain <= VIR_FROM_CH + 1; e.domain++) {
            e.code = 1;
            e.int1 = 0;
            e.message = (char *)"m";
            virDefaultErrorFunc(&e);
        }
    }
    fflush(stderr);
    virSetErrorFunc(NULL, handler);

    /* typed parameters */
    TI("AddInt", virTypedParamsAddInt(&params, &nparams, &maxparams, "a", -5));
    printf("  n=%d max=%d\n", nparams, maxparams);
    TI("AddInt dup", virTypedParamsAddInt(&params, &nparams, &maxparams, "a", 6));
    TI("AddUInt", virTypedParamsAddUInt(&params, &nparams, &maxparams, "b", 5));
    TI("AddLLong", virTypedParamsAddLLong(&params, &nparams, &maxparams, "c", -5));
    TI("AddULLong", virTypedParamsAddULLong(&params, &nparams, &maxparams, "d", 5));
    printf("  n=%d max=%d\n", nparams, maxparams);
    TI("AddDouble", virTypedParamsAddDouble(&params, &nparams, &maxparams, "e", 1.5));
    TI("AddBoolean", virTypedParamsAddBoolean(&params, &nparams, &maxparams, "f", 7));
    TI("AddString", virTypedParamsAddString(&params, &nparams, &maxparams, "g", "str"));
    printf("  n=%d max=%d\n", nparams, maxparams);
    TI("AddInt long name", virTypedParamsAddInt(&params, &nparams, &maxparams,
                                                "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 1));
    TI("AddInt name 79", virTypedParamsAddInt(&params, &nparams, &maxparams,
                                              "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 1));
    printf("  n=%d max=%d\n", nparams, maxparams);
    TI("GetInt", virTypedParamsGetInt(params, nparams, "a", &iv));
    printf("  iv=%d\n", iv);
    TI("GetInt missing", virTypedParamsGetInt(params, nparams, "zz", &iv));
    TI("GetInt wrong type", virTypedParamsGetInt(params, nparams, "b", &iv));
    TI("GetInt NULL name", virTypedParamsGetInt(params, nparams, NULL, &iv));
    TI("GetInt NULL params", virTypedParamsGetInt(NULL, 3, "a", &iv));
    TI("GetBoolean", virTypedParamsGetBoolean(params, nparams, "f", &iv));
    printf("  b=%d\n", iv);
    TI("GetString", virTypedParamsGetString(params, nparams, "g", &sv));
    printf("  s=%s\n", sv);
    TI("GetString wrong", virTypedParamsGetString(params, nparams, "e", &sv));
    TI("GetULLong wrong", virTypedParamsGetULLong(params, nparams, "c", (unsigned long long *)&ul));
    TI("GetDouble wrong", virTypedParamsGetDouble(params, nparams, "f", (double *)&ul));
    TI("GetLLong wrong", virTypedParamsGetLLong(params, nparams, "g", (long long *)&ul));
    TP("Get", virTypedParamsGet(params, nparams, "d"));
    TP("Get missing", virTypedParamsGet(params, nparams, "q"));
    virTypedParamsClear(params, nparams);
    virTypedParamsFree(params, nparams);

    /* event loop absent */
    TI("RegisterAny no loop", virConnectDomainEventRegisterAny(conn, NULL, 0, gencb, NULL, NULL));
    TI("Register no loop", virConnectDomainEventRegister(conn, lifecb, NULL, NULL));
    TI("AddTimeout no loop", virEventAddTimeout(0, NULL, NULL, NULL));
    TI("AddHandle no loop", virEventAddHandle(0, 1, NULL, NULL, NULL));
    TI("RemoveTimeout no loop", virEventRemoveTimeout(1));

    TI("RegisterDefaultImpl", virEventRegisterDefaultImpl());
    eventLoopSequence();
    TI("RegisterAny -1", virConnectDomainEventRegisterAny(conn, NULL, -1, gencb, NULL, NULL));
    TI("RegisterAny 1000", virConnectDomainEventRegisterAny(conn, NULL, 1000, gencb, NULL, NULL));
    TI("RegisterAny NULL cb", virConnectDomainEventRegisterAny(conn, NULL, 0, NULL, NULL, NULL));
    TI("RegisterAny other conn dom", virConnectDomainEventRegisterAny(conn, rodom, 0, gencb, NULL, NULL));
    id = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                          GENERIC_CB(lifecb), (void *)"any", freecb);
    printf("id=%d\n", id);
    TI("RegisterAny dup", virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                             GENERIC_CB(lifecb), (void *)"dup", NULL));
    id2 = virConnectDomainEventRegisterAny(conn, dom, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                           GENERIC_CB(lifecb), (void *)"dom", freecb);
    printf("id2=%d\n", id2);
    idro = virConnectDomainEventRegisterAny(ro, NULL, VIR_DOMAIN_EVENT_ID_REBOOT, gencb, NULL, NULL);
    printf("idro=%d\n", idro);
    TI("Register legacy", virConnectDomainEventRegister(conn, lifecb, (void *)"legacy", freecb));
    TI("Register legacy dup", virConnectDomainEventRegister(conn, lifecb, (void *)"legacy2", NULL));
    TI("DeregisterAny -1", virConnectDomainEventDeregisterAny(conn, -1));
    TI("DeregisterAny 12345", virConnectDomainEventDeregisterAny(conn, 12345));
    TI("DeregisterAny on ro", virConnectDomainEventDeregisterAny(ro, id));
    TI("Deregister other", virConnectDomainEventDeregister(conn, (virConnectDomainEventCallback)(void (*)(void))gencb));

    /* Streams: argument checks and the test driver's screenshot. */
    {
        virStreamPtr strm = virStreamNew(conn, 0);
        virStreamPtr rost = virStreamNew(ro, 0);
        char head[8] = {0};
        char *mime = NULL;

        TI("StreamAbort unopened", virStreamAbort(strm));
        TI("StreamSend unopened", virStreamSend(strm, "x", 1));
        TI("StreamRecv NULL", virStreamRecv(strm, NULL, 1));
        TI("StreamFinish unopened", virStreamFinish(strm));
        TI("StreamEventRemoveCallback unopened", virStreamEventRemoveCallback(strm));
        TP("Screenshot other conn", virDomainScreenshot(dom, rost, 0, 0));
        TP("Screenshot ro", virDomainScreenshot(rodom, rost, 0, 0));
        TP("Screenshot flags", virDomainScreenshot(dom, strm, 0, 1));
        TI("OpenConsole", virDomainOpenConsole(dom, NULL, strm, 0));
        handlerCalls = 0;
        mime = virDomainScreenshot(dom, strm, 7, 0);
        show("Screenshot", mime != NULL);
        printf("  mime=%s\n", mime ? mime : "-");
        free(mime);
        TI("StreamRecv 8", virStreamRecv(strm, head, sizeof(head)));
        printf("  png=%d\n", memcmp(head, "\x89PNG\r\n\x1a\n", 8) == 0);
        TI("StreamAbort", virStreamAbort(strm));
        TI("StreamFree", virStreamFree(strm));
        TI("StreamFree ro", virStreamFree(rost));
    }

    TI("suspend", virDomainSuspend(dom));
    TI("resume", virDomainResume(dom));
    TI("run", virEventRunDefaultImpl());

    {
        int mid = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_METADATA_CHANGE,
                                                   GENERIC_CB(metacb), NULL, NULL);

        TI("SetMetadata DESC (event)", virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_DESCRIPTION,
                                                           "d", NULL, NULL, 0));
        TI("SetMetadata ELEMENT (event)", virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT,
                                                              "<x/>", "k", "http://e.org/", 0));
        TI("run metadata", virEventRunDefaultImpl());
        TI("DeregisterAny metadata", virConnectDomainEventDeregisterAny(conn, mid));
    }

    nfree = 0;
    TI("DeregisterAny", virConnectDomainEventDeregisterAny(conn, id));
    printf("  nfree=%d\n", nfree);
    TI("DeregisterAny again", virConnectDomainEventDeregisterAny(conn, id));
    TI("Deregister legacy", virConnectDomainEventDeregister(conn, lifecb));
    TI("Deregister legacy again", virConnectDomainEventDeregister(conn, lifecb));
    TI("DeregisterAny dom", virConnectDomainEventDeregisterAny(conn, id2));
    printf("  nfree=%d\n", nfree);

    {
        virConnectPtr c2 = virConnectOpen("test:///default");
        int cid = virConnectDomainEventRegisterAny(c2, NULL, VIR_DOMAIN_EVENT_ID_REBOOT, gencb, NULL, NULL);
        TI("close with callback", virConnectClose(c2));
        TI("DeregisterAny after close", virConnectDomainEventDeregisterAny(c2, cid));
    }

    TI("DeregisterAny ro", virConnectDomainEventDeregisterAny(ro, idro));
    virDomainFree(dom);
    virDomainFree(rodom);
    printf("close ro=%d\n", virConnectClose(ro));
    printf("close conn=%d\n", virConnectClose(conn));
    memset(&di, 0, sizeof(di));
    memset(&ni, 0, sizeof(ni));
    return 0;
}
