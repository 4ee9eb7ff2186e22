/* Tests for util/units (scaled sizes) and util/bitmap (CPU sets). */
#include <string.h>

#include "testutils.h"
#include "util/bitmap.h"
#include "util/error.h"
#include "util/units.h"

typedef struct {
    unsigned long long value;
    const char *suffix;
    unsigned long long expect;  /* bytes; 0 = must fail */
    int code;                   /* expected error when failing */
} ScaleCase;

static const ScaleCase scaleCases[] = {
    { 3, NULL, 3072, 0 },
    { 3, "", 3072, 0 },
    { 3, "b", 3, 0 },
    { 3, "bytes", 3, 0 },
    { 3, "KB", 3000, 0 },
    { 3, "k", 3072, 0 },
    { 3, "K", 3072, 0 },
    { 3, "KiB", 3072, 0 },
    { 3, "kib", 3072, 0 },
    { 3, "MB", 3000000ULL, 0 },
    { 3, "M", 3145728ULL, 0 },
    { 3, "MiB", 3145728ULL, 0 },
    { 3, "GB", 3000000000ULL, 0 },
    { 3, "G", 3221225472ULL, 0 },
    { 3, "GiB", 3221225472ULL, 0 },
    { 3, "TB", 3000000000000ULL, 0 },
    { 3, "T", 3298534883328ULL, 0 },
    { 3, "TiB", 3298534883328ULL, 0 },
    { 3, "PB", 3000000000000000ULL, 0 },
    { 3, "P", 3377699720527872ULL, 0 },
    { 3, "PiB", 3377699720527872ULL, 0 },
    { 3, "EB", 3000000000000000000ULL, 0 },
    { 3, "E", 3458764513820540928ULL, 0 },
    { 3, "EiB", 3458764513820540928ULL, 0 },
    { 1, "xyz", 0, VIR_ERR_INVALID_ARG },
    { 1, "KiBB", 0, VIR_ERR_INVALID_ARG },
    { 1, "iB", 0, VIR_ERR_INVALID_ARG },
    { 16, "EiB", 0, VIR_ERR_OVERFLOW },
    { 9007199254740992ULL, "KiB", 0, VIR_ERR_OVERFLOW },
};

static int
testScale(const void *data)
{
    const ScaleCase *c = data;
    uint64_t v = c->value;
    int rc = unitsScale(&v, c->suffix, 1024, G_MAXINT64);

    if (c->expect == 0) {
        if (rc == 0) {
            testFail("accepted, gave %llu", (unsigned long long)v);
            return -1;
        }
        if (errorGetCode() != c->code) {
            testFail("expected %s, got %s", testErrorCodeName(c->code),
                     testErrorCodeName(errorGetCode()));
            return -1;
        }
        errorReset();
        return 0;
    }
    if (rc < 0 || v != c->expect) {
        testFail("expected %llu, got rc %d value %llu", c->expect, rc, (unsigned long long)v);
        return -1;
    }
    return 0;
}

typedef struct {
    const char *text;
    const char *formatted;      /* NULL: must be refused */
} BitmapCase;

static const BitmapCase bitmapCases[] = {
    { "0", "0" },
    { "1-4,^3,6", "1-2,4,6" },
    { "0-3,8-11,^9,  12", "0-3,8,10-12" },
    { " 5 , 7 ", "5,7" },
    { "3,2,1", "1-3" },
    { "16383", "16383" },
    { "^1", "" },
    { "16384", NULL },
    { "3-1", NULL },
    { "0,,1", NULL },
    { "", NULL },
    { "a-b", NULL },
    { "1-", NULL },
    { "-1", NULL },
    { "^1-2", NULL },
};

static int
testBitmap(const void *data)
{
    const BitmapCase *c = data;
    g_autoptr(Bitmap) map = NULL;
    g_autofree char *out = NULL;
    int rc = bitmapParse(c->text, 16384, &map);

    if (!c->formatted) {
        if (rc == 0) {
            testFail("'%s' was accepted", c->text);
            return -1;
        }
        if (errorGetCode() != VIR_ERR_INVALID_ARG) {
            testFail("expected VIR_ERR_INVALID_ARG");
            return -1;
        }
        errorReset();
        return 0;
    }
    if (rc < 0) {
        testFail("'%s' was refused", c->text);
        return -1;
    }
    out = bitmapFormat(map);
    return testCompareStrings("formatted bitmap", c->formatted, out);
}

static int
testBitmapOps(const void *data G_GNUC_UNUSED)
{
    g_autoptr(Bitmap) a = bitmapNew(200);
    g_autoptr(Bitmap) b = NULL;

    bitmapSetBit(a, 0);
    bitmapSetBit(a, 63);
    bitmapSetBit(a, 64);
    bitmapSetBit(a, 199);
    if (bitmapSetBit(a, 200) == 0 || bitmapCount(a) != 4 || !bitmapIsSet(a, 64) ||
        bitmapNextSet(a, 0) != 63 || bitmapNextSet(a, 64) != 199 || bitmapNextSet(a, 199) != -1) {
        testFail("bit operations");
        return -1;
    }
    b = bitmapCopy(a);
    if (!bitmapEqual(a, b))
        return -1;
    bitmapClearBit(b, 199);
    if (bitmapEqual(a, b) || bitmapIsEmpty(b))
        return -1;
    return 0;
}

static int
mainBody(void)
{
    int ret = 0;
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(scaleCases); i++) {
        const char *suffix = scaleCases[i].suffix ? scaleCases[i].suffix : "(none)";
        g_autofree char *name = g_strdup_printf("scale %llu%s", scaleCases[i].value, suffix);

        if (testRun(name, testScale, &scaleCases[i]) < 0)
            ret = -1;
    }
    for (i = 0; i < G_N_ELEMENTS(bitmapCases); i++) {
        g_autofree char *name = g_strdup_printf("bitmap '%s'", bitmapCases[i].text);

        if (testRun(name, testBitmap, &bitmapCases[i]) < 0)
            ret = -1;
    }
    if (testRun("bitmap-operations", testBitmapOps, NULL) < 0)
        ret = -1;
    return ret;
}

int
main(int argc, char **argv)
{
    return testMain(argc, argv, mainBody);
}
