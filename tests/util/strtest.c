/* Tests for util/str: predicates and checked number parsers. */
#include <limits.h>

#include "testutils.h"
#include "util/str.h"

static int
testPredicates(const void *data G_GNUC_UNUSED)
{
    if (!streq("a", "a") || streq("a", "b") || streq(NULL, "a") || !streq(NULL, NULL) ||
        !strPrefix("domain", "dom") || strPrefix("do", "dom") || strPrefix(NULL, "a") ||
        !strCaseEq("KiB", "kib") || strCaseEq("KiB", "kb")) {
        testFail("streq/strPrefix/strCaseEq");
        return -1;
    }
    return 0;
}

static int
testNumbers(const void *data G_GNUC_UNUSED)
{
    int i = 0;
    unsigned int u = 0;
    int64_t ll = 0;
    uint64_t ull = 0;
    char *end = NULL;

    if (strParseInt("42", 10, &i) < 0 || i != 42 ||
        strParseInt("-42", 10, &i) < 0 || i != -42 ||
        strParseInt("0x10", 0, &i) < 0 || i != 16 ||
        strParseUInt("4294967295", 10, &u) < 0 || u != UINT_MAX ||
        strParseInt64("-9223372036854775808", 10, &ll) < 0 || ll != INT64_MIN ||
        strParseUInt64("18446744073709551615", 10, &ull) < 0 || ull != UINT64_MAX ||
        strParseUInt64Prefix("12KiB", 10, &ull, &end) < 0 || ull != 12 || !streq(end, "KiB")) {
        testFail("valid numbers refused or misread");
        return -1;
    }
    if (strParseInt("", 10, &i) == 0 || strParseInt(" 1", 10, &i) == 0 ||
        strParseInt("1 ", 10, &i) == 0 || strParseInt("2147483648", 10, &i) == 0 ||
        strParseUInt("-1", 10, &u) == 0 || strParseUInt("4294967296", 10, &u) == 0 ||
        strParseUInt64("-1", 10, &ull) == 0 ||
        strParseUInt64("18446744073709551616", 10, &ull) == 0 ||
        strParseInt64("12abc", 10, &ll) == 0 || strParseInt(NULL, 10, &i) == 0) {
        testFail("invalid numbers accepted");
        return -1;
    }
    return 0;
}

static int
mainBody(void)
{
    int ret = 0;

    if (testRun("predicates", testPredicates, NULL) < 0)
        ret = -1;
    if (testRun("numbers", testNumbers, NULL) < 0)
        ret = -1;
    return ret;
}

int
main(int argc, char **argv)
{
    return testMain(argc, argv, mainBody);
}
