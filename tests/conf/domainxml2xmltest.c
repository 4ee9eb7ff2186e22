/*
 * Domain XML golden tests.  The case list is the directory listing:
 *
 *   tests/data/domain/NAME.xml       a definition, parsed as persistent
 *                                    (DOMAIN_DEF_PARSE_INACTIVE) and formatted
 *                                    inactive; the output must equal
 *                                    NAME.out.xml, or NAME.xml itself when
 *                                    there is no .out.xml
 *   tests/data/domain/NAME.live.xml  makes NAME a live case: NAME.xml is
 *                                    parsed with live data and formatted
 *                                    live (NAME.live.xml) and inactive
 *                                    (NAME.inactive.xml, if present)
 *   tests/data/domain/NAME.secure.xml  expected output with passwords
 *   tests/data/domain/NAME.roundtrip.xml  when libvirt's own output is not a
 *                                    fixed point (it sorts some devices again
 *                                    on the next parse), the output of one
 *                                    more parse and format
 *   tests/data/domain/bad/NAME.xml + NAME.err   must fail; NAME.err holds
 *                                    "code: VIR_ERR_...", optionally
 *                                    "domain: VIR_FROM_..." and
 *                                    "message: FRAGMENT" (substring), and
 *                                    "flags: validate" to parse with
 *                                    DOMAIN_DEF_PARSE_VALIDATE
 *
 * Every good case is also checked for a stable round trip (format, parse,
 * format again gives the same text) and for domainDefCopy.
 * TEST_REGENERATE=1 rewrites the expected outputs.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "testutils.h"
#include "util/error.h"
#include "util/str.h"
#include "util/uuid.h"
#include "util/xml.h"
#include "conf/domain_conf.h"

typedef struct {
    char *name;
    char *dir;
} DomainCase;

static void
domainCaseFree(gpointer p)
{
    DomainCase *c = p;

    g_free(c->name);
    g_free(c->dir);
    g_free(c);
}

static char *
casePath(const DomainCase *c, const char *suffix)
{
    return g_strdup_printf("%s/%s%s", c->dir, c->name, suffix);
}

static void
printError(const char *what)
{
    virErrorPtr err = errorGetSlot();

    testFail("%s: %s (%s, %s)", what, err->message ? err->message : "(no message)",
             testErrorCodeName(err->code), testErrorDomainName(err->domain));
}

/*
 * Format @def (with secrets, since a password-less output cannot carry
 * password-bound attributes), parse that and format again: the text must
 * be @output, or what @expectPath holds when libvirt's own output is not a
 * fixed point.
 */
static int
checkRoundTrip(const DomainDef *def, const char *output, unsigned int parseFlags,
               unsigned int fmtFlags, const char *expectPath)
{
    g_autofree char *first = domainDefFormat(def, fmtFlags | DOMAIN_DEF_FORMAT_SECURE);
    g_autoptr(DomainDef) again = NULL;
    g_autofree char *second = NULL;

    if (!first || !(again = domainDefParseString(first, parseFlags))) {
        printError("re-parsing the output failed");
        return -1;
    }
    if (!(second = domainDefFormat(again, fmtFlags))) {
        printError("formatting the re-parsed definition failed");
        return -1;
    }
    if (expectPath && g_file_test(expectPath, G_FILE_TEST_EXISTS)) {
        if (testCompareToFile(second, expectPath) < 0)
            return -1;
        /* ... and that one is stable */
        return checkRoundTrip(again, second, parseFlags, fmtFlags, NULL);
    }
    return testCompareStrings("round trip (parse -> format -> parse -> format)", output, second);
}

static int
checkCopy(const DomainDef *def, const char *output, unsigned int copyFlags,
          unsigned int fmtFlags)
{
    g_autoptr(DomainDef) copy = domainDefCopy(def, copyFlags);
    g_autofree char *text = NULL;

    if (!copy) {
        printError("domainDefCopy failed");
        return -1;
    }
    if (!(text = domainDefFormat(copy, fmtFlags))) {
        printError("formatting the copy failed");
        return -1;
    }
    if (!domainDefIsABIStable(def, copy)) {
        testFail("a copy is not ABI stable with its original");
        return -1;
    }
    return testCompareStrings("domainDefCopy", output, text);
}

static int
compareOutput(const DomainCase *c, const char *output, const char *suffix, const char *input)
{
    g_autofree char *path = casePath(c, suffix);

    /* An inactive case without .out.xml must reproduce its input. */
    if (streq(suffix, ".out.xml") && !g_file_test(path, G_FILE_TEST_EXISTS)) {
        if (testRegenerate() && !streq(output, input))
            return testCompareToFile(output, path);
        return testCompareStrings(c->name, input, output);
    }
    if (streq(suffix, ".out.xml") && testRegenerate() && streq(output, input)) {
        unlink(path);
        return 0;
    }
    return testCompareToFile(output, path);
}

static int
testGoodCase(const void *opaque)
{
    const DomainCase *c = opaque;
    g_autofree char *inPath = casePath(c, ".xml");
    g_autofree char *livePath = casePath(c, ".live.xml");
    g_autofree char *inactivePath = casePath(c, ".inactive.xml");
    g_autofree char *securePath = casePath(c, ".secure.xml");
    g_autofree char *roundtripPath = casePath(c, ".roundtrip.xml");
    g_autofree char *input = testLoadFile(inPath);
    g_autoptr(DomainDef) def = NULL;
    g_autoptr(DomainDef) fromFile = NULL;
    g_autofree char *output = NULL;
    g_autofree char *fileOutput = NULL;
    bool live = g_file_test(livePath, G_FILE_TEST_EXISTS);
    unsigned int parseFlags = live ? 0 : DOMAIN_DEF_PARSE_INACTIVE;
    unsigned int fmtFlags = live ? 0 : DOMAIN_DEF_FORMAT_INACTIVE;
    int ret = 0;

    if (!input)
        return -1;
    errorReset();
    if (!(def = domainDefParseString(input, parseFlags))) {
        printError("parse failed");
        return -1;
    }
    if (!(output = domainDefFormat(def, fmtFlags))) {
        printError("format failed");
        return -1;
    }
    if (errorIsSet()) {
        printError("success left an error behind");
        ret = -1;
    }

    if (compareOutput(c, output, live ? ".live.xml" : ".out.xml", input) < 0)
        ret = -1;
    if (checkRoundTrip(def, output, parseFlags, fmtFlags, roundtripPath) < 0)
        ret = -1;
    if (checkCopy(def, output, parseFlags, fmtFlags) < 0)
        ret = -1;

    if (live && g_file_test(inactivePath, G_FILE_TEST_EXISTS)) {
        g_autofree char *inactive = domainDefFormat(def, DOMAIN_DEF_FORMAT_INACTIVE);

        if (!inactive || compareOutput(c, inactive, ".inactive.xml", input) < 0)
            ret = -1;
        /* the inactive form is itself a stable persistent definition */
        if (inactive && checkRoundTrip(def, inactive, DOMAIN_DEF_PARSE_INACTIVE,
                                       DOMAIN_DEF_FORMAT_INACTIVE, NULL) < 0)
            ret = -1;
        if (inactive && checkCopy(def, inactive, DOMAIN_DEF_PARSE_INACTIVE,
                                  DOMAIN_DEF_FORMAT_INACTIVE) < 0)
            ret = -1;
    }
    if (g_file_test(securePath, G_FILE_TEST_EXISTS)) {
        g_autofree char *secure = domainDefFormat(def, fmtFlags | DOMAIN_DEF_FORMAT_SECURE);

        if (!secure || compareOutput(c, secure, ".secure.xml", input) < 0)
            ret = -1;
        if (secure && checkRoundTrip(def, secure, parseFlags,
                                     fmtFlags | DOMAIN_DEF_FORMAT_SECURE, NULL) < 0)
            ret = -1;
    }

    /* The file entry point gives the same result. */
    if (!(fromFile = domainDefParseFile(inPath, parseFlags)) ||
        !(fileOutput = domainDefFormat(fromFile, fmtFlags))) {
        printError("domainDefParseFile failed");
        ret = -1;
    } else if (testCompareStrings("domainDefParseFile", output, fileOutput) < 0) {
        ret = -1;
    }
    return ret;
}

static char *
errField(const char *text, const char *key)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", 0);
    size_t klen = strlen(key);
    size_t i;

    for (i = 0; lines[i]; i++) {
        if (strncmp(lines[i], key, klen) == 0 && lines[i][klen] == ':')
            return g_strstrip(g_strdup(lines[i] + klen + 1));
    }
    return NULL;
}

static int
testBadCase(const void *opaque)
{
    const DomainCase *c = opaque;
    g_autofree char *inPath = casePath(c, ".xml");
    g_autofree char *errPath = casePath(c, ".err");
    g_autofree char *input = testLoadFile(inPath);
    g_autofree char *expect = testLoadFile(errPath);
    g_autofree char *code = NULL;
    g_autofree char *domain = NULL;
    g_autofree char *message = NULL;
    g_autofree char *flagsText = NULL;
    g_autoptr(DomainDef) def = NULL;
    unsigned int flags = DOMAIN_DEF_PARSE_INACTIVE;
    virErrorPtr err;
    int ret = 0;

    if (!input || !expect)
        return -1;
    code = errField(expect, "code");
    domain = errField(expect, "domain");
    message = errField(expect, "message");
    flagsText = errField(expect, "flags");
    if (!code || testErrorCodeFromName(code) < 0) {
        testFail("%s: 'code: VIR_ERR_...' missing or unknown", errPath);
        return -1;
    }
    if (flagsText && strstr(flagsText, "validate"))
        flags |= DOMAIN_DEF_PARSE_VALIDATE;

    errorReset();
    if ((def = domainDefParseString(input, flags))) {
        g_autofree char *out = domainDefFormat(def, DOMAIN_DEF_FORMAT_INACTIVE);

        testFail("expected %s, but the definition was accepted:\n%s", code, out ? out : "");
        return -1;
    }
    err = errorGetSlot();
    if (err->code != testErrorCodeFromName(code)) {
        testFail("expected code %s, got %s: %s", code, testErrorCodeName(err->code),
                 err->message ? err->message : "(no message)");
        ret = -1;
    }
    if (domain && err->domain != testErrorDomainFromName(domain)) {
        testFail("expected domain %s, got %s", domain, testErrorDomainName(err->domain));
        ret = -1;
    }
    if (message && (!err->message || !strstr(err->message, message))) {
        testFail("expected message containing '%s', got '%s'", message,
                 err->message ? err->message : "(no message)");
        ret = -1;
    }
    if (ret == 0)
        testNote("%s: %s", testErrorCodeName(err->code), err->message);
    errorReset();
    return ret;
}

/* ---- properties that golden files cannot show ---- */

static const char minimalXML[] =
    "<domain type='test'>\n"
    "  <name>gen</name>\n"
    "  <memory>1024</memory>\n"
    "  <os><type arch='x86_64'>hvm</type></os>\n"
    "  <devices>\n"
    "    <interface type='network'><source network='default'/></interface>\n"
    "    <interface type='user'/>\n"
    "  </devices>\n"
    "</domain>\n";

static int
testGeneratedIdentity(const void *opaque G_GNUC_UNUSED)
{
    g_autoptr(DomainDef) a = domainDefParseString(minimalXML, DOMAIN_DEF_PARSE_INACTIVE);
    g_autoptr(DomainDef) b = domainDefParseString(minimalXML, DOMAIN_DEF_PARSE_INACTIVE);
    g_autofree char *out = NULL;
    size_t i;

    if (!a || !b) {
        printError("parse failed");
        return -1;
    }
    if (uuidIsNull(a->uuid) || uuidEqual(a->uuid, b->uuid)) {
        testFail("a missing <uuid> must give a fresh random UUID");
        return -1;
    }
    if ((a->uuid[6] >> 4) != 4 || (a->uuid[8] & 0xC0) != 0x80) {
        testFail("a generated UUID must be RFC 4122 version 4");
        return -1;
    }
    for (i = 0; i < a->nnets; i++) {
        if (a->nets[i]->mac.addr[0] != 0x52 || a->nets[i]->mac.addr[1] != 0x54 ||
            a->nets[i]->mac.addr[2] != 0x00) {
            testFail("a generated MAC must start with 52:54:00");
            return -1;
        }
    }
    if (macEqual(&a->nets[0]->mac, &a->nets[1]->mac) ||
        macEqual(&a->nets[0]->mac, &b->nets[0]->mac)) {
        testFail("generated MACs must differ");
        return -1;
    }
    /* once generated they are part of the definition */
    out = domainDefFormat(a, DOMAIN_DEF_FORMAT_INACTIVE);
    return checkRoundTrip(a, out, DOMAIN_DEF_PARSE_INACTIVE, DOMAIN_DEF_FORMAT_INACTIVE, NULL);
}

static int
testDocumentTooLarge(const void *opaque G_GNUC_UNUSED)
{
    size_t len = XML_UTIL_MAX_DOC_SIZE + 64;
    g_autofree char *xml = g_malloc(len + 1);
    g_autoptr(DomainDef) def = NULL;
    const char *head = "<domain type='test'><name>big</name><description>";

    memset(xml, 'x', len);
    memcpy(xml, head, strlen(head));
    xml[len] = '\0';
    errorReset();
    if ((def = domainDefParseString(xml, DOMAIN_DEF_PARSE_INACTIVE))) {
        testFail("a document over the size limit was accepted");
        return -1;
    }
    if (errorGetCode() != VIR_ERR_XML_ERROR) {
        testFail("expected VIR_ERR_XML_ERROR, got %s", testErrorCodeName(errorGetCode()));
        return -1;
    }
    errorReset();
    return 0;
}

static int
testDeepNesting(const void *opaque G_GNUC_UNUSED)
{
    GString *xml = g_string_new("<domain type='test'><name>deep</name><metadata>");
    g_autoptr(DomainDef) def = NULL;
    int i;

    for (i = 0; i < 100000; i++)
        g_string_append(xml, "<a:x xmlns:a='urn:a'>");
    def = domainDefParseString(xml->str, DOMAIN_DEF_PARSE_INACTIVE);
    g_string_free(xml, TRUE);
    if (def) {
        testFail("a truncated, deeply nested document was accepted");
        return -1;
    }
    if (errorGetCode() != VIR_ERR_XML_DETAIL) {
        testFail("expected VIR_ERR_XML_DETAIL, got %s", testErrorCodeName(errorGetCode()));
        return -1;
    }
    errorReset();
    return 0;
}

static int
testABIStability(const void *opaque G_GNUC_UNUSED)
{
    const char *base =
        "<domain type='kvm'><name>abi</name>"
        "<uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>"
        "<memory>1048576</memory><vcpu>%s</vcpu>"
        "<os><type arch='x86_64'>hvm</type></os><devices>"
        "<disk type='file' device='disk'><source file='/a'/><target dev='%s'/></disk>"
        "</devices></domain>";
    g_autofree char *x1 = g_strdup_printf(base, "2", "vda");
    g_autofree char *x2 = g_strdup_printf(base, "4", "vda");
    g_autofree char *x3 = g_strdup_printf(base, "2", "vdb");
    g_autoptr(DomainDef) a = domainDefParseString(x1, DOMAIN_DEF_PARSE_INACTIVE);
    g_autoptr(DomainDef) b = domainDefParseString(x2, DOMAIN_DEF_PARSE_INACTIVE);
    g_autoptr(DomainDef) c = domainDefParseString(x3, DOMAIN_DEF_PARSE_INACTIVE);

    if (!a || !b || !c) {
        printError("parse failed");
        return -1;
    }
    if (!domainDefIsABIStable(a, a)) {
        testFail("a definition must be ABI stable with itself");
        return -1;
    }
    if (domainDefIsABIStable(a, b) || domainDefIsABIStable(a, c)) {
        testFail("different vCPU counts or disk targets must not be ABI stable");
        return -1;
    }
    if (errorIsSet()) {
        testFail("domainDefIsABIStable must not leave an error");
        return -1;
    }
    if (domainDefCheckABIStability(a, b) == 0 ||
        errorGetCode() != VIR_ERR_CONFIG_UNSUPPORTED) {
        testFail("domainDefCheckABIStability must report VIR_ERR_CONFIG_UNSUPPORTED");
        return -1;
    }
    errorReset();
    return 0;
}

static int
testParseNode(const void *opaque G_GNUC_UNUSED)
{
    /* The test driver's node file embeds <domain> elements. */
    const char *node =
        "<node><cpu><mhz>2000</mhz></cpu>"
        "<domain type='test'><name>n1</name><memory>1024</memory>"
        "<os><type>hvm</type></os></domain></node>";
    g_autoptr(xmlDoc) doc = xmlUtilParse(node, NULL, "(node)", "node", VIR_FROM_TEST);
    g_autoptr(DomainDef) def = NULL;
    xmlNodePtr cur;

    if (!doc) {
        printError("node document parse failed");
        return -1;
    }
    for (cur = xmlDocGetRootElement(doc)->children; cur; cur = cur->next) {
        if (xmlUtilNodeIs(cur, "domain"))
            break;
    }
    if (!(def = domainDefParseNode(doc, cur, DOMAIN_DEF_PARSE_INACTIVE))) {
        printError("domainDefParseNode failed");
        return -1;
    }
    if (!streq(def->name, "n1") || def->mem.total != 1024 || def->id != -1) {
        testFail("unexpected definition from domainDefParseNode");
        return -1;
    }
    return 0;
}

/*
 * A SCSI disk named "sdaacsi" sits on a controller with a very high
 * index, so parsing adds every SCSI controller below it, as libvirt 9.0
 * does (its dumpxml of this document lists 68,155 SCSI and 4 IDE
 * controllers).  Found by the fuzzer when adding them one by one was
 * quadratic (seconds).
 */
static const char *
testErrorMessage(void)
{
    virErrorPtr err = errorGetSlot();

    return err && err->message ? err->message : "(no error)";
}

/* A definition with a SCSI disk named @scsiName and an IDE disk on @ideController. */
static char *
testManyControllersXML(const char *scsiName, const char *ideController)
{
    return g_strdup_printf(
        "<domain type='kvm'><name>many</name><memory>1048576</memory>"
        "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>"
        "<disk type='file' device='disk'><source file='/a'/><target dev='%s'/></disk>"
        "<disk type='file' device='disk'><source file='/d'/><target dev='hde' bus='ide'/>"
        "<address type='drive' controller='%s' bus='0' target='0' unit='1'/></disk>"
        "<controller type='scsi' index='0' model='virtio-scsi'/>"
        "</devices></domain>", scsiName, ideController);
}

/*
 * Implicit controllers stay within the parser's limit on <controller>
 * elements (4096), so a definition's own XML always parses again: "sdaojy"
 * (SCSI drive 28000, controller 4000) is accepted, its 4001 SCSI and 4 IDE
 * controllers added in one merge.  Refused, naming the disk: "sdaacsi"
 * (controller 68154), 4096 IDE controllers beside a SCSI one, and a drive
 * address naming controller 4294967295.
 */
static int
testManyImplicitControllers(const void *opaque G_GNUC_UNUSED)
{
    static const struct {
        const char *scsi;
        const char *ide;
        const char *error;
    } refused[] = {
        { "sdaacsi", "3", "disk 'sdaacsi' needs scsi controller 68154" },
        { "sda", "4294967295", "disk 'hde' needs ide controller 4294967295" },
        { "sda", "4095", "disk 'hde' needs ide controller 4095" },
    };
    g_autofree char *xml = testManyControllersXML("sdaojy", "3");
    gint64 start = g_get_monotonic_time();
    g_autoptr(DomainDef) def = domainDefParseString(xml, DOMAIN_DEF_PARSE_INACTIVE);
    gint64 ms = (g_get_monotonic_time() - start) / 1000;
    g_autoptr(DomainDef) again = NULL;
    g_autofree char *out = NULL;
    size_t nscsi = 0;
    size_t i;
    int expect = 0;

    if (!def) {
        printError("parse failed");
        return -1;
    }
    for (i = 0; i < def->ncontrollers; i++) {
        const DomainControllerDef *c = def->controllers[i];

        if (c->type != DOMAIN_CONTROLLER_TYPE_SCSI)
            continue;
        if (c->idx != expect++) {
            testFail("SCSI controller %zu has index %d, want %d", nscsi, c->idx, expect - 1);
            return -1;
        }
        nscsi++;
    }
    if (nscsi != 4001 || def->ncontrollers != 4001 + 4) {
        testFail("%zu SCSI controllers of %zu, want 4001 of 4005", nscsi, def->ncontrollers);
        return -1;
    }
    if (def->controllers[0]->type != DOMAIN_CONTROLLER_TYPE_SCSI ||
        !def->controllers[0]->model || !streq(def->controllers[0]->model, "virtio-scsi")) {
        testFail("the given SCSI controller 0 must stay first with its model");
        return -1;
    }
    /* linear: milliseconds; one insertion each was quadratic */
    if (ms > 3000) {
        testFail("parsing took %lld ms", (long long)ms);
        return -1;
    }
    out = domainDefFormat(def, DOMAIN_DEF_FORMAT_INACTIVE);
    if (!(again = domainDefParseString(out, DOMAIN_DEF_PARSE_INACTIVE)) ||
        again->ncontrollers != def->ncontrollers) {
        testFail("the definition's own XML does not parse again: %s", testErrorMessage());
        return -1;
    }

    for (i = 0; i < G_N_ELEMENTS(refused); i++) {
        g_autofree char *bad = testManyControllersXML(refused[i].scsi, refused[i].ide);
        g_autoptr(DomainDef) none = NULL;

        errorReset();
        start = g_get_monotonic_time();
        none = domainDefParseString(bad, DOMAIN_DEF_PARSE_INACTIVE);
        ms = (g_get_monotonic_time() - start) / 1000;
        if (none || errorGetCode() != VIR_ERR_XML_ERROR ||
            !strstr(testErrorMessage(), refused[i].error) ||
            !strstr(testErrorMessage(), "too many <controller> devices (limit 4096)")) {
            testFail("%s / controller %s: want an XML error '%s', got '%s'", refused[i].scsi,
                     refused[i].ide, refused[i].error, none ? "(accepted)" : testErrorMessage());
            return -1;
        }
        if (ms > 1000) {
            testFail("refusing controller %s took %lld ms", refused[i].ide, (long long)ms);
            return -1;
        }
    }
    errorReset();
    return 0;
}

static int
testFlagsChecked(const void *opaque G_GNUC_UNUSED)
{
    g_autoptr(DomainDef) def = domainDefParseString(minimalXML, 1U << 20);

    if (def || errorGetCode() != VIR_ERR_INVALID_ARG) {
        testFail("unknown parse flags must be VIR_ERR_INVALID_ARG");
        return -1;
    }
    errorReset();
    return 0;
}

static int
runCases(const char *dir, bool bad)
{
    g_autoptr(GPtrArray) names = testListDir(dir, ".xml");
    int ret = 0;
    guint i;

    for (i = 0; i < names->len; i++) {
        const char *file = g_ptr_array_index(names, i);
        g_autofree char *name = NULL;
        DomainCase *c;

        if (g_str_has_suffix(file, ".out.xml") || g_str_has_suffix(file, ".live.xml") ||
            g_str_has_suffix(file, ".inactive.xml") || g_str_has_suffix(file, ".secure.xml") ||
            g_str_has_suffix(file, ".roundtrip.xml"))
            continue;
        name = g_strndup(file, strlen(file) - strlen(".xml"));
        c = g_new0(DomainCase, 1);
        c->name = g_strdup(name);
        c->dir = g_strdup(dir);
        {
            g_autofree char *label = g_strdup_printf("%s%s", bad ? "bad/" : "", name);

            if (testRun(label, bad ? testBadCase : testGoodCase, c) < 0)
                ret = -1;
        }
        domainCaseFree(c);
    }
    if (names->len == 0) {
        testFail("no cases found in %s", dir);
        return -1;
    }
    return ret;
}

static int
mainBody(void)
{
    g_autofree char *good = g_build_filename(testDataDir(), "domain", NULL);
    g_autofree char *bad = g_build_filename(testDataDir(), "domain", "bad", NULL);
    int ret = 0;

    if (runCases(good, false) < 0)
        ret = -1;
    if (runCases(bad, true) < 0)
        ret = -1;
    if (testRun("generated-uuid-and-mac", testGeneratedIdentity, NULL) < 0)
        ret = -1;
    if (testRun("document-size-limit", testDocumentTooLarge, NULL) < 0)
        ret = -1;
    if (testRun("deep-nesting", testDeepNesting, NULL) < 0)
        ret = -1;
    if (testRun("abi-stability", testABIStability, NULL) < 0)
        ret = -1;
    if (testRun("parse-node", testParseNode, NULL) < 0)
        ret = -1;
    if (testRun("unknown-flags", testFlagsChecked, NULL) < 0)
        ret = -1;
    if (testRun("many-implicit-controllers", testManyImplicitControllers, NULL) < 0)
        ret = -1;
    return ret;
}

int
main(int argc, char **argv)
{
    return testMain(argc, argv, mainBody);
}
