/* virtkitd.conf: libvirtd.conf's "key = value" syntax, parsed and checked into settings. */
#include <errno.h>
#include <string.h>

#define ERR_DOMAIN VIR_FROM_CONF

#include "daemon_config.h"
#include "util/error.h"
#include "util/log.h"
#include "util/str.h"
#include "util/uuid.h"

LOG_INIT("daemon.config");

/* Largest configuration file read. */
#define DAEMON_CONFIG_MAX_SIZE (1024 * 1024)

/*
 * The syntax, as libvirtd.conf's:
 *
 *   # comment to the end of the line
 *   name = "string"          (or 'string', or """string over lines""")
 *   name = 42                (decimal, may be negative)
 *   name = [ "a", "b", ]     (a list; may span lines; trailing comma allowed)
 *
 * One setting per line (a ';' may end it too); names are letters, digits,
 * '_', '.' and '-', not starting with a digit.  A later setting of a name
 * replaces an earlier one.  Unknown names are reported and ignored.
 */

typedef enum {
    DAEMON_CONF_INT,
    DAEMON_CONF_STRING,
    DAEMON_CONF_LIST,
} DaemonConfType;

typedef struct _DaemonConfValue DaemonConfValue;
struct _DaemonConfValue {
    DaemonConfType type;
    long long i;
    char *s;
    GPtrArray *list; /* DaemonConfValue * */
};

static void
daemonConfValueFree(DaemonConfValue *v)
{
    if (!v)
        return;
    g_free(v->s);
    if (v->list)
        g_ptr_array_unref(v->list);
    g_free(v);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DaemonConfValue, daemonConfValueFree);

typedef struct {
    const char *name; /* file name, for messages */
    const char *p;
    const char *end;
    int line;
} DaemonConfParser;

#define daemonConfError(parser, ...)                                                               \
    daemonConfReport((parser)->name, (parser)->line, VIR_ERR_CONF_SYNTAX, __VA_ARGS__)

static void G_GNUC_PRINTF(4, 5)
    daemonConfReport(const char *name, int line, int code, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    reportError(code, "%s:%d: %s", name, line, msg);
}

/* Skips spaces and tabs, then a comment up to (not including) the newline. */
static void
daemonConfSkipBlanks(DaemonConfParser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\r'))
        ps->p++;
    if (ps->p < ps->end && *ps->p == '#') {
        while (ps->p < ps->end && *ps->p != '\n')
            ps->p++;
    }
}

/* Skips blanks, comments and newlines (inside lists, between settings). */
static void
daemonConfSkipSpace(DaemonConfParser *ps)
{
    for (;;) {
        daemonConfSkipBlanks(ps);
        if (ps->p < ps->end && *ps->p == '\n') {
            ps->line++;
            ps->p++;
            continue;
        }
        return;
    }
}

static bool
daemonConfIsNameChar(char c, bool first)
{
    if (g_ascii_isalpha(c) || c == '_')
        return true;
    return !first && (g_ascii_isdigit(c) || c == '.' || c == '-');
}

static char *
daemonConfParseName(DaemonConfParser *ps)
{
    const char *start = ps->p;

    if (ps->p >= ps->end || !daemonConfIsNameChar(*ps->p, true)) {
        daemonConfError(ps, "%s", _("expecting a setting name"));
        return NULL;
    }
    while (ps->p < ps->end && daemonConfIsNameChar(*ps->p, false))
        ps->p++;
    return g_strndup(start, ps->p - start);
}

static DaemonConfValue *
daemonConfParseString(DaemonConfParser *ps)
{
    g_autoptr(DaemonConfValue) v = g_new0(DaemonConfValue, 1);
    char quote = *ps->p;
    const char *start;

    v->type = DAEMON_CONF_STRING;
    if (quote == '"' && ps->end - ps->p >= 3 && strncmp(ps->p, "\"\"\"", 3) == 0) {
        ps->p += 3;
        start = ps->p;
        while (ps->end - ps->p >= 3 && strncmp(ps->p, "\"\"\"", 3) != 0) {
            if (*ps->p == '\n')
                ps->line++;
            ps->p++;
        }
        if (ps->end - ps->p < 3) {
            daemonConfError(ps, "%s", _("unterminated string"));
            return NULL;
        }
        v->s = g_strndup(start, ps->p - start);
        ps->p += 3;
        return g_steal_pointer(&v);
    }

    start = ++ps->p;
    while (ps->p < ps->end && *ps->p != quote && *ps->p != '\n')
        ps->p++;
    if (ps->p >= ps->end || *ps->p != quote) {
        daemonConfError(ps, "%s", _("unterminated string"));
        return NULL;
    }
    v->s = g_strndup(start, ps->p - start);
    ps->p++;
    return g_steal_pointer(&v);
}

static DaemonConfValue *
daemonConfParseInt(DaemonConfParser *ps)
{
    g_autoptr(DaemonConfValue) v = g_new0(DaemonConfValue, 1);
    const char *start = ps->p;
    g_autofree char *text = NULL;
    int64_t n;

    if (*ps->p == '-' || *ps->p == '+')
        ps->p++;
    while (ps->p < ps->end && g_ascii_isdigit(*ps->p))
        ps->p++;
    text = g_strndup(start, ps->p - start);
    if (strParseInt64(text, 10, &n) < 0) {
        daemonConfError(ps, _("invalid number '%1$s'"), text);
        return NULL;
    }
    v->type = DAEMON_CONF_INT;
    v->i = n;
    return g_steal_pointer(&v);
}

static DaemonConfValue *daemonConfParseValue(DaemonConfParser *ps, bool inList);

static DaemonConfValue *
daemonConfParseList(DaemonConfParser *ps)
{
    g_autoptr(DaemonConfValue) v = g_new0(DaemonConfValue, 1);

    v->type = DAEMON_CONF_LIST;
    v->list = g_ptr_array_new_with_free_func((GDestroyNotify)daemonConfValueFree);
    ps->p++; /* '[' */
    for (;;) {
        DaemonConfValue *item = NULL;

        daemonConfSkipSpace(ps);
        if (ps->p >= ps->end) {
            daemonConfError(ps, "%s", _("unterminated list"));
            return NULL;
        }
        if (*ps->p == ']') {
            ps->p++;
            return g_steal_pointer(&v);
        }
        if (!(item = daemonConfParseValue(ps, true)))
            return NULL;
        g_ptr_array_add(v->list, item);
        daemonConfSkipSpace(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == ']')
            continue;
        daemonConfError(ps, "%s", _("expecting ',' or ']' in a list"));
        return NULL;
    }
}

static DaemonConfValue *
daemonConfParseValue(DaemonConfParser *ps, bool inList)
{
    if (ps->p >= ps->end || *ps->p == '\n') {
        daemonConfError(ps, "%s", _("expecting a value"));
        return NULL;
    }
    if (*ps->p == '"' || *ps->p == '\'')
        return daemonConfParseString(ps);
    if (*ps->p == '-' || *ps->p == '+' || g_ascii_isdigit(*ps->p))
        return daemonConfParseInt(ps);
    if (*ps->p == '[') {
        if (inList) {
            daemonConfError(ps, "%s", _("lists cannot contain lists"));
            return NULL;
        }
        return daemonConfParseList(ps);
    }
    daemonConfError(ps, "%s", _("expecting a value: a string, a number or a list"));
    return NULL;
}

/* --- settings -------------------------------------------------------------------- */

static int
daemonConfWantInt(const char *file, int line, const char *key, const DaemonConfValue *v,
                  long long min, long long max, long long *ret)
{
    if (v->type != DAEMON_CONF_INT) {
        daemonConfReport(file, line, VIR_ERR_CONF_SYNTAX, _("setting '%1$s' must be a number"),
                         key);
        return -1;
    }
    if (v->i < min || v->i > max) {
        daemonConfReport(file, line, VIR_ERR_CONF_SYNTAX,
                         _("setting '%1$s' = %2$lld is out of range [%3$lld, %4$lld]"), key, v->i,
                         min, max);
        return -1;
    }
    *ret = v->i;
    return 0;
}

static int
daemonConfWantString(const char *file, int line, const char *key, const DaemonConfValue *v,
                     char **ret)
{
    if (v->type != DAEMON_CONF_STRING) {
        daemonConfReport(file, line, VIR_ERR_CONF_SYNTAX, _("setting '%1$s' must be a string"),
                         key);
        return -1;
    }
    g_free(*ret);
    *ret = g_strdup(v->s);
    return 0;
}

static int
daemonConfWantUInt(const char *file, int line, const char *key, const DaemonConfValue *v,
                   unsigned int min, unsigned int *ret)
{
    long long n;

    if (daemonConfWantInt(file, line, key, v, min, G_MAXINT, &n) < 0)
        return -1;
    *ret = (unsigned int)n;
    return 0;
}

static int
daemonConfWantPerms(const char *file, int line, const char *key, const DaemonConfValue *v,
                    mode_t *ret)
{
    g_autofree char *s = NULL;
    unsigned int mode;

    if (daemonConfWantString(file, line, key, v, &s) < 0)
        return -1;
    if (strParseUInt(s, 8, &mode) < 0 || mode > 07777) {
        daemonConfReport(file, line, VIR_ERR_CONF_SYNTAX,
                         _("setting '%1$s' = '%2$s' is not an octal file mode"), key, s);
        return -1;
    }
    *ret = mode;
    return 0;
}

static int
daemonConfWantPort(const char *file, int line, const char *key, const DaemonConfValue *v,
                   char **ret)
{
    unsigned int port;

    if (daemonConfWantString(file, line, key, v, ret) < 0)
        return -1;
    if (strParseUInt(*ret, 10, &port) < 0 || port == 0 || port > 65535) {
        daemonConfReport(file, line, VIR_ERR_CONF_SYNTAX,
                         _("setting '%1$s' = '%2$s' is not a port number"), key, *ret);
        return -1;
    }
    return 0;
}

/* A setting whose feature virtkitd lacks: refused when it asks for more than we do. */
static int
daemonConfUnsupported(const char *file, int line, const char *key, const char *what)
{
    daemonConfReport(file, line, VIR_ERR_CONFIG_UNSUPPORTED,
                     _("setting '%1$s': %2$s is not supported yet"), key, what);
    return -1;
}

/* The TCP and TLS settings, by libvirtd.conf's names.  Returns 0, or -1 with an error. */
static int
daemonConfApplyNet(DaemonConfig *cfg, const char *file, int line, const char *key,
                   const DaemonConfValue *v)
{
    long long n;
    g_autofree char *s = NULL;

    if (streq(key, "listen_tls") || streq(key, "listen_tcp") ||
        streq(key, "tls_no_verify_certificate") || streq(key, "tls_no_sanity_certificate")) {
        if (daemonConfWantInt(file, line, key, v, 0, 1, &n) < 0)
            return -1;
        if (streq(key, "listen_tls"))
            cfg->listenTLS = n;
        else if (streq(key, "listen_tcp")) {
            cfg->listenTCP = n;
            cfg->listenTCPLine = line;
        }
        else if (streq(key, "tls_no_verify_certificate"))
            cfg->tlsNoVerifyCertificate = n;
        /* tls_no_sanity_certificate: we make no extra checks of our own certificate. */
        return 0;
    }
    if (streq(key, "listen_addr"))
        return daemonConfWantString(file, line, key, v, &cfg->listenAddr);
    if (streq(key, "auth_tcp")) {
        if (daemonConfWantString(file, line, key, v, &s) < 0)
            return -1;
        if (!streq(s, "none") && !streq(s, "sasl"))
            return daemonConfUnsupported(file, line, key, _("authentication other than 'none'"));
        g_free(cfg->authTCP);
        cfg->authTCP = g_steal_pointer(&s);
        return 0;
    }
    if (streq(key, "auth_tls")) {
        if (daemonConfWantString(file, line, key, v, &s) < 0)
            return -1;
        if (!streq(s, "none"))
            return daemonConfUnsupported(file, line, key, _("authentication other than 'none'"));
        return 0;
    }
    if (streq(key, "key_file"))
        return daemonConfWantString(file, line, key, v, &cfg->keyFile);
    if (streq(key, "cert_file"))
        return daemonConfWantString(file, line, key, v, &cfg->certFile);
    if (streq(key, "ca_file"))
        return daemonConfWantString(file, line, key, v, &cfg->caFile);
    if (streq(key, "crl_file"))
        return daemonConfWantString(file, line, key, v, &cfg->crlFile);
    if (streq(key, "tls_priority"))
        return daemonConfWantString(file, line, key, v, &cfg->tlsPriority);
    if (streq(key, "tls_allowed_dn_list")) {
        GPtrArray *names = NULL;
        size_t i;

        if (v->type != DAEMON_CONF_LIST) {
            daemonConfReport(file, line, VIR_ERR_CONF_SYNTAX,
                             _("setting '%1$s' must be a list of strings"), key);
            return -1;
        }
        names = g_ptr_array_new_with_free_func(g_free);
        for (i = 0; i < v->list->len; i++) {
            const DaemonConfValue *item = g_ptr_array_index(v->list, i);

            if (item->type != DAEMON_CONF_STRING) {
                g_ptr_array_free(names, TRUE);
                daemonConfReport(file, line, VIR_ERR_CONF_SYNTAX,
                                 _("setting '%1$s' must be a list of strings"), key);
                return -1;
            }
            g_ptr_array_add(names, g_strdup(item->s));
        }
        g_ptr_array_add(names, NULL);
        g_strfreev(cfg->tlsAllowedDNs);
        cfg->tlsAllowedDNs = (char **)g_ptr_array_free(names, FALSE);
        return 0;
    }
    LOG_WARN("%s:%d: unknown setting '%s', ignoring", file, line, key);
    return 0;
}

static int
daemonConfApply(DaemonConfig *cfg, const char *file, int line, const char *key,
                const DaemonConfValue *v)
{
    long long n;
    g_autofree char *s = NULL;
    unsigned char uuid[VIR_UUID_BUFLEN];

    if (streq(key, "listen_tls") || streq(key, "listen_tcp") ||
        (strPrefix(key, "tls_") && !streq(key, "tls_port")) || strPrefix(key, "auth_t") || streq(key, "listen_addr") ||
        streq(key, "key_file") || streq(key, "cert_file") || streq(key, "ca_file") ||
        streq(key, "crl_file"))
        return daemonConfApplyNet(cfg, file, line, key, v);
    if (streq(key, "tcp_port"))
        return daemonConfWantPort(file, line, key, v, &cfg->tcpPort);
    if (streq(key, "tls_port"))
        return daemonConfWantPort(file, line, key, v, &cfg->tlsPort);
    if (streq(key, "unix_sock_dir")) {
        if (daemonConfWantString(file, line, key, v, &cfg->unixSockDir) < 0)
            return -1;
        if (!g_path_is_absolute(cfg->unixSockDir)) {
            daemonConfReport(file, line, VIR_ERR_CONF_SYNTAX,
                             _("setting '%1$s' = '%2$s' must be an absolute path"), key,
                             cfg->unixSockDir);
            return -1;
        }
        return 0;
    }
    if (streq(key, "unix_sock_group")) {
        if (daemonConfWantString(file, line, key, v, &cfg->unixSockGroup) < 0)
            return -1;
        if (!*cfg->unixSockGroup) {
            daemonConfReport(file, line, VIR_ERR_CONF_SYNTAX, _("setting '%1$s' must not be empty"),
                             key);
            return -1;
        }
        return 0;
    }
    if (streq(key, "unix_sock_rw_perms"))
        return daemonConfWantPerms(file, line, key, v, &cfg->unixSockRWPerms);
    if (streq(key, "unix_sock_ro_perms"))
        return daemonConfWantPerms(file, line, key, v, &cfg->unixSockROPerms);
    if (streq(key, "auth_unix_rw") || streq(key, "auth_unix_ro")) {
        if (daemonConfWantString(file, line, key, v, &s) < 0)
            return -1;
        if (!streq(s, "none"))
            return daemonConfUnsupported(file, line, key, _("authentication other than 'none'"));
        return 0;
    }
    if (streq(key, "max_clients"))
        return daemonConfWantUInt(file, line, key, v, 1, &cfg->maxClients);
    if (streq(key, "min_workers"))
        return daemonConfWantUInt(file, line, key, v, 0, &cfg->minWorkers);
    if (streq(key, "max_workers"))
        return daemonConfWantUInt(file, line, key, v, 1, &cfg->maxWorkers);
    if (streq(key, "prio_workers"))
        return daemonConfWantUInt(file, line, key, v, 0, &cfg->prioWorkers);
    if (streq(key, "max_client_requests"))
        return daemonConfWantUInt(file, line, key, v, 1, &cfg->maxClientRequests);
    if (streq(key, "keepalive_interval")) {
        if (daemonConfWantInt(file, line, key, v, -1, G_MAXINT / 1000, &n) < 0)
            return -1;
        cfg->keepaliveInterval = (int)n;
        return 0;
    }
    if (streq(key, "keepalive_count"))
        return daemonConfWantUInt(file, line, key, v, 0, &cfg->keepaliveCount);
    if (streq(key, "log_level")) {
        if (daemonConfWantInt(file, line, key, v, 1, 4, &n) < 0)
            return -1;
        cfg->logLevel = (int)n;
        return 0;
    }
    if (streq(key, "log_filters"))
        return daemonConfWantString(file, line, key, v, &cfg->logFilters);
    if (streq(key, "log_outputs"))
        return daemonConfWantString(file, line, key, v, &cfg->logOutputs);
    if (streq(key, "host_uuid")) {
        if (daemonConfWantString(file, line, key, v, &cfg->hostUUID) < 0)
            return -1;
        if (uuidParse(cfg->hostUUID, uuid) < 0) {
            errorReset();
            daemonConfReport(file, line, VIR_ERR_CONF_SYNTAX,
                             _("setting '%1$s' = '%2$s' is not a UUID"), key, cfg->hostUUID);
            return -1;
        }
        return 0;
    }
    LOG_WARN("%s:%d: unknown setting '%s', ignoring", file, line, key);
    return 0;
}

/**
 * daemonConfigNew:
 * @privileged: root-mode defaults (socket modes 0700 read-write, 0777
 *              read-only) rather than session ones (0700 both)
 *
 * Returns: the settings with libvirtd's defaults (caller owns).
 */
DaemonConfig *
daemonConfigNew(bool privileged)
{
    DaemonConfig *cfg = g_new0(DaemonConfig, 1);

    cfg->tcpPort = g_strdup("16509");
    cfg->tlsPort = g_strdup("16514");
    cfg->authTCP = g_strdup("sasl");
    cfg->unixSockRWPerms = 0700;
    cfg->unixSockROPerms = privileged ? 0777 : 0700;
    cfg->maxClients = 5000;
    cfg->minWorkers = 5;
    cfg->maxWorkers = 20;
    cfg->prioWorkers = 5;
    cfg->maxClientRequests = 5;
    cfg->keepaliveInterval = 5;
    cfg->keepaliveCount = 5;
    return cfg;
}

/**
 * daemonConfigFree:
 * @cfg: settings, or NULL
 */
void
daemonConfigFree(DaemonConfig *cfg)
{
    if (!cfg)
        return;
    g_free(cfg->tcpPort);
    g_free(cfg->tlsPort);
    g_free(cfg->unixSockDir);
    g_free(cfg->unixSockGroup);
    g_free(cfg->logFilters);
    g_free(cfg->logOutputs);
    g_free(cfg->hostUUID);
    g_free(cfg->listenAddr);
    g_free(cfg->authTCP);
    g_free(cfg->keyFile);
    g_free(cfg->certFile);
    g_free(cfg->caFile);
    g_free(cfg->crlFile);
    g_free(cfg->tlsPriority);
    g_strfreev(cfg->tlsAllowedDNs);
    g_free(cfg);
}

/* Settings that only make sense together, checked once the whole file is read. */
static int
daemonConfCheckNet(const DaemonConfig *cfg, const char *name)
{
    if (cfg->listenTCP && !streq(cfg->authTCP, "none")) {
        daemonConfReport(name, cfg->listenTCPLine, VIR_ERR_CONFIG_UNSUPPORTED,
                         _("listen_tcp = 1 needs auth_tcp = \"none\": authentication '%1$s' is not supported yet"),
                         cfg->authTCP);
        return -1;
    }
    return 0;
}

/**
 * daemonConfigLoadData:
 * @cfg: settings to update
 * @data: the text of a configuration file
 * @len: its length
 * @name: its name, for messages
 *
 * Parses @data and applies each setting to @cfg in order.  Settings the
 * daemon cannot honour (authentication other than "none", except
 * auth_tcp = "sasl" which only matters with listen_tcp = 1 and is
 * refused then) are errors, never silently ignored.
 *
 * Returns: 0, or -1 with an error naming the file and line.
 */
int
daemonConfigLoadData(DaemonConfig *cfg, const char *data, size_t len, const char *name)
{
    DaemonConfParser ps = {.name = name, .p = data, .end = data + len, .line = 1};

    if (memchr(data, '\0', len)) {
        reportError(VIR_ERR_CONF_SYNTAX, _("%1$s: the file contains a NUL byte"), name);
        return -1;
    }
    for (;;) {
        g_autofree char *key = NULL;
        g_autoptr(DaemonConfValue) value = NULL;
        int line;

        daemonConfSkipSpace(&ps);
        if (ps.p >= ps.end)
            return daemonConfCheckNet(cfg, name);
        line = ps.line;
        if (!(key = daemonConfParseName(&ps)))
            return -1;
        daemonConfSkipBlanks(&ps);
        if (ps.p >= ps.end || *ps.p != '=') {
            daemonConfError(&ps, _("expecting '=' after '%1$s'"), key);
            return -1;
        }
        ps.p++;
        daemonConfSkipBlanks(&ps);
        if (!(value = daemonConfParseValue(&ps, false)))
            return -1;
        daemonConfSkipBlanks(&ps);
        if (ps.p < ps.end && *ps.p == ';') {
            ps.p++;
            daemonConfSkipBlanks(&ps);
        }
        if (ps.p < ps.end && *ps.p != '\n') {
            daemonConfError(&ps, _("unexpected text after the value of '%1$s'"), key);
            return -1;
        }
        if (daemonConfApply(cfg, name, line, key, value) < 0)
            return -1;
    }
}

/**
 * daemonConfigLoadFile:
 * @cfg: settings to update
 * @path: the configuration file
 * @mustExist: whether a missing file is an error (a file named on the
 *             command line) or means "all defaults" (the default path)
 *
 * Returns: 0, or -1 with an error reported.
 */
int
daemonConfigLoadFile(DaemonConfig *cfg, const char *path, bool mustExist)
{
    g_autofree char *data = NULL;
    g_autoptr(GError) gerr = NULL;
    gsize len = 0;

    if (!g_file_get_contents(path, &data, &len, &gerr)) {
        if (!mustExist && g_error_matches(gerr, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
            LOG_DEBUG("no configuration file '%s', using defaults", path);
            return 0;
        }
        reportError(VIR_ERR_CONF_SYNTAX, _("cannot read configuration file '%1$s': %2$s"), path,
                    gerr->message);
        return -1;
    }
    if (len > DAEMON_CONFIG_MAX_SIZE) {
        reportError(VIR_ERR_CONF_SYNTAX, _("configuration file '%1$s' is larger than %2$d bytes"),
                    path, DAEMON_CONFIG_MAX_SIZE);
        return -1;
    }
    return daemonConfigLoadData(cfg, data, len, path);
}
