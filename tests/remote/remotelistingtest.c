/* The daemon's listing reply, encoded from records, against the generated encoder. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "remote/remote_dispatch_domain_priv.h"
#include "remote/remote_protocol.h"
#include "testutils.h"

/*
 * remoteDispatchDomainListingXdr, fed by virtkitConnectListAllDomainRecords,
 * must write exactly the bytes of xdr_remote_connect_list_all_domains_ret
 * filled from virConnectListAllDomains's handles (what the daemon sent
 * before, and what Debian's libvirt decodes), for every filter and size,
 * and refuse what the generated routine refuses.  Both listings come from
 * the in-process test driver, as the daemon gets them.
 */

#define NDOMAINS 1000
#define BUF_SIZE (1024 * 1024)

static virConnectPtr conn;

static void
quietErrors(void *opaque G_GNUC_UNUSED, virErrorPtr err G_GNUC_UNUSED)
{
}

/* Encodes @data with @filter into @buf; returns the length or -1. */
static long
encodeWith(xdrproc_t filter, void *data, char *buf, u_int size)
{
    XDR xdr;
    long len = -1;

    xdrmem_create(&xdr, buf, size, XDR_ENCODE);
    if (filter(&xdr, data))
        len = (long)xdr_getpos(&xdr);
    xdr_destroy(&xdr);
    return len;
}

/* Lists with @flags (count only when !@withList) and compares both encoders. */
static int
compareListing(unsigned int flags, bool withList, int expectMin)
{
    RemoteDispatchDomainListing listing = {0};
    remote_connect_list_all_domains_ret gen = {0};
    g_autofree char *bufGen = g_malloc0(BUF_SIZE);
    g_autofree char *bufOurs = g_malloc0(BUF_SIZE);
    virDomainPtr *doms = NULL;
    long lenGen;
    long lenOurs;
    u_long sizeOurs;
    int ret = -1;
    int n;
    int m;
    int i;

    if ((n = virConnectListAllDomains(conn, withList ? &doms : NULL, flags)) < expectMin) {
        testFail("flags 0x%x: listed %d, expected at least %d", flags, n, expectMin);
        goto cleanup;
    }
    gen.ret = n;
    if (doms) {
        gen.domains.domains_len = n;
        gen.domains.domains_val = g_new0(remote_nonnull_domain, MAX(n, 1));
        for (i = 0; i < n; i++) {
            gen.domains.domains_val[i].name = g_strdup(virDomainGetName(doms[i]));
            virDomainGetUUID(doms[i], (unsigned char *)gen.domains.domains_val[i].uuid);
            gen.domains.domains_val[i].id = (int)virDomainGetID(doms[i]);
        }
    }
    if (withList) {
        m = virtkitConnectListAllDomainRecords(conn, flags, &listing.records);
        if (m != n || !listing.records || listing.records->n != (size_t)n) {
            testFail("flags 0x%x: %d records, %d handles", flags, m, n);
            goto cleanup;
        }
    }
    listing.ret = n;

    lenGen = encodeWith((xdrproc_t)xdr_remote_connect_list_all_domains_ret, &gen, bufGen,
                        BUF_SIZE);
    lenOurs = encodeWith((xdrproc_t)remoteDispatchDomainListingXdr, &listing, bufOurs, BUF_SIZE);
    if (lenGen < 0 || lenOurs != lenGen) {
        testFail("flags 0x%x, %d domains: encoded %ld bytes, generated encoder %ld", flags, n,
                 lenOurs, lenGen);
        goto cleanup;
    }
    if (memcmp(bufGen, bufOurs, lenGen) != 0) {
        for (i = 0; i < lenGen && bufGen[i] == bufOurs[i]; i++)
            ;
        testFail("flags 0x%x, %d domains: bytes differ from offset %d", flags, n, i);
        goto cleanup;
    }
    /* The server measures a reply that overflows its buffer with xdr_sizeof. */
    if ((sizeOurs = xdr_sizeof((xdrproc_t)remoteDispatchDomainListingXdr, &listing)) !=
        (u_long)lenGen) {
        testFail("flags 0x%x: xdr_sizeof says %lu, encoded %ld", flags, sizeOurs, lenGen);
        goto cleanup;
    }
    /* Out of room: refused, as by the generated routine, never overrun. */
    if (lenGen > 8 && (encodeWith((xdrproc_t)remoteDispatchDomainListingXdr, &listing, bufOurs,
                                  (u_int)lenGen - 4) >= 0 ||
                       encodeWith((xdrproc_t)xdr_remote_connect_list_all_domains_ret, &gen,
                                  bufGen, (u_int)lenGen - 4) >= 0)) {
        testFail("flags 0x%x: encoding into %ld bytes succeeded", flags, lenGen - 4);
        goto cleanup;
    }
    if (testDebug())
        testNote("flags 0x%x: %d domains, %ld bytes", flags, n, lenGen);
    ret = 0;

 cleanup:
    xdr_free((xdrproc_t)xdr_remote_connect_list_all_domains_ret, (char *)&gen);
    for (i = 0; doms && i < n; i++)
        virDomainFree(doms[i]);
    free(doms);
    /* Frees the records, as the server does after sending. */
    xdr_free((xdrproc_t)remoteDispatchDomainListingXdr, (char *)&listing);
    if (listing.records) {
        testFail("XDR_FREE left the records");
        ret = -1;
    }
    return ret;
}

static int
testAll(const void *data G_GNUC_UNUSED)
{
    return compareListing(0, true, NDOMAINS + 1);
}

static int
testActive(const void *data G_GNUC_UNUSED)
{
    return compareListing(VIR_CONNECT_LIST_DOMAINS_ACTIVE, true, 1);
}

static int
testInactive(const void *data G_GNUC_UNUSED)
{
    return compareListing(VIR_CONNECT_LIST_DOMAINS_INACTIVE, true, NDOMAINS / 2);
}

static int
testBothActivities(const void *data G_GNUC_UNUSED)
{
    return compareListing(VIR_CONNECT_LIST_DOMAINS_ACTIVE | VIR_CONNECT_LIST_DOMAINS_INACTIVE,
                          true, NDOMAINS + 1);
}

/* A filter the list's own copies cannot answer: the objects are read. */
static int
testInactivePersistent(const void *data G_GNUC_UNUSED)
{
    return compareListing(VIR_CONNECT_LIST_DOMAINS_INACTIVE |
                          VIR_CONNECT_LIST_DOMAINS_PERSISTENT, true, NDOMAINS / 2);
}

static int
testEmpty(const void *data G_GNUC_UNUSED)
{
    return compareListing(VIR_CONNECT_LIST_DOMAINS_HAS_SNAPSHOT, true, 0);
}

static int
testCountOnly(const void *data G_GNUC_UNUSED)
{
    return compareListing(0, false, NDOMAINS + 1);
}

/* Unknown flags: the records fail with the error of the public listing. */
static int
testBadFlags(const void *data G_GNUC_UNUSED)
{
    DomainRecords *records = NULL;
    g_autofree char *msg = NULL;
    int code;

    if (virConnectListAllDomains(conn, NULL, 1U << 30) != -1 || !virGetLastError()) {
        testFail("public listing accepted flag 1<<30");
        return -1;
    }
    code = virGetLastError()->code;
    msg = g_strdup(virGetLastErrorMessage());
    if (virtkitConnectListAllDomainRecords(conn, 1U << 30, &records) != -1 || records) {
        testFail("records accepted flag 1<<30");
        virtkitDomainRecordsFree(records);
        return -1;
    }
    if (!virGetLastError() || virGetLastError()->code != code ||
        g_strcmp0(virGetLastErrorMessage(), msg) != 0) {
        testFail("records: error %d '%s', public listing %d '%s'",
                 virGetLastError() ? virGetLastError()->code : 0, virGetLastErrorMessage(),
                 code, msg);
        return -1;
    }
    return 0;
}

/* More records than the protocol allows: refused before anything is read. */
static int
testTooMany(const void *data G_GNUC_UNUSED)
{
    DomainRecords records = { REMOTE_DOMAIN_LIST_MAX + 1, NULL, NULL };
    RemoteDispatchDomainListing listing = { &records, 0 };
    char buf[64];

    if (encodeWith((xdrproc_t)remoteDispatchDomainListingXdr, &listing, buf, sizeof(buf)) >= 0) {
        testFail("%zu records encoded", records.n);
        return -1;
    }
    return 0;
}

/* Decoding is the client's business: refused. */
static int
testNoDecode(const void *data G_GNUC_UNUSED)
{
    RemoteDispatchDomainListing listing = {0};
    char buf[8] = {0};
    XDR xdr;
    bool_t ok;

    xdrmem_create(&xdr, buf, sizeof(buf), XDR_DECODE);
    ok = remoteDispatchDomainListingXdr(&xdr, &listing);
    xdr_destroy(&xdr);
    if (ok || listing.records) {
        testFail("decoding succeeded");
        return -1;
    }
    return 0;
}

/* Names of every length class (the inline and heap paths of the client), UTF-8, ids. */
static int
defineDomains(void)
{
    int i;

    for (i = 0; i < NDOMAINS; i++) {
        g_autofree char *name = NULL;
        g_autofree char *xml = NULL;
        virDomainPtr dom;

        if (i == 0)
            name = g_strnfill(300, 'x');
        else if (i == 1)
            name = g_strdup("d\xc3\xa9j\xc3\xa0-vu");
        else
            name = g_strdup_printf("list-%0*d", 1 + i % 40, i);
        xml = g_strdup_printf("<domain type='test'><name>%s</name>"
                              "<memory>65536</memory><vcpu>1</vcpu>"
                              "<os><type>hvm</type></os></domain>", name);
        if (!(dom = virDomainDefineXML(conn, xml))) {
            testFail("define '%s': %s", name, virGetLastErrorMessage());
            return -1;
        }
        if (i % 2 == 1 && virDomainCreate(dom) < 0) {
            testFail("start '%s': %s", name, virGetLastErrorMessage());
            virDomainFree(dom);
            return -1;
        }
        virDomainFree(dom);
    }
    return 0;
}

static int
mymain(void)
{
    int ret = 0;

    virSetErrorFunc(NULL, quietErrors);
    if (!(conn = virConnectOpen("test:///default"))) {
        testFail("open test:///default: %s", virGetLastErrorMessage());
        return -1;
    }
    if (defineDomains() < 0) {
        virConnectClose(conn);
        return -1;
    }
    if (testRun("all domains", testAll, NULL) < 0)
        ret = -1;
    if (testRun("active only", testActive, NULL) < 0)
        ret = -1;
    if (testRun("inactive only", testInactive, NULL) < 0)
        ret = -1;
    if (testRun("active and inactive", testBothActivities, NULL) < 0)
        ret = -1;
    if (testRun("inactive persistent", testInactivePersistent, NULL) < 0)
        ret = -1;
    if (testRun("no match", testEmpty, NULL) < 0)
        ret = -1;
    if (testRun("count only", testCountOnly, NULL) < 0)
        ret = -1;
    if (testRun("unknown flags", testBadFlags, NULL) < 0)
        ret = -1;
    if (testRun("over REMOTE_DOMAIN_LIST_MAX", testTooMany, NULL) < 0)
        ret = -1;
    if (testRun("no decoding", testNoDecode, NULL) < 0)
        ret = -1;
    virConnectClose(conn);
    return ret;
}

int
main(int argc, char **argv)
{
    return testMain(argc, argv, mymain);
}
