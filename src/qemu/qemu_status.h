/* Status XML of running QEMU domains: what survives a driver restart. */
#pragma once

#include "qemu/qemu_domain.h"

/*
 * STATEDIR/NAME.xml, written atomically:
 *
 *   <domstatus state='1' reason='1' pid='1234' monitor='...' pidfile='...' log='...'>
 *     <job type='state change' api='virDomainSuspend'/>      (only while a job runs)
 *     <taint flag='custom-monitor'/>                          (after qemu-monitor-command)
 *     <migration side='source' phase='S_PERFORM' flags='1'/> (only during a migration)
 *     <domain type='qemu' id='3'> ...the live definition... </domain>
 *   </domstatus>
 *
 * state and reason are libvirt's numbers (virDomainState and its reason
 * enum).  <job> is written when a job starts on a running domain and
 * removed when it ends; a restarted daemon reads it back only to log the
 * job the old daemon was in: a plain job never survives a restart (its
 * caller is gone with its connection), and a migration is recovered from
 * <migration> by the migration table (docs/migration.md).
 */

int qemuStatusWriteLocked(QemuDriver *driver, DomainObj *vm);
void qemuStatusRemove(QemuDriver *driver, const char *name);
char *qemuStatusPath(QemuDriver *driver, const char *name);

/* What one status file says. */
typedef struct {
    DomainDef *def;         /* the live definition (id set) */
    int state;
    int reason;
    pid_t pid;
    char *monitorPath;
    char *pidfile;
    char *logPath;
    bool taintCustomMonitor; /* <taint flag='custom-monitor'/> */
    char *migPhase;         /* <migration phase=...>: a phase of the migration table, or NULL */
    int migSide;            /* MigSide */
    unsigned int migFlags;
    char *jobType;          /* <job type=...>: the job held when written, or NULL */
    char *jobApi;           /* <job api=...> */
} QemuStatus;

void qemuStatusFree(QemuStatus *status);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuStatus, qemuStatusFree);
QemuStatus *qemuStatusParse(const char *path);
GPtrArray *qemuStatusLoadAll(QemuDriver *driver);
