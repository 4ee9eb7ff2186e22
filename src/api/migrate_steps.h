/* Internal migration steps for the daemon's dispatch (private exports, not libvirt API). */
#pragma once

#include <libvirt/libvirt.h>

/*
 * libvirt's daemon reaches the five v3 steps of a driver through internal
 * entry points of its library (libvirt_internal.h); these are virtkit's,
 * exported from libvirt.so.0 in the version node VIRTKIT_PRIVATE_0.1
 * (src/libvirt.syms) for virtkitd only.  Each resets the thread's error,
 * checks its handle, refuses read-only connections and calls the driver
 * (VIR_ERR_NO_SUPPORT when the driver lacks the step).  Cookies pass
 * through untouched.  @feature of virtkitConnectSupportsFeature is a
 * REMOTE_FEATURE_* number (libvirt's VIR_DRV_FEATURE_* values).
 */

int virtkitConnectSupportsFeature(virConnectPtr conn, int feature);

char *virtkitDomainMigrateBegin3(virDomainPtr domain, const char *xmlin, char **cookieout,
                                 int *cookieoutlen, unsigned long flags, const char *dname,
                                 unsigned long bandwidth);
int virtkitDomainMigratePrepare3(virConnectPtr dconn, const char *cookiein, int cookieinlen,
                                 char **cookieout, int *cookieoutlen, const char *uri_in,
                                 char **uri_out, unsigned long flags, const char *dname,
                                 unsigned long resource, const char *dom_xml);
int virtkitDomainMigratePerform3(virDomainPtr domain, const char *xmlin, const char *cookiein,
                                 int cookieinlen, char **cookieout, int *cookieoutlen,
                                 const char *dconnuri, const char *uri, unsigned long flags,
                                 const char *dname, unsigned long resource);
virDomainPtr virtkitDomainMigrateFinish3(virConnectPtr dconn, const char *dname,
                                         const char *cookiein, int cookieinlen, char **cookieout,
                                         int *cookieoutlen, const char *dconnuri, const char *uri,
                                         unsigned long flags, int cancelled);
int virtkitDomainMigrateConfirm3(virDomainPtr domain, const char *cookiein, int cookieinlen,
                                 unsigned long flags, int cancelled);

char *virtkitDomainMigrateBegin3Params(virDomainPtr domain, virTypedParameterPtr params,
                                       int nparams, char **cookieout, int *cookieoutlen,
                                       unsigned int flags);
int virtkitDomainMigratePrepare3Params(virConnectPtr dconn, virTypedParameterPtr params,
                                       int nparams, const char *cookiein, int cookieinlen,
                                       char **cookieout, int *cookieoutlen, char **uri_out,
                                       unsigned int flags);
int virtkitDomainMigratePrepareTunnel3Params(virConnectPtr dconn, virStreamPtr st,
                                             virTypedParameterPtr params, int nparams,
                                             const char *cookiein, int cookieinlen,
                                             char **cookieout, int *cookieoutlen,
                                             unsigned int flags);
int virtkitDomainMigratePerform3Params(virDomainPtr domain, const char *dconnuri,
                                       virTypedParameterPtr params, int nparams,
                                       const char *cookiein, int cookieinlen, char **cookieout,
                                       int *cookieoutlen, unsigned int flags);
virDomainPtr virtkitDomainMigrateFinish3Params(virConnectPtr dconn, virTypedParameterPtr params,
                                               int nparams, const char *cookiein, int cookieinlen,
                                               char **cookieout, int *cookieoutlen,
                                               unsigned int flags, int cancelled);
int virtkitDomainMigrateConfirm3Params(virDomainPtr domain, virTypedParameterPtr params,
                                       int nparams, const char *cookiein, int cookieinlen,
                                       unsigned int flags, int cancelled);
