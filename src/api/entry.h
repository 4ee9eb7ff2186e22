/* Shared checks and error dispatch for the public entry points (src/api/libvirt-*.c). */
#pragma once

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "api/datatypes.h"
#include "api/driver.h"
#include "util/error.h"

/*
 * Every public function follows one shape (docs/internals/errors.md):
 *
 *   1. errorReset() - the thread's last error is cleared on entry;
 *   2. ENTRY_CHECK_CONN / ENTRY_CHECK_DOMAIN - an invalid handle fails at
 *      once (the error is dispatched without a connection);
 *   3. argument, flag and read-only checks, each `goto error` on failure;
 *   4. the driver call (ENTRY_DRIVER_FUNC for the NO_SUPPORT case);
 *   5. `error:` entryDispatchError(conn) then return the failure value.
 *
 * The macros report with the including file's ERR_DOMAIN and name the
 * calling public function (__func__), as libvirt's messages do.
 */

/* Fail with VIR_ERR_INVALID_CONN unless @conn is a live connection. */
#define ENTRY_CHECK_CONN(conn, retval) \
    do { \
        if (!connectIsValid(conn)) { \
            errorReport(ERR_DOMAIN, VIR_ERR_INVALID_CONN, __FILE__, __func__, \
                        __LINE__, "%s", __func__); \
            entryDispatchError(NULL); \
            return retval; \
        } \
    } while (0)

/* Fail with VIR_ERR_INVALID_DOMAIN (from VIR_FROM_DOM) unless @dom is live. */
#define ENTRY_CHECK_DOMAIN(dom, retval) \
    do { \
        if (!domainHandleIsValid(dom)) { \
            errorReport(VIR_FROM_DOM, VIR_ERR_INVALID_DOMAIN, __FILE__, \
                        __func__, __LINE__, "%s", __func__); \
            entryDispatchError(NULL); \
            return retval; \
        } \
    } while (0)

/* VIR_ERR_OPERATION_DENIED on a read-only connection. */
#define ENTRY_CHECK_READ_ONLY(conn, label) \
    do { \
        if (connectIsReadOnly(conn)) { \
            reportError(VIR_ERR_OPERATION_DENIED, \
                        _("read only access prevents %1$s"), __func__); \
            goto label; \
        } \
    } while (0)

#define ENTRY_CHECK_NON_NULL(arg, label) \
    do { \
        if (!(arg)) { \
            reportInvalidArg(#arg, _("%1$s in %2$s must not be NULL"), \
                             #arg, __func__); \
            goto label; \
        } \
    } while (0)

#define ENTRY_CHECK_NULL(arg, label) \
    do { \
        if (arg) { \
            reportInvalidArg(#arg, _("%1$s in %2$s must be NULL"), \
                             #arg, __func__); \
            goto label; \
        } \
    } while (0)

#define ENTRY_CHECK_NON_ZERO(arg, label) \
    do { \
        if ((arg) == 0) { \
            reportInvalidArg(#arg, _("%1$s in %2$s must not be zero"), \
                             #arg, __func__); \
            goto label; \
        } \
    } while (0)

#define ENTRY_CHECK_NON_NEGATIVE(arg, label) \
    do { \
        if ((arg) < 0) { \
            reportInvalidArg(#arg, _("%1$s in %2$s must be zero or greater"), \
                             #arg, __func__); \
            goto label; \
        } \
    } while (0)

/* An array argument may be NULL only when its length is zero. */
#define ENTRY_CHECK_NON_NULL_ARRAY(arg, len, label) \
    do { \
        if (!(arg) && (len) > 0) { \
            reportInvalidArg(#arg, _("%1$s in %2$s must not be NULL"), \
                             #arg, __func__); \
            goto label; \
        } \
    } while (0)

/* Flags @a and @b (constant names, written as libvirt spells them) exclude each other. */
#define ENTRY_EXCLUSIVE_FLAGS(flags, a, b, label) \
    do { \
        if (((flags) & (a)) && ((flags) & (b))) { \
            reportInvalidArg("ctl", \
                             _("Flags '%1$s' and '%2$s' are mutually exclusive"), \
                             #a, #b); \
            goto label; \
        } \
    } while (0)

/* Flag @by needs flag @needed. */
#define ENTRY_REQUIRE_FLAG(flags, by, needed, label) \
    do { \
        if (((flags) & (by)) && !((flags) & (needed))) { \
            reportInvalidArg("ctl", \
                             _("Flag '%1$s' is required by flag '%2$s'"), \
                             #needed, #by); \
            goto label; \
        } \
    } while (0)

/* VIR_ERR_NO_SUPPORT naming the public function when the driver lacks @field. */
#define ENTRY_DRIVER_FUNC(conn, field, label) \
    do { \
        if (!(conn)->driver->field) { \
            reportError(VIR_ERR_NO_SUPPORT, "%s", __func__); \
            goto label; \
        } \
    } while (0)

void entryDispatchError(virConnectPtr conn);
void entrySetGenericError(void);
void entrySetGlobalHandler(void *userData, virErrorFunc handler);
