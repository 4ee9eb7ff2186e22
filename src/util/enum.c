/* Enum <-> string tables. */
#include <string.h>

#include "util/enum.h"

/**
 * enumFromString:
 * @table: the strings, indexed by enum value (entries may be NULL)
 * @ntable: number of entries
 * @str: text to look up, may be NULL
 *
 * Returns: the index of @str in @table, or -1 when absent.
 */
int
enumFromString(const char *const *table, unsigned int ntable, const char *str)
{
    unsigned int i;

    if (!str)
        return -1;
    for (i = 0; i < ntable; i++) {
        if (table[i] && strcmp(table[i], str) == 0)
            return (int)i;
    }
    return -1;
}

/**
 * enumToString:
 * @table: the strings, indexed by enum value
 * @ntable: number of entries
 * @value: enum value
 *
 * Returns: the string for @value (static), or NULL when out of range.
 */
const char *
enumToString(const char *const *table, unsigned int ntable, int value)
{
    if (value < 0 || (unsigned int)value >= ntable)
        return NULL;
    return table[value];
}
