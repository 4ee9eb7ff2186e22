/* Test-only exports of remote_dispatch_domain.c: the listing reply encoded from records. */
#pragma once

#include <libvirt/libvirt.h>

#include "api/domain_records.h"
#include "remote/remote_protocol.h"

/*
 * The reply of REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS as the daemon holds
 * it: the records virtkitConnectListAllDomainRecords returned, encoded
 * straight from them (remoteDispatchDomainListingXdr) instead of copied
 * into a remote_connect_list_all_domains_ret first.
 */
typedef struct {
    DomainRecords *records; /* owned; NULL for a count only */
    u_int ret;              /* the number of matching domains */
} RemoteDispatchDomainListing;

bool_t remoteDispatchDomainListingXdr(XDR *xdrs, RemoteDispatchDomainListing *listing);
