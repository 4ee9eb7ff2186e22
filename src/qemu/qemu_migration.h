/* Live migration of QEMU guests: the QEMU side of the table of src/migration. */
#pragma once

#include <libvirt/libvirt.h>

#include "qemu/qemu_domain.h"

/*
 * Every phase change of a QEMU migration goes through
 * migrationPhaseHandle() (src/migration/migration_table.def); this module
 * supplies the hooks (what each action does to QEMU), turns QEMU's
 * MIGRATION events into the table's Q_* events, and implements the v3
 * steps, job control and restart recovery.  docs/migration.md.
 */

/* Default QEMU parameters as libvirt reports them. */
#define QEMU_DOMAIN_MIG_BANDWIDTH_MAX (G_MAXINT64 / (1024 * 1024))
#define QEMU_DOMAIN_MIG_DOWNTIME_DEFAULT 300

void qemuMigrationPrivateFree(QemuDomainPrivate *priv);
int qemuMigrationHostUUIDInit(QemuDriver *driver);
void qemuMigrationWatchdogInit(QemuDriver *driver);
void qemuMigrationWatchdogFree(QemuDriver *driver);
void qemuMigrationConnectClosed(QemuDriver *driver, virConnectPtr conn);

/* Event-loop thread, @vm locked. */
bool qemuMigrationHandleEventLocked(QemuDriver *driver, DomainObj *vm,
                                    const QemuMonitorEvent *ev);
void qemuMigrationNotifyGoneLocked(DomainObj *vm);

/* Worker threads, @vm locked: a save or dump completed (qemu_dump.c). */
void qemuMigrationSetFileCompletedLocked(DomainObj *vm, int operation, gint64 startMs,
                                         QemuMonitorMigrationInfo *info);
void qemuMigrationSetDumpCompletedLocked(DomainObj *vm, gint64 startMs, uint64_t total,
                                         uint64_t completed);

/* Worker threads, @vm locked, job held. */
void qemuMigrationProcessEventsLocked(DomainObj *vm);
bool qemuMigrationQemuGoneLocked(DomainObj *vm);
void qemuMigrationRecoverLocked(QemuDriver *driver, DomainObj *vm, const char *phase,
                                int side, unsigned int flags);

/* The driver table's entries (qemu_driver.c registers them). */
int qemuMigrationSupportsFeature(virConnectPtr conn, int feature);
char *qemuMigrationBegin3Params(virDomainPtr dom, virTypedParameterPtr params, int nparams,
                                char **cookieout, int *cookieoutlen, unsigned int flags);
int qemuMigrationPrepareTunnel3Params(virConnectPtr dconn, virStreamPtr st,
                                      virTypedParameterPtr params, int nparams,
                                      const char *cookiein, int cookieinlen, char **cookieout,
                                      int *cookieoutlen, unsigned int flags);
int qemuMigrationPrepare3Params(virConnectPtr dconn, virTypedParameterPtr params, int nparams,
                                const char *cookiein, int cookieinlen, char **cookieout,
                                int *cookieoutlen, char **uriOut, unsigned int flags);
int qemuMigrationPerform3Params(virDomainPtr dom, const char *dconnuri,
                                virTypedParameterPtr params, int nparams,
                                const char *cookiein, int cookieinlen, char **cookieout,
                                int *cookieoutlen, unsigned int flags);
virDomainPtr qemuMigrationFinish3Params(virConnectPtr dconn, virTypedParameterPtr params,
                                        int nparams, const char *cookiein, int cookieinlen,
                                        char **cookieout, int *cookieoutlen, unsigned int flags,
                                        int cancelled);
int qemuMigrationConfirm3Params(virDomainPtr dom, virTypedParameterPtr params, int nparams,
                                const char *cookiein, int cookieinlen, unsigned int flags,
                                int cancelled);
char *qemuMigrationBegin3(virDomainPtr dom, const char *xmlin, char **cookieout,
                          int *cookieoutlen, unsigned long flags, const char *dname,
                          unsigned long resource);
int qemuMigrationPrepare3(virConnectPtr dconn, const char *cookiein, int cookieinlen,
                          char **cookieout, int *cookieoutlen, const char *uriIn,
                          char **uriOut, unsigned long flags, const char *dname,
                          unsigned long resource, const char *domXML);
int qemuMigrationPerform3(virDomainPtr dom, const char *xmlin, const char *cookiein,
                          int cookieinlen, char **cookieout, int *cookieoutlen,
                          const char *dconnuri, const char *uri, unsigned long flags,
                          const char *dname, unsigned long resource);
virDomainPtr qemuMigrationFinish3(virConnectPtr dconn, const char *dname, const char *cookiein,
                                  int cookieinlen, char **cookieout, int *cookieoutlen,
                                  const char *dconnuri, const char *uri, unsigned long flags,
                                  int cancelled);
int qemuMigrationConfirm3(virDomainPtr dom, const char *cookiein, int cookieinlen,
                          unsigned long flags, int cancelled);

int qemuMigrationGetJobInfo(virDomainPtr dom, virDomainJobInfoPtr info);
int qemuMigrationGetJobStats(virDomainPtr dom, int *type, virTypedParameterPtr *params,
                             int *nparams, unsigned int flags);
int qemuMigrationAbortJob(virDomainPtr dom);
int qemuMigrationAbortJobFlags(virDomainPtr dom, unsigned int flags);
int qemuMigrationGetCompressionCache(virDomainPtr dom, unsigned long long *cacheSize,
                                     unsigned int flags);
int qemuMigrationSetCompressionCache(virDomainPtr dom, unsigned long long cacheSize,
                                     unsigned int flags);
int qemuMigrationSetMaxSpeed(virDomainPtr dom, unsigned long bandwidth, unsigned int flags);
int qemuMigrationGetMaxSpeed(virDomainPtr dom, unsigned long *bandwidth, unsigned int flags);
int qemuMigrationSetMaxDowntime(virDomainPtr dom, unsigned long long downtime,
                                unsigned int flags);
int qemuMigrationGetMaxDowntime(virDomainPtr dom, unsigned long long *downtime,
                                unsigned int flags);
int qemuMigrationStartPostCopy(virDomainPtr dom, unsigned int flags);

/* From qemu_driver.c. */
DomainObj *qemuDriverDomObjFromDomain(virDomainPtr dom);
QemuDomainPrivate *qemuDriverPrivateOf(QemuDriver *driver, DomainObj *vm);
int qemuDriverPrepareDef(QemuDriver *driver, DomainDef *def);
