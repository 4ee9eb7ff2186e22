/* The test driver's simulated migration data link between two processes (two virtkitd hosts). */
#pragma once

#include <glib.h>

/*
 * When the two sides of a test-driver migration live in different
 * processes (two virtkitd daemons), the simulated "QEMU stream" of
 * test_driver.c has a mirror on each side, kept in step over a TCP
 * connection from the source to a port the destination opened in
 * Prepare, as QEMU's own migration stream would.  The link carries state
 * updates only: the transfer's state, whether it switched to post-copy,
 * and events for the peer's queue.  Each update is acknowledged, so a
 * side that flushed knows the peer has it.  When the connection breaks
 * (peer daemon killed, network cut), @down runs on the reader thread.
 */

typedef struct _TestMigLink TestMigLink;

/* An update from the peer (@xfer, @pc: -1 = unchanged); runs on the link's thread. */
typedef void (*TestMigLinkApply)(void *opaque, int xfer, int pc, const int *events, size_t nevents);
/* The connection is gone; runs once, on the link's thread. */
typedef void (*TestMigLinkDown)(void *opaque);

#define TEST_MIG_LINK_MAX_EVENTS 32

TestMigLink *testMigLinkListen(const char *host, guint32 token, TestMigLinkApply apply,
                               TestMigLinkDown down, void *opaque, int *retPort);
TestMigLink *testMigLinkConnect(const char *host, int port, guint32 token, TestMigLinkApply apply,
                                TestMigLinkDown down, void *opaque);
int testMigLinkSend(TestMigLink *link, int xfer, int pc, const int *events, size_t nevents);
void testMigLinkFree(TestMigLink *link);
