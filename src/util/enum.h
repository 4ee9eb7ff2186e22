/* Enum <-> string tables: one macro per table, checked against _LAST. */
#pragma once

#include <glib.h>

int enumFromString(const char *const *table, unsigned int ntable,
                   const char *str);
const char *enumToString(const char *const *table, unsigned int ntable,
                         int value);

/*
 * ENUM_DECL(prefix) declares
 *   const char *prefixTypeToString(int value);   NULL when out of range
 *   int prefixTypeFromString(const char *str);   -1 when unknown or NULL
 * ENUM_IMPL(prefix, last, "s0", "s1", ...) defines them; the number of
 * strings must equal @last (a compile-time check).
 */
#define ENUM_DECL(prefix) \
    const char *prefix##TypeToString(int value); \
    int prefix##TypeFromString(const char *str)

#define ENUM_IMPL(prefix, last, ...) \
    static const char *const prefix##TypeList[] = { __VA_ARGS__ }; \
    G_STATIC_ASSERT(G_N_ELEMENTS(prefix##TypeList) == (last)); \
    const char * \
    prefix##TypeToString(int value) \
    { \
        return enumToString(prefix##TypeList, G_N_ELEMENTS(prefix##TypeList), \
                            value); \
    } \
    int \
    prefix##TypeFromString(const char *str) \
    { \
        return enumFromString(prefix##TypeList, \
                              G_N_ELEMENTS(prefix##TypeList), str); \
    }
