/* The test driver's host: node info, capabilities, and the node files it loads. */
#pragma once

#include <glib.h>
#include <libvirt/libvirt.h>

#include "conf/domain_obj.h"

/* The emulated host.  Immutable once loaded. */
typedef struct {
    virNodeInfo info;                 /* virNodeGetInfo */
    unsigned long long freeMemory;    /* virNodeGetFreeMemory, bytes */
    bool numaCells;                   /* describe test:///default's two NUMA cells */
} TestNode;

/* The architecture a domain gets when its XML names none (the host's). */
#define TEST_NODE_DEFAULT_ARCH "i686"

void testNodeInitDefault(TestNode *node);

int testNodeLoadDefault(TestNode *node, DomainObjList *domains);
int testNodeLoadFile(TestNode *node, DomainObjList *domains, const char *path);

char *testNodeFormatCapabilities(const TestNode *node);

void testNodeFillDefaults(DomainDef *def);
