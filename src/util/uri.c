/* URI parsing and formatting on top of libxml2's RFC 3986 parser. */
#include <string.h>
#include <libxml/uri.h>

#define ERR_DOMAIN VIR_FROM_URI
#include "util/error.h"
#include "util/str.h"
#include "util/uri.h"

/* Characters kept unescaped in a query parameter name or value. */
#define URI_PARAM_SAFE "-_.!~*'()"

/*
 * Decodes one component of a query ("a+b%20c" -> "a b c"): '+' stands
 * for a space, as in HTML form encoding, which is what libvirt clients
 * write in URIs such as "?socket=/run/x&no_verify=1".
 */
static char *
uriDecodeQueryPart(const char *s, size_t len)
{
    g_autofree char *tmp = g_strndup(s, len);
    char *p;
    char *ret = NULL;

    for (p = tmp; *p; p++) {
        if (*p == '+')
            *p = ' ';
    }
    ret = g_uri_unescape_string(tmp, NULL);
    /* Invalid escapes (already rejected by the parser) are kept verbatim. */
    if (!ret)
        ret = g_steal_pointer(&tmp);
    return ret;
}

static void
uriParseParams(ParsedUri *uri)
{
    const char *p = uri->query;
    GArray *params = NULL;

    if (!p || !*p)
        return;
    params = g_array_new(FALSE, TRUE, sizeof(UriParam));
    while (*p) {
        const char *end = strchr(p, '&');
        const char *eq = NULL;
        size_t len = end ? (size_t)(end - p) : strlen(p);
        UriParam param = { 0 };

        if (len > 0) {
            eq = memchr(p, '=', len);
            if (eq) {
                param.name = uriDecodeQueryPart(p, eq - p);
                param.value = uriDecodeQueryPart(eq + 1, len - (eq - p) - 1);
            } else {
                param.name = uriDecodeQueryPart(p, len);
                param.value = g_strdup("");
            }
            g_array_append_val(params, param);
        }
        p += len;
        if (*p == '&')
            p++;
    }
    uri->nparams = params->len;
    uri->params = (UriParam *)(void *)g_array_free(params, FALSE);
}

/**
 * uriParse:
 * @str: the URI text
 * @ret: where to store the parsed URI
 *
 * Parses @str as libvirt does (RFC 3986 through libxml2): the path and
 * fragment are unescaped, the query is kept raw and also split into
 * decoded name=value parameters; an IPv6 host loses its brackets and an
 * empty host becomes NULL.  A relative reference such as "bogus" parses
 * with scheme NULL: callers needing a scheme check it.
 *
 * Returns: 0 and a new URI in *@ret (caller frees with uriFree), or -1
 * with VIR_ERR_INTERNAL_ERROR when @str is not a URI.
 */
int
uriParse(const char *str, ParsedUri **ret)
{
    xmlURIPtr xuri = NULL;
    ParsedUri *uri = NULL;

    if (!str || !(xuri = xmlParseURI(str))) {
        reportError(VIR_ERR_INTERNAL_ERROR, _("Unable to parse URI %1$s"),
                    str ? str : "(null)");
        return -1;
    }

    uri = g_new0(ParsedUri, 1);
    uri->scheme = g_strdup(xuri->scheme);
    if (xuri->server && *xuri->server) {
        size_t len = strlen(xuri->server);

        if (xuri->server[0] == '[' && len >= 2 && xuri->server[len - 1] == ']')
            uri->server = g_strndup(xuri->server + 1, len - 2);
        else
            uri->server = g_strdup(xuri->server);
    }
    if (xuri->user && *xuri->user)
        uri->user = g_strdup(xuri->user);
    uri->port = xuri->port > 0 ? xuri->port : 0;
    /* An opaque URI ("test:default") has its text in ->opaque. */
    uri->path = g_strdup(xuri->path ? xuri->path : xuri->opaque);
    uri->query = g_strdup(xuri->query_raw);
    uri->fragment = g_strdup(xuri->fragment);
    xmlFreeURI(xuri);

    uriParseParams(uri);
    *ret = uri;
    return 0;
}

static void
uriAppendEscaped(GString *buf, const char *s, const char *allowed)
{
    g_autofree char *esc = g_uri_escape_string(s, allowed, FALSE);

    g_string_append(buf, esc);
}

static bool
uriHasIgnoredParams(const ParsedUri *uri)
{
    size_t i;

    for (i = 0; i < uri->nparams; i++) {
        if (uri->params[i].ignore)
            return true;
    }
    return false;
}

/**
 * uriFormatParams:
 * @uri: a parsed URI
 *
 * Builds a query string from the parameters of @uri that are not marked
 * ignore, each name and value escaped.
 *
 * Returns: the query without the leading '?' (caller frees); "" when no
 * parameter is left.
 */
char *
uriFormatParams(const ParsedUri *uri)
{
    GString *buf = g_string_new("");
    size_t i;

    for (i = 0; i < uri->nparams; i++) {
        const UriParam *param = &uri->params[i];

        if (param->ignore)
            continue;
        if (buf->len)
            g_string_append_c(buf, '&');
        uriAppendEscaped(buf, param->name, URI_PARAM_SAFE);
        g_string_append_c(buf, '=');
        uriAppendEscaped(buf, param->value, URI_PARAM_SAFE);
    }
    return g_string_free(buf, FALSE);
}

/**
 * uriFormat:
 * @uri: a parsed URI
 *
 * Formats @uri back to text: "scheme://[user@]host[:port]/path?query#frag".
 * The "//" authority marker is written whenever there is a host, user or
 * port or the path is absolute (so "test:///default" round-trips).  The
 * raw query is kept as written unless a driver marked parameters ignore,
 * in which case the query is rebuilt from the remaining parameters.
 *
 * Returns: the URI text (caller frees).
 */
char *
uriFormat(const ParsedUri *uri)
{
    GString *buf = g_string_new("");
    bool absPath = uri->path && uri->path[0] == '/';

    if (uri->scheme) {
        g_string_append(buf, uri->scheme);
        g_string_append_c(buf, ':');
    }
    if (uri->server || uri->user || uri->port > 0 || absPath) {
        g_string_append(buf, "//");
        if (uri->user) {
            uriAppendEscaped(buf, uri->user,
                             G_URI_RESERVED_CHARS_ALLOWED_IN_USERINFO);
            g_string_append_c(buf, '@');
        }
        if (uri->server) {
            if (strchr(uri->server, ':'))
                g_string_append_printf(buf, "[%s]", uri->server);
            else
                uriAppendEscaped(buf, uri->server,
                                 G_URI_RESERVED_CHARS_SUBCOMPONENT_DELIMITERS);
        }
        if (uri->port > 0)
            g_string_append_printf(buf, ":%d", uri->port);
    }
    if (uri->path)
        uriAppendEscaped(buf, uri->path, G_URI_RESERVED_CHARS_ALLOWED_IN_PATH);
    if (uriHasIgnoredParams(uri)) {
        g_autofree char *query = uriFormatParams(uri);

        if (*query)
            g_string_append_printf(buf, "?%s", query);
    } else if (uri->query) {
        g_string_append_printf(buf, "?%s", uri->query);
    }
    if (uri->fragment) {
        g_string_append_c(buf, '#');
        uriAppendEscaped(buf, uri->fragment,
                         G_URI_RESERVED_CHARS_ALLOWED_IN_PATH "?");
    }
    return g_string_free(buf, FALSE);
}

/**
 * uriGetParam:
 * @uri: a parsed URI
 * @name: parameter name
 *
 * Returns: the decoded value of the first parameter called @name, or
 * NULL if there is none.  Valid while @uri lives.
 */
const char *
uriGetParam(const ParsedUri *uri, const char *name)
{
    size_t i;

    for (i = 0; i < uri->nparams; i++) {
        if (streq(uri->params[i].name, name))
            return uri->params[i].value;
    }
    return NULL;
}

/**
 * uriSchemeDriver:
 * @uri: a parsed URI
 *
 * Returns: the driver part of the scheme ("qemu" for "qemu+unix"), or
 * NULL when there is no scheme.  Caller frees.
 */
char *
uriSchemeDriver(const ParsedUri *uri)
{
    const char *plus = NULL;

    if (!uri->scheme)
        return NULL;
    if ((plus = strchr(uri->scheme, '+')))
        return g_strndup(uri->scheme, plus - uri->scheme);
    return g_strdup(uri->scheme);
}

/**
 * uriSchemeTransport:
 * @uri: a parsed URI
 *
 * Returns: the transport part of the scheme ("unix" for "qemu+unix"), or
 * NULL when the scheme names none.  Caller frees.
 */
char *
uriSchemeTransport(const ParsedUri *uri)
{
    const char *plus = NULL;

    if (!uri->scheme || !(plus = strchr(uri->scheme, '+')))
        return NULL;
    return g_strdup(plus + 1);
}

/**
 * uriFree:
 * @uri: a parsed URI, or NULL
 *
 * Frees @uri and its parameters.
 */
void
uriFree(ParsedUri *uri)
{
    size_t i;

    if (!uri)
        return;
    for (i = 0; i < uri->nparams; i++) {
        g_free(uri->params[i].name);
        g_free(uri->params[i].value);
    }
    g_free(uri->params);
    g_free(uri->scheme);
    g_free(uri->server);
    g_free(uri->user);
    g_free(uri->path);
    g_free(uri->query);
    g_free(uri->fragment);
    g_free(uri);
}
