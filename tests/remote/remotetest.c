/* The remote driver end to end: our libvirt.so.0 against a real daemon (libvirtd or virtkitd). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <glib.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "util/thread.h"
#include "testutils.h"

/*
 * Run by tests/remote/remote-run.py, which starts the daemon and passes:
 *   REMOTE_TEST_URI         e.g. test+unix:///default?socket=/tmp/x/sock
 *   REMOTE_TEST_DAEMON_PID  the daemon's pid (the last cases stop and kill it)
 *   REMOTE_TEST_DAEMON      "libvirtd" or "virtkitd" (known gaps are skipped)
 *   REMOTE_TEST_SERVER_KEEPALIVE  seconds the daemon waits before pinging
 * Uses only the public API.  Every wait has a deadline.
 */

#define WAIT_MS 10000

static const char *testURI;
static pid_t daemonPid;
static const char *daemonName;
static gint loopStop;

/* --- helpers --------------------------------------------------------------- */

static void
quietErrors(void *opaque G_GNUC_UNUSED, virErrorPtr err G_GNUC_UNUSED)
{
}

#define CHECK(cond, ...) \
    do { \
        if (!(cond)) { \
            testFail(__VA_ARGS__); \
            return -1; \
        } \
    } while (0)

/* The last error must be @code (and contain @frag when given). */
static int
expectError(int code, const char *frag, const char *what)
{
    virErrorPtr err = virGetLastError();

    if (!err || err->code != code ||
        (frag && (!err->message || !strstr(err->message, frag)))) {
        testFail("%s: expected error %d '%s', got %d '%s'", what, code,
                 frag ? frag : "", err ? err->code : 0,
                 err && err->message ? err->message : "(none)");
        return -1;
    }
    virResetLastError();
    return 0;
}

static virConnectPtr
openURI(const char *extra)
{
    g_autofree char *uri = NULL;
    virConnectPtr conn = NULL;

    uri = extra ? g_strdup_printf("%s&%s", testURI, extra) : g_strdup(testURI);
    if (!(conn = virConnectOpen(uri)))
        testFail("cannot open '%s': %s", uri,
                 virGetLastErrorMessage());
    return conn;
}

static char *
domainXML(const char *name)
{
    return g_strdup_printf("<domain type='test'><name>%s</name>"
                           "<memory>1048576</memory><vcpu>1</vcpu>"
                           "<os><type>hvm</type></os></domain>", name);
}

static char *
uniqueName(const char *what)
{
    static gint counter;

    return g_strdup_printf("vkr-%s-%d-%d", what, (int)getpid(),
                           g_atomic_int_add(&counter, 1));
}

static gpointer
loopThread(gpointer opaque G_GNUC_UNUSED)
{
    while (!g_atomic_int_get(&loopStop)) {
        if (virEventRunDefaultImpl() < 0)
            break;
    }
    return NULL;
}

/* Keeps the loop iterating so that it notices loopStop. */
static void
loopTick(int timer G_GNUC_UNUSED, void *opaque G_GNUC_UNUSED)
{
}

/* --- connection and host -------------------------------------------------- */

static int
testConnection(const void *data G_GNUC_UNUSED)
{
    virConnectPtr conn = openURI(NULL);
    g_autofree char *uri = NULL;
    g_autofree char *host = NULL;
    g_autofree char *caps = NULL;
    unsigned long ver = 0;
    unsigned long libVer = 0;
    const char *type = NULL;
    virNodeInfo node;
    virSecurityModel secmodel;
    int rc = -1;

    if (!conn)
        return -1;
    if (!(type = virConnectGetType(conn)) || strcmp(type, "TEST") != 0) {
        testFail("type '%s'", type ? type : "(null)");
        goto cleanup;
    }
    if (!(uri = virConnectGetURI(conn)) || strcmp(uri, testURI) != 0) {
        testFail("uri '%s', expected '%s'", uri ? uri : "(null)", testURI);
        goto cleanup;
    }
    /* Secure: a unix socket is, plain TCP is not (as libvirt). */
    if (virConnectIsAlive(conn) != 1 ||
        virConnectIsSecure(conn) != (strstr(testURI, "+unix:") ? 1 : 0) ||
        virConnectIsEncrypted(conn) != 0) {
        testFail("alive/secure/encrypted: %d %d %d", virConnectIsAlive(conn),
                 virConnectIsSecure(conn), virConnectIsEncrypted(conn));
        goto cleanup;
    }
    if (virConnectGetVersion(conn, &ver) < 0 || ver == 0 ||
        virConnectGetLibVersion(conn, &libVer) < 0 || libVer < 9000000) {
        testFail("versions %lu %lu", ver, libVer);
        goto cleanup;
    }
    if (!(host = virConnectGetHostname(conn)) || strcmp(host, g_get_host_name()) != 0) {
        testFail("hostname '%s'", host ? host : "(null)");
        goto cleanup;
    }
    if (!(caps = virConnectGetCapabilities(conn)) || !strstr(caps, "<capabilities>")) {
        testFail("capabilities");
        goto cleanup;
    }
    if (virConnectGetMaxVcpus(conn, NULL) <= 0) {
        testFail("max vcpus: %s", virGetLastErrorMessage());
        goto cleanup;
    }
    if (virNodeGetInfo(conn, &node) < 0 || node.cpus != 16 ||
        strcmp(node.model, "i686") != 0 || node.memory != 3145728) {
        testFail("node info: cpus %u model '%s' memory %lu", node.cpus, node.model,
                 node.memory);
        goto cleanup;
    }
    if (virNodeGetSecurityModel(conn, &secmodel) < 0 ||
        strcmp(secmodel.model, "testSecurity") != 0) {
        testFail("security model '%s'", secmodel.model);
        goto cleanup;
    }
    /* Both daemons' test drivers answer it (libvirt 9.0's test driver too). */
    if (virNodeGetFreeMemory(conn) == 0) {
        testFail("free memory: %s", virGetLastErrorMessage());
        goto cleanup;
    }
    rc = 0;

 cleanup:
    virConnectClose(conn);
    return rc;
}

/* URI handling that fails before or at the daemon. */
static int
testOpenErrors(const void *data G_GNUC_UNUSED)
{
    g_autofree char *badSock = g_strdup("test+unix:///default?socket=/nonexistent/vk-sock");
    virConnectPtr conn = NULL;

    conn = virConnectOpen(badSock);
    CHECK(!conn, "opened a missing socket");
    if (expectError(VIR_ERR_SYSTEM_ERROR,
                    "Failed to connect socket to '/nonexistent/vk-sock': No such file or directory",
                    "missing socket") < 0)
        return -1;

    /* TLS without usable certificates fails before connecting */
    conn = virConnectOpen("test+tls://localhost/default?pkipath=/nonexistent-vk");
    CHECK(!conn, "opened tls without certificates");
    if (expectError(VIR_ERR_SYSTEM_ERROR,
                    "cannot read CA certificate '/nonexistent-vk/cacert.pem'",
                    "tls") < 0)
        return -1;

    conn = virConnectOpen("test+foo:///default");
    CHECK(!conn, "opened transport foo");
    if (expectError(VIR_ERR_INVALID_ARG, "transport in URL not recognised", "foo") < 0)
        return -1;

    conn = virConnectOpen("qemu:///system?mode=foo");
    CHECK(!conn, "opened mode=foo");
    if (expectError(VIR_ERR_INVALID_ARG, "Unknown remote mode 'foo'", "mode") < 0)
        return -1;

    conn = virConnectOpen("test+tcp://127.0.0.1:1/default");
    CHECK(!conn, "opened tcp port 1");
    if (expectError(VIR_ERR_SYSTEM_ERROR, "unable to connect to server at '127.0.0.1:1'",
                    "tcp") < 0)
        return -1;

    /* The daemon itself refuses a driver it does not have. */
    {
        g_autofree char *uri = g_strdup(testURI);
        char *colon = strchr(uri, '+');
        g_autofree char *bogus = NULL;

        CHECK(colon, "test URI without a transport");
        bogus = g_strdup_printf("bogusdrv%s", colon);
        conn = virConnectOpen(bogus);
        CHECK(!conn, "daemon opened '%s'", bogus);
        virResetLastError();
    }
    return 0;
}

/* --- domains ---------------------------------------------------------------- */

static int
testLists(const void *data G_GNUC_UNUSED)
{
    virConnectPtr conn = openURI(NULL);
    virDomainPtr *doms = NULL;
    int ids[16];
    int n;
    int i;
    int rc = -1;
    bool found = false;

    if (!conn)
        return -1;
    n = virConnectListAllDomains(conn, &doms, VIR_CONNECT_LIST_DOMAINS_ACTIVE);
    if (n < 1) {
        testFail("list all: %d", n);
        goto cleanup;
    }
    for (i = 0; i < n; i++) {
        if (strcmp(virDomainGetName(doms[i]), "test") == 0 && (int)virDomainGetID(doms[i]) > 0)
            found = true;
        virDomainFree(doms[i]);
    }
    g_free(doms);
    if (!found) {
        testFail("domain 'test' not listed as running");
        goto cleanup;
    }
    if (virConnectListAllDomains(conn, NULL, 0) < n) {
        testFail("count only");
        goto cleanup;
    }
    if (virConnectNumOfDomains(conn) != n ||
        virConnectListDomains(conn, ids, G_N_ELEMENTS(ids)) != n) {
        testFail("num/list domains disagree with %d", n);
        goto cleanup;
    }
    if ((n = virConnectNumOfDefinedDomains(conn)) < 0) {
        testFail("num defined");
        goto cleanup;
    }
    {
        char **names = g_new0(char *, n + 1);
        int got = virConnectListDefinedDomains(conn, names, n);

        for (i = 0; i < got; i++)
            free(names[i]);
        g_free(names);
        if (got != n) {
            testFail("list defined %d, expected %d", got, n);
            goto cleanup;
        }
    }
    rc = 0;

 cleanup:
    virConnectClose(conn);
    return rc;
}

/*
 * Lists ours among all domains with @flags: each of @made listed at most
 * once, with its UUID and id (> 0 when running, -1 otherwise).  Returns
 * how many of @made were listed and sets *@total to the listing's size,
 * or -1 on a mismatch.
 */
static int
checkListing(virConnectPtr conn, unsigned int flags, virDomainPtr *made, int nmade, int *total)
{
    g_autoptr(GHashTable) byName = g_hash_table_new(g_str_hash, g_str_equal);
    g_autofree int *seen = g_new0(int, nmade);
    virDomainPtr *doms = NULL;
    int ours = 0;
    int rc = -1;
    int n;
    int i;

    for (i = 0; i < nmade; i++)
        g_hash_table_insert(byName, (char *)virDomainGetName(made[i]), GINT_TO_POINTER(i + 1));
    if ((n = virConnectListAllDomains(conn, &doms, flags)) < 0) {
        testFail("list 0x%x: %s", flags, virGetLastErrorMessage());
        return -1;
    }
    for (i = 0; i < n; i++) {
        int k = GPOINTER_TO_INT(g_hash_table_lookup(byName, virDomainGetName(doms[i]))) - 1;
        unsigned char want[VIR_UUID_BUFLEN];
        unsigned char got[VIR_UUID_BUFLEN];
        int id = (int)virDomainGetID(doms[i]);

        if (k < 0)
            continue;
        ours++;
        if (seen[k]++) {
            testFail("list 0x%x: '%s' listed twice", flags, virDomainGetName(doms[i]));
            goto cleanup;
        }
        if (virDomainGetUUID(made[k], want) < 0 || virDomainGetUUID(doms[i], got) < 0 ||
            memcmp(want, got, VIR_UUID_BUFLEN) != 0) {
            testFail("list 0x%x: '%s' has another UUID", flags, virDomainGetName(doms[i]));
            goto cleanup;
        }
        if (id != (int)virDomainGetID(made[k]) || (k % 3 == 0 ? id <= 0 : id != -1)) {
            testFail("list 0x%x: '%s' has id %d, expected %d", flags, virDomainGetName(doms[i]),
                     id, (int)virDomainGetID(made[k]));
            goto cleanup;
        }
    }
    *total = n;
    rc = ours;

 cleanup:
    for (i = 0; i < n; i++)
        virDomainFree(doms[i]);
    free(doms);
    return rc;
}

#define BIG_LISTING 300

/*
 * A listing of a few hundred domains (one reply), names of every length
 * (every padding of the XDR string, 30 to 330 bytes) decoded by our
 * client straight from the reply.  Every third domain runs.  The same
 * checks pass against libvirtd.
 */
static int
testBigListing(const void *data G_GNUC_UNUSED)
{
    virConnectPtr conn = openURI(NULL);
    virDomainPtr made[BIG_LISTING] = {0};
    int nactive = 0;
    int total = 0;
    int rc = -1;
    int got;
    int i;

    if (!conn)
        return -1;
    for (i = 0; i < BIG_LISTING; i++) {
        g_autofree char *base = uniqueName("list");
        g_autofree char *pad = g_strnfill(i == 0 ? 300 : i % 260, 'n');
        g_autofree char *name = g_strdup_printf("%s-%s", base, pad);
        g_autofree char *xml = domainXML(name);

        if (!(made[i] = virDomainDefineXML(conn, xml))) {
            testFail("define '%s': %s", name, virGetLastErrorMessage());
            goto cleanup;
        }
        if (i % 3 == 0) {
            if (virDomainCreate(made[i]) < 0) {
                testFail("start '%s': %s", name, virGetLastErrorMessage());
                goto cleanup;
            }
            nactive++;
        }
    }
    if ((got = checkListing(conn, 0, made, BIG_LISTING, &total)) != BIG_LISTING) {
        if (got >= 0)
            testFail("all: %d of our %d domains listed", got, BIG_LISTING);
        goto cleanup;
    }
    if (virConnectListAllDomains(conn, NULL, 0) != total) {
        testFail("count only: not %d", total);
        goto cleanup;
    }
    if ((got = checkListing(conn, VIR_CONNECT_LIST_DOMAINS_ACTIVE, made, BIG_LISTING,
                            &total)) != nactive) {
        if (got >= 0)
            testFail("active: %d of our %d running domains listed", got, nactive);
        goto cleanup;
    }
    if (total != virConnectNumOfDomains(conn)) {
        testFail("active: %d listed, %d counted", total, virConnectNumOfDomains(conn));
        goto cleanup;
    }
    if ((got = checkListing(conn, VIR_CONNECT_LIST_DOMAINS_INACTIVE |
                            VIR_CONNECT_LIST_DOMAINS_PERSISTENT, made, BIG_LISTING,
                            &total)) != BIG_LISTING - nactive) {
        if (got >= 0)
            testFail("inactive: %d of our %d stopped domains listed", got,
                     BIG_LISTING - nactive);
        goto cleanup;
    }
    if (total != virConnectNumOfDefinedDomains(conn)) {
        testFail("inactive: %d listed, %d counted", total, virConnectNumOfDefinedDomains(conn));
        goto cleanup;
    }
    rc = 0;

 cleanup:
    for (i = 0; i < BIG_LISTING && made[i]; i++) {
        if (i % 3 == 0)
            virDomainDestroy(made[i]);
        virDomainUndefine(made[i]);
        virDomainFree(made[i]);
    }
    virConnectClose(conn);
    return rc;
}

static int
testLookups(const void *data G_GNUC_UNUSED)
{
    virConnectPtr conn = openURI(NULL);
    virDomainPtr dom = NULL;
    virDomainPtr other = NULL;
    unsigned char uuid[VIR_UUID_BUFLEN];
    int rc = -1;

    if (!conn)
        return -1;
    if (!(dom = virDomainLookupByName(conn, "test")) || virDomainGetUUID(dom, uuid) < 0) {
        testFail("lookup by name");
        goto cleanup;
    }
    if (!(other = virDomainLookupByUUID(conn, uuid)) ||
        strcmp(virDomainGetName(other), "test") != 0) {
        testFail("lookup by uuid");
        goto cleanup;
    }
    virDomainFree(other);
    if (!(other = virDomainLookupByID(conn, virDomainGetID(dom))) ||
        strcmp(virDomainGetName(other), "test") != 0) {
        testFail("lookup by id");
        goto cleanup;
    }
    virDomainFree(other);
    other = NULL;

    /* The daemon's error comes through: code, and libvirtd's message. */
    if (virDomainLookupByName(conn, "no-such-domain")) {
        testFail("found a missing domain");
        goto cleanup;
    }
    if (expectError(VIR_ERR_NO_DOMAIN, "Domain not found", "missing name") < 0)
        goto cleanup;
    if (virDomainLookupByID(conn, 9999) ||
        expectError(VIR_ERR_NO_DOMAIN, "Domain not found", "missing id") < 0)
        goto cleanup;
    rc = 0;

 cleanup:
    if (other)
        virDomainFree(other);
    if (dom)
        virDomainFree(dom);
    virConnectClose(conn);
    return rc;
}

static int
checkState(virDomainPtr dom, int state, int reason, const char *what)
{
    int s = -1;
    int r = -1;
    virDomainInfo info;

    CHECK(virDomainGetState(dom, &s, &r, 0) == 0, "%s: get state: %s", what,
          virGetLastErrorMessage());
    CHECK(s == state && (reason < 0 || r == reason), "%s: state %d/%d, expected %d/%d",
          what, s, r, state, reason);
    CHECK(virDomainGetInfo(dom, &info) == 0 && info.state == state,
          "%s: info state %d", what, info.state);
    return 0;
}

static int
testLifecycle(const void *data G_GNUC_UNUSED)
{
    virConnectPtr conn = openURI(NULL);
    g_autofree char *name = uniqueName("life");
    g_autofree char *xml = domainXML(name);
    g_autofree char *desc = NULL;
    g_autofree char *os = NULL;
    virDomainPtr dom = NULL;
    virDomainInfo info;
    virSecurityLabel label;
    int autostart = -1;
    int rc = -1;

    if (!conn)
        return -1;
    if (!(dom = virDomainDefineXML(conn, xml))) {
        testFail("define: %s", virGetLastErrorMessage());
        goto cleanup;
    }
    if (virDomainGetID(dom) != (unsigned int)-1 || virDomainIsActive(dom) != 0 ||
        virDomainIsPersistent(dom) != 1 || virDomainIsUpdated(dom) != 0) {
        testFail("new definition: id %d active %d persistent %d", virDomainGetID(dom),
                 virDomainIsActive(dom), virDomainIsPersistent(dom));
        goto cleanup;
    }
    if (checkState(dom, VIR_DOMAIN_SHUTOFF, -1, "defined") < 0)
        goto cleanup;

    /* An inactive domain cannot be suspended: the daemon says why. */
    if (virDomainSuspend(dom) == 0) {
        testFail("suspended an inactive domain");
        goto cleanup;
    }
    virResetLastError();

    if (virDomainCreate(dom) < 0 || (int)virDomainGetID(dom) <= 0) {
        testFail("start: %s (id %d)", virGetLastErrorMessage(), virDomainGetID(dom));
        goto cleanup;
    }
    if (checkState(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED, "started") < 0)
        goto cleanup;
    if (virDomainSuspend(dom) < 0 ||
        checkState(dom, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER, "suspended") < 0)
        goto cleanup;
    if (virDomainResume(dom) < 0 ||
        checkState(dom, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNPAUSED, "resumed") < 0)
        goto cleanup;

    if (virDomainGetInfo(dom, &info) < 0 || info.maxMem != 1048576 || info.nrVirtCpu != 1) {
        testFail("info: maxMem %lu vcpus %u", info.maxMem, info.nrVirtCpu);
        goto cleanup;
    }
    if (virDomainGetMaxMemory(dom) != 1048576 || virDomainGetMaxVcpus(dom) <= 0 ||
        virDomainGetVcpusFlags(dom, 0) != 1) {
        testFail("max memory / vcpus: %s", virGetLastErrorMessage());
        goto cleanup;
    }
    if (virDomainSetMemory(dom, 524288) < 0 || virDomainGetInfo(dom, &info) < 0 ||
        info.memory != 524288) {
        testFail("set memory: %s (%lu)", virGetLastErrorMessage(), info.memory);
        goto cleanup;
    }
    /* libvirt's test driver says "linux" for any OS type. */
    if (!(os = virDomainGetOSType(dom)) ||
        (strcmp(os, "hvm") != 0 && strcmp(os, "linux") != 0)) {
        testFail("os type '%s'", os ? os : "(null)");
        goto cleanup;
    }
    {
        g_autofree char *got = virDomainGetXMLDesc(dom, 0);

        if (!got || !strstr(got, name)) {
            testFail("xml of '%s'", name);
            goto cleanup;
        }
    }
    if (virDomainGetAutostart(dom, &autostart) < 0 || autostart != 0 ||
        virDomainSetAutostart(dom, 1) < 0 || virDomainGetAutostart(dom, &autostart) < 0 ||
        autostart != 1) {
        testFail("autostart: %s (%d)", virGetLastErrorMessage(), autostart);
        goto cleanup;
    }
    if (virDomainSetAutostart(dom, 0) < 0)
        goto cleanup;
    if (virDomainHasManagedSaveImage(dom, 0) != 0) {
        testFail("managed save image");
        goto cleanup;
    }
    if (virDomainGetSecurityLabel(dom, &label) < 0) {
        testFail("security label: %s", virGetLastErrorMessage());
        goto cleanup;
    }
    /* Metadata: missing, set, read back. */
    if (virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_DESCRIPTION, NULL, 0)) {
        testFail("metadata of a new domain");
        goto cleanup;
    }
    if (expectError(VIR_ERR_NO_DOMAIN_METADATA, NULL, "missing metadata") < 0)
        goto cleanup;
    if (virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_DESCRIPTION, "remote says hi", NULL, NULL,
                             0) < 0 ||
        !(desc = virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_DESCRIPTION, NULL, 0)) ||
        strcmp(desc, "remote says hi") != 0) {
        testFail("metadata: %s", virGetLastErrorMessage());
        goto cleanup;
    }
    if (virDomainReboot(dom, 0) < 0 || virDomainReset(dom, 0) < 0) {
        testFail("reboot/reset: %s", virGetLastErrorMessage());
        goto cleanup;
    }

    if (virDomainDestroy(dom) < 0 || virDomainGetID(dom) != (unsigned int)-1 ||
        checkState(dom, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_DESTROYED, "destroyed") < 0) {
        testFail("destroy: %s", virGetLastErrorMessage());
        goto cleanup;
    }
    if (virDomainUndefine(dom) < 0) {
        testFail("undefine: %s", virGetLastErrorMessage());
        goto cleanup;
    }
    if (virDomainGetInfo(dom, &info) == 0 ||
        expectError(VIR_ERR_NO_DOMAIN, NULL, "info of an undefined domain") < 0)
        goto cleanup;
    rc = 0;

 cleanup:
    if (dom) {
        virDomainDestroy(dom);
        virDomainUndefine(dom);
        virDomainFree(dom);
    }
    virResetLastError();
    virConnectClose(conn);
    return rc;
}

/* Transient domains, flags variants of the calls, and job queries. */
static int
testTransientAndJobs(const void *data G_GNUC_UNUSED)
{
    virConnectPtr conn = openURI(NULL);
    g_autofree char *name = uniqueName("transient");
    g_autofree char *xml = domainXML(name);
    virDomainPtr dom = NULL;
    virDomainJobInfo job;
    virTypedParameterPtr params = NULL;
    int nparams = 0;
    int type = -1;
    int rc = -1;

    if (!conn)
        return -1;
    if (!(dom = virDomainCreateXML(conn, xml, 0)) || (int)virDomainGetID(dom) <= 0 ||
        virDomainIsPersistent(dom) != 0) {
        testFail("create xml: %s", virGetLastErrorMessage());
        goto cleanup;
    }
    if (virDomainSetVcpusFlags(dom, 1, VIR_DOMAIN_AFFECT_LIVE) < 0) {
        testFail("set vcpus: %s", virGetLastErrorMessage());
        goto cleanup;
    }

    /* Job info: libvirtd's test driver lacks it (NO_SUPPORT comes through). */
    if (virDomainGetJobInfo(dom, &job) == 0) {
        if (job.type != VIR_DOMAIN_JOB_NONE) {
            testFail("job type %d", job.type);
            goto cleanup;
        }
    } else if (expectError(VIR_ERR_NO_SUPPORT, NULL, "job info") < 0) {
        goto cleanup;
    }
    if (virDomainGetJobStats(dom, &type, &params, &nparams, 0) == 0) {
        virTypedParamsFree(params, nparams);
        if (type != VIR_DOMAIN_JOB_NONE) {
            testFail("job stats type %d", type);
            goto cleanup;
        }
    } else if (expectError(VIR_ERR_NO_SUPPORT, NULL, "job stats") < 0) {
        goto cleanup;
    }
    if (virDomainAbortJob(dom) < 0) {
        virErrorPtr err = virGetLastError();

        if (!err || (err->code != VIR_ERR_NO_SUPPORT &&
                     err->code != VIR_ERR_OPERATION_INVALID)) {
            testFail("abort job: %s", virGetLastErrorMessage());
            goto cleanup;
        }
        virResetLastError();
    }

    if (virDomainShutdownFlags(dom, 0) < 0 && virDomainDestroyFlags(dom, 0) < 0) {
        testFail("shutdown: %s", virGetLastErrorMessage());
        goto cleanup;
    }
    /* A transient domain is gone once stopped. */
    if (virDomainLookupByName(conn, name) ||
        expectError(VIR_ERR_NO_DOMAIN, NULL, "stopped transient") < 0)
        goto cleanup;
    rc = 0;

 cleanup:
    if (dom)
        virDomainFree(dom);
    virResetLastError();
    virConnectClose(conn);
    return rc;
}

/* --- events ------------------------------------------------------------------ */

typedef struct {
    Mutex lock;
    Cond cond;
    GArray *seen;      /* pairs of ints: event, detail */
    char *name;        /* only events of this domain */
} EventLog;

static int
eventLifecycle(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom, int event,
               int detail, void *opaque)
{
    EventLog *log = opaque;

    if (strcmp(virDomainGetName(dom), log->name) != 0)
        return 0;
    mutexLock(&log->lock);
    g_array_append_val(log->seen, event);
    g_array_append_val(log->seen, detail);
    condBroadcast(&log->cond);
    mutexUnlock(&log->lock);
    return 0;
}

static int
waitEvents(EventLog *log, const int *expected, guint n, const char *what)
{
    gint64 deadline = g_get_monotonic_time() + WAIT_MS * 1000;
    int rc = 0;
    guint i;

    mutexLock(&log->lock);
    while (log->seen->len < 2 * n) {
        if (!condWaitUntil(&log->cond, &log->lock, deadline))
            break;
    }
    if (log->seen->len != 2 * n) {
        testFail("%s: %u events, expected %u", what, log->seen->len / 2, n);
        rc = -1;
    }
    for (i = 0; rc == 0 && i < 2 * n; i++) {
        if (g_array_index(log->seen, int, i) != expected[i]) {
            testFail("%s: event %u is (%d,%d), expected (%d,%d)", what, i / 2,
                     g_array_index(log->seen, int, i & ~1u),
                     g_array_index(log->seen, int, i | 1u),
                     expected[i & ~1u], expected[i | 1u]);
            rc = -1;
        }
    }
    mutexUnlock(&log->lock);
    return rc;
}

static int
testEvents(const void *data G_GNUC_UNUSED)
{
    static const int expected[] = {
        VIR_DOMAIN_EVENT_DEFINED, VIR_DOMAIN_EVENT_DEFINED_ADDED,
        VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED,
        VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED,
        VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_RESUMED_UNPAUSED,
        VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_DESTROYED,
        VIR_DOMAIN_EVENT_UNDEFINED, VIR_DOMAIN_EVENT_UNDEFINED_REMOVED,
    };
    g_autofree char *name = uniqueName("events");
    g_autofree char *xml = domainXML(name);
    virConnectPtr listener = openURI(NULL);
    virConnectPtr actor = openURI(NULL);
    EventLog all = { .seen = g_array_new(FALSE, FALSE, sizeof(int)), .name = name };
    EventLog legacy = { .seen = g_array_new(FALSE, FALSE, sizeof(int)), .name = name };
    EventLog filtered = { .seen = g_array_new(FALSE, FALSE, sizeof(int)), .name = name };
    virDomainPtr dom = NULL;
    virDomainPtr mine = NULL;
    int idAll = -1;
    int idFiltered = -1;
    int rc = -1;

    mutexInit(&all.lock);
    condInit(&all.cond);
    mutexInit(&legacy.lock);
    condInit(&legacy.cond);
    mutexInit(&filtered.lock);
    condInit(&filtered.cond);
    if (!listener || !actor)
        goto cleanup;

    idAll = virConnectDomainEventRegisterAny(listener, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                             VIR_DOMAIN_EVENT_CALLBACK(eventLifecycle),
                                             &all, NULL);
    if (idAll < 0 ||
        virConnectDomainEventRegister(listener, eventLifecycle, &legacy, NULL) < 0) {
        testFail("register: %s", virGetLastErrorMessage());
        goto cleanup;
    }

    if (!(dom = virDomainDefineXML(actor, xml))) {
        testFail("define: %s", virGetLastErrorMessage());
        goto cleanup;
    }
    /*
     * A filtered callback on the listener, for this domain only, once
     * the DEFINED event has arrived (so that it cannot see it).
     */
    if (waitEvents(&all, expected, 1, "definition") < 0)
        goto cleanup;
    if (!(mine = virDomainLookupByName(listener, name)) ||
        (idFiltered = virConnectDomainEventRegisterAny(
             listener, mine, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
             VIR_DOMAIN_EVENT_CALLBACK(eventLifecycle), &filtered, NULL)) < 0) {
        testFail("filtered register: %s", virGetLastErrorMessage());
        goto cleanup;
    }
    if (virDomainCreate(dom) < 0 || virDomainSuspend(dom) < 0 || virDomainResume(dom) < 0 ||
        virDomainDestroy(dom) < 0 || virDomainUndefine(dom) < 0) {
        testFail("lifecycle: %s", virGetLastErrorMessage());
        goto cleanup;
    }
    if (waitEvents(&all, expected, G_N_ELEMENTS(expected) / 2, "all domains") < 0 ||
        waitEvents(&legacy, expected, G_N_ELEMENTS(expected) / 2, "legacy") < 0 ||
        waitEvents(&filtered, expected + 2, G_N_ELEMENTS(expected) / 2 - 1, "filtered") < 0)
        goto cleanup;

    /* Deregistered callbacks hear nothing more; a bad ID is refused. */
    if (virConnectDomainEventDeregisterAny(listener, idAll) < 0 ||
        virConnectDomainEventDeregisterAny(listener, idFiltered) < 0 ||
        virConnectDomainEventDeregister(listener, eventLifecycle) < 0) {
        testFail("deregister: %s", virGetLastErrorMessage());
        goto cleanup;
    }
    idAll = idFiltered = -1;
    if (virConnectDomainEventDeregisterAny(listener, 12345) == 0 ||
        expectError(VIR_ERR_INVALID_ARG, NULL, "bad callback id") < 0)
        goto cleanup;
    rc = 0;

 cleanup:
    if (idAll >= 0)
        virConnectDomainEventDeregisterAny(listener, idAll);
    if (idFiltered >= 0)
        virConnectDomainEventDeregisterAny(listener, idFiltered);
    if (mine)
        virDomainFree(mine);
    if (dom)
        virDomainFree(dom);
    virResetLastError();
    if (listener) {
        virConnectDomainEventDeregister(listener, eventLifecycle);
        virResetLastError();
        virConnectClose(listener);
    }
    if (actor)
        virConnectClose(actor);
    g_array_unref(all.seen);
    g_array_unref(legacy.seen);
    g_array_unref(filtered.seen);
    return rc;
}

/* --- many threads on one connection ------------------------------------------ */

#define HAMMER_THREADS 16
#define HAMMER_CALLS 200

typedef struct {
    virConnectPtr conn;
    int failures;
    char *firstError;
} Hammer;

static gpointer
hammerThread(gpointer opaque)
{
    Hammer *h = opaque;
    int i;

    for (i = 0; i < HAMMER_CALLS; i++) {
        virDomainPtr dom = virDomainLookupByName(h->conn, "test");
        virDomainInfo info;
        bool ok = dom != NULL;

        if (ok) {
            switch (i % 4) {
            case 0:
                ok = virDomainGetInfo(dom, &info) == 0 && info.nrVirtCpu > 0;
                break;
            case 1: {
                char *xml = virDomainGetXMLDesc(dom, 0);

                ok = xml && strstr(xml, "<name>test</name>");
                free(xml);
                break;
            }
            case 2: {
                char *host = virConnectGetHostname(h->conn);

                ok = host != NULL;
                free(host);
                break;
            }
            default:
                ok = virDomainLookupByName(h->conn, "missing-one") == NULL &&
                    virGetLastErrorCode() == VIR_ERR_NO_DOMAIN;
                break;
            }
            virDomainFree(dom);
        }
        if (!ok) {
            if (!h->firstError)
                h->firstError = g_strdup(virGetLastErrorMessage());
            h->failures++;
        }
        virResetLastError();
    }
    return NULL;
}

static int
testThreads(const void *data G_GNUC_UNUSED)
{
    virConnectPtr conn = openURI(NULL);
    Hammer hammers[HAMMER_THREADS];
    GThread *threads[HAMMER_THREADS];
    int rc = 0;
    int i;

    if (!conn)
        return -1;
    for (i = 0; i < HAMMER_THREADS; i++) {
        hammers[i] = (Hammer){ .conn = conn };
        threads[i] = g_thread_new("hammer", hammerThread, &hammers[i]);
    }
    for (i = 0; i < HAMMER_THREADS; i++) {
        g_thread_join(threads[i]);
        if (hammers[i].failures) {
            testFail("thread %d: %d failures, first: %s", i, hammers[i].failures,
                     hammers[i].firstError);
            rc = -1;
        }
        g_free(hammers[i].firstError);
    }
    virConnectClose(conn);
    return rc;
}

/* --- close callbacks and keepalive ------------------------------------------- */

typedef struct {
    Mutex lock;
    Cond cond;
    int fired;
    int reason;
    int freed;
} CloseLog;

static void
closeLogged(virConnectPtr conn G_GNUC_UNUSED, int reason, void *opaque)
{
    CloseLog *log = opaque;

    mutexLock(&log->lock);
    log->fired++;
    log->reason = reason;
    condBroadcast(&log->cond);
    mutexUnlock(&log->lock);
}

static void
closeFreed(void *opaque)
{
    CloseLog *log = opaque;

    mutexLock(&log->lock);
    log->freed++;
    condBroadcast(&log->cond);
    mutexUnlock(&log->lock);
}

static void
closeOther(virConnectPtr conn G_GNUC_UNUSED, int reason G_GNUC_UNUSED,
           void *opaque G_GNUC_UNUSED)
{
}

static int
waitClosed(CloseLog *log, int reason, const char *what)
{
    gint64 deadline = g_get_monotonic_time() + WAIT_MS * 1000;
    int rc = 0;

    mutexLock(&log->lock);
    /*
     * The free callback runs after the close callback returns, possibly
     * on another thread a moment later: wait for both.
     */
    while (!log->fired || !log->freed) {
        if (!condWaitUntil(&log->cond, &log->lock, deadline))
            break;
    }
    if (log->fired != 1 || log->reason != reason || log->freed != 1) {
        testFail("%s: close callback fired %d times, reason %d (expected %d), freed %d",
                 what, log->fired, log->reason, reason, log->freed);
        rc = -1;
    }
    mutexUnlock(&log->lock);
    return rc;
}

static int
testCloseCallbackRegistration(const void *data G_GNUC_UNUSED)
{
    virConnectPtr conn = openURI(NULL);
    CloseLog log = {0};
    int rc = -1;

    if (!conn)
        return -1;
    if (virConnectRegisterCloseCallback(conn, closeLogged, &log, closeFreed) < 0) {
        testFail("register: %s", virGetLastErrorMessage());
        goto cleanup;
    }
    if (virConnectRegisterCloseCallback(conn, closeLogged, &log, NULL) == 0 ||
        expectError(VIR_ERR_OPERATION_INVALID, "A close callback is already registered",
                    "second registration") < 0)
        goto cleanup;
    if (virConnectUnregisterCloseCallback(conn, closeOther) == 0 ||
        expectError(VIR_ERR_OPERATION_INVALID, NULL, "wrong callback") < 0)
        goto cleanup;
    /*
     * As libvirt: the registration holds a reference on the connection,
     * dropped by the unregistration.
     */
    if (virConnectClose(conn) != 1) {
        testFail("close with a close callback registered freed the connection");
        return -1;
    }
    if (virConnectUnregisterCloseCallback(conn, closeLogged) < 0 || log.freed != 1 ||
        log.fired != 0) {
        testFail("unregister: %s (freed %d fired %d)", virGetLastErrorMessage(),
                 log.freed, log.fired);
        return -1;
    }
    return 0;

 cleanup:
    virConnectClose(conn);
    return rc;
}

/* The daemon pings an idle client: the event loop answers for us. */
static int
testServerKeepAlive(const void *data G_GNUC_UNUSED)
{
    const char *env = g_getenv("REMOTE_TEST_SERVER_KEEPALIVE");
    virConnectPtr conn = NULL;
    g_autofree char *host = NULL;
    int interval = env ? atoi(env) : 0;
    int rc = -1;

    if (interval <= 0) {
        testNote("daemon keepalive not configured, skipped");
        return 0;
    }
    if (!(conn = openURI(NULL)))
        return -1;
    /* Idle for longer than the daemon tolerates silence (interval * 2). */
    g_usleep((gulong)interval * 3 * G_USEC_PER_SEC);
    if (virConnectIsAlive(conn) != 1 || !(host = virConnectGetHostname(conn))) {
        testFail("connection dropped while idle: %s", virGetLastErrorMessage());
        goto cleanup;
    }
    rc = 0;

 cleanup:
    virConnectClose(conn);
    return rc;
}

/* Linux: is thread @tid blocked in poll(2) or ppoll(2)? */
static bool
threadInPoll(pid_t tid)
{
    g_autofree char *path = g_strdup_printf("/proc/self/task/%d/syscall", (int)tid);
    g_autofree char *text = NULL;
    long nr = -1;

    if (!g_file_get_contents(path, &text, NULL, NULL))
        return false;
    nr = strtol(text, NULL, 10);
#ifdef SYS_poll
    if (nr == SYS_poll)
        return true;
#endif
    return nr == SYS_ppoll;
}

typedef struct {
    virConnectPtr conn;
    gint tid;
    int rc;
    int code;
    int domain;
    char *message;
} PendingCall;

static gpointer
pendingCallThread(gpointer opaque)
{
    PendingCall *call = opaque;
    char *host = NULL;

    g_atomic_int_set(&call->tid, (gint)syscall(SYS_gettid));
    host = virConnectGetHostname(call->conn);
    call->rc = host ? 0 : -1;
    free(host);
    if (call->rc < 0) {
        virErrorPtr err = virGetLastError();

        call->code = err ? err->code : 0;
        call->domain = err ? err->domain : 0;
        call->message = g_strdup(err && err->message ? err->message : "");
    }
    return NULL;
}

/* Starts a call on @conn in a thread and waits until it blocks on the socket. */
static GThread *
startPendingCall(PendingCall *call)
{
    gint64 deadline = g_get_monotonic_time() + WAIT_MS * 1000;
    GThread *thread = g_thread_new("pending", pendingCallThread, call);

    while (g_get_monotonic_time() < deadline) {
        pid_t tid = g_atomic_int_get(&call->tid);

        if (tid > 0 && threadInPoll(tid))
            break;
        g_usleep(1000);
    }
    return thread;
}

/*
 * virConnectSetKeepAlive on an idle connection: stopped (interval 0) it
 * tolerates a silent daemon; started (1 s, count 1) the event loop alone
 * notices a SIGSTOPped daemon within interval * (count + 1) = 2 s (deadline
 * 6 s for a loaded machine) and the close callback says KEEPALIVE.
 */
static int
testSetKeepAlive(const void *data G_GNUC_UNUSED)
{
    virConnectPtr conn = NULL;
    CloseLog log = {0};
    g_autofree char *host = NULL;
    gint64 start;
    gint64 elapsed = 0;
    int rc = -1;

    if (daemonPid <= 0) {
        testNote("no daemon pid, skipped");
        return 0;
    }
    if (!(conn = openURI(NULL)))
        return -1;
    if (virConnectRegisterCloseCallback(conn, closeLogged, &log, closeFreed) < 0) {
        testFail("register: %s", virGetLastErrorMessage());
        goto cleanup;
    }
    if (virConnectSetKeepAlive(conn, 1, 1) != 0 || virConnectSetKeepAlive(conn, 0, 0) != 0) {
        testFail("set keepalive: %s", virGetLastErrorMessage());
        goto cleanup;
    }
    /* stopped: 3 s of silence do not close the connection */
    if (kill(daemonPid, SIGSTOP) < 0) {
        testFail("SIGSTOP: %s", g_strerror(errno));
        goto cleanup;
    }
    g_usleep(3 * G_USEC_PER_SEC);
    kill(daemonPid, SIGCONT);
    mutexLock(&log.lock);
    elapsed = log.fired;
    mutexUnlock(&log.lock);
    if (elapsed != 0 || virConnectIsAlive(conn) != 1 ||
        !(host = virConnectGetHostname(conn))) {
        testFail("keepalive stopped, yet the connection closed: fired %d, %s",
                 (int)elapsed, virGetLastErrorMessage());
        goto cleanup;
    }

    if (virConnectSetKeepAlive(conn, 1, 1) != 0) {
        testFail("restart keepalive: %s", virGetLastErrorMessage());
        goto cleanup;
    }
    if (kill(daemonPid, SIGSTOP) < 0) {
        testFail("SIGSTOP: %s", g_strerror(errno));
        goto cleanup;
    }
    start = g_get_monotonic_time();
    mutexLock(&log.lock);
    while (!log.fired) {
        if (!condWaitUntil(&log.cond, &log.lock, start + 8 * G_USEC_PER_SEC))
            break;
    }
    mutexUnlock(&log.lock);
    elapsed = (g_get_monotonic_time() - start) / 1000;
    kill(daemonPid, SIGCONT);
    if (waitClosed(&log, VIR_CONNECT_CLOSE_REASON_KEEPALIVE, "set keepalive") < 0)
        goto cleanup;
    if (elapsed < 1000 || elapsed > 6000) {
        testFail("closed after %" G_GINT64_FORMAT " ms, expected about 2000", elapsed);
        goto cleanup;
    }
    if (virConnectIsAlive(conn) != 0 || virConnectSetKeepAlive(conn, 1, 1) != -1 ||
        expectError(VIR_ERR_INTERNAL_ERROR, "client socket is closed",
                    "set keepalive after close") < 0)
        goto cleanup;
    rc = 0;

 cleanup:
    kill(daemonPid, SIGCONT);
    virConnectClose(conn);
    return rc;
}

static int
testKeepAlive(const void *data G_GNUC_UNUSED)
{
    virConnectPtr conn = NULL;
    CloseLog log = {0};
    PendingCall call = {0};
    GThread *thread = NULL;
    gint64 start;
    gint64 elapsed;
    int rc = -1;

    if (daemonPid <= 0) {
        testNote("no daemon pid, skipped");
        return 0;
    }
    if (!(conn = openURI("keepalive_interval=1&keepalive_count=1")))
        return -1;
    if (virConnectRegisterCloseCallback(conn, closeLogged, &log, closeFreed) < 0) {
        testFail("register: %s", virGetLastErrorMessage());
        goto cleanup;
    }
    if (kill(daemonPid, SIGSTOP) < 0) {
        testFail("SIGSTOP: %s", g_strerror(errno));
        goto cleanup;
    }
    start = g_get_monotonic_time();
    call.conn = conn;
    thread = startPendingCall(&call);
    g_thread_join(thread);
    elapsed = (g_get_monotonic_time() - start) / 1000;
    kill(daemonPid, SIGCONT);

    if (call.rc == 0 || call.code != VIR_ERR_INTERNAL_ERROR ||
        strcmp(call.message, "internal error: connection closed due to keepalive timeout") != 0) {
        testFail("pending call: rc %d error %d '%s'", call.rc, call.code, call.message);
        goto cleanup;
    }
    if (elapsed < 1000 || elapsed > 6000) {
        testFail("closed after %" G_GINT64_FORMAT " ms, expected about 2000", elapsed);
        goto cleanup;
    }
    if (waitClosed(&log, VIR_CONNECT_CLOSE_REASON_KEEPALIVE, "keepalive") < 0)
        goto cleanup;
    if (virConnectIsAlive(conn) != 0 || virConnectGetHostname(conn) ||
        expectError(VIR_ERR_INTERNAL_ERROR, "internal error: client socket is closed",
                    "call after close") < 0)
        goto cleanup;
    rc = 0;

 cleanup:
    kill(daemonPid, SIGCONT);
    g_free(call.message);
    virConnectClose(conn);
    return rc;
}

/*
 * The daemon dies under a call: the call fails with a system error from
 * the RPC layer (as libvirt: "Cannot recv data: ..." or "End of file while
 * reading data: ..."), the close callback fires with reason EOF, later
 * calls fail with "client socket is closed".  Runs last: it kills the
 * daemon.
 */
static int
testDaemonKilled(const void *data G_GNUC_UNUSED)
{
    virConnectPtr conn = NULL;
    virConnectPtr idle = NULL;
    CloseLog log = {0};
    CloseLog idleLog = {0};
    PendingCall call = {0};
    GThread *thread = NULL;
    int rc = -1;

    if (daemonPid <= 0) {
        testNote("no daemon pid, skipped");
        return 0;
    }
    if (!(conn = openURI(NULL)) || !(idle = openURI(NULL)))
        goto cleanup;
    if (virConnectRegisterCloseCallback(conn, closeLogged, &log, closeFreed) < 0 ||
        virConnectRegisterCloseCallback(idle, closeLogged, &idleLog, closeFreed) < 0) {
        testFail("register: %s", virGetLastErrorMessage());
        goto cleanup;
    }
    if (kill(daemonPid, SIGSTOP) < 0) {
        testFail("SIGSTOP: %s", g_strerror(errno));
        goto cleanup;
    }
    call.conn = conn;
    thread = startPendingCall(&call);
    kill(daemonPid, SIGKILL);
    g_thread_join(thread);

    if (call.rc == 0 || call.code != VIR_ERR_SYSTEM_ERROR || call.domain != VIR_FROM_RPC ||
        (!g_str_has_prefix(call.message, "Cannot recv data: ") &&
         !g_str_has_prefix(call.message, "End of file while reading data: "))) {
        testFail("pending call: rc %d error %d/%d '%s'", call.rc, call.code, call.domain,
                 call.message);
        goto cleanup;
    }
    if (waitClosed(&log, VIR_CONNECT_CLOSE_REASON_EOF, "busy connection") < 0)
        goto cleanup;
    /* The idle connection learns it from the event loop. */
    if (waitClosed(&idleLog, VIR_CONNECT_CLOSE_REASON_EOF, "idle connection") < 0)
        goto cleanup;
    if (virConnectGetHostname(conn) ||
        expectError(VIR_ERR_INTERNAL_ERROR, "internal error: client socket is closed",
                    "call after close") < 0)
        goto cleanup;
    if (virConnectIsAlive(conn) != 0 || virConnectIsAlive(idle) != 0) {
        testFail("still alive");
        goto cleanup;
    }
    rc = 0;

 cleanup:
    g_free(call.message);
    if (conn)
        virConnectClose(conn);
    if (idle)
        virConnectClose(idle);
    return rc;
}

static int
mymain(void)
{
    const char *pid = g_getenv("REMOTE_TEST_DAEMON_PID");
    GThread *loop = NULL;
    int timer;
    int ret = 0;

    testURI = g_getenv("REMOTE_TEST_URI");
    daemonName = g_getenv("REMOTE_TEST_DAEMON");
    daemonPid = pid ? atoi(pid) : 0;
    if (!testURI) {
        printf("# REMOTE_TEST_URI not set (run through remote-run.py)\n");
        return 0;
    }
    testNote("daemon %s, uri %s", daemonName ? daemonName : "?", testURI);
    virSetErrorFunc(NULL, quietErrors);

    if (virEventRegisterDefaultImpl() < 0)
        return -1;
    timer = virEventAddTimeout(100, loopTick, NULL, NULL);
    loop = g_thread_new("loop", loopThread, NULL);

    if (testRun("connection and host queries", testConnection, NULL) < 0)
        ret = -1;
    if (testRun("open errors", testOpenErrors, NULL) < 0)
        ret = -1;
    if (testRun("domain lists", testLists, NULL) < 0)
        ret = -1;
    if (testRun("listing of 300 domains", testBigListing, NULL) < 0)
        ret = -1;
    if (testRun("lookups and missing domains", testLookups, NULL) < 0)
        ret = -1;
    if (testRun("lifecycle and domain queries", testLifecycle, NULL) < 0)
        ret = -1;
    if (testRun("transient domain, jobs", testTransientAndJobs, NULL) < 0)
        ret = -1;
    if (testRun("events across connections", testEvents, NULL) < 0)
        ret = -1;
    if (testRun("16 threads on one connection", testThreads, NULL) < 0)
        ret = -1;
    if (testRun("close callback registration", testCloseCallbackRegistration, NULL) < 0)
        ret = -1;
    if (testRun("daemon keepalive answered while idle", testServerKeepAlive, NULL) < 0)
        ret = -1;
    if (testRun("client keepalive detects a stopped daemon", testKeepAlive, NULL) < 0)
        ret = -1;
    if (testRun("virConnectSetKeepAlive on an idle connection", testSetKeepAlive, NULL) < 0)
        ret = -1;
    if (testRun("daemon killed during a call", testDaemonKilled, NULL) < 0)
        ret = -1;

    g_atomic_int_set(&loopStop, 1);
    g_thread_join(loop);
    virEventRemoveTimeout(timer);
    return ret;
}

int
main(int argc, char **argv)
{
    return testMain(argc, argv, mymain);
}
