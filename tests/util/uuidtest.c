/* Tests for util/uuid: parse forms libvirt accepts, format, generate. */
#include <string.h>

#include "testutils.h"
#include "util/uuid.h"

typedef struct {
    const char *text;
    const char *canonical;      /* NULL: must be refused */
} UuidCase;

static const UuidCase uuidCases[] = {
    { "c7a5fdbd-edaf-9455-926a-d65c16db1809", "c7a5fdbd-edaf-9455-926a-d65c16db1809" },
    { "C7A5FDBD-EDAF-9455-926A-D65C16DB1809", "c7a5fdbd-edaf-9455-926a-d65c16db1809" },
    { "c7a5fdbdedaf9455926ad65c16db1809", "c7a5fdbd-edaf-9455-926a-d65c16db1809" },
    { "c7a5-fdbd-edaf-9455-926a-d65c-16db-1809", "c7a5fdbd-edaf-9455-926a-d65c16db1809" },
    { "  c7a5fdbd-edaf-9455-926a-d65c16db1809\n", "c7a5fdbd-edaf-9455-926a-d65c16db1809" },
    { "00000000-0000-0000-0000-000000000000", "00000000-0000-0000-0000-000000000000" },
    { "c7a5fdbd-edaf-9455-926a-d65c16db180", NULL },
    { "c7a5fdbd-edaf-9455-926a-d65c16db18090", NULL },
    { "c7a5fdbd-edaf-9455-926a-d65c16db18g9", NULL },
    { "c7a5fdbd-edaf-9455-926a-d65c16db1809 x", NULL },
    { "c-7a5fdbd-edaf-9455-926a-d65c16db1809", NULL },
    { "", NULL },
    { "not a uuid", NULL },
};

static int
testParseFormat(const void *data)
{
    const UuidCase *c = data;
    unsigned char raw[VIR_UUID_BUFLEN];
    char buf[VIR_UUID_STRING_BUFLEN];
    int rc = uuidParse(c->text, raw);

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
    return testCompareStrings("formatted UUID", c->canonical, uuidFormat(raw, buf));
}

static int
testGenerate(const void *data G_GNUC_UNUSED)
{
    unsigned char a[VIR_UUID_BUFLEN];
    unsigned char b[VIR_UUID_BUFLEN];
    unsigned char back[VIR_UUID_BUFLEN];
    char buf[VIR_UUID_STRING_BUFLEN];

    if (uuidGenerate(a) < 0 || uuidGenerate(b) < 0) {
        testFail("uuidGenerate failed");
        return -1;
    }
    if (uuidEqual(a, b) || uuidIsNull(a)) {
        testFail("two generated UUIDs are equal or null");
        return -1;
    }
    if ((a[6] >> 4) != 4 || (a[8] & 0xC0) != 0x80) {
        testFail("generated UUID is not RFC 4122 version 4: %s", uuidFormat(a, buf));
        return -1;
    }
    if (uuidParse(uuidFormat(a, buf), back) < 0 || !uuidEqual(a, back)) {
        testFail("format/parse round trip failed for %s", buf);
        return -1;
    }
    if (uuidHash(a) == 0 && uuidHash(b) == 0) {
        testFail("uuidHash looks constant");
        return -1;
    }
    return 0;
}

static int
testIsNull(const void *data G_GNUC_UNUSED)
{
    unsigned char zero[VIR_UUID_BUFLEN] = { 0 };
    unsigned char one[VIR_UUID_BUFLEN] = { 0 };

    one[15] = 1;
    if (!uuidIsNull(zero) || uuidIsNull(one)) {
        testFail("uuidIsNull is wrong");
        return -1;
    }
    return 0;
}

static int
mainBody(void)
{
    int ret = 0;
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(uuidCases); i++) {
        g_autofree char *name = g_strdup_printf("parse '%s'", uuidCases[i].text);

        g_strdelimit(name, "\n", ' ');
        if (testRun(name, testParseFormat, &uuidCases[i]) < 0)
            ret = -1;
    }
    if (testRun("generate", testGenerate, NULL) < 0)
        ret = -1;
    if (testRun("is-null", testIsNull, NULL) < 0)
        ret = -1;
    return ret;
}

int
main(int argc, char **argv)
{
    return testMain(argc, argv, mainBody);
}
