/* libvirt-common.h: version macros, typed parameters and shared basics. */

/*
 * Part of virtkit's libvirt-compatible public API (libvirt 9.0.0 level).
 * Names, values and prototypes follow libvirt; see include/libvirt/README.md.
 * Included through <libvirt/libvirt.h> only.
 */

#if !defined __VIR_LIBVIRT_H_INCLUDES__ && !defined __VIR_ADMIN_H_INCLUDES__
# error "include <libvirt/libvirt.h> instead of this file"
#endif

#ifndef __VIR_VIRCOMMON_H__
#define __VIR_VIRCOMMON_H__

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Marks API that callers should stop using. */
#ifndef VIR_DEPRECATED
# if defined(__GNUC__) || defined(__clang__)
#  define VIR_DEPRECATED __attribute__((__deprecated__))
# else
#  define VIR_DEPRECATED
# endif
#endif

/* Storage class of exported variables (only ELF platforms are supported). */
#define VIR_EXPORT_VAR extern

/* API level: major * 1000000 + minor * 1000 + micro. */
#define LIBVIR_VERSION_NUMBER 9000000
#define LIBVIR_CHECK_VERSION(major, minor, micro) \
    ((major) * 1000000 + (minor) * 1000 + (micro) <= LIBVIR_VERSION_NUMBER)

/* BEGIN GENERATED macros: scripts/gen-public-enums.py */
/* Other constants */
#define VIR_TYPED_PARAM_FIELD_LENGTH 80
/* END GENERATED macros */

/* BEGIN GENERATED enums: scripts/gen-public-enums.py */
/* Why a connection was closed (virConnectCloseFunc) */
typedef enum {
    VIR_CONNECT_CLOSE_REASON_ERROR     = 0,
    VIR_CONNECT_CLOSE_REASON_EOF       = 1,
    VIR_CONNECT_CLOSE_REASON_KEEPALIVE = 2,
    VIR_CONNECT_CLOSE_REASON_CLIENT    = 3,
#ifdef VIR_ENUM_SENTINELS
    VIR_CONNECT_CLOSE_REASON_LAST      = 4,
#endif
} virConnectCloseReason;

/* Flag bits shared by APIs taking typed parameters */
typedef enum {
    VIR_TYPED_PARAM_STRING_OKAY = 1 << 2,
} virTypedParameterFlags;

/* Type tag of a virTypedParameter value */
typedef enum {
    VIR_TYPED_PARAM_INT     = 1,
    VIR_TYPED_PARAM_UINT    = 2,
    VIR_TYPED_PARAM_LLONG   = 3,
    VIR_TYPED_PARAM_ULLONG  = 4,
    VIR_TYPED_PARAM_DOUBLE  = 5,
    VIR_TYPED_PARAM_BOOLEAN = 6,
    VIR_TYPED_PARAM_STRING  = 7,
#ifdef VIR_ENUM_SENTINELS
    VIR_TYPED_PARAM_LAST    = 8,
#endif
} virTypedParameterType;
/* END GENERATED enums */

/* BEGIN GENERATED callbacks: scripts/gen-public-enums.py */
/* Releases the opaque data of a callback */
typedef void (*virFreeCallback)(void *opaque);
/* END GENERATED callbacks */

/* A named value of one of the virTypedParameterType types. */
typedef struct _virTypedParameter virTypedParameter;
typedef virTypedParameter *virTypedParameterPtr;

struct _virTypedParameter {
    char field[VIR_TYPED_PARAM_FIELD_LENGTH];   /* name, NUL-terminated */
    int type;                                   /* virTypedParameterType */
    union {
        int i;                      /* VIR_TYPED_PARAM_INT */
        unsigned int ui;            /* VIR_TYPED_PARAM_UINT */
        long long int l;            /* VIR_TYPED_PARAM_LLONG */
        unsigned long long int ul;  /* VIR_TYPED_PARAM_ULLONG */
        double d;                   /* VIR_TYPED_PARAM_DOUBLE */
        char b;                     /* VIR_TYPED_PARAM_BOOLEAN */
        char *s;                    /* VIR_TYPED_PARAM_STRING, never NULL */
    } value;
};

/* Typed parameter lists: lookup by name */
virTypedParameterPtr virTypedParamsGet(virTypedParameterPtr params,
                                       int nparams,
                                       const char *name);
int virTypedParamsGetInt(virTypedParameterPtr params,
                         int nparams,
                         const char *name,
                         int *value);
int virTypedParamsGetUInt(virTypedParameterPtr params,
                          int nparams,
                          const char *name,
                          unsigned int *value);
int virTypedParamsGetLLong(virTypedParameterPtr params,
                           int nparams,
                           const char *name,
                           long long *value);
int virTypedParamsGetULLong(virTypedParameterPtr params,
                            int nparams,
                            const char *name,
                            unsigned long long *value);
int virTypedParamsGetDouble(virTypedParameterPtr params,
                            int nparams,
                            const char *name,
                            double *value);
int virTypedParamsGetBoolean(virTypedParameterPtr params,
                             int nparams,
                             const char *name,
                             int *value);
int virTypedParamsGetString(virTypedParameterPtr params,
                            int nparams,
                            const char *name,
                            const char **value);

/* Typed parameter lists: appending (the array grows as needed) */
int virTypedParamsAddInt(virTypedParameterPtr *params,
                         int *nparams,
                         int *maxparams,
                         const char *name,
                         int value);
int virTypedParamsAddUInt(virTypedParameterPtr *params,
                          int *nparams,
                          int *maxparams,
                          const char *name,
                          unsigned int value);
int virTypedParamsAddLLong(virTypedParameterPtr *params,
                           int *nparams,
                           int *maxparams,
                           const char *name,
                           long long value);
int virTypedParamsAddULLong(virTypedParameterPtr *params,
                            int *nparams,
                            int *maxparams,
                            const char *name,
                            unsigned long long value);
int virTypedParamsAddDouble(virTypedParameterPtr *params,
                            int *nparams,
                            int *maxparams,
                            const char *name,
                            double value);
int virTypedParamsAddBoolean(virTypedParameterPtr *params,
                             int *nparams,
                             int *maxparams,
                             const char *name,
                             int value);
int virTypedParamsAddString(virTypedParameterPtr *params,
                            int *nparams,
                            int *maxparams,
                            const char *name,
                            const char *value);

/* Typed parameter lists: releasing */
void virTypedParamsClear(virTypedParameterPtr params,
                         int nparams);
void virTypedParamsFree(virTypedParameterPtr params,
                        int nparams);

#ifdef __cplusplus
}
#endif

#endif /* __VIR_VIRCOMMON_H__ */
