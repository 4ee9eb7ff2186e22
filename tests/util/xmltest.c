/* Tests for util/xml and util/xmlwriter: safe parsing, accessors, XPath, escaping. */
#include <string.h>

#include "testutils.h"
#include "util/error.h"
#include "util/xml.h"
#include "util/xmlwriter.h"

static int
expectError(int code, const char *fragment)
{
    virErrorPtr err = errorGetSlot();

    if (err->code != code) {
        testFail("expected %s, got %s: %s", testErrorCodeName(code),
                 testErrorCodeName(err->code), err->message ? err->message : "");
        return -1;
    }
    if (fragment && (!err->message || !strstr(err->message, fragment))) {
        testFail("expected a message containing '%s', got '%s'", fragment,
                 err->message ? err->message : "");
        return -1;
    }
    errorReset();
    return 0;
}

static int
testParseErrors(const void *data G_GNUC_UNUSED)
{
    g_autoptr(xmlDoc) doc = NULL;

    if ((doc = xmlUtilParse("<a><b></a>", NULL, "(test)", "a", VIR_FROM_DOMAIN)))
        return -1;
    if (expectError(VIR_ERR_XML_DETAIL,
                    "(test):1: Opening and ending tag mismatch: b line 1 and a\n"
                    "<a><b></a>\n----------^") < 0)
        return -1;
    if ((doc = xmlUtilParse("", NULL, "(test)", "a", VIR_FROM_DOMAIN)))
        return -1;
    if (expectError(VIR_ERR_XML_DETAIL, "(test):1: Document is empty\n(null)\n^") < 0)
        return -1;
    if ((doc = xmlUtilParse("<b/>", NULL, "(test)", "a", VIR_FROM_DOMAIN)))
        return -1;
    if (expectError(VIR_ERR_XML_ERROR, "expecting root element of 'a', not 'b'") < 0)
        return -1;
    return 0;
}

static int
testNoExternalEntities(const void *data G_GNUC_UNUSED)
{
    const char *xml =
        "<!DOCTYPE a [ <!ENTITY x SYSTEM 'file:///etc/passwd'> <!ENTITY y 'inner'> ]>"
        "<a><b>&x;</b><c>&y;</c></a>";
    g_autoptr(xmlDoc) doc = xmlUtilParse(xml, NULL, "(test)", "a", VIR_FROM_DOMAIN);
    g_autofree char *b = NULL;
    g_autofree char *c = NULL;

    if (!doc) {
        testFail("document refused");
        return -1;
    }
    b = xmlUtilChildContent(xmlDocGetRootElement(doc), "b");
    c = xmlUtilChildContent(xmlDocGetRootElement(doc), "c");
    if (b) {
        testFail("an external entity was loaded: '%s'", b);
        return -1;
    }
    return testCompareStrings("internal entity", "inner", c);
}

static int
testSizeLimit(const void *data G_GNUC_UNUSED)
{
    g_autofree char *big = g_strnfill(XML_UTIL_MAX_DOC_SIZE + 1, ' ');
    g_autoptr(xmlDoc) doc = NULL;

    memcpy(big, "<a>", 3);
    if ((doc = xmlUtilParse(big, NULL, "(test)", "a", VIR_FROM_DOMAIN)))
        return -1;
    return expectError(VIR_ERR_XML_ERROR, "exceeds the limit");
}

static int
testAccessors(const void *data G_GNUC_UNUSED)
{
    const char *xml =
        "<r n='42' neg='-3' hex='0x1f' bad='4x' zero='0' big='99999999999' e='yes'>"
        "<k>one</k><k>two</k><x:k xmlns:x='urn:x'>ns</x:k><empty/></r>";
    g_autoptr(xmlDoc) doc = xmlUtilParse(xml, NULL, "(test)", "r", VIR_FROM_DOMAIN);
    g_autoptr(xmlXPathContext) ctxt = NULL;
    g_autofree xmlNodePtr *kids = NULL;
    g_autofree char *first = NULL;
    xmlNodePtr root;
    unsigned int u = 7;
    int i = 7;
    unsigned long long ull = 0;

    if (!doc)
        return -1;
    root = xmlDocGetRootElement(doc);
    if (xmlUtilPropUInt(root, "n", 10, 0, &u) != 1 || u != 42 ||
        xmlUtilPropUInt(root, "absent", 10, 0, &u) != 0 || u != 42 ||
        xmlUtilPropInt(root, "neg", 10, 0, &i) != 1 || i != -3 ||
        xmlUtilPropUInt(root, "hex", 0, 0, &u) != 1 || u != 31 ||
        xmlUtilPropULongLong(root, "big", 10, 0, &ull) != 1 || ull != 99999999999ULL) {
        testFail("numeric attribute readers");
        return -1;
    }
    if (xmlUtilPropUInt(root, "neg", 10, 0, &u) != -1 ||
        expectError(VIR_ERR_XML_ERROR,
                    "Invalid value for attribute 'neg' in element 'r': '-3'. Expected non-negative integer value") < 0)
        return -1;
    if (xmlUtilPropUInt(root, "bad", 10, 0, &u) != -1 || expectError(VIR_ERR_XML_ERROR, "'4x'") < 0)
        return -1;
    if (xmlUtilPropUInt(root, "big", 10, 0, &u) != -1 || expectError(VIR_ERR_XML_ERROR, NULL) < 0)
        return -1;
    if (xmlUtilPropUInt(root, "zero", 10, XML_UTIL_PROP_NONZERO, &u) != -1 ||
        expectError(VIR_ERR_XML_ERROR, "Zero is not permitted") < 0)
        return -1;
    if (xmlUtilPropUInt(root, "absent", 10, XML_UTIL_PROP_REQUIRED, &u) != -1 ||
        expectError(VIR_ERR_XML_ERROR, "Missing required attribute 'absent' in element 'r'") < 0)
        return -1;
    if (xmlUtilChildren(root, "k", &kids) != 2 || !xmlUtilChild(root, "empty") ||
        xmlUtilChildContent(root, "empty") != NULL) {
        testFail("child accessors (namespaced children must not match)");
        return -1;
    }
    ctxt = xmlUtilXPathNew(doc, NULL);
    first = xmlUtilXPathString("string(./k[1])", ctxt);
    if (testCompareStrings("XPath string", "one", first) < 0)
        return -1;
    if (xmlUtilXPathNodeSet("./k", ctxt, NULL) != 2 ||
        !xmlUtilXPathBoolean("boolean(./empty)", ctxt) ||
        xmlUtilXPathULongLong("string(./@n)", ctxt, &ull) != 0 || ull != 42) {
        testFail("XPath helpers");
        return -1;
    }
    return 0;
}

static int
testWriter(const void *data G_GNUC_UNUSED)
{
    XmlWriter w;
    XmlWriter attrs;
    XmlWriter child;
    g_autofree char *out = NULL;

    xmlWriterInit(&w, 0);
    xmlWriterAddLit(&w, "<a>\n");
    xmlWriterAdjustIndent(&w, 2);
    xmlWriterEscape(&w, "<b v='%s'/>\n", "<&'\">\x01\t");
    xmlWriterEscape(&w, "<skip>%s</skip>\n", NULL);
    xmlWriterInit(&attrs, 0);
    xmlWriterInit(&child, w.indent + 2);
    xmlWriterElement(&w, "none", &attrs, &child);
    xmlWriterAdd(&attrs, " x='%d'", 1);
    xmlWriterElement(&w, "c", &attrs, &child);
    xmlWriterAddLit(&child, "<d/>\n");
    xmlWriterElement(&w, "e", NULL, &child);
    xmlWriterClear(&attrs);
    xmlWriterClear(&child);
    xmlWriterAdjustIndent(&w, -2);
    xmlWriterAddLit(&w, "</a>\n");
    out = xmlWriterSteal(&w);
    return testCompareStrings("writer output",
                              "<a>\n"
                              "  <b v='&lt;&amp;&apos;&quot;&gt;&#9;'/>\n"
                              "  <c x='1'/>\n"
                              "  <e>\n"
                              "    <d/>\n"
                              "  </e>\n"
                              "</a>\n", out);
}

static int
mainBody(void)
{
    int ret = 0;

    if (testRun("parse-errors", testParseErrors, NULL) < 0)
        ret = -1;
    if (testRun("no-external-entities", testNoExternalEntities, NULL) < 0)
        ret = -1;
    if (testRun("size-limit", testSizeLimit, NULL) < 0)
        ret = -1;
    if (testRun("accessors-and-xpath", testAccessors, NULL) < 0)
        ret = -1;
    if (testRun("writer", testWriter, NULL) < 0)
        ret = -1;
    return ret;
}

int
main(int argc, char **argv)
{
    return testMain(argc, argv, mainBody);
}
