/* vk_main.c: main() of virtkit: command-line options, URI choice, dispatch
 *
 * virtkit [OPTIONS] [COMMAND_STRING]     one argument: ';'-separated commands
 * virtkit [OPTIONS] COMMAND [ARGS...]    several arguments: one command
 * virtkit [OPTIONS]                      the interactive shell
 */
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vk_commands.h"
#include "vk_ctl.h"
#include "vk_shell.h"
#include "vk_util.h"

#ifndef VIRTKIT_VERSION
# define VIRTKIT_VERSION "unknown"
#endif

static void
vkMainUsage(void)
{
    const VkCmdGroup *grp;
    const VkCmdDef *def;

    printf("\n"
           "virtkit [options]... [<command_string>]\n"
           "virtkit [options]... <command> [args...]\n"
           "\n"
           "  options:\n"
           "    -c | --connect=URI      URI of the hypervisor to use\n"
           "    -d | --debug=NUM        print diagnostics of level NUM [0-4] and above\n"
           "    -e | --escape <char>    escape sequence for consoles (default ^])\n"
           "    -h | --help             print this help\n"
           "    -k | --keepalive-interval=NUM\n"
           "                            keepalive interval in seconds, 0 turns it off\n"
           "    -K | --keepalive-count=NUM\n"
           "                            keepalive replies that may be missed\n"
           "    -l | --log=FILE         append diagnostics and errors to FILE\n"
           "    -q | --quiet            print only the results of commands\n"
           "    -r | --readonly         open a read-only connection\n"
           "    -t | --timing           print how long each command took\n"
           "    -v                      print the version\n"
           "    -V                      print the version and build details\n"
           "         --version[=TYPE]   print the version; TYPE is short or long\n"
           "  commands (non interactive mode):\n"
           "\n");
    for (grp = vkCommandGroups; grp->keyword; grp++) {
        printf(" %s (help keyword '%s')\n", grp->title, grp->keyword);
        for (def = vkCommands; def->name; def++) {
            if (vkStreq(def->group, grp->keyword))
                printf("    %-30s %s\n", def->name, def->help);
        }
        printf("\n");
    }
    printf("\n  (specify help <group> for details about the commands in the group)\n"
           "\n  (specify help <command> for details about the command)\n\n");
}

static void
vkMainVersion(bool full)
{
    if (!full) {
        printf("%s\n", VIRTKIT_VERSION);
        return;
    }
    printf("Virtkit command line tool %s\n", VIRTKIT_VERSION);
    printf("libvirt API level %d.%d.%d\n", LIBVIR_VERSION_NUMBER / 1000000,
           (LIBVIR_VERSION_NUMBER / 1000) % 1000, LIBVIR_VERSION_NUMBER % 1000);
}

/* -e accepts one character, or '^' and a letter or one of @[\]^_ */
static bool
vkMainEscapeValid(const char *esc)
{
    if (esc[0] && !esc[1])
        return true;
    return esc[0] == '^' && esc[1] && !esc[2] &&
           (g_ascii_isalpha(esc[1]) || strchr("@[\\]^_", esc[1]));
}

static int
vkMainKeepalive(VkCtl *ctl, const char *arg, char opt, int *ret)
{
    int val;

    if (vkParseInt(arg, &val) < 0) {
        vkError(ctl, "Invalid value for option -%c", opt);
        return -1;
    }
    if (val < 0) {
        vkError(ctl, "option -%c requires a positive integer argument", opt);
        return -1;
    }
    *ret = val;
    return 0;
}

/* Parses the options; returns 1 to go on, 0 to exit successfully (help,
 * version), -1 to exit with an error */
static int
vkMainParseOptions(VkCtl *ctl, int argc, char **argv)
{
    static const struct option longopts[] = {
        { "connect", required_argument, NULL, 'c' },
        { "debug", required_argument, NULL, 'd' },
        { "escape", required_argument, NULL, 'e' },
        { "help", no_argument, NULL, 'h' },
        { "keepalive-interval", required_argument, NULL, 'k' },
        { "keepalive-count", required_argument, NULL, 'K' },
        { "log", required_argument, NULL, 'l' },
        { "quiet", no_argument, NULL, 'q' },
        { "readonly", no_argument, NULL, 'r' },
        { "timing", no_argument, NULL, 't' },
        { "version", optional_argument, NULL, 'v' },
        { NULL, 0, NULL, 0 },
    };
    int c;

    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:c:d:e:hk:K:l:qrtvV", longopts, NULL)) != -1) {
        int level;

        switch (c) {
        case 'c':
            g_free(ctl->uri);
            ctl->uri = g_strdup(optarg);
            break;
        case 'd':
            if (vkParseInt(optarg, &level) < 0) {
                vkError(ctl, "%s", "option -d takes a numeric argument");
                return -1;
            }
            if (level < VK_LOG_DEBUG || level > VK_LOG_ERROR)
                vkError(ctl, "ignoring debug level %d out of range [%d-%d]",
                        level, VK_LOG_DEBUG, VK_LOG_ERROR);
            else
                ctl->debug = level;
            break;
        case 'e':
            if (!vkMainEscapeValid(optarg)) {
                vkError(ctl, "Invalid string '%s' for escape sequence", optarg);
                return -1;
            }
            g_free(ctl->escape);
            ctl->escape = g_strdup(optarg);
            break;
        case 'h':
            vkMainUsage();
            return 0;
        case 'k':
            if (vkMainKeepalive(ctl, optarg, 'k', &ctl->keepaliveInterval) < 0)
                return -1;
            break;
        case 'K':
            if (vkMainKeepalive(ctl, optarg, 'K', &ctl->keepaliveCount) < 0)
                return -1;
            break;
        case 'l':
            g_free(ctl->logfile);
            ctl->logfile = g_strdup(optarg);
            break;
        case 'q':
            ctl->quiet = true;
            break;
        case 'r':
            ctl->readonly = true;
            break;
        case 't':
            ctl->timing = true;
            break;
        case 'v':
            vkMainVersion(optarg && vkStreq(optarg, "long"));
            return 0;
        case 'V':
            vkMainVersion(true);
            return 0;
        case ':': {
            const struct option *o;

            for (o = longopts; o->name; o++) {
                if (o->val == optopt) {
                    vkError(ctl, "option '-%c'/'--%s' requires an argument", optopt, o->name);
                    return -1;
                }
            }
            vkError(ctl, "option '%s' requires an argument", argv[optind - 1]);
            return -1;
        }
        case '?':
        default:
            if (optopt)
                vkError(ctl, "unsupported option '-%c'. See --help.", optopt);
            else
                vkError(ctl, "unsupported option '%s'. See --help.", argv[optind - 1]);
            return -1;
        }
    }
    return 1;
}

static void
vkMainEnvDefaults(VkCtl *ctl, bool debugGiven)
{
    const char *env;
    int level;

    if (!debugGiven && (env = g_getenv("VIRTKIT_DEBUG"))) {
        if (vkParseInt(env, &level) < 0 || level < VK_LOG_DEBUG || level > VK_LOG_ERROR)
            vkError(ctl, "%s", "VIRTKIT_DEBUG not set with a valid numeric value");
        else
            ctl->debug = level;
    }
    if (!ctl->logfile && (env = g_getenv("VIRTKIT_LOG_FILE")) && *env)
        ctl->logfile = g_strdup(env);
}

/**
 * main:
 * @argc: argument count
 * @argv: arguments
 *
 * Returns: 0 when the last command (or the shell) succeeded, 1 otherwise.
 */
int
main(int argc, char **argv)
{
    g_autoptr(VkCmd) cmds = NULL;
    VkCtl *ctl;
    bool eager = false;
    int debugBefore;
    int rc;

    setlocale(LC_ALL, "");
    if (virInitialize() < 0) {
        fprintf(stderr, "error: failed to initialize the library\n");
        return EXIT_FAILURE;
    }

    ctl = vkCtlNew();
    debugBefore = ctl->debug;
    if ((rc = vkMainParseOptions(ctl, argc, argv)) <= 0) {
        vkCtlFree(ctl);
        return rc == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
    }
    vkMainEnvDefaults(ctl, ctl->debug != debugBefore);
    if (vkCtlOpenLogFile(ctl) < 0) {
        vkCtlFree(ctl);
        return EXIT_FAILURE;
    }

    /* commands are parsed before connecting: a syntax error is reported
     * even when the hypervisor is unreachable */
    if (optind < argc) {
        g_autofree char *error = NULL;
        int prc;

        if (argc - optind == 1) {
            vkDebug(ctl, VK_LOG_INFO, "commands: \"%s\"", argv[optind]);
            prc = vkCmdParseString(argv[optind], &cmds, &error);
        } else {
            prc = vkCmdParseArgv(argc - optind, argv + optind, &cmds, &error);
        }
        if (prc < 0) {
            vkError(ctl, "%s", error);
            vkCtlFree(ctl);
            return EXIT_FAILURE;
        }
        if (argc - optind == 1 && !*argv[optind]) {
            vkCtlFree(ctl);
            return EXIT_FAILURE;
        }
    }

    if (vkCtlEventLoopStart(ctl) < 0) {
        vkCtlFree(ctl);
        return EXIT_FAILURE;
    }

    /* an URI the user chose must work; the built-in default is opened on
     * first use (so that "help" works without a hypervisor) */
    if (ctl->uri) {
        eager = true;
    } else {
        bool explicitURI = false;
        const char *def = vkCtlDefaultURI(&explicitURI);

        if (explicitURI) {
            ctl->uri = g_strdup(def);
            eager = true;
        }
    }
    if (eager && vkCtlConnect(ctl, ctl->uri, ctl->readonly) < 0) {
        vkError(ctl, "%s", "failed to connect to the hypervisor");
        vkReportError(ctl);
        vkCtlFree(ctl);
        return EXIT_FAILURE;
    }

    if (optind < argc)
        rc = vkCtlRunCommands(ctl, cmds) ? EXIT_SUCCESS : EXIT_FAILURE;
    else
        rc = vkShellRun(ctl);

    fflush(stdout);
    vkCtlFree(ctl);
    return rc;
}
