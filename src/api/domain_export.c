/* Turning a driver's domain objects into public handles (shared by drivers). */
#include "api/domain_export.h"
#include "api/datatypes.h"

/**
 * domainObjHandleNew:
 * @conn: the connection the handle belongs to
 * @vm: the domain object, locked
 *
 * Returns: a new handle with @vm's name, UUID and id (caller owns it).
 */
virDomainPtr
domainObjHandleNew(virConnectPtr conn, DomainObj *vm)
{
    return domainHandleNew(conn, vm->def->name, vm->def->uuid, vm->def->id);
}

typedef struct {
    virConnectPtr conn;
    unsigned int flags;
    GPtrArray *doms;     /* NULL: count only */
    int count;
} DomainExportData;

static void
domainExportOne(DomainObj *vm, void *opaque)
{
    DomainExportData *data = opaque;

    if (!domainObjMatchesListFlags(vm, data->flags))
        return;
    if (data->doms)
        g_ptr_array_add(data->doms, domainObjHandleNew(data->conn, vm));
    data->count++;
}

/**
 * domainObjListExport:
 * @list: a driver's domain list
 * @conn: the connection the handles belong to
 * @domains: where to store a NULL-terminated array of new handles, or NULL
 *           to count only
 * @flags: virConnectListAllDomains filter flags (checked by the caller)
 *
 * The common body of every driver's connectListAllDomains.
 *
 * Returns: the number of matching domains; *@domains (caller owns the
 * array and the handles) is written when @domains is not NULL.
 */
int
domainObjListExport(DomainObjList *list, virConnectPtr conn,
                    virDomainPtr **domains, unsigned int flags)
{
    DomainExportData data = { conn, flags, NULL, 0 };

    if (domains)
        data.doms = g_ptr_array_new();
    domainObjListForEach(list, domainExportOne, &data);
    if (domains) {
        g_ptr_array_add(data.doms, NULL);
        *domains = (virDomainPtr *)g_ptr_array_free(data.doms, FALSE);
    }
    return data.count;
}

typedef struct {
    unsigned int flags;
    DomainRecordsBuilder *builder;
} DomainExportRecordsData;

static void
domainExportRecord(DomainObj *vm, void *opaque)
{
    DomainExportRecordsData *data = opaque;

    if (domainObjMatchesListFlags(vm, data->flags))
        domainRecordsBuilderAdd(data->builder, vm->def->name, vm->def->uuid, vm->def->id);
}

/* The same filter as domainObjMatchesListFlags for ACTIVE and INACTIVE alone. */
static void
domainExportListedRecord(const char *name, const unsigned char *uuid, int id, void *opaque)
{
    DomainExportRecordsData *data = opaque;
    bool active = id != -1;

    if ((data->flags & VIR_CONNECT_LIST_DOMAINS_ACTIVE) && !active &&
        !(data->flags & VIR_CONNECT_LIST_DOMAINS_INACTIVE))
        return;
    if ((data->flags & VIR_CONNECT_LIST_DOMAINS_INACTIVE) && active &&
        !(data->flags & VIR_CONNECT_LIST_DOMAINS_ACTIVE))
        return;
    domainRecordsBuilderAdd(data->builder, name, uuid, id);
}

/**
 * domainObjListExportRecords:
 * @list: a driver's domain list
 * @flags: virConnectListAllDomains filter flags (checked by the caller)
 * @records: set to the matching domains' records
 *
 * The common body of every driver's connectListAllDomainRecords: the
 * domains domainObjListExport would return, as records.  Without flags,
 * or with only ACTIVE and INACTIVE, the records come from the list's own
 * copies of name, UUID and id (domainObjListForEachListed) without
 * referencing and locking every object; other filters need the objects.
 *
 * Returns: the number of records (caller owns *@records:
 * virtkitDomainRecordsFree).
 */
int
domainObjListExportRecords(DomainObjList *list, unsigned int flags, DomainRecords **records)
{
    DomainExportRecordsData data = { flags, domainRecordsBuilderNew(domainObjListCount(list)) };

    const unsigned int activity = VIR_CONNECT_LIST_DOMAINS_ACTIVE |
                                  VIR_CONNECT_LIST_DOMAINS_INACTIVE;

    if ((flags & ~activity) == 0)
        domainObjListForEachListed(list, domainExportListedRecord, &data);
    else
        domainObjListForEach(list, domainExportRecord, &data);
    *records = domainRecordsBuilderFinish(data.builder);
    return (int)(*records)->n;
}
