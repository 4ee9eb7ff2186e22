/* Categorised logging: filters by category prefix, stderr or file output. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>

#include "util/log.h"
#include "util/str.h"
#include "util/thread.h"

typedef struct {
    char *prefix;   /* category prefix, "*" matches all */
    LogLevel level;
} LogFilter;

/* Log configuration: the one mutable global STYLE.md allows. */
static Mutex logLock;
static LogFilter *logFilters;   /* protected by logLock */
static size_t logNFilters;      /* protected by logLock */
static LogLevel logDefaultLevel = LOG_LEVEL_WARN; /* atomic read */
static int logFd = STDERR_FILENO; /* protected by logLock */
static LogLevel logMinLevel = LOG_LEVEL_WARN; /* atomic read: cheapest enabled level */

static const char *
logLevelName(LogLevel level)
{
    switch (level) {
    case LOG_LEVEL_DEBUG: return "debug";
    case LOG_LEVEL_INFO: return "info";
    case LOG_LEVEL_WARN: return "warning";
    case LOG_LEVEL_ERROR: return "error";
    case LOG_LEVEL_NONE: break;
    }
    return "none";
}

static int
logParseLevel(const char *s, LogLevel *ret)
{
    if (streq(s, "debug") || streq(s, "1"))
        *ret = LOG_LEVEL_DEBUG;
    else if (streq(s, "info") || streq(s, "2"))
        *ret = LOG_LEVEL_INFO;
    else if (streq(s, "warn") || streq(s, "warning") || streq(s, "3"))
        *ret = LOG_LEVEL_WARN;
    else if (streq(s, "error") || streq(s, "4"))
        *ret = LOG_LEVEL_ERROR;
    else if (streq(s, "none"))
        *ret = LOG_LEVEL_NONE;
    else
        return -1;
    return 0;
}

static void
logRecomputeMinLocked(void)
{
    LogLevel min = logDefaultLevel;
    size_t i;

    for (i = 0; i < logNFilters; i++) {
        if (logFilters[i].level < min)
            min = logFilters[i].level;
    }
    g_atomic_int_set((gint *)&logMinLevel, min);
}

/**
 * logEnabled:
 * @category: the caller's category
 * @level: the message level
 *
 * Returns: true when a message of @level in @category would be written.
 * The longest matching filter prefix decides; else the default level.
 */
bool
logEnabled(const char *category, LogLevel level)
{
    LogLevel want;
    size_t best = 0;
    size_t i;

    if (level < (LogLevel)g_atomic_int_get((gint *)&logMinLevel))
        return false;

    mutexLock(&logLock);
    want = logDefaultLevel;
    for (i = 0; i < logNFilters; i++) {
        const char *p = logFilters[i].prefix;
        size_t len = strlen(p);

        if (streq(p, "*")) {
            if (best == 0)
                want = logFilters[i].level;
            continue;
        }
        if (strPrefix(category, p) && len > best) {
            best = len;
            want = logFilters[i].level;
        }
    }
    mutexUnlock(&logLock);
    return level >= want && level != LOG_LEVEL_NONE;
}

/**
 * logMessage:
 * @category: category of the caller
 * @level: level of the message
 * @file: source file
 * @line: source line
 * @func: function name
 * @fmt: printf-style message
 *
 * Writes one line "TIMESTAMP: TID: LEVEL : CATEGORY FUNC:LINE : MESSAGE"
 * to the configured output.  Callers go through the LOG_* macros.
 */
void
logMessage(const char *category, LogLevel level, const char *file, int line,
           const char *func, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;
    g_autofree char *out = NULL;
    g_autoptr(GDateTime) now = g_date_time_new_now_utc();
    g_autofree char *ts = g_date_time_format(now, "%Y-%m-%d %H:%M:%S");
    ssize_t ignored G_GNUC_UNUSED;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    out = g_strdup_printf("%s.%03d+0000: %d: %s : %s %s:%d : %s\n",
                          ts, g_date_time_get_microsecond(now) / 1000,
                          (int)gettid(), logLevelName(level), category,
                          func, line, msg);
    (void)file;
    mutexLock(&logLock);
    ignored = write(logFd, out, strlen(out));
    mutexUnlock(&logLock);
}

/**
 * logSetFilters:
 * @filters: "cat:level,cat2:level,*:level" (also libvirt's "1:cat 3:*")
 *
 * Replaces the filter list.
 *
 * Returns: 0 on success, -1 if @filters is malformed (nothing changed).
 */
int
logSetFilters(const char *filters)
{
    g_auto(GStrv) parts = g_strsplit_set(filters ? filters : "", ", ", -1);
    g_autofree LogFilter *list = g_new0(LogFilter, g_strv_length(parts) + 1);
    size_t n = 0;
    size_t i;

    for (i = 0; parts[i]; i++) {
        const char *p = parts[i];
        const char *sep;
        g_autofree char *a = NULL;
        g_autofree char *b = NULL;
        LogLevel level;

        if (!*p)
            continue;
        if (!(sep = strchr(p, ':')))
            goto error;
        a = g_strndup(p, sep - p);
        b = g_strdup(sep + 1);
        /* "cat:level" or libvirt's "level:cat" */
        if (logParseLevel(b, &level) == 0) {
            list[n].prefix = g_steal_pointer(&a);
        } else if (logParseLevel(a, &level) == 0) {
            list[n].prefix = g_steal_pointer(&b);
        } else {
            goto error;
        }
        list[n].level = level;
        n++;
    }

    mutexLock(&logLock);
    for (i = 0; i < logNFilters; i++)
        g_free(logFilters[i].prefix);
    g_free(logFilters);
    logFilters = g_steal_pointer(&list);
    logNFilters = n;
    logRecomputeMinLocked();
    mutexUnlock(&logLock);
    return 0;

 error:
    for (i = 0; i < n; i++)
        g_free(list[i].prefix);
    return -1;
}

/**
 * logSetOutputs:
 * @outputs: "stderr" or "file:PATH" (libvirt's "LEVEL:stderr" / "LEVEL:file:PATH"
 *           are accepted, the level becoming the default level)
 *
 * Returns: 0 on success, -1 if the output cannot be used.
 */
int
logSetOutputs(const char *outputs)
{
    const char *p = outputs;
    LogLevel level;
    int fd = -1;

    if (!p || !*p)
        return 0;
    if (g_ascii_isdigit(p[0]) && p[1] == ':') {
        char lv[2] = { p[0], 0 };

        if (logParseLevel(lv, &level) == 0)
            logSetDefaultLevel(level);
        p += 2;
    }
    if (streq(p, "stderr")) {
        fd = STDERR_FILENO;
    } else if (strPrefix(p, "file:")) {
        fd = open(p + 5, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0)
            return -1;
    } else {
        return -1;
    }
    mutexLock(&logLock);
    if (logFd != STDERR_FILENO)
        close(logFd);
    logFd = fd;
    mutexUnlock(&logLock);
    return 0;
}

/**
 * logSetDefaultLevel:
 * @level: level for categories no filter names
 */
void
logSetDefaultLevel(LogLevel level)
{
    mutexLock(&logLock);
    logDefaultLevel = level;
    logRecomputeMinLocked();
    mutexUnlock(&logLock);
}

/**
 * logInitFromEnv:
 *
 * Applies VIRTKIT_LOG_LEVEL / VIRTKIT_LOG_FILTERS / VIRTKIT_LOG_OUTPUTS,
 * falling back to libvirt's LIBVIRT_DEBUG / LIBVIRT_LOG_FILTERS /
 * LIBVIRT_LOG_OUTPUTS.  Malformed values are ignored.
 */
void
logInitFromEnv(void)
{
    const char *v;
    LogLevel level;

    if ((v = g_getenv("VIRTKIT_LOG_LEVEL")) || (v = g_getenv("LIBVIRT_DEBUG"))) {
        if (logParseLevel(v, &level) == 0)
            logSetDefaultLevel(level);
    }
    if ((v = g_getenv("VIRTKIT_LOG_FILTERS")) || (v = g_getenv("LIBVIRT_LOG_FILTERS")))
        logSetFilters(v);
    if ((v = g_getenv("VIRTKIT_LOG_OUTPUTS")) || (v = g_getenv("LIBVIRT_LOG_OUTPUTS")))
        logSetOutputs(v);
}
