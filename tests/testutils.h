/* Test harness: named cases with TAP output, golden files, env controls. */
#pragma once

#include <glib.h>
#include <stdbool.h>

/*
 * Environment:
 *   TEST_REGENERATE=1  rewrite golden files with the actual output
 *   TEST_DEBUG=1       print more detail for passing cases too
 *   TEST_FILTER=STR    run only the cases whose name contains STR
 */

typedef int (*TestFunc)(const void *data);

int testRun(const char *name, TestFunc fn, const void *data);
int testMain(int argc, char **argv, int (*body)(void));

void testFail(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void testNote(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
bool testDebug(void);
bool testRegenerate(void);

const char *testDataDir(void);
char *testLoadFile(const char *path);
int testCompareToFile(const char *actual, const char *path);
int testCompareStrings(const char *what, const char *expected, const char *actual);
GPtrArray *testListDir(const char *dir, const char *suffix);

int testErrorCodeFromName(const char *name);
const char *testErrorCodeName(int code);
int testErrorDomainFromName(const char *name);
const char *testErrorDomainName(int domain);
