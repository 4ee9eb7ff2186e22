/* REMOTE_PROGRAM domain procedures: listing, lookup, lifecycle, information, jobs. */
#include <stdlib.h>
#include <string.h>

#define ERR_DOMAIN VIR_FROM_REMOTE

#include "remote/remote_dispatch_domain.h"
#include "remote/remote_dispatch_domain_priv.h"
#include "remote/remote_dispatch_client.h"
#include "remote/remote_protocol.h"
#include "rpc/rpc_server_client.h"
#include "util/error.h"
#include "util/log.h"

LOG_INIT("remote.dispatch_domain");

/*
 * Every handler decodes nothing itself (the server did), turns the wire
 * domain into a handle through the public API, makes the one public call
 * the procedure stands for, and fills the reply.  Errors of the public
 * API travel back unchanged (remoteDispatchAPIError).
 */

static virConnectPtr
remoteDispatchDomainConn(RpcServerClient *client)
{
    return remoteDispatchClientGetConn(remoteDispatchClientGet(client));
}

/* --- listing ------------------------------------------------------------------ */

static int
remoteDispatchConnectNumOfDomains(REMOTE_DISPATCH_PARAMS)
{
    remote_connect_num_of_domains_ret *ret = retp;
    g_autoptr(virConnect) conn = remoteDispatchDomainConn(client);

    if (!conn)
        return -1;
    if ((ret->num = virConnectNumOfDomains(conn)) < 0)
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchConnectNumOfDefinedDomains(REMOTE_DISPATCH_PARAMS)
{
    remote_connect_num_of_defined_domains_ret *ret = retp;
    g_autoptr(virConnect) conn = remoteDispatchDomainConn(client);

    if (!conn)
        return -1;
    if ((ret->num = virConnectNumOfDefinedDomains(conn)) < 0)
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchConnectListDomains(REMOTE_DISPATCH_PARAMS)
{
    remote_connect_list_domains_args *args = argsp;
    remote_connect_list_domains_ret *ret = retp;
    g_autoptr(virConnect) conn = remoteDispatchDomainConn(client);
    g_autofree int *ids = NULL;
    int n;

    if (!conn)
        return -1;
    if (args->maxids > REMOTE_DOMAIN_LIST_MAX) {
        reportError(VIR_ERR_RPC, "%s", _("maxids > REMOTE_DOMAIN_LIST_MAX"));
        return -1;
    }
    ids = g_new0(int, MAX(args->maxids, 1));
    if ((n = virConnectListDomains(conn, ids, args->maxids)) < 0)
        return remoteDispatchAPIError();
    ret->ids.ids_len = n;
    ret->ids.ids_val = g_steal_pointer(&ids);
    return 0;
}

static int
remoteDispatchConnectListDefinedDomains(REMOTE_DISPATCH_PARAMS)
{
    remote_connect_list_defined_domains_args *args = argsp;
    remote_connect_list_defined_domains_ret *ret = retp;
    g_autoptr(virConnect) conn = remoteDispatchDomainConn(client);
    g_autofree char **names = NULL;
    int n;

    if (!conn)
        return -1;
    if (args->maxnames > REMOTE_DOMAIN_LIST_MAX) {
        reportError(VIR_ERR_RPC, "%s", _("maxnames > REMOTE_DOMAIN_LIST_MAX"));
        return -1;
    }
    names = g_new0(char *, MAX(args->maxnames, 1));
    if ((n = virConnectListDefinedDomains(conn, names, args->maxnames)) < 0)
        return remoteDispatchAPIError();
    ret->names.names_len = n;
    ret->names.names_val = g_steal_pointer(&names);
    return 0;
}

/**
 * remoteDispatchDomainListingXdr:
 * @xdrs: an XDR stream
 * @listing: the reply
 *
 * The XDR routine of the daemon's CONNECT_LIST_ALL_DOMAINS reply.
 * Encoding writes what xdr_remote_connect_list_all_domains_ret writes
 * (the same primitives with the same limits, in the same order: the
 * count, then name, uuid and id of each domain, then @listing->ret) but
 * takes each domain from its record: no handle, no copy of a name, no
 * allocation per domain.  XDR_FREE releases the records.  Decoding is
 * not supported (the daemon only sends this reply).
 *
 * Returns: TRUE on success, FALSE when a record cannot be encoded.
 */
bool_t
remoteDispatchDomainListingXdr(XDR *xdrs, RemoteDispatchDomainListing *listing)
{
    DomainRecords *records = listing->records;
    u_int count = records ? (u_int)MIN(records->n, (size_t)G_MAXUINT) : 0;
    u_int i;

    if (xdrs->x_op == XDR_FREE) {
        g_clear_pointer(&listing->records, virtkitDomainRecordsFree);
        return TRUE;
    }
    if (xdrs->x_op != XDR_ENCODE)
        return FALSE;

    if (count > REMOTE_DOMAIN_LIST_MAX || !xdr_u_int(xdrs, &count))
        return FALSE;
    for (i = 0; i < count; i++) {
        DomainRecord *rec = &records->records[i];
        u_int len = rec->nameLen;

        /* xdr_string's encoding (length, bytes, padding) with the length known. */
        if (len > REMOTE_STRING_MAX || !xdr_u_int(xdrs, &len) ||
            !xdr_opaque(xdrs, (char *)rec->name, len) ||
            !xdr_opaque(xdrs, (char *)rec->uuid, VIR_UUID_BUFLEN) || !xdr_int(xdrs, &rec->id))
            return FALSE;
    }
    return xdr_u_int(xdrs, &listing->ret);
}

/*
 * The listing itself comes as records (name, UUID, id in one array)
 * rather than as handles that would only be read and freed again:
 * virtkitConnectListAllDomainRecords goes through the same driver
 * function, filters and errors as virConnectListAllDomains
 * (docs/internals/rpc.md, "Listings").
 */
static int
remoteDispatchConnectListAllDomains(REMOTE_DISPATCH_PARAMS)
{
    remote_connect_list_all_domains_args *args = argsp;
    RemoteDispatchDomainListing *ret = retp;
    g_autoptr(virConnect) conn = remoteDispatchDomainConn(client);
    int n;

    if (!conn)
        return -1;
    if (!args->need_results) {
        if ((n = virConnectListAllDomains(conn, NULL, args->flags)) < 0)
            return remoteDispatchAPIError();
    } else {
        if ((n = virtkitConnectListAllDomainRecords(conn, args->flags, &ret->records)) < 0)
            return remoteDispatchAPIError();
        if (n > REMOTE_DOMAIN_LIST_MAX) {
            reportError(VIR_ERR_RPC, _("Too many domains '%1$d' for limit '%2$d'"), n,
                        REMOTE_DOMAIN_LIST_MAX);
            return -1;
        }
    }
    ret->ret = n;
    return 0;
}

/* --- lookup ------------------------------------------------------------------- */

static int
remoteDispatchDomainLookupByID(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_lookup_by_id_args *args = argsp;
    remote_domain_lookup_by_id_ret *ret = retp;
    g_autoptr(virConnect) conn = remoteDispatchDomainConn(client);
    g_autoptr(virDomain) dom = NULL;

    if (!conn)
        return -1;
    if (!(dom = virDomainLookupByID(conn, args->id)))
        return remoteDispatchAPIError();
    remoteDispatchMakeDomain(dom, &ret->dom);
    return 0;
}

static int
remoteDispatchDomainLookupByName(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_lookup_by_name_args *args = argsp;
    remote_domain_lookup_by_name_ret *ret = retp;
    g_autoptr(virConnect) conn = remoteDispatchDomainConn(client);
    g_autoptr(virDomain) dom = NULL;

    if (!conn)
        return -1;
    if (!(dom = virDomainLookupByName(conn, args->name)))
        return remoteDispatchAPIError();
    remoteDispatchMakeDomain(dom, &ret->dom);
    return 0;
}

static int
remoteDispatchDomainLookupByUUID(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_lookup_by_uuid_args *args = argsp;
    remote_domain_lookup_by_uuid_ret *ret = retp;
    g_autoptr(virConnect) conn = remoteDispatchDomainConn(client);
    g_autoptr(virDomain) dom = NULL;

    if (!conn)
        return -1;
    if (!(dom = virDomainLookupByUUID(conn, (const unsigned char *)args->uuid)))
        return remoteDispatchAPIError();
    remoteDispatchMakeDomain(dom, &ret->dom);
    return 0;
}

/* --- defining and lifecycle ---------------------------------------------------- */

static int
remoteDispatchDomainDefineXML(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_define_xml_args *args = argsp;
    remote_domain_define_xml_ret *ret = retp;
    g_autoptr(virConnect) conn = remoteDispatchDomainConn(client);
    g_autoptr(virDomain) dom = NULL;

    if (!conn)
        return -1;
    if (!(dom = virDomainDefineXML(conn, args->xml)))
        return remoteDispatchAPIError();
    remoteDispatchMakeDomain(dom, &ret->dom);
    return 0;
}

static int
remoteDispatchDomainDefineXMLFlags(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_define_xml_flags_args *args = argsp;
    remote_domain_define_xml_flags_ret *ret = retp;
    g_autoptr(virConnect) conn = remoteDispatchDomainConn(client);
    g_autoptr(virDomain) dom = NULL;

    if (!conn)
        return -1;
    if (!(dom = virDomainDefineXMLFlags(conn, args->xml, args->flags)))
        return remoteDispatchAPIError();
    remoteDispatchMakeDomain(dom, &ret->dom);
    return 0;
}

static int
remoteDispatchDomainCreateXML(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_create_xml_args *args = argsp;
    remote_domain_create_xml_ret *ret = retp;
    g_autoptr(virConnect) conn = remoteDispatchDomainConn(client);
    g_autoptr(virDomain) dom = NULL;

    if (!conn)
        return -1;
    if (!(dom = virDomainCreateXML(conn, args->xml_desc, args->flags)))
        return remoteDispatchAPIError();
    remoteDispatchMakeDomain(dom, &ret->dom);
    return 0;
}

static int
remoteDispatchDomainUndefine(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_undefine_args *args = argsp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);

    if (!dom)
        return -1;
    if (virDomainUndefine(dom) < 0)
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchDomainUndefineFlags(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_undefine_flags_args *args = argsp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);

    if (!dom)
        return -1;
    if (virDomainUndefineFlags(dom, args->flags) < 0)
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchDomainCreate(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_create_args *args = argsp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);

    if (!dom)
        return -1;
    if (virDomainCreate(dom) < 0)
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchDomainCreateWithFlags(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_create_with_flags_args *args = argsp;
    remote_domain_create_with_flags_ret *ret = retp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);

    if (!dom)
        return -1;
    if (virDomainCreateWithFlags(dom, args->flags) < 0)
        return remoteDispatchAPIError();
    /* The handle carries the new id: the client updates its own from it. */
    remoteDispatchMakeDomain(dom, &ret->dom);
    return 0;
}

static int
remoteDispatchDomainDestroy(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_destroy_args *args = argsp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);

    if (!dom)
        return -1;
    if (virDomainDestroy(dom) < 0)
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchDomainDestroyFlags(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_destroy_flags_args *args = argsp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);

    if (!dom)
        return -1;
    if (virDomainDestroyFlags(dom, args->flags) < 0)
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchDomainShutdown(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_shutdown_args *args = argsp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);

    if (!dom)
        return -1;
    if (virDomainShutdown(dom) < 0)
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchDomainShutdownFlags(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_shutdown_flags_args *args = argsp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);

    if (!dom)
        return -1;
    if (virDomainShutdownFlags(dom, args->flags) < 0)
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchDomainReboot(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_reboot_args *args = argsp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);

    if (!dom)
        return -1;
    if (virDomainReboot(dom, args->flags) < 0)
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchDomainReset(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_reset_args *args = argsp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);

    if (!dom)
        return -1;
    if (virDomainReset(dom, args->flags) < 0)
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchDomainSuspend(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_suspend_args *args = argsp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);

    if (!dom)
        return -1;
    if (virDomainSuspend(dom) < 0)
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchDomainResume(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_resume_args *args = argsp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);

    if (!dom)
        return -1;
    if (virDomainResume(dom) < 0)
        return remoteDispatchAPIError();
    return 0;
}

/* --- information and settings --------------------------------------------------- */

static int
remoteDispatchDomainGetInfo(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_get_info_args *args = argsp;
    remote_domain_get_info_ret *ret = retp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);
    virDomainInfo info;

    if (!dom)
        return -1;
    memset(&info, 0, sizeof(info));
    if (virDomainGetInfo(dom, &info) < 0)
        return remoteDispatchAPIError();
    ret->state = info.state;
    ret->maxMem = info.maxMem;
    ret->memory = info.memory;
    ret->nrVirtCpu = info.nrVirtCpu;
    ret->cpuTime = info.cpuTime;
    return 0;
}

static int
remoteDispatchDomainGetState(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_get_state_args *args = argsp;
    remote_domain_get_state_ret *ret = retp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);

    if (!dom)
        return -1;
    if (virDomainGetState(dom, &ret->state, &ret->reason, args->flags) < 0)
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchDomainGetXMLDesc(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_get_xml_desc_args *args = argsp;
    remote_domain_get_xml_desc_ret *ret = retp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);

    if (!dom)
        return -1;
    if (!(ret->xml = virDomainGetXMLDesc(dom, args->flags)))
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchDomainGetOSType(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_get_os_type_args *args = argsp;
    remote_domain_get_os_type_ret *ret = retp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);

    if (!dom)
        return -1;
    if (!(ret->type = virDomainGetOSType(dom)))
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchDomainGetMaxMemory(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_get_max_memory_args *args = argsp;
    remote_domain_get_max_memory_ret *ret = retp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);

    if (!dom)
        return -1;
    if ((ret->memory = virDomainGetMaxMemory(dom)) == 0)
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchDomainSetMaxMemory(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_set_max_memory_args *args = argsp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);

    if (!dom)
        return -1;
    if (virDomainSetMaxMemory(dom, args->memory) < 0)
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchDomainSetMemory(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_set_memory_args *args = argsp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);

    if (!dom)
        return -1;
    if (virDomainSetMemory(dom, args->memory) < 0)
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchDomainSetMemoryFlags(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_set_memory_flags_args *args = argsp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);

    if (!dom)
        return -1;
    if (virDomainSetMemoryFlags(dom, args->memory, args->flags) < 0)
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchDomainSetVcpus(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_set_vcpus_args *args = argsp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);

    if (!dom)
        return -1;
    if (virDomainSetVcpus(dom, args->nvcpus) < 0)
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchDomainSetVcpusFlags(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_set_vcpus_flags_args *args = argsp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);

    if (!dom)
        return -1;
    if (virDomainSetVcpusFlags(dom, args->nvcpus, args->flags) < 0)
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchDomainGetVcpusFlags(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_get_vcpus_flags_args *args = argsp;
    remote_domain_get_vcpus_flags_ret *ret = retp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);

    if (!dom)
        return -1;
    if ((ret->num = virDomainGetVcpusFlags(dom, args->flags)) < 0)
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchDomainGetMaxVcpus(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_get_max_vcpus_args *args = argsp;
    remote_domain_get_max_vcpus_ret *ret = retp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);

    if (!dom)
        return -1;
    if ((ret->num = virDomainGetMaxVcpus(dom)) < 0)
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchDomainGetAutostart(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_get_autostart_args *args = argsp;
    remote_domain_get_autostart_ret *ret = retp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);

    if (!dom)
        return -1;
    if (virDomainGetAutostart(dom, &ret->autostart) < 0)
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchDomainSetAutostart(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_set_autostart_args *args = argsp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);

    if (!dom)
        return -1;
    if (virDomainSetAutostart(dom, args->autostart) < 0)
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchDomainIsActive(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_is_active_args *args = argsp;
    remote_domain_is_active_ret *ret = retp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);

    if (!dom)
        return -1;
    if ((ret->active = virDomainIsActive(dom)) < 0)
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchDomainIsPersistent(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_is_persistent_args *args = argsp;
    remote_domain_is_persistent_ret *ret = retp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);

    if (!dom)
        return -1;
    if ((ret->persistent = virDomainIsPersistent(dom)) < 0)
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchDomainIsUpdated(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_is_updated_args *args = argsp;
    remote_domain_is_updated_ret *ret = retp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);

    if (!dom)
        return -1;
    if ((ret->updated = virDomainIsUpdated(dom)) < 0)
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchDomainHasManagedSaveImage(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_has_managed_save_image_args *args = argsp;
    remote_domain_has_managed_save_image_ret *ret = retp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);

    if (!dom)
        return -1;
    if ((ret->result = virDomainHasManagedSaveImage(dom, args->flags)) < 0)
        return remoteDispatchAPIError();
    return 0;
}

/* --- save / restore (issue #6) --- */

static int
remoteDispatchDomainSave(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_save_args *args = argsp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);

    if (!dom)
        return -1;
    if (virDomainSave(dom, args->to) < 0)
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchDomainSaveFlags(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_save_flags_args *args = argsp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);

    if (!dom)
        return -1;
    if (virDomainSaveFlags(dom, args->to, args->dxml ? *args->dxml : NULL, args->flags) < 0)
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchDomainRestore(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_restore_args *args = argsp;
    g_autoptr(virConnect) conn = remoteDispatchDomainConn(client);

    if (!conn)
        return -1;
    if (virDomainRestore(conn, args->from) < 0)
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchDomainRestoreFlags(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_restore_flags_args *args = argsp;
    g_autoptr(virConnect) conn = remoteDispatchDomainConn(client);

    if (!conn)
        return -1;
    if (virDomainRestoreFlags(conn, args->from, args->dxml ? *args->dxml : NULL,
                              args->flags) < 0)
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchDomainSaveImageGetXMLDesc(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_save_image_get_xml_desc_args *args = argsp;
    remote_domain_save_image_get_xml_desc_ret *ret = retp;
    g_autoptr(virConnect) conn = remoteDispatchDomainConn(client);

    if (!conn)
        return -1;
    if (!(ret->xml = virDomainSaveImageGetXMLDesc(conn, args->file, args->flags)))
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchDomainSaveImageDefineXML(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_save_image_define_xml_args *args = argsp;
    g_autoptr(virConnect) conn = remoteDispatchDomainConn(client);

    if (!conn)
        return -1;
    if (virDomainSaveImageDefineXML(conn, args->file, args->dxml, args->flags) < 0)
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchDomainManagedSave(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_managed_save_args *args = argsp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);

    if (!dom)
        return -1;
    if (virDomainManagedSave(dom, args->flags) < 0)
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchDomainManagedSaveGetXMLDesc(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_managed_save_get_xml_desc_args *args = argsp;
    remote_domain_managed_save_get_xml_desc_ret *ret = retp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);

    if (!dom)
        return -1;
    if (!(ret->xml = virDomainManagedSaveGetXMLDesc(dom, args->flags)))
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchDomainManagedSaveDefineXML(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_managed_save_define_xml_args *args = argsp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);

    if (!dom)
        return -1;
    if (virDomainManagedSaveDefineXML(dom, args->dxml ? *args->dxml : NULL, args->flags) < 0)
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchDomainSaveParams(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_save_params_args *args = argsp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);
    virTypedParameterPtr params = NULL;
    int nparams = 0;
    int rc;

    if (!dom)
        return -1;
    if (remoteDispatchDeserializeParams(args->params.params_val, args->params.params_len,
                                        &params, &nparams) < 0)
        return -1;
    rc = virDomainSaveParams(dom, params, nparams, args->flags);
    virTypedParamsFree(params, nparams);
    if (rc < 0)
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchDomainRestoreParams(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_restore_params_args *args = argsp;
    g_autoptr(virConnect) conn = remoteDispatchDomainConn(client);
    virTypedParameterPtr params = NULL;
    int nparams = 0;
    int rc;

    if (!conn)
        return -1;
    if (remoteDispatchDeserializeParams(args->params.params_val, args->params.params_len,
                                        &params, &nparams) < 0)
        return -1;
    rc = virDomainRestoreParams(conn, params, nparams, args->flags);
    virTypedParamsFree(params, nparams);
    if (rc < 0)
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchDomainManagedSaveRemove(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_managed_save_remove_args *args = argsp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);

    if (!dom)
        return -1;
    if (virDomainManagedSaveRemove(dom, args->flags) < 0)
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchDomainCoreDump(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_core_dump_args *args = argsp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);

    if (!dom)
        return -1;
    if (virDomainCoreDump(dom, args->to, args->flags) < 0)
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchDomainCoreDumpWithFormat(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_core_dump_with_format_args *args = argsp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);

    if (!dom)
        return -1;
    if (virDomainCoreDumpWithFormat(dom, args->to, args->dumpformat, args->flags) < 0)
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchDomainGetSecurityLabel(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_get_security_label_args *args = argsp;
    remote_domain_get_security_label_ret *ret = retp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);
    virSecurityLabel label;

    if (!dom)
        return -1;
    memset(&label, 0, sizeof(label));
    if (virDomainGetSecurityLabel(dom, &label) < 0)
        return remoteDispatchAPIError();
    /* A char array whose count includes the NUL, as libvirtd sends it. */
    ret->label.label_len = strnlen(label.label, sizeof(label.label) - 1) + 1;
    ret->label.label_val = g_strndup(label.label, ret->label.label_len - 1);
    ret->enforcing = label.enforcing;
    return 0;
}

static int
remoteDispatchDomainGetMetadata(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_get_metadata_args *args = argsp;
    remote_domain_get_metadata_ret *ret = retp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);

    if (!dom)
        return -1;
    if (!(ret->metadata =
              virDomainGetMetadata(dom, args->type, args->uri ? *args->uri : NULL, args->flags)))
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchDomainSetMetadata(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_set_metadata_args *args = argsp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);

    if (!dom)
        return -1;
    if (virDomainSetMetadata(dom, args->type, args->metadata ? *args->metadata : NULL,
                             args->key ? *args->key : NULL, args->uri ? *args->uri : NULL,
                             args->flags) < 0)
        return remoteDispatchAPIError();
    return 0;
}

/* --- jobs ------------------------------------------------------------------------ */

static int
remoteDispatchDomainGetJobInfo(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_get_job_info_args *args = argsp;
    remote_domain_get_job_info_ret *ret = retp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);
    virDomainJobInfo info;

    if (!dom)
        return -1;
    memset(&info, 0, sizeof(info));
    if (virDomainGetJobInfo(dom, &info) < 0)
        return remoteDispatchAPIError();
    ret->type = info.type;
    ret->timeElapsed = info.timeElapsed;
    ret->timeRemaining = info.timeRemaining;
    ret->dataTotal = info.dataTotal;
    ret->dataProcessed = info.dataProcessed;
    ret->dataRemaining = info.dataRemaining;
    ret->memTotal = info.memTotal;
    ret->memProcessed = info.memProcessed;
    ret->memRemaining = info.memRemaining;
    ret->fileTotal = info.fileTotal;
    ret->fileProcessed = info.fileProcessed;
    ret->fileRemaining = info.fileRemaining;
    return 0;
}

static int
remoteDispatchDomainGetJobStats(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_get_job_stats_args *args = argsp;
    remote_domain_get_job_stats_ret *ret = retp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);
    virTypedParameterPtr params = NULL;
    int nparams = 0;
    int rc;

    if (!dom)
        return -1;
    if (virDomainGetJobStats(dom, &ret->type, &params, &nparams, args->flags) < 0)
        return remoteDispatchAPIError();
    rc = remoteDispatchSerializeParams(params, nparams, REMOTE_DOMAIN_JOB_STATS_MAX,
                                       &ret->params.params_val, &ret->params.params_len);
    virTypedParamsFree(params, nparams);
    return rc;
}

static int
remoteDispatchDomainAbortJob(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_abort_job_args *args = argsp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);

    if (!dom)
        return -1;
    if (virDomainAbortJob(dom) < 0)
        return remoteDispatchAPIError();
    return 0;
}

static int
remoteDispatchDomainAbortJobFlags(REMOTE_DISPATCH_PARAMS)
{
    remote_domain_abort_job_flags_args *args = argsp;
    g_autoptr(virDomain) dom = remoteDispatchClientGetDomain(client, &args->dom);

    if (!dom)
        return -1;
    if (virDomainAbortJobFlags(dom, args->flags) < 0)
        return remoteDispatchAPIError();
    return 0;
}

/* --- the table --------------------------------------------------------------------- */

const RpcServerProc remoteDispatchDomainProcs[] = {
    REMOTE_PROC_R(CONNECT_NUM_OF_DOMAINS, connect_num_of_domains, "virConnectNumOfDomains",
                  remoteDispatchConnectNumOfDomains, REMOTE_PROC_QUICK),
    REMOTE_PROC_AR(CONNECT_LIST_DOMAINS, connect_list_domains, "virConnectListDomains",
                   remoteDispatchConnectListDomains, REMOTE_PROC_LISTING),
    REMOTE_PROC_R(CONNECT_NUM_OF_DEFINED_DOMAINS, connect_num_of_defined_domains,
                  "virConnectNumOfDefinedDomains", remoteDispatchConnectNumOfDefinedDomains,
                  REMOTE_PROC_QUICK),
    REMOTE_PROC_AR(CONNECT_LIST_DEFINED_DOMAINS, connect_list_defined_domains,
                   "virConnectListDefinedDomains", remoteDispatchConnectListDefinedDomains,
                   REMOTE_PROC_LISTING),
    /* Its reply is encoded from records (remoteDispatchDomainListingXdr). */
    {
        REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS, "CONNECT_LIST_ALL_DOMAINS",
        "virConnectListAllDomains", remoteDispatchConnectListAllDomains,
        (xdrproc_t)xdr_remote_connect_list_all_domains_args,
        sizeof(remote_connect_list_all_domains_args), (xdrproc_t)remoteDispatchDomainListingXdr,
        sizeof(RemoteDispatchDomainListing), REMOTE_PROC_LISTING,
    },
    REMOTE_PROC_AR(DOMAIN_LOOKUP_BY_ID, domain_lookup_by_id, "virDomainLookupByID",
                   remoteDispatchDomainLookupByID, REMOTE_PROC_QUICK),
    REMOTE_PROC_AR(DOMAIN_LOOKUP_BY_NAME, domain_lookup_by_name, "virDomainLookupByName",
                   remoteDispatchDomainLookupByName, REMOTE_PROC_QUICK),
    REMOTE_PROC_AR(DOMAIN_LOOKUP_BY_UUID, domain_lookup_by_uuid, "virDomainLookupByUUID",
                   remoteDispatchDomainLookupByUUID, REMOTE_PROC_QUICK),
    REMOTE_PROC_AR(DOMAIN_DEFINE_XML, domain_define_xml, "virDomainDefineXML",
                   remoteDispatchDomainDefineXML, REMOTE_PROC_CHANGE),
    REMOTE_PROC_AR(DOMAIN_DEFINE_XML_FLAGS, domain_define_xml_flags, "virDomainDefineXMLFlags",
                   remoteDispatchDomainDefineXMLFlags, REMOTE_PROC_CHANGE),
    REMOTE_PROC_AR(DOMAIN_CREATE_XML, domain_create_xml, "virDomainCreateXML",
                   remoteDispatchDomainCreateXML, REMOTE_PROC_CHANGE),
    REMOTE_PROC_A(DOMAIN_UNDEFINE, domain_undefine, "virDomainUndefine",
                  remoteDispatchDomainUndefine, REMOTE_PROC_CHANGE),
    REMOTE_PROC_A(DOMAIN_UNDEFINE_FLAGS, domain_undefine_flags, "virDomainUndefineFlags",
                  remoteDispatchDomainUndefineFlags, REMOTE_PROC_CHANGE),
    REMOTE_PROC_A(DOMAIN_CREATE, domain_create, "virDomainCreate", remoteDispatchDomainCreate,
                  REMOTE_PROC_CHANGE),
    REMOTE_PROC_AR(DOMAIN_CREATE_WITH_FLAGS, domain_create_with_flags, "virDomainCreateWithFlags",
                   remoteDispatchDomainCreateWithFlags, REMOTE_PROC_CHANGE),
    REMOTE_PROC_A(DOMAIN_DESTROY, domain_destroy, "virDomainDestroy", remoteDispatchDomainDestroy,
                  REMOTE_PROC_CHANGE),
    REMOTE_PROC_A(DOMAIN_DESTROY_FLAGS, domain_destroy_flags, "virDomainDestroyFlags",
                  remoteDispatchDomainDestroyFlags, REMOTE_PROC_CHANGE),
    REMOTE_PROC_A(DOMAIN_SHUTDOWN, domain_shutdown, "virDomainShutdown",
                  remoteDispatchDomainShutdown, REMOTE_PROC_CHANGE),
    REMOTE_PROC_A(DOMAIN_SHUTDOWN_FLAGS, domain_shutdown_flags, "virDomainShutdownFlags",
                  remoteDispatchDomainShutdownFlags, REMOTE_PROC_CHANGE),
    REMOTE_PROC_A(DOMAIN_REBOOT, domain_reboot, "virDomainReboot", remoteDispatchDomainReboot,
                  REMOTE_PROC_CHANGE),
    REMOTE_PROC_A(DOMAIN_RESET, domain_reset, "virDomainReset", remoteDispatchDomainReset,
                  REMOTE_PROC_CHANGE),
    REMOTE_PROC_A(DOMAIN_SUSPEND, domain_suspend, "virDomainSuspend", remoteDispatchDomainSuspend,
                  REMOTE_PROC_CHANGE),
    REMOTE_PROC_A(DOMAIN_RESUME, domain_resume, "virDomainResume", remoteDispatchDomainResume,
                  REMOTE_PROC_CHANGE),
    REMOTE_PROC_AR(DOMAIN_GET_INFO, domain_get_info, "virDomainGetInfo",
                   remoteDispatchDomainGetInfo, REMOTE_PROC_QUICK),
    REMOTE_PROC_AR(DOMAIN_GET_STATE, domain_get_state, "virDomainGetState",
                   remoteDispatchDomainGetState, REMOTE_PROC_QUICK),
    REMOTE_PROC_AR(DOMAIN_GET_XML_DESC, domain_get_xml_desc, "virDomainGetXMLDesc",
                   remoteDispatchDomainGetXMLDesc, REMOTE_PROC_LISTING),
    REMOTE_PROC_AR(DOMAIN_GET_OS_TYPE, domain_get_os_type, "virDomainGetOSType",
                   remoteDispatchDomainGetOSType, REMOTE_PROC_QUICK),
    REMOTE_PROC_AR(DOMAIN_GET_MAX_MEMORY, domain_get_max_memory, "virDomainGetMaxMemory",
                   remoteDispatchDomainGetMaxMemory, REMOTE_PROC_QUICK),
    REMOTE_PROC_A(DOMAIN_SET_MAX_MEMORY, domain_set_max_memory, "virDomainSetMaxMemory",
                  remoteDispatchDomainSetMaxMemory, REMOTE_PROC_CHANGE),
    REMOTE_PROC_A(DOMAIN_SET_MEMORY, domain_set_memory, "virDomainSetMemory",
                  remoteDispatchDomainSetMemory, REMOTE_PROC_CHANGE),
    REMOTE_PROC_A(DOMAIN_SET_MEMORY_FLAGS, domain_set_memory_flags, "virDomainSetMemoryFlags",
                  remoteDispatchDomainSetMemoryFlags, REMOTE_PROC_CHANGE),
    REMOTE_PROC_A(DOMAIN_SET_VCPUS, domain_set_vcpus, "virDomainSetVcpus",
                  remoteDispatchDomainSetVcpus, REMOTE_PROC_CHANGE),
    REMOTE_PROC_A(DOMAIN_SET_VCPUS_FLAGS, domain_set_vcpus_flags, "virDomainSetVcpusFlags",
                  remoteDispatchDomainSetVcpusFlags, REMOTE_PROC_CHANGE),
    REMOTE_PROC_AR(DOMAIN_GET_VCPUS_FLAGS, domain_get_vcpus_flags, "virDomainGetVcpusFlags",
                   remoteDispatchDomainGetVcpusFlags, REMOTE_PROC_QUICK),
    REMOTE_PROC_AR(DOMAIN_GET_MAX_VCPUS, domain_get_max_vcpus, "virDomainGetMaxVcpus",
                   remoteDispatchDomainGetMaxVcpus, REMOTE_PROC_QUICK),
    REMOTE_PROC_AR(DOMAIN_GET_AUTOSTART, domain_get_autostart, "virDomainGetAutostart",
                   remoteDispatchDomainGetAutostart, REMOTE_PROC_QUICK),
    REMOTE_PROC_A(DOMAIN_SET_AUTOSTART, domain_set_autostart, "virDomainSetAutostart",
                  remoteDispatchDomainSetAutostart, REMOTE_PROC_CHANGE),
    REMOTE_PROC_AR(DOMAIN_IS_ACTIVE, domain_is_active, "virDomainIsActive",
                   remoteDispatchDomainIsActive, REMOTE_PROC_QUICK),
    REMOTE_PROC_AR(DOMAIN_IS_PERSISTENT, domain_is_persistent, "virDomainIsPersistent",
                   remoteDispatchDomainIsPersistent, REMOTE_PROC_QUICK),
    REMOTE_PROC_AR(DOMAIN_IS_UPDATED, domain_is_updated, "virDomainIsUpdated",
                   remoteDispatchDomainIsUpdated, REMOTE_PROC_QUICK),
    REMOTE_PROC_AR(DOMAIN_HAS_MANAGED_SAVE_IMAGE, domain_has_managed_save_image,
                   "virDomainHasManagedSaveImage", remoteDispatchDomainHasManagedSaveImage,
                   REMOTE_PROC_QUICK),
    REMOTE_PROC_A(DOMAIN_SAVE, domain_save, "virDomainSave", remoteDispatchDomainSave,
                  REMOTE_PROC_CHANGE),
    REMOTE_PROC_A(DOMAIN_SAVE_FLAGS, domain_save_flags, "virDomainSaveFlags",
                  remoteDispatchDomainSaveFlags, REMOTE_PROC_CHANGE),
    REMOTE_PROC_A(DOMAIN_RESTORE, domain_restore, "virDomainRestore",
                  remoteDispatchDomainRestore, REMOTE_PROC_CHANGE),
    REMOTE_PROC_A(DOMAIN_RESTORE_FLAGS, domain_restore_flags, "virDomainRestoreFlags",
                  remoteDispatchDomainRestoreFlags, REMOTE_PROC_CHANGE),
    REMOTE_PROC_AR(DOMAIN_SAVE_IMAGE_GET_XML_DESC, domain_save_image_get_xml_desc,
                   "virDomainSaveImageGetXMLDesc", remoteDispatchDomainSaveImageGetXMLDesc,
                   REMOTE_PROC_CHANGE),
    REMOTE_PROC_A(DOMAIN_SAVE_IMAGE_DEFINE_XML, domain_save_image_define_xml,
                  "virDomainSaveImageDefineXML", remoteDispatchDomainSaveImageDefineXML,
                  REMOTE_PROC_CHANGE),
    REMOTE_PROC_A(DOMAIN_MANAGED_SAVE, domain_managed_save, "virDomainManagedSave",
                  remoteDispatchDomainManagedSave, REMOTE_PROC_CHANGE),
    REMOTE_PROC_A(DOMAIN_MANAGED_SAVE_REMOVE, domain_managed_save_remove,
                  "virDomainManagedSaveRemove", remoteDispatchDomainManagedSaveRemove,
                  REMOTE_PROC_CHANGE),
    REMOTE_PROC_A(DOMAIN_CORE_DUMP, domain_core_dump, "virDomainCoreDump",
                  remoteDispatchDomainCoreDump, REMOTE_PROC_CHANGE),
    REMOTE_PROC_A(DOMAIN_CORE_DUMP_WITH_FORMAT, domain_core_dump_with_format,
                  "virDomainCoreDumpWithFormat", remoteDispatchDomainCoreDumpWithFormat,
                  REMOTE_PROC_CHANGE),
    REMOTE_PROC_AR(DOMAIN_MANAGED_SAVE_GET_XML_DESC, domain_managed_save_get_xml_desc,
                   "virDomainManagedSaveGetXMLDesc", remoteDispatchDomainManagedSaveGetXMLDesc,
                   RPC_SERVER_PROC_READONLY),
    REMOTE_PROC_A(DOMAIN_MANAGED_SAVE_DEFINE_XML, domain_managed_save_define_xml,
                  "virDomainManagedSaveDefineXML", remoteDispatchDomainManagedSaveDefineXML,
                  REMOTE_PROC_CHANGE),
    REMOTE_PROC_A(DOMAIN_SAVE_PARAMS, domain_save_params, "virDomainSaveParams",
                  remoteDispatchDomainSaveParams, REMOTE_PROC_CHANGE),
    REMOTE_PROC_A(DOMAIN_RESTORE_PARAMS, domain_restore_params, "virDomainRestoreParams",
                  remoteDispatchDomainRestoreParams, REMOTE_PROC_CHANGE),
    REMOTE_PROC_AR(DOMAIN_GET_SECURITY_LABEL, domain_get_security_label,
                   "virDomainGetSecurityLabel", remoteDispatchDomainGetSecurityLabel,
                   REMOTE_PROC_QUICK),
    REMOTE_PROC_AR(DOMAIN_GET_METADATA, domain_get_metadata, "virDomainGetMetadata",
                   remoteDispatchDomainGetMetadata, REMOTE_PROC_QUERY),
    REMOTE_PROC_A(DOMAIN_SET_METADATA, domain_set_metadata, "virDomainSetMetadata",
                  remoteDispatchDomainSetMetadata, REMOTE_PROC_CHANGE),
    REMOTE_PROC_AR(DOMAIN_GET_JOB_INFO, domain_get_job_info, "virDomainGetJobInfo",
                   remoteDispatchDomainGetJobInfo, REMOTE_PROC_QUERY),
    REMOTE_PROC_AR(DOMAIN_GET_JOB_STATS, domain_get_job_stats, "virDomainGetJobStats",
                   remoteDispatchDomainGetJobStats, REMOTE_PROC_QUERY),
    /* Must get through while a slow job holds the normal workers. */
    REMOTE_PROC_A(DOMAIN_ABORT_JOB, domain_abort_job, "virDomainAbortJob",
                  remoteDispatchDomainAbortJob, RPC_SERVER_PROC_HIGH_PRIORITY),
    REMOTE_PROC_A(DOMAIN_ABORT_JOB_FLAGS, domain_abort_job_flags, "virDomainAbortJobFlags",
                  remoteDispatchDomainAbortJobFlags, RPC_SERVER_PROC_HIGH_PRIORITY),
};

const size_t remoteDispatchDomainProcsCount = G_N_ELEMENTS(remoteDispatchDomainProcs);
