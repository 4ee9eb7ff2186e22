/* The test driver's save image file (a small header, then the domain XML) and core dump file. */
#pragma once

#include <stdbool.h>

int testSaveImageWrite(const char *path, const char *xml, bool running);
int testSaveImageRead(const char *path, char **retXml, bool *retRunning);
int testSaveDumpWrite(const char *path, const char *name);
