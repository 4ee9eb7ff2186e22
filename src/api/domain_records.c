/* Compact domain listings for virtkitd: name, UUID and id of each domain, no handles (private). */
#include <string.h>
#include <glib.h>

#define ERR_DOMAIN VIR_FROM_DOMAIN
#include "api/domain_records.h"
#include "api/datatypes.h"
#include "api/driver.h"
#include "api/entry.h"
#include "util/error.h"

/* Records while they are added: names are placed by offset until the end. */
struct _DomainRecordsBuilder {
    GArray *records;  /* DomainRecord, name holds the offset into @names */
    GString *names;
};

/**
 * domainRecordsBuilderNew:
 * @sizeHint: the number of records expected (may be off either way)
 *
 * Returns: an empty builder (caller owns it until domainRecordsBuilderFinish).
 */
DomainRecordsBuilder *
domainRecordsBuilderNew(size_t sizeHint)
{
    DomainRecordsBuilder *builder = g_new0(DomainRecordsBuilder, 1);

    builder->records = g_array_sized_new(FALSE, FALSE, sizeof(DomainRecord), sizeHint);
    /* Room for names of about 24 bytes before the buffer grows. */
    builder->names = g_string_sized_new(MAX(sizeHint, 1) * 24);
    return builder;
}

/**
 * domainRecordsBuilderAdd:
 * @builder: a builder
 * @name: the domain's name (copied)
 * @uuid: VIR_UUID_BUFLEN bytes (copied)
 * @id: the domain's id, -1 when it is not running
 */
void
domainRecordsBuilderAdd(DomainRecordsBuilder *builder, const char *name,
                        const unsigned char *uuid, int id)
{
    size_t len = strlen(name);
    DomainRecord rec;

    rec.name = (const char *)(gintptr)builder->names->len;
    rec.nameLen = (unsigned int)MIN(len, (size_t)G_MAXUINT);
    memcpy(rec.uuid, uuid, VIR_UUID_BUFLEN);
    rec.id = id;
    g_string_append_len(builder->names, name, (gssize)len + 1);
    g_array_append_val(builder->records, rec);
}

/**
 * domainRecordsBuilderFinish:
 * @builder: a builder (freed)
 *
 * Returns: the records added, in order (caller owns them; free with
 * virtkitDomainRecordsFree).
 */
DomainRecords *
domainRecordsBuilderFinish(DomainRecordsBuilder *builder)
{
    DomainRecords *records = g_new0(DomainRecords, 1);
    size_t i;

    records->n = builder->records->len;
    records->names = g_string_free(builder->names, FALSE);
    records->records = (DomainRecord *)(void *)g_array_free(builder->records, FALSE);
    for (i = 0; i < records->n; i++)
        records->records[i].name = records->names + (gintptr)records->records[i].name;
    g_free(builder);
    return records;
}

/**
 * virtkitDomainRecordsFree:
 * @records: records from virtkitConnectListAllDomainRecords, or NULL
 */
void
virtkitDomainRecordsFree(DomainRecords *records)
{
    if (!records)
        return;
    g_free(records->records);
    g_free(records->names);
    g_free(records);
}

/* For drivers without connectListAllDomainRecords: their handles, read and freed. */
static int
domainRecordsFromHandles(virConnectPtr conn, unsigned int flags, DomainRecords **records)
{
    virDomainPtr *doms = NULL;
    DomainRecordsBuilder *builder;
    int n;
    int i;

    if ((n = conn->driver->connectListAllDomains(conn, &doms, flags)) < 0)
        return -1;
    builder = domainRecordsBuilderNew((size_t)n);
    for (i = 0; i < n; i++) {
        domainRecordsBuilderAdd(builder, doms[i]->name, doms[i]->uuid, doms[i]->id);
        domainHandleUnref(doms[i]);
    }
    g_free(doms);
    *records = domainRecordsBuilderFinish(builder);
    return n;
}

/**
 * virtkitConnectListAllDomainRecords:
 * @conn: a connection
 * @flags: VIR_CONNECT_LIST_DOMAINS_* filters, as for virConnectListAllDomains
 * @records: set to the matching domains' records on success
 *
 * virConnectListAllDomains for virtkitd's listing reply: the same
 * domains, filters and errors (the driver's connectListAllDomainRecords,
 * or its connectListAllDomains for a driver without it), but each domain
 * as a record (name, UUID, id) in one array instead of a handle the
 * daemon would only read and free.  Private to virtkitd.
 *
 * Returns: the number of records, or -1 with the error set (the caller
 * owns *@records: virtkitDomainRecordsFree).
 */
int
virtkitConnectListAllDomainRecords(virConnectPtr conn, unsigned int flags,
                                   DomainRecords **records)
{
    int n;

    errorReset();
    ENTRY_CHECK_CONN(conn, -1);
    ENTRY_CHECK_NON_NULL(records, error);
    *records = NULL;
    if (conn->driver->connectListAllDomainRecords) {
        n = conn->driver->connectListAllDomainRecords(conn, flags, records);
    } else if (conn->driver->connectListAllDomains) {
        n = domainRecordsFromHandles(conn, flags, records);
    } else {
        /* What virConnectListAllDomains answers, which the daemon stands in for. */
        reportError(VIR_ERR_NO_SUPPORT, "%s", "virConnectListAllDomains");
        goto error;
    }
    if (n < 0)
        goto error;
    return n;

 error:
    entryDispatchError(conn);
    return -1;
}
