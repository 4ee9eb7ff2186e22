/* vk_util.h: small helpers of the CLI: checked number parsing, escaping, widths */
#pragma once

#include <stdbool.h>
#include <glib.h>

#define vkStreq(a, b) (strcmp((a), (b)) == 0)

int vkParseInt(const char *str, int *ret);
int vkParseUIntPositive(const char *str, unsigned int *ret);
int vkParseULLPrefix(const char *str, unsigned long long *ret, const char **retEnd);

int vkScaleInteger(unsigned long long *value, const char *suffix, unsigned long long scale,
                   unsigned long long limit, char **retError);

void vkEscapeShell(GString *buf, const char *str);
void vkEscapeXML(GString *buf, const char *str);
char *vkSafeDisplay(const char *str, size_t *retWidth);

double vkPrettyCapacity(unsigned long long val, const char **retUnit);
char *vkTimestampNow(void);
