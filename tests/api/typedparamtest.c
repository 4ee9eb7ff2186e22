/* virTypedParams*: growth, typed getters, type mismatches, name limits, freeing. */
#include <string.h>

#include "mockdriver.h"

static int handlerCalls;

static void
handler(void *userData, virErrorPtr err)
{
    handlerCalls++;
}

static void
testAddGet(void)
{
    virTypedParameterPtr params = NULL;
    int n = 0;
    int max = 0;
    int i = 0;
    unsigned int ui = 0;
    long long l = 0;
    unsigned long long ul = 0;
    double d = 0;
    const char *s = NULL;
    /* libvirt's growth: max(max + max / 2, n + 1). */
    static const int expectMax[] = { 1, 2, 3, 4, 6, 6, 9, 9, 9, 13 };

    for (i = 0; i < 10; i++) {
        g_autofree char *name = g_strdup_printf("p%d", i);

        g_assert_cmpint(virTypedParamsAddInt(&params, &n, &max, name, i), ==, 0);
        g_assert_cmpint(n, ==, i + 1);
        g_assert_cmpint(max, ==, expectMax[i]);
    }
    virTypedParamsFree(params, n);

    params = NULL;
    n = max = 0;
    g_assert_cmpint(virTypedParamsAddInt(&params, &n, &max, "i", -5), ==, 0);
    g_assert_cmpint(virTypedParamsAddInt(&params, &n, &max, "i", 6), ==, 0);
    g_assert_cmpint(virTypedParamsAddUInt(&params, &n, &max, "ui", 5), ==, 0);
    g_assert_cmpint(virTypedParamsAddLLong(&params, &n, &max, "l", -(1LL << 40)), ==, 0);
    g_assert_cmpint(virTypedParamsAddULLong(&params, &n, &max, "ul", 1ULL << 63), ==, 0);
    g_assert_cmpint(virTypedParamsAddDouble(&params, &n, &max, "d", 1.5), ==, 0);
    g_assert_cmpint(virTypedParamsAddBoolean(&params, &n, &max, "b", 7), ==, 0);
    g_assert_cmpint(virTypedParamsAddString(&params, &n, &max, "s", "str"), ==, 0);
    g_assert_cmpint(n, ==, 8);
    g_assert_cmpint(params[6].value.b, ==, 1);

    /* Duplicates are appended; lookups find the first. */
    g_assert_cmpint(virTypedParamsGetInt(params, n, "i", &i), ==, 1);
    g_assert_cmpint(i, ==, -5);
    g_assert_cmpint(virTypedParamsGetUInt(params, n, "ui", &ui), ==, 1);
    g_assert_cmpuint(ui, ==, 5);
    g_assert_cmpint(virTypedParamsGetLLong(params, n, "l", &l), ==, 1);
    g_assert_cmpint(l, ==, -(1LL << 40));
    g_assert_cmpint(virTypedParamsGetULLong(params, n, "ul", &ul), ==, 1);
    g_assert_cmpuint(ul, ==, 1ULL << 63);
    g_assert_cmpint(virTypedParamsGetDouble(params, n, "d", &d), ==, 1);
    g_assert_cmpfloat(d, ==, 1.5);
    g_assert_cmpint(virTypedParamsGetBoolean(params, n, "b", &i), ==, 1);
    g_assert_cmpint(i, ==, 1);
    g_assert_cmpint(virTypedParamsGetString(params, n, "s", &s), ==, 1);
    g_assert_cmpstr(s, ==, "str");
    g_assert_true(virTypedParamsGet(params, n, "d") == &params[5]);

    /* Absent: 0, nothing written, no error. */
    i = 77;
    g_assert_cmpint(virTypedParamsGetInt(params, n, "zz", &i), ==, 0);
    g_assert_cmpint(i, ==, 77);
    g_assert_null(virGetLastError());
    g_assert_cmpint(virTypedParamsGetInt(params, n, NULL, &i), ==, 0);
    g_assert_cmpint(virTypedParamsGetInt(NULL, 3, "i", &i), ==, 0);
    g_assert_null(virTypedParamsGet(params, n, "zz"));
    g_assert_null(virTypedParamsGet(NULL, 0, "i"));
    /* A NULL value pointer only reports presence. */
    g_assert_cmpint(virTypedParamsGetInt(params, n, "i", NULL), ==, 1);

    virTypedParamsClear(params, n);
    g_assert_cmpint(params[7].type, ==, 0);
    virTypedParamsFree(params, n);
    virTypedParamsFree(NULL, 0);
    virTypedParamsClear(NULL, 3);
}

static void
testErrors(void)
{
    virTypedParameterPtr params = NULL;
    int n = 0;
    int max = 0;
    int i = 0;
    const char *s = NULL;
    virErrorPtr err = NULL;
    char name[100];

    virSetErrorFunc(NULL, handler);
    g_assert_cmpint(virTypedParamsAddUInt(&params, &n, &max, "u", 1), ==, 0);
    g_assert_cmpint(virTypedParamsAddString(&params, &n, &max, "s", "x"), ==, 0);

    handlerCalls = 0;
    g_assert_cmpint(virTypedParamsGetInt(params, n, "u", &i), ==, -1);
    err = virGetLastError();
    g_assert_nonnull(err);
    g_assert_cmpint(err->code, ==, VIR_ERR_INVALID_ARG);
    g_assert_cmpint(err->domain, ==, VIR_FROM_NONE);
    g_assert_cmpstr(err->message, ==,
                    "invalid argument: Invalid type 'int' requested for parameter 'u', actual type is 'uint'");
    g_assert_cmpint(handlerCalls, ==, 1);
    /* virTypedParamsGet leaves the last error alone; the getters reset it. */
    g_assert_nonnull(virTypedParamsGet(params, n, "u"));
    g_assert_nonnull(virGetLastError());
    g_assert_cmpint(virTypedParamsGetString(params, n, "u", &s), ==, -1);
    g_assert_cmpstr(virGetLastErrorMessage(), ==,
                    "invalid argument: Invalid type 'string' requested for parameter 'u', actual type is 'uint'");
    g_assert_cmpint(virTypedParamsGetString(params, n, "s", &s), ==, 1);
    g_assert_null(virGetLastError());

    memset(name, 'x', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    name[VIR_TYPED_PARAM_FIELD_LENGTH] = '\0';
    g_assert_cmpint(virTypedParamsAddInt(&params, &n, &max, name, 1), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_INTERNAL_ERROR);
    g_assert_true(g_str_has_prefix(virGetLastErrorMessage(),
                                   "internal error: Field name 'xxxx"));
    g_assert_true(g_str_has_suffix(virGetLastErrorMessage(), "' too long"));
    g_assert_cmpint(n, ==, 2);
    name[VIR_TYPED_PARAM_FIELD_LENGTH - 1] = '\0';
    g_assert_cmpint(virTypedParamsAddInt(&params, &n, &max, name, 1), ==, 0);
    g_assert_nonnull(virTypedParamsGet(params, n, name));

    g_assert_cmpint(virTypedParamsAddInt(&params, &n, &max, NULL, 1), ==, -1);
    g_assert_cmpstr(virGetLastErrorMessage(), ==,
                    "name in virTypedParamsAddInt must not be NULL");
    virTypedParamsFree(params, n);
    virSetErrorFunc(NULL, NULL);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    mockDriverRegister();
    g_test_add_func("/typedparams/add-get", testAddGet);
    g_test_add_func("/typedparams/errors", testErrors);
    return g_test_run();
}
