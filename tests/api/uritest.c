/* URI parsing and formatting golden tests: tests/data/uri/<case>.uri -> <case>.out | <case>.err. */
#include <stdio.h>
#include <string.h>

#include <libvirt/virterror.h>

#include "util/error.h"
#include "util/uri.h"

/*
 * Each case file holds one URI on one line.  A parsable URI is dumped
 * field by field (plus its formatted form and its driver/transport
 * split) into <case>.out; a failure gives "<code> <domain> <message>" in
 * <case>.err.  TEST_REGENERATE=1 rewrites the expected files.
 */

static const char *dataDir;

static char *
uriDump(const char *input)
{
    g_autoptr(ParsedUri) uri = NULL;
    GString *out = g_string_new("");
    g_autofree char *formatted = NULL;
    g_autofree char *drv = NULL;
    g_autofree char *transport = NULL;
    size_t i;

    if (uriParse(input, &uri) < 0) {
        virErrorPtr err = errorGetSlot();

        g_string_append_printf(out, "%d %d %s\n", err->code, err->domain,
                               err->message);
        errorReset();
        return g_string_free(out, FALSE);
    }
#define FIELD(name, value) \
    g_string_append_printf(out, "%s: %s\n", name, (value) ? (value) : "(null)")
    FIELD("scheme", uri->scheme);
    FIELD("user", uri->user);
    FIELD("server", uri->server);
    g_string_append_printf(out, "port: %d\n", uri->port);
    FIELD("path", uri->path);
    FIELD("query", uri->query);
    FIELD("fragment", uri->fragment);
    for (i = 0; i < uri->nparams; i++)
        g_string_append_printf(out, "param: [%s]=[%s]\n", uri->params[i].name,
                               uri->params[i].value);
    drv = uriSchemeDriver(uri);
    transport = uriSchemeTransport(uri);
    FIELD("driver", drv);
    FIELD("transport", transport);
    formatted = uriFormat(uri);
    FIELD("format", formatted);
    /* Formatting is stable: the formatted URI parses to itself. */
    {
        g_autoptr(ParsedUri) again = NULL;
        g_autofree char *twice = NULL;

        if (uriParse(formatted, &again) < 0) {
            g_string_append(out, "reparse: FAILED\n");
        } else {
            twice = uriFormat(again);
            if (!g_str_equal(twice, formatted))
                g_string_append_printf(out, "reparse: %s\n", twice);
        }
    }
    if (uri->nparams > 0) {
        g_autofree char *query = NULL;

        uri->params[0].ignore = true;
        query = uriFormatParams(uri);
        FIELD("params-without-first", query);
        g_free(formatted);
        formatted = uriFormat(uri);
        FIELD("format-without-first", formatted);
    }
#undef FIELD
    return g_string_free(out, FALSE);
}

static void
uriTestCase(gconstpointer data)
{
    const char *name = data;
    g_autofree char *inPath = g_strdup_printf("%s/%s.uri", dataDir, name);
    g_autofree char *outPath = g_strdup_printf("%s/%s.out", dataDir, name);
    g_autofree char *errPath = g_strdup_printf("%s/%s.err", dataDir, name);
    g_autofree char *input = NULL;
    g_autofree char *actual = NULL;
    g_autofree char *expected = NULL;
    const char *expectPath = NULL;
    g_autoptr(GError) error = NULL;

    if (!g_file_get_contents(inPath, &input, NULL, &error))
        g_error("%s", error->message);
    g_strchomp(input);
    actual = uriDump(input);
    expectPath = g_str_has_prefix(actual, "scheme:") ? outPath : errPath;

    if (g_getenv("TEST_REGENERATE")) {
        if (!g_file_set_contents(expectPath, actual, -1, &error))
            g_error("%s", error->message);
        return;
    }
    if (!g_file_get_contents(expectPath, &expected, NULL, &error))
        g_error("%s: %s\nactual:\n%s", name, error->message, actual);
    if (!g_str_equal(expected, actual))
        g_error("%s: '%s'\nexpected (%s):\n%sactual:\n%s", name, input,
                expectPath, expected, actual);
}

int
main(int argc, char **argv)
{
    g_autoptr(GDir) dir = NULL;
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *entry = NULL;
    guint i;

    g_test_init(&argc, &argv, NULL);
    if (argc < 2) {
        g_printerr("usage: %s DATADIR\n", argv[0]);
        return 1;
    }
    dataDir = argv[1];
    if (!(dir = g_dir_open(dataDir, 0, NULL))) {
        g_printerr("cannot open %s\n", dataDir);
        return 1;
    }
    while ((entry = g_dir_read_name(dir))) {
        if (g_str_has_suffix(entry, ".uri"))
            g_ptr_array_add(names, g_strndup(entry, strlen(entry) - 4));
    }
    g_ptr_array_sort(names, (GCompareFunc)(void (*)(void))g_strcmp0);
    for (i = 0; i < names->len; i++) {
        g_autofree char *path = g_strdup_printf("/uri/%s",
                                                (char *)names->pdata[i]);

        g_test_add_data_func(path, names->pdata[i], uriTestCase);
    }
    return g_test_run();
}
