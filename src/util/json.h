/* json-c helpers: autoptr cleanup, bounded strict parsing, typed field getters. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

/* g_autoptr(json_object) drops one json-c reference. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(json_object, json_object_put);

/* Nesting limit of every document parsed through this module. */
#define JSON_MAX_DEPTH 64

json_object *jsonParse(const char *text, size_t len);
json_object *jsonParseDetail(const char *text, size_t len, char **retReason);
char *jsonFormat(json_object *obj);

const char *jsonGetString(json_object *obj, const char *key);
int jsonGetBool(json_object *obj, const char *key, bool *ret);
int jsonGetInt64(json_object *obj, const char *key, int64_t *ret);
int jsonGetUInt64(json_object *obj, const char *key, uint64_t *ret);
int jsonGetInt(json_object *obj, const char *key, int *ret);
int jsonGetUInt(json_object *obj, const char *key, unsigned int *ret);
int jsonGetDouble(json_object *obj, const char *key, double *ret);
json_object *jsonGetObject(json_object *obj, const char *key);
json_object *jsonGetArray(json_object *obj, const char *key);

int jsonValueGetInt64(json_object *val, int64_t *ret);
int jsonValueGetUInt64(json_object *val, uint64_t *ret);
