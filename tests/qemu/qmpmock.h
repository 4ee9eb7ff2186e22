/* Scripted QMP server for tests: replays tests/data/qmp/<case>.replies, checks the commands. */
#pragma once

#include <glib.h>

typedef struct _QmpMock QmpMock;

QmpMock *qmpMockNew(const char *caseName);
const char *qmpMockGetPath(QmpMock *mock);
int qmpMockFinish(QmpMock *mock);
void qmpMockFree(QmpMock *mock);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QmpMock, qmpMockFree);
