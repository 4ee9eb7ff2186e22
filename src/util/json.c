/* json-c helpers: autoptr cleanup, bounded strict parsing, typed field getters. */
#include <limits.h>
#include <string.h>

#include "util/json.h"
#include "util/error.h"

/*
 * Parses exactly one JSON document filling @text[0..len), trailing
 * whitespace allowed.  On failure returns NULL and sets *retReason to a
 * description the caller owns.
 */
static json_object *
jsonParseInternal(const char *text, size_t len, char **retReason)
{
    struct json_tokener *tok = NULL;
    json_object *obj = NULL;
    enum json_tokener_error jerr;
    size_t end;

    if (len > INT32_MAX) {
        *retReason = g_strdup(_("document too large"));
        return NULL;
    }
    if (memchr(text, '\0', len)) {
        *retReason = g_strdup(_("document contains a NUL byte"));
        return NULL;
    }

    tok = json_tokener_new_ex(JSON_MAX_DEPTH);
    if (!tok)
        g_error("json_tokener_new_ex failed");
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);

    obj = json_tokener_parse_ex(tok, text, (int)len);
    jerr = json_tokener_get_error(tok);
    if (jerr == json_tokener_continue || (!obj && jerr == json_tokener_success)) {
        *retReason = g_strdup(_("unexpected end of document"));
        goto error;
    }
    if (jerr != json_tokener_success) {
        *retReason = g_strdup_printf(_("%1$s at offset %2$zu"),
                                     json_tokener_error_desc(jerr),
                                     json_tokener_get_parse_end(tok));
        goto error;
    }
    for (end = json_tokener_get_parse_end(tok); end < len; end++) {
        if (!g_ascii_isspace(text[end])) {
            *retReason = g_strdup_printf(_("trailing data at offset %1$zu"), end);
            goto error;
        }
    }
    json_tokener_free(tok);
    return obj;

 error:
    json_object_put(obj);
    json_tokener_free(tok);
    return NULL;
}

/**
 * jsonParseDetail:
 * @text: the document (need not be NUL-terminated)
 * @len: its length in bytes
 * @retReason: set to a description of the failure (caller owns it)
 *
 * Parses one strict JSON document (valid UTF-8, at most JSON_MAX_DEPTH
 * levels deep, nothing but whitespace after it).  Does not report an
 * error: callers that run where the thread's error slot is not theirs
 * (an event loop) build their own message from @retReason.
 *
 * Returns: a new json-c reference (caller owns it), or NULL.
 */
json_object *
jsonParseDetail(const char *text, size_t len, char **retReason)
{
    g_autofree char *reason = NULL;
    json_object *obj = jsonParseInternal(text, len, &reason);

    if (!obj)
        *retReason = g_steal_pointer(&reason);
    return obj;
}

/**
 * jsonParse:
 * @text: the document (need not be NUL-terminated)
 * @len: its length in bytes
 *
 * Like jsonParseDetail() but reports VIR_ERR_INTERNAL_ERROR on failure.
 *
 * Returns: a new json-c reference (caller owns it), or NULL.
 */
json_object *
jsonParse(const char *text, size_t len)
{
    g_autofree char *reason = NULL;
    json_object *obj = jsonParseInternal(text, len, &reason);

    if (!obj)
        reportError(VIR_ERR_INTERNAL_ERROR, _("cannot parse JSON document: %1$s"), reason);
    return obj;
}

/**
 * jsonFormat:
 * @obj: a value (NULL formats as "null")
 *
 * Returns: the compact text of @obj, without escaping of '/'; caller owns
 * it (g_free).
 */
char *
jsonFormat(json_object *obj)
{
    return g_strdup(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
                                                   JSON_C_TO_STRING_NOSLASHESCAPE));
}

static json_object *
jsonGetTyped(json_object *obj, const char *key, json_type type)
{
    json_object *val = NULL;

    if (!obj || !json_object_is_type(obj, json_type_object))
        return NULL;
    if (!json_object_object_get_ex(obj, key, &val))
        return NULL;
    if (!json_object_is_type(val, type))
        return NULL;
    return val;
}

/**
 * jsonGetString:
 * @obj: an object (anything else finds nothing)
 * @key: member name
 *
 * The getters below never report an error: the caller knows which
 * document it reads and reports a message with that context.
 *
 * Returns: the string member @key, borrowed from @obj, or NULL when it is
 * missing or not a string.
 */
const char *
jsonGetString(json_object *obj, const char *key)
{
    json_object *val = jsonGetTyped(obj, key, json_type_string);

    return val ? json_object_get_string(val) : NULL;
}

/**
 * jsonGetBool:
 * @obj: an object
 * @key: member name
 * @ret: set to the value on success
 *
 * Returns: 0 on success, -1 when @key is missing or not a boolean (no
 * error reported).
 */
int
jsonGetBool(json_object *obj, const char *key, bool *ret)
{
    json_object *val = jsonGetTyped(obj, key, json_type_boolean);

    if (!val)
        return -1;
    *ret = json_object_get_boolean(val);
    return 0;
}

/**
 * jsonValueGetInt64:
 * @val: a JSON value
 * @ret: set to the value on success
 *
 * Returns: 0 when @val is an integer that fits int64_t, else -1 (no error
 * reported).
 */
int
jsonValueGetInt64(json_object *val, int64_t *ret)
{
    int64_t v;

    if (!val || !json_object_is_type(val, json_type_int))
        return -1;
    v = json_object_get_int64(val);
    /* json-c saturates values beyond the int64 range. */
    if (v == INT64_MAX && json_object_get_uint64(val) != (uint64_t)INT64_MAX)
        return -1;
    *ret = v;
    return 0;
}

/**
 * jsonValueGetUInt64:
 * @val: a JSON value
 * @ret: set to the value on success
 *
 * Returns: 0 when @val is a non-negative integer that fits uint64_t, else
 * -1 (no error reported).
 */
int
jsonValueGetUInt64(json_object *val, uint64_t *ret)
{
    if (!val || !json_object_is_type(val, json_type_int))
        return -1;
    if (json_object_get_int64(val) < 0)
        return -1;
    *ret = json_object_get_uint64(val);
    return 0;
}

/**
 * jsonGetInt64:
 * @obj: an object
 * @key: member name
 * @ret: set to the value on success
 *
 * Returns: 0 on success, -1 when @key is missing, not an integer or out of
 * range (no error reported).
 */
int
jsonGetInt64(json_object *obj, const char *key, int64_t *ret)
{
    return jsonValueGetInt64(jsonGetTyped(obj, key, json_type_int), ret);
}

/**
 * jsonGetUInt64:
 * @obj: an object
 * @key: member name
 * @ret: set to the value on success
 *
 * Returns: 0 on success, -1 when @key is missing, not an integer or
 * negative (no error reported).
 */
int
jsonGetUInt64(json_object *obj, const char *key, uint64_t *ret)
{
    return jsonValueGetUInt64(jsonGetTyped(obj, key, json_type_int), ret);
}

/**
 * jsonGetInt:
 * @obj: an object
 * @key: member name
 * @ret: set to the value on success
 *
 * Returns: 0 on success, -1 when @key is missing, not an integer or
 * outside the int range (no error reported).
 */
int
jsonGetInt(json_object *obj, const char *key, int *ret)
{
    int64_t v;

    if (jsonGetInt64(obj, key, &v) < 0 || v < INT_MIN || v > INT_MAX)
        return -1;
    *ret = (int)v;
    return 0;
}

/**
 * jsonGetUInt:
 * @obj: an object
 * @key: member name
 * @ret: set to the value on success
 *
 * Returns: 0 on success, -1 when @key is missing, not an integer or
 * outside the unsigned int range (no error reported).
 */
int
jsonGetUInt(json_object *obj, const char *key, unsigned int *ret)
{
    uint64_t v;

    if (jsonGetUInt64(obj, key, &v) < 0 || v > UINT_MAX)
        return -1;
    *ret = (unsigned int)v;
    return 0;
}

/**
 * jsonGetDouble:
 * @obj: an object
 * @key: member name
 * @ret: set to the value on success
 *
 * Accepts integers as well as floating-point numbers.
 *
 * Returns: 0 on success, -1 when @key is missing or not a number (no error
 * reported).
 */
int
jsonGetDouble(json_object *obj, const char *key, double *ret)
{
    json_object *val = NULL;

    if (!obj || !json_object_is_type(obj, json_type_object) ||
        !json_object_object_get_ex(obj, key, &val))
        return -1;
    if (!json_object_is_type(val, json_type_double) &&
        !json_object_is_type(val, json_type_int))
        return -1;
    *ret = json_object_get_double(val);
    return 0;
}

/**
 * jsonGetObject:
 * @obj: an object
 * @key: member name
 *
 * Returns: the object member @key borrowed from @obj, or NULL when missing
 * or not an object.
 */
json_object *
jsonGetObject(json_object *obj, const char *key)
{
    return jsonGetTyped(obj, key, json_type_object);
}

/**
 * jsonGetArray:
 * @obj: an object
 * @key: member name
 *
 * Returns: the array member @key borrowed from @obj, or NULL when missing
 * or not an array.
 */
json_object *
jsonGetArray(json_object *obj, const char *key)
{
    return jsonGetTyped(obj, key, json_type_array);
}
