/* Public API: library initialisation, version, opening and closing connections. */
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define ERR_DOMAIN VIR_FROM_NONE
#include "api/entry.h"
#include "api/open.h"
#include "util/log.h"

LOG_INIT("api.libvirt");

static gpointer
libvirtInitOnce(gpointer unused)
{
    logInitFromEnv();
    if (driversRegisterAll() < 0) {
        LOG_ERROR("cannot register the built-in drivers: %s",
                  virGetLastErrorMessage());
        return GINT_TO_POINTER(-1);
    }
    return GINT_TO_POINTER(1);
}

/**
 * virInitialize:
 *
 * Initialises the library once per process (logging from the
 * environment, the built-in drivers).  The functions that need it call
 * it themselves; calling it again is cheap and thread safe.
 *
 * Returns: 0, or -1 if the drivers could not be registered.
 */
int
virInitialize(void)
{
    static GOnce once = G_ONCE_INIT;

    g_once(&once, libvirtInitOnce, NULL);
    return GPOINTER_TO_INT(once.retval) > 0 ? 0 : -1;
}

/**
 * virGetVersion:
 * @libVer: where to store the library version (major * 1,000,000 +
 *          minor * 1,000 + release: libvirt's numbering)
 * @type: a hypervisor type name, or NULL; ignored, as libvirt
 * @typeVer: where to store the version of @type's driver, or NULL; the
 *           library version too, as libvirt reports
 *
 * Returns: 0, or -1 when @libVer is NULL (with libvirt's generic error).
 */
int
virGetVersion(unsigned long *libVer, const char *type, unsigned long *typeVer)
{
    errorReset();
    if (virInitialize() < 0)
        goto error;
    /* libvirt fails here without a specific cause. */
    if (!libVer) {
        entrySetGenericError();
        goto error;
    }
    *libVer = LIBVIR_VERSION_NUMBER;
    if (typeVer)
        *typeVer = LIBVIR_VERSION_NUMBER;
    return 0;

 error:
    entryDispatchError(NULL);
    return -1;
}

static virConnectPtr
libvirtOpen(const char *name, virConnectAuthPtr auth, unsigned int flags)
{
    virConnectPtr conn = NULL;

    errorReset();
    if (virInitialize() < 0)
        goto error;
    if (!(conn = openConnection(name, auth, flags)))
        goto error;
    return conn;

 error:
    entryDispatchError(NULL);
    return NULL;
}

/**
 * virConnectOpen:
 * @name: URI of the hypervisor (see openDefaultURI for NULL or "")
 *
 * Returns: a new connection (release with virConnectClose), or NULL.
 */
virConnectPtr
virConnectOpen(const char *name)
{
    return libvirtOpen(name, NULL, 0);
}

/**
 * virConnectOpenReadOnly:
 * @name: URI of the hypervisor
 *
 * Opens a connection on which every modifying call is refused with
 * VIR_ERR_OPERATION_DENIED.
 *
 * Returns: a new connection, or NULL.
 */
virConnectPtr
virConnectOpenReadOnly(const char *name)
{
    return libvirtOpen(name, NULL, VIR_CONNECT_RO);
}

/**
 * virConnectOpenAuth:
 * @name: URI of the hypervisor
 * @auth: callback for credentials the driver asks for, or NULL
 * @flags: virConnectFlags (VIR_CONNECT_RO, VIR_CONNECT_NO_ALIASES); the
 *         driver refuses flags it does not know
 *
 * Returns: a new connection, or NULL.
 */
virConnectPtr
virConnectOpenAuth(const char *name, virConnectAuthPtr auth,
                   unsigned int flags)
{
    return libvirtOpen(name, auth, flags);
}

/**
 * virConnectClose:
 * @conn: a connection
 *
 * Drops the caller's reference; the connection closes once every
 * reference is gone (domain handles and registered event callbacks hold
 * one each).
 *
 * Returns: 1 if references remain, 0 if the connection was closed, -1
 * on error.
 */
int
virConnectClose(virConnectPtr conn)
{
    errorReset();
    ENTRY_CHECK_CONN(conn, -1);
    return connectUnref(conn) > 0 ? 1 : 0;
}

/* --- virConnectAuthPtrDefault ------------------------------------------ */

static int libvirtAuthCredTypes[] = {
    VIR_CRED_AUTHNAME,
    VIR_CRED_ECHOPROMPT,
    VIR_CRED_REALM,
    VIR_CRED_PASSPHRASE,
    VIR_CRED_NOECHOPROMPT,
    VIR_CRED_EXTERNAL,
};

/* Reads one line from stdin, with echo off if asked and stdin is a tty. */
static char *
libvirtAuthReadLine(bool echo)
{
    struct termios old;
    struct termios quiet;
    bool restore = false;
    char buf[1024];
    char *ret = NULL;

    if (!echo && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        restore = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
    }
    if (fgets(buf, sizeof(buf), stdin)) {
        buf[strcspn(buf, "\r\n")] = '\0';
        ret = g_strdup(buf);
    }
    if (restore) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stdout);
    }
    return ret;
}

/*
 * The terminal prompt behind virConnectAuthPtrDefault: libvirt's
 * documented default asks on stdout and reads stdin, which is the one
 * reason this file does terminal I/O.
 */
static int
libvirtAuthCallbackDefault(virConnectCredentialPtr cred, unsigned int ncred,
                           void *cbdata)
{
    unsigned int i;

    for (i = 0; i < ncred; i++) {
        bool echo = true;
        char *answer = NULL;

        switch (cred[i].type) {
        case VIR_CRED_EXTERNAL:
            /* Authentication happens outside (e.g. polkit): nothing to ask. */
            continue;
        case VIR_CRED_PASSPHRASE:
        case VIR_CRED_NOECHOPROMPT:
            echo = false;
            break;
        default:
            break;
        }
        if (cred[i].defresult)
            printf("%s [%s]: ", cred[i].prompt ? cred[i].prompt : "",
                   cred[i].defresult);
        else
            printf("%s: ", cred[i].prompt ? cred[i].prompt : "");
        fflush(stdout);
        if (!(answer = libvirtAuthReadLine(echo)))
            return -1;
        if (!*answer && cred[i].defresult) {
            g_free(answer);
            answer = g_strdup(cred[i].defresult);
        }
        cred[i].result = answer;
        cred[i].resultlen = strlen(answer);
    }
    return 0;
}

static virConnectAuth libvirtAuthDefault = {
    .credtype = libvirtAuthCredTypes,
    .ncredtype = G_N_ELEMENTS(libvirtAuthCredTypes),
    .cb = libvirtAuthCallbackDefault,
    .cbdata = NULL,
};

/* A default authentication callback that prompts on the terminal. */
virConnectAuthPtr virConnectAuthPtrDefault = &libvirtAuthDefault;
