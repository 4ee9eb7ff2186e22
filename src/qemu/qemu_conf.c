/* QEMU driver configuration: where its files live, and qemu.conf settings. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#define ERR_DOMAIN VIR_FROM_CONF

#include "qemu/qemu_conf.h"
#include "util/error.h"
#include "util/log.h"
#include "util/str.h"

LOG_INIT("qemu.conf");

/**
 * qemuConfigNew:
 * @mode: embed, system or session
 * @root: for embed: the root directory (absolute, required); for system:
 *        a prefix put in front of every path (virtkitd --root), or NULL;
 *        ignored for session
 *
 * Builds the configuration with default settings and the paths of @mode.
 * The one place that knows the file layout of the driver.
 *
 * Returns: a new configuration (caller frees with qemuConfigFree).
 */
QemuConfig *
qemuConfigNew(QemuConfigMode mode, const char *root)
{
    QemuConfig *cfg = g_new0(QemuConfig, 1);
    g_autofree char *etc = NULL;
    g_autofree char *run = NULL;
    g_autofree char *log = NULL;
    g_autofree char *cache = NULL;
    g_autofree char *lib = NULL;

    cfg->mode = mode;
    switch (mode) {
    case QEMU_CONFIG_EMBED:
        cfg->root = g_strdup(root);
        cfg->uri = g_strdup_printf("qemu:///embed?root=%s", root);
        etc = g_build_filename(root, "etc", NULL);
        run = g_build_filename(root, "run", NULL);
        log = g_build_filename(root, "log", NULL);
        cache = g_build_filename(root, "cache", NULL);
        lib = g_build_filename(root, "lib", NULL);
        break;
    case QEMU_CONFIG_SYSTEM:
    default:
        cfg->root = g_strdup(root);
        cfg->uri = g_strdup("qemu:///system");
        etc = g_build_filename(root ? root : "/", "etc", "virtkit", NULL);
        run = g_build_filename(root ? root : "/", "run", "virtkit", NULL);
        log = g_build_filename(root ? root : "/", "var", "log", "virtkit", NULL);
        cache = g_build_filename(root ? root : "/", "var", "cache", "virtkit", NULL);
        lib = g_build_filename(root ? root : "/", "var", "lib", "virtkit", NULL);
        break;
    case QEMU_CONFIG_SESSION:
        cfg->uri = g_strdup("qemu:///session");
        etc = g_build_filename(g_get_user_config_dir(), "virtkit", NULL);
        run = g_build_filename(g_get_user_runtime_dir(), "virtkit", NULL);
        log = g_build_filename(g_get_user_cache_dir(), "virtkit", "log", NULL);
        cache = g_build_filename(g_get_user_cache_dir(), "virtkit", NULL);
        lib = g_build_filename(g_get_user_data_dir(), "virtkit", NULL);
        break;
    }

    cfg->configFile = g_build_filename(etc, "qemu.conf", NULL);
    cfg->configDir = g_build_filename(etc, "qemu", NULL);
    cfg->autostartDir = g_build_filename(etc, "qemu", "autostart", NULL);
    cfg->stateDir = g_build_filename(run, "qemu", NULL);
    cfg->logDir = g_build_filename(log, "qemu", NULL);
    cfg->cacheDir = g_build_filename(cache, "qemu", NULL);
    /* libvirt: /var/lib/libvirt/qemu/save (it must survive a reboot) */
    cfg->saveDir = g_build_filename(lib, "qemu", "save", NULL);

    cfg->monitorTimeoutMs = QEMU_CONFIG_DEFAULT_MONITOR_TIMEOUT_MS;
    cfg->jobWaitTimeoutMs = QEMU_CONFIG_DEFAULT_JOB_WAIT_TIMEOUT_MS;
    cfg->startTimeoutMs = QEMU_CONFIG_DEFAULT_START_TIMEOUT_MS;
    cfg->destroyGraceMs = QEMU_CONFIG_DEFAULT_DESTROY_GRACE_MS;
    cfg->vncPortMin = QEMU_CONFIG_DEFAULT_VNC_PORT_MIN;
    cfg->vncPortMax = QEMU_CONFIG_DEFAULT_VNC_PORT_MAX;
    cfg->emulator = g_strdup(QEMU_CONFIG_DEFAULT_EMULATOR);
    return cfg;
}

/**
 * qemuConfigFree:
 * @cfg: a configuration, or NULL
 */
void
qemuConfigFree(QemuConfig *cfg)
{
    if (!cfg)
        return;
    g_free(cfg->uri);
    g_free(cfg->root);
    g_free(cfg->configFile);
    g_free(cfg->configDir);
    g_free(cfg->autostartDir);
    g_free(cfg->stateDir);
    g_free(cfg->logDir);
    g_free(cfg->cacheDir);
    g_free(cfg->saveDir);
    g_free(cfg->emulator);
    g_free(cfg->hostUUID);
    g_free(cfg->saveImageFormat);
    g_free(cfg);
}

typedef enum {
    QEMU_CONFIG_INT_SECONDS,    /* stored as milliseconds */
    QEMU_CONFIG_INT_PLAIN,
    QEMU_CONFIG_STRING,
} QemuConfigKind;

typedef struct {
    const char *key;
    QemuConfigKind kind;
    size_t offset;
    int min;
    int max;
} QemuConfigKey;

static const QemuConfigKey qemuConfigKeys[] = {
    { "monitor_timeout", QEMU_CONFIG_INT_SECONDS,
      G_STRUCT_OFFSET(QemuConfig, monitorTimeoutMs), 1, 3600 },
    { "job_wait_timeout", QEMU_CONFIG_INT_SECONDS,
      G_STRUCT_OFFSET(QemuConfig, jobWaitTimeoutMs), 0, 3600 },
    { "start_timeout", QEMU_CONFIG_INT_SECONDS,
      G_STRUCT_OFFSET(QemuConfig, startTimeoutMs), 1, 3600 },
    { "destroy_grace_ms", QEMU_CONFIG_INT_PLAIN,
      G_STRUCT_OFFSET(QemuConfig, destroyGraceMs), 0, 600000 },
    { "remote_display_port_min", QEMU_CONFIG_INT_PLAIN,
      G_STRUCT_OFFSET(QemuConfig, vncPortMin), 5900, 65535 },
    { "remote_display_port_max", QEMU_CONFIG_INT_PLAIN,
      G_STRUCT_OFFSET(QemuConfig, vncPortMax), 5900, 65535 },
    { "emulator", QEMU_CONFIG_STRING,
      G_STRUCT_OFFSET(QemuConfig, emulator), 0, 0 },
    { "host_uuid", QEMU_CONFIG_STRING,
      G_STRUCT_OFFSET(QemuConfig, hostUUID), 0, 0 },
    { "save_image_format", QEMU_CONFIG_STRING,
      G_STRUCT_OFFSET(QemuConfig, saveImageFormat), 0, 0 },
};

static const QemuConfigKey *
qemuConfigFindKey(const char *key)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(qemuConfigKeys); i++) {
        if (streq(qemuConfigKeys[i].key, key))
            return &qemuConfigKeys[i];
    }
    return NULL;
}

static int
qemuConfigSetValue(QemuConfig *cfg, const QemuConfigKey *k, const char *value,
                   const char *origin, unsigned int lineno)
{
    char *base = (char *)cfg;
    int n;

    if (k->kind == QEMU_CONFIG_STRING) {
        size_t len = strlen(value);
        char **field = (char **)(base + k->offset);

        if (len < 2 || value[0] != '"' || value[len - 1] != '"') {
            reportError(VIR_ERR_CONF_SYNTAX,
                        _("%1$s:%2$u: '%3$s' must be a string in double quotes"),
                        origin, lineno, k->key);
            return -1;
        }
        g_free(*field);
        *field = g_strndup(value + 1, len - 2);
        return 0;
    }

    if (strParseInt(value, 10, &n) < 0 || n < k->min || n > k->max) {
        reportError(VIR_ERR_CONF_SYNTAX,
                    _("%1$s:%2$u: '%3$s' must be an integer from %4$d to %5$d, not '%6$s'"),
                    origin, lineno, k->key, k->min, k->max, value);
        return -1;
    }
    if (k->kind == QEMU_CONFIG_INT_SECONDS)
        n *= 1000;
    *(int *)(base + k->offset) = n;
    return 0;
}

/**
 * qemuConfigParseString:
 * @cfg: configuration to update
 * @text: qemu.conf contents: lines "key = value", '#' comments; values
 *        are integers or double-quoted strings
 * @origin: the file name, for messages
 *
 * Applies the settings this driver knows; other keys are ignored (logged
 * at debug level), as libvirt ignores keys of features it lacks.
 *
 * Returns: 0, or -1 with VIR_ERR_CONF_SYNTAX naming the line.
 */
int
qemuConfigParseString(QemuConfig *cfg, const char *text, const char *origin)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    size_t i;

    for (i = 0; lines[i]; i++) {
        g_autofree char *line = g_strdup(lines[i]);
        char *hash;
        char *eq;
        char *key;
        char *value;
        const QemuConfigKey *k;

        /* '#' outside a string starts a comment (strings here hold no '#'). */
        if ((hash = strchr(line, '#')) && !strchr(line, '"'))
            *hash = '\0';
        g_strstrip(line);
        if (!*line)
            continue;
        if (!(eq = strchr(line, '='))) {
            reportError(VIR_ERR_CONF_SYNTAX, _("%1$s:%2$zu: expected 'key = value'"),
                        origin, i + 1);
            return -1;
        }
        *eq = '\0';
        key = g_strstrip(line);
        value = g_strstrip(eq + 1);
        if (!(k = qemuConfigFindKey(key))) {
            LOG_DEBUG("%s:%zu: ignoring unknown setting '%s'", origin, i + 1, key);
            continue;
        }
        if (qemuConfigSetValue(cfg, k, value, origin, i + 1) < 0)
            return -1;
    }
    if (cfg->saveImageFormat &&
        !g_strv_contains((const char *const[]){ "raw", "gzip", "bzip2", "xz", "lzop", "zstd",
                                                NULL },
                         cfg->saveImageFormat)) {
        reportError(VIR_ERR_CONF_SYNTAX,
                    _("%1$s: save_image_format '%2$s' is none of raw, gzip, bzip2, xz, lzop, zstd"),
                    origin, cfg->saveImageFormat);
        return -1;
    }
    if (cfg->vncPortMin > cfg->vncPortMax) {
        reportError(VIR_ERR_CONF_SYNTAX,
                    _("%1$s: remote_display_port_min must not be above remote_display_port_max"),
                    origin);
        return -1;
    }
    return 0;
}

/**
 * qemuConfigLoadFile:
 * @cfg: configuration to update
 * @path: qemu.conf; a missing file means "all defaults"
 *
 * Returns: 0, or -1 with an error (unreadable file, syntax).
 */
int
qemuConfigLoadFile(QemuConfig *cfg, const char *path)
{
    g_autofree char *text = NULL;
    g_autoptr(GError) gerr = NULL;

    if (!g_file_get_contents(path, &text, NULL, &gerr)) {
        if (g_error_matches(gerr, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            return 0;
        reportError(VIR_ERR_CONF_SYNTAX, _("cannot read '%1$s': %2$s"), path, gerr->message);
        return -1;
    }
    return qemuConfigParseString(cfg, text, path);
}

/**
 * qemuConfigMakeDirs:
 * @cfg: configuration
 *
 * Creates the driver's directories (mode 0700).
 *
 * Returns: 0, or -1 with a system error.
 */
int
qemuConfigMakeDirs(const QemuConfig *cfg)
{
    const char *dirs[] = { cfg->configDir, cfg->autostartDir, cfg->stateDir,
                           cfg->logDir, cfg->cacheDir, cfg->saveDir };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(dirs); i++) {
        if (g_mkdir_with_parents(dirs[i], 0700) < 0) {
            reportSystemError(errno, _("cannot create directory '%1$s'"), dirs[i]);
            return -1;
        }
    }
    return 0;
}
