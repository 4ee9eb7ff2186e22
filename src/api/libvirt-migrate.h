/* Internal: the managed migration steps, shared by the public API and drivers that do peer-to-peer in-process. */
#pragma once

#include <libvirt/libvirt.h>

virDomainPtr migrateRunSteps(virDomainPtr domain, virConnectPtr dconn,
                             virTypedParameterPtr params, int nparams,
                             unsigned int flags);

/*
 * Tunnelled Perform of a source driver: the transfer goes into @st (a
 * stream to the destination opened by PrepareTunnel3Params).  The driver
 * finishes @st when all data is through and aborts it on failure.
 */
typedef int (*MigrateTunnelPerformFunc)(virDomainPtr domain, virStreamPtr st,
                                        virTypedParameterPtr params, int nparams,
                                        const char *cookiein, int cookieinlen,
                                        char **cookieout, int *cookieoutlen,
                                        unsigned int flags);

virDomainPtr migrateRunTunnelSteps(virDomainPtr domain, virConnectPtr dconn,
                                   virTypedParameterPtr params, int nparams,
                                   unsigned int flags, MigrateTunnelPerformFunc perform);

int migrateParamsValidate(virTypedParameterPtr params, int nparams);
