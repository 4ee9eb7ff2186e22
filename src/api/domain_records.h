/* Compact domain listings for virtkitd: name, UUID and id of each domain, no handles (private). */
#pragma once

#include <stddef.h>
#include <libvirt/libvirt.h>

/*
 * What a listing reply carries about each domain.  virtkitd answers
 * virConnectListAllDomains with these instead of one refcounted handle
 * per domain, which it would only read and free again
 * (virtkitConnectListAllDomainRecords; docs/internals/rpc.md).
 */
typedef struct {
    const char *name;                    /* in DomainRecords' name buffer */
    unsigned int nameLen;                /* strlen(name) */
    unsigned char uuid[VIR_UUID_BUFLEN];
    int id;                              /* -1 when the domain is not running */
} DomainRecord;

/* A listing: @n records and their names, in three allocations whatever @n. */
typedef struct {
    size_t n;
    DomainRecord *records; /* [n] */
    char *names;           /* the names, each NUL-terminated */
} DomainRecords;

typedef struct _DomainRecordsBuilder DomainRecordsBuilder;

DomainRecordsBuilder *domainRecordsBuilderNew(size_t sizeHint);
void domainRecordsBuilderAdd(DomainRecordsBuilder *builder, const char *name,
                             const unsigned char *uuid, int id);
DomainRecords *domainRecordsBuilderFinish(DomainRecordsBuilder *builder);

/*
 * Private to virtkitd, exported from libvirt.so.0 in the node
 * VIRTKIT_PRIVATE_0.1 (src/libvirt.syms).
 */
int virtkitConnectListAllDomainRecords(virConnectPtr conn, unsigned int flags,
                                       DomainRecords **records);
void virtkitDomainRecordsFree(DomainRecords *records);
