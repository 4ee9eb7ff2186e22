/* serial.h: output on the first serial port (COM1, I/O port 0x3f8). */
#pragma once

#include <stdarg.h>

void serialInit(void);
void serialPutc(char c);
void serialPuts(const char *s);
void serialVPrintf(const char *fmt, va_list ap);
void serialPrintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
