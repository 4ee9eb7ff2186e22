/* Tests for util/mac: parse, format, generate, multicast. */
#include "testutils.h"
#include "util/mac.h"

typedef struct {
    const char *text;
    const char *canonical;      /* NULL: must be refused */
} MacCase;

static const MacCase macCases[] = {
    { "52:54:00:11:22:33", "52:54:00:11:22:33" },
    { "52:54:00:AB:cd:Ef", "52:54:00:ab:cd:ef" },
    { "52:54:0:1:2:3", "52:54:00:01:02:03" },
    { "00:00:00:00:00:00", "00:00:00:00:00:00" },
    { "ff:ff:ff:ff:ff:ff", "ff:ff:ff:ff:ff:ff" },
    { "52:54:00:11:22", NULL },
    { "52:54:00:11:22:33:44", NULL },
    { "52-54-00-11-22-33", NULL },
    { "52:54:00:zz:22:33", NULL },
    { "52:54:00:123:22:33", NULL },
    { "52:54:00:11:22:33 ", NULL },
    { "52:54:00::22:33", NULL },
    { "", NULL },
};

static int
testParseFormat(const void *data)
{
    const MacCase *c = data;
    MacAddr mac;
    char buf[MAC_STRING_BUFLEN];
    int rc = macParse(c->text, &mac);

    if (!c->canonical) {
        if (rc == 0) {
            testFail("'%s' was accepted", c->text);
            return -1;
        }
        return 0;
    }
    if (rc < 0) {
        testFail("'%s' was refused", c->text);
        return -1;
    }
    return testCompareStrings("formatted MAC", c->canonical, macFormat(&mac, buf));
}

static int
testGenerate(const void *data G_GNUC_UNUSED)
{
    static const unsigned char prefix[3] = MAC_PREFIX_QEMU;
    MacAddr a;
    MacAddr b;
    MacAddr mcast;
    char buf[MAC_STRING_BUFLEN];

    if (macGenerate(prefix, &a) < 0 || macGenerate(prefix, &b) < 0) {
        testFail("macGenerate failed");
        return -1;
    }
    if (!g_str_has_prefix(macFormat(&a, buf), "52:54:00:")) {
        testFail("generated MAC %s lacks the prefix", buf);
        return -1;
    }
    if (macEqual(&a, &b) || !macIsUnicast(&a)) {
        testFail("generated MACs must be distinct and unicast");
        return -1;
    }
    if (macParse("01:00:5e:00:00:01", &mcast) < 0 || !macIsMulticast(&mcast)) {
        testFail("01:00:5e:00:00:01 must be multicast");
        return -1;
    }
    return 0;
}

static int
mainBody(void)
{
    int ret = 0;
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(macCases); i++) {
        g_autofree char *name = g_strdup_printf("parse '%s'", macCases[i].text);

        if (testRun(name, testParseFormat, &macCases[i]) < 0)
            ret = -1;
    }
    if (testRun("generate", testGenerate, NULL) < 0)
        ret = -1;
    return ret;
}

int
main(int argc, char **argv)
{
    return testMain(argc, argv, mainBody);
}
