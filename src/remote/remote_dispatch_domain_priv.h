/* Test-only exports of remote_dispatch_domain.c: the listing reply encoded from handles. */
#pragma once

#include <libvirt/libvirt.h>

#include "remote/remote_protocol.h"

/*
 * The reply of REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS as the daemon holds
 * it: the handles virConnectListAllDomains returned, encoded straight
 * from them (remoteDispatchDomainListingXdr) instead of copied into a
 * remote_connect_list_all_domains_ret first.
 */
typedef struct {
    virDomainPtr *doms; /* owned with each handle; NULL for a count only */
    u_int ndoms;
    u_int ret;          /* the number of matching domains */
} RemoteDispatchDomainListing;

bool_t remoteDispatchDomainListingXdr(XDR *xdrs, RemoteDispatchDomainListing *listing);
