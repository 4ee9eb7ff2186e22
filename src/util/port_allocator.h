/* port_allocator.h: hands out free TCP ports from a range (display ports, ...). */
#pragma once

#include <stdbool.h>

#include <glib.h>

typedef struct _PortAllocator PortAllocator;

PortAllocator *portAllocatorNew(const char *name, unsigned int min, unsigned int max);
void portAllocatorFree(PortAllocator *pa);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PortAllocator, portAllocatorFree);

int portAllocatorAcquire(PortAllocator *pa, unsigned int *retPort);
int portAllocatorSetUsed(PortAllocator *pa, unsigned int port);
void portAllocatorRelease(PortAllocator *pa, unsigned int port);
bool portAllocatorIsReserved(PortAllocator *pa, unsigned int port);
