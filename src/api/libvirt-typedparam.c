/* Public API: typed parameter arrays (virTypedParams*). */
#include <string.h>

#define ERR_DOMAIN VIR_FROM_NONE
#include "api/entry.h"
#include "util/enum.h"

/* Type names as libvirt prints them in type-mismatch errors. */
ENUM_DECL(typedParamType);
ENUM_IMPL(typedParamType, VIR_TYPED_PARAM_LAST,
          "", "int", "uint", "llong", "ullong", "double", "boolean", "string");

/**
 * virTypedParamsGet:
 * @params: array of parameters, or NULL
 * @nparams: number of entries in @params
 * @name: field name
 *
 * Returns: the first parameter called @name, or NULL when there is none
 * (or @params or @name is NULL); no error is reported, and the thread's
 * last error is left as it was.
 */
virTypedParameterPtr
virTypedParamsGet(virTypedParameterPtr params, int nparams, const char *name)
{
    int i;

    /* Unlike the typed getters, libvirt leaves the last error alone here. */
    if (!params || !name || strlen(name) >= VIR_TYPED_PARAM_FIELD_LENGTH)
        return NULL;
    for (i = 0; i < nparams; i++) {
        if (strncmp(params[i].field, name, VIR_TYPED_PARAM_FIELD_LENGTH) == 0)
            return &params[i];
    }
    return NULL;
}

/*
 * Finds @name and checks its type.  Returns 1 with *@ret set, 0 when
 * absent, -1 on a type mismatch (reported and dispatched).
 */
static int
typedParamFind(virTypedParameterPtr params, int nparams, const char *name,
               int type, virTypedParameterPtr *ret)
{
    virTypedParameterPtr param = NULL;
    const char *actual = NULL;

    errorReset();
    if (!(param = virTypedParamsGet(params, nparams, name)))
        return 0;
    if (param->type != type) {
        if (!(actual = typedParamTypeTypeToString(param->type)))
            actual = "unknown";
        reportError(VIR_ERR_INVALID_ARG,
                    _("Invalid type '%1$s' requested for parameter '%2$s', actual type is '%3$s'"),
                    typedParamTypeTypeToString(type), name, actual);
        entryDispatchError(NULL);
        return -1;
    }
    *ret = param;
    return 1;
}

/*
 * The typed getters share a shape: find, check type, copy the value if
 * @value is not NULL.
 */
#define TYPED_PARAM_GET(type, member) \
    do { \
        virTypedParameterPtr param_ = NULL; \
        int rc_ = typedParamFind(params, nparams, name, (type), &param_); \
        if (rc_ <= 0) \
            return rc_; \
        if (value) \
            *value = param_->value.member; \
        return 1; \
    } while (0)

/**
 * virTypedParamsGetInt:
 * @params: array of parameters
 * @nparams: number of entries
 * @name: field name
 * @value: where to store the value (not written when absent)
 *
 * Returns: 1 if found, 0 if absent, -1 if the field is not an int.
 */
int
virTypedParamsGetInt(virTypedParameterPtr params, int nparams,
                     const char *name, int *value)
{
    TYPED_PARAM_GET(VIR_TYPED_PARAM_INT, i);
}

/**
 * virTypedParamsGetUInt:
 * @params: array of parameters
 * @nparams: number of entries
 * @name: field name
 * @value: where to store the value
 *
 * Returns: 1 if found, 0 if absent, -1 if the field is not a uint.
 */
int
virTypedParamsGetUInt(virTypedParameterPtr params, int nparams,
                      const char *name, unsigned int *value)
{
    TYPED_PARAM_GET(VIR_TYPED_PARAM_UINT, ui);
}

/**
 * virTypedParamsGetLLong:
 * @params: array of parameters
 * @nparams: number of entries
 * @name: field name
 * @value: where to store the value
 *
 * Returns: 1 if found, 0 if absent, -1 if the field is not a llong.
 */
int
virTypedParamsGetLLong(virTypedParameterPtr params, int nparams,
                       const char *name, long long *value)
{
    TYPED_PARAM_GET(VIR_TYPED_PARAM_LLONG, l);
}

/**
 * virTypedParamsGetULLong:
 * @params: array of parameters
 * @nparams: number of entries
 * @name: field name
 * @value: where to store the value
 *
 * Returns: 1 if found, 0 if absent, -1 if the field is not an ullong.
 */
int
virTypedParamsGetULLong(virTypedParameterPtr params, int nparams,
                        const char *name, unsigned long long *value)
{
    TYPED_PARAM_GET(VIR_TYPED_PARAM_ULLONG, ul);
}

/**
 * virTypedParamsGetDouble:
 * @params: array of parameters
 * @nparams: number of entries
 * @name: field name
 * @value: where to store the value
 *
 * Returns: 1 if found, 0 if absent, -1 if the field is not a double.
 */
int
virTypedParamsGetDouble(virTypedParameterPtr params, int nparams,
                        const char *name, double *value)
{
    TYPED_PARAM_GET(VIR_TYPED_PARAM_DOUBLE, d);
}

/**
 * virTypedParamsGetBoolean:
 * @params: array of parameters
 * @nparams: number of entries
 * @name: field name
 * @value: where to store 1 or 0
 *
 * Returns: 1 if found, 0 if absent, -1 if the field is not a boolean.
 */
int
virTypedParamsGetBoolean(virTypedParameterPtr params, int nparams,
                         const char *name, int *value)
{
    virTypedParameterPtr param = NULL;
    int rc = typedParamFind(params, nparams, name, VIR_TYPED_PARAM_BOOLEAN,
                            &param);

    if (rc <= 0)
        return rc;
    if (value)
        *value = !!param->value.b;
    return 1;
}

/**
 * virTypedParamsGetString:
 * @params: array of parameters
 * @nparams: number of entries
 * @name: field name
 * @value: where to store the string (owned by @params)
 *
 * Returns: 1 if found, 0 if absent, -1 if the field is not a string.
 */
int
virTypedParamsGetString(virTypedParameterPtr params, int nparams,
                        const char *name, const char **value)
{
    TYPED_PARAM_GET(VIR_TYPED_PARAM_STRING, s);
}

/*
 * Appends an entry called @name of @type to the array, growing it by half
 * (at least one), and returns it; NULL with an error dispatched when an
 * argument is bad.  Duplicate names are appended as libvirt does.
 */
static virTypedParameterPtr
typedParamAppend(const char *func, virTypedParameterPtr *params,
                 int *nparams, int *maxparams, const char *name, int type)
{
    virTypedParameterPtr param = NULL;
    const char *nullArg = NULL;

    errorReset();
    /* libvirt does not check these (a NULL name even "succeeds"). */
    if (!params)
        nullArg = "params";
    else if (!nparams)
        nullArg = "nparams";
    else if (!maxparams)
        nullArg = "maxparams";
    else if (!name)
        nullArg = "name";
    if (nullArg) {
        errorReportInvalidArg(ERR_DOMAIN, __FILE__, func, __LINE__, nullArg,
                              _("%1$s in %2$s must not be NULL"), nullArg,
                              func);
        entryDispatchError(NULL);
        return NULL;
    }
    if (strlen(name) >= VIR_TYPED_PARAM_FIELD_LENGTH) {
        reportError(VIR_ERR_INTERNAL_ERROR, _("Field name '%1$s' too long"),
                    name);
        entryDispatchError(NULL);
        return NULL;
    }
    if (*nparams + 1 > *maxparams) {
        int newmax = *maxparams + *maxparams / 2;

        if (newmax < *nparams + 1)
            newmax = *nparams + 1;
        *params = g_renew(virTypedParameter, *params, newmax);
        memset(*params + *maxparams, 0,
               sizeof(virTypedParameter) * (newmax - *maxparams));
        *maxparams = newmax;
    }
    param = &(*params)[*nparams];
    memset(param, 0, sizeof(*param));
    g_strlcpy(param->field, name, VIR_TYPED_PARAM_FIELD_LENGTH);
    param->type = type;
    (*nparams)++;
    return param;
}

/**
 * virTypedParamsAddInt:
 * @params: pointer to the array (may point to NULL), reallocated as needed
 * @nparams: number of entries used, incremented
 * @maxparams: number of entries allocated, updated when the array grows
 * @name: field name (shorter than VIR_TYPED_PARAM_FIELD_LENGTH)
 * @value: the value
 *
 * Returns: 0, or -1 on error.
 */
int
virTypedParamsAddInt(virTypedParameterPtr *params, int *nparams,
                     int *maxparams, const char *name, int value)
{
    virTypedParameterPtr param = typedParamAppend(__func__, params, nparams,
                                                  maxparams, name,
                                                  VIR_TYPED_PARAM_INT);

    if (!param)
        return -1;
    param->value.i = value;
    return 0;
}

/**
 * virTypedParamsAddUInt:
 * @params: pointer to the array, reallocated as needed
 * @nparams: number of entries used
 * @maxparams: number of entries allocated
 * @name: field name
 * @value: the value
 *
 * Returns: 0, or -1 on error.
 */
int
virTypedParamsAddUInt(virTypedParameterPtr *params, int *nparams,
                      int *maxparams, const char *name, unsigned int value)
{
    virTypedParameterPtr param = typedParamAppend(__func__, params, nparams,
                                                  maxparams, name,
                                                  VIR_TYPED_PARAM_UINT);

    if (!param)
        return -1;
    param->value.ui = value;
    return 0;
}

/**
 * virTypedParamsAddLLong:
 * @params: pointer to the array, reallocated as needed
 * @nparams: number of entries used
 * @maxparams: number of entries allocated
 * @name: field name
 * @value: the value
 *
 * Returns: 0, or -1 on error.
 */
int
virTypedParamsAddLLong(virTypedParameterPtr *params, int *nparams,
                       int *maxparams, const char *name, long long value)
{
    virTypedParameterPtr param = typedParamAppend(__func__, params, nparams,
                                                  maxparams, name,
                                                  VIR_TYPED_PARAM_LLONG);

    if (!param)
        return -1;
    param->value.l = value;
    return 0;
}

/**
 * virTypedParamsAddULLong:
 * @params: pointer to the array, reallocated as needed
 * @nparams: number of entries used
 * @maxparams: number of entries allocated
 * @name: field name
 * @value: the value
 *
 * Returns: 0, or -1 on error.
 */
int
virTypedParamsAddULLong(virTypedParameterPtr *params, int *nparams,
                        int *maxparams, const char *name,
                        unsigned long long value)
{
    virTypedParameterPtr param = typedParamAppend(__func__, params, nparams,
                                                  maxparams, name,
                                                  VIR_TYPED_PARAM_ULLONG);

    if (!param)
        return -1;
    param->value.ul = value;
    return 0;
}

/**
 * virTypedParamsAddDouble:
 * @params: pointer to the array, reallocated as needed
 * @nparams: number of entries used
 * @maxparams: number of entries allocated
 * @name: field name
 * @value: the value
 *
 * Returns: 0, or -1 on error.
 */
int
virTypedParamsAddDouble(virTypedParameterPtr *params, int *nparams,
                        int *maxparams, const char *name, double value)
{
    virTypedParameterPtr param = typedParamAppend(__func__, params, nparams,
                                                  maxparams, name,
                                                  VIR_TYPED_PARAM_DOUBLE);

    if (!param)
        return -1;
    param->value.d = value;
    return 0;
}

/**
 * virTypedParamsAddBoolean:
 * @params: pointer to the array, reallocated as needed
 * @nparams: number of entries used
 * @maxparams: number of entries allocated
 * @name: field name
 * @value: any non-zero value is stored as 1
 *
 * Returns: 0, or -1 on error.
 */
int
virTypedParamsAddBoolean(virTypedParameterPtr *params, int *nparams,
                         int *maxparams, const char *name, int value)
{
    virTypedParameterPtr param = typedParamAppend(__func__, params, nparams,
                                                  maxparams, name,
                                                  VIR_TYPED_PARAM_BOOLEAN);

    if (!param)
        return -1;
    param->value.b = !!value;
    return 0;
}

/**
 * virTypedParamsAddString:
 * @params: pointer to the array, reallocated as needed
 * @nparams: number of entries used
 * @maxparams: number of entries allocated
 * @name: field name
 * @value: the string (copied)
 *
 * Returns: 0, or -1 on error.
 */
int
virTypedParamsAddString(virTypedParameterPtr *params, int *nparams,
                        int *maxparams, const char *name, const char *value)
{
    virTypedParameterPtr param = typedParamAppend(__func__, params, nparams,
                                                  maxparams, name,
                                                  VIR_TYPED_PARAM_STRING);

    if (!param)
        return -1;
    param->value.s = g_strdup(value);
    return 0;
}

/**
 * virTypedParamsClear:
 * @params: array of parameters, or NULL
 * @nparams: number of entries
 *
 * Frees the strings held by @params and zeroes the entries; the array
 * itself stays.
 */
void
virTypedParamsClear(virTypedParameterPtr params, int nparams)
{
    int i;

    if (!params)
        return;
    for (i = 0; i < nparams; i++) {
        if (params[i].type == VIR_TYPED_PARAM_STRING)
            g_free(params[i].value.s);
        memset(&params[i], 0, sizeof(params[i]));
    }
}

/**
 * virTypedParamsFree:
 * @params: array of parameters, or NULL
 * @nparams: number of entries
 *
 * Frees the strings held by @params and the array.
 */
void
virTypedParamsFree(virTypedParameterPtr params, int nparams)
{
    virTypedParamsClear(params, nparams);
    g_free(params);
}
