/* Thread-local error slot and the reporting macros every layer uses. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdarg.h>
#include <libvirt/virterror.h>

#ifndef _
# define _(s) (s)
#endif
#define N_(s) (s)

/*
 * Each .c file defines ERR_DOMAIN (a virErrorDomain value) before
 * including this header; it defaults to VIR_FROM_NONE.
 */
#ifndef ERR_DOMAIN
# define ERR_DOMAIN VIR_FROM_NONE
#endif

void errorReport(int domain, int code, const char *file, const char *func,
                 size_t line, const char *fmt, ...) G_GNUC_PRINTF(6, 7);
void errorReportSystem(int domain, int errnum, const char *file,
                       const char *func, size_t line, const char *fmt, ...)
    G_GNUC_PRINTF(6, 7);
void errorReportInvalidArg(int domain, const char *file, const char *func,
                           size_t line, const char *argname,
                           const char *fmt, ...) G_GNUC_PRINTF(6, 7);

/* Report @code with a formatted detail message, recording the call site. */
#define reportError(code, ...) \
    errorReport(ERR_DOMAIN, (code), __FILE__, __func__, __LINE__, __VA_ARGS__)

/* Report VIR_ERR_SYSTEM_ERROR with strerror(@errnum) appended. */
#define reportSystemError(errnum, ...) \
    errorReportSystem(ERR_DOMAIN, (errnum), __FILE__, __func__, __LINE__, \
                      __VA_ARGS__)

/*
 * Report that argument @argname (a string naming it) of the current
 * function is invalid.  As libvirt's argument checks: VIR_ERR_INVALID_ARG
 * with the formatted message alone (no "invalid argument: " prefix),
 * str1 = function, str2 = @argname.
 */
#define reportInvalidArg(argname, ...) \
    errorReportInvalidArg(ERR_DOMAIN, __FILE__, __func__, __LINE__, \
                          (argname), __VA_ARGS__)

/* Report unsupported flags in the current function (libvirt's wording). */
#define reportUnsupportedFlags(flags) \
    errorReportInvalidArg(ERR_DOMAIN, __FILE__, __func__, __LINE__, "flags", \
                          _("unsupported flags (0x%1$x) in function %2$s"), \
                          (unsigned int)(flags), __func__)

/*
 * Check that @flags has no bits outside @supported; report
 * VIR_ERR_INVALID_ARG and return @retval if it does.
 */
#define checkFlags(flags, supported, retval) \
    do { \
        unsigned int unknown_ = (flags) & ~(unsigned int)(supported); \
        if (unknown_) { \
            reportUnsupportedFlags(unknown_); \
            return (retval); \
        } \
    } while (0)

/* Report the same error again, prefixed by extra context. */
void errorPrefix(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/* Direct access to the calling thread's slot. */
virErrorPtr errorGetSlot(void);
bool errorIsSet(void);
int errorGetCode(void);
void errorReset(void);
void errorSetFromCopy(const virError *err);
int errorCopy(const virError *from, virError *to);
char *errorFormatMessage(int code, const char *info);
void errorClear(virError *err);

/* Save / restore around cleanup that may itself fail. */
typedef struct _SavedError SavedError;
SavedError *errorSave(void);
void errorRestore(SavedError **saved);
void savedErrorFree(SavedError *saved);
/* g_autoptr(SavedError) restores the saved error when it goes out of scope. */
void savedErrorRestoreFree(SavedError *saved);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SavedError, savedErrorRestoreFree);
