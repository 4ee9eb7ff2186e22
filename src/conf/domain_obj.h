/* Driver-side domain objects and the list that finds them by name, UUID and id. */
#pragma once

#include <glib.h>
#include <libvirt/libvirt.h>

#include "conf/domain_conf.h"
#include "util/thread.h"

/*
 * A domain as a driver keeps it.  Lock discipline (docs/internals/locking.md):
 * every field below `lock` is protected by it unless marked otherwise;
 * lookups return the object referenced AND locked; release it with
 * domainObjEndAPI().  Never hold two domain locks at once.
 */
typedef struct _DomainObj DomainObj;
struct _DomainObj {
    gint refs;                   /* atomic */
    Mutex lock;

    int state;                   /* virDomainState */
    int reason;                  /* the state's reason enum */
    bool persistent;             /* has a persistent definition */
    bool autostart;
    bool removed;                /* no longer in the list: lookups skip it */

    DomainDef *def;              /* current: the live definition when active */
    DomainDef *newDef;           /* persistent definition while active, or NULL */

    void *privateData;           /* the driver's */
    GDestroyNotify privateDataFree;

    bool hasManagedSave;         /* a managed save image exists */
    bool updated;                /* persistent definition changed while live
                                  * (virDomainIsUpdated) */
    unsigned int nsnapshots;     /* for the list filters */
    unsigned int ncheckpoints;

    /*
     * Owned by the list and protected by the LIST's lock, never by @lock:
     * the keys of the hash tables (immutable while the object is listed)
     * and the insertion-order links.
     */
    char *listName;
    unsigned char listUUID[VIR_UUID_BUFLEN];
    int listID;                  /* -1 when not findable by id */
    DomainObj *listPrev;
    DomainObj *listNext;
};

typedef struct _DomainObjList DomainObjList;

DomainObjList *domainObjListNew(void);
void domainObjListFree(DomainObjList *list);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DomainObjList, domainObjListFree);

/* Flags for domainObjListAdd */
typedef enum {
    DOMAIN_OBJ_LIST_ADD_LIVE = (1 << 0),  /* @def becomes the live definition */
    DOMAIN_OBJ_LIST_ADD_CHECK_LIVE = (1 << 1), /* fail if that domain runs */
} DomainObjListAddFlags;

/*
 * Adds a definition, or replaces the definition of the domain with the same
 * name and UUID.  Errors (libvirt's): same UUID other name →
 * VIR_ERR_OPERATION_FAILED "domain 'A' is already defined with uuid U";
 * same name other UUID → VIR_ERR_OPERATION_FAILED "domain 'A' already
 * exists with uuid U"; CHECK_LIVE and active → VIR_ERR_OPERATION_INVALID
 * "domain 'A' is already active".
 *
 * Takes ownership of *@def (set to NULL) on success.  When an existing
 * persistent definition was replaced (the definition of an inactive
 * domain, or newDef of a running one) it is returned in *@oldDef (caller
 * frees) if @oldDef is not NULL; otherwise *@oldDef is set to NULL, so
 * "*oldDef != NULL" means DEFINED_UPDATED rather than DEFINED_ADDED.  For
 * an active domain without ADD_LIVE the new definition becomes newDef (the
 * persistent one) and the domain becomes persistent.  A new object is shut
 * off, persistent unless ADD_LIVE is given.
 *
 * Returns: the object, referenced and locked, or NULL with an error.
 */
DomainObj *domainObjListAdd(DomainObjList *list, DomainDef **def,
                            unsigned int flags, DomainDef **oldDef);

/* Lookups: referenced and locked object, or NULL (no error reported). */
DomainObj *domainObjListFindByName(DomainObjList *list, const char *name);
DomainObj *domainObjListFindByUUID(DomainObjList *list,
                                   const unsigned char *uuid);
DomainObj *domainObjListFindByID(DomainObjList *list, int id);

/*
 * Removes @vm (locked by the caller) from the list.  @vm stays valid
 * while the caller holds its reference; it is marked removed.
 */
void domainObjListRemove(DomainObjList *list, DomainObj *vm);

/*
 * Gives @vm (locked) the next free id and makes it findable by it; also
 * sets vm->def->id.  domainObjListReleaseID undoes it (id becomes -1).
 */
int domainObjListAssignID(DomainObjList *list, DomainObj *vm);
void domainObjListReleaseID(DomainObjList *list, DomainObj *vm);

/* Predicate for collecting; called with @vm locked. */
typedef bool (*DomainObjFilter)(DomainObj *vm, void *opaque);

/*
 * Snapshot of the objects for which @filter (may be NULL) is true, each
 * referenced (not locked); free with domainObjListFreeArray.
 */
GPtrArray *domainObjListCollect(DomainObjList *list, DomainObjFilter filter,
                                void *opaque);

/*
 * Calls @cb for every listed object, each locked during its call (the
 * list lock is not held then).  Objects removed meanwhile are skipped.
 */
typedef void (*DomainObjIterator)(DomainObj *vm, void *opaque);
void domainObjListForEach(DomainObjList *list, DomainObjIterator cb,
                          void *opaque);

/* True if @vm (locked) matches virConnectListAllDomains @flags. */
bool domainObjMatchesListFlags(DomainObj *vm, unsigned int flags);

size_t domainObjListCount(DomainObjList *list);
/* Count of active (active=true) or inactive domains; @filter as above. */
size_t domainObjListCountActive(DomainObjList *list, bool active);

/*
 * Names of the inactive domains (up to @maxnames), as virConnectListDefinedDomains.
 * Returns the number stored in @names (caller frees each).
 */
int domainObjListGetInactiveNames(DomainObjList *list, char **const names,
                                  int maxnames);
/* Ids of the active domains (up to @maxids), as virConnectListDomains. */
int domainObjListGetActiveIDs(DomainObjList *list, int *ids, int maxids);

/*
 * Called under the list lock with the list's own copies of a listed
 * object's name, UUID and id (-1 when inactive); must not lock anything.
 */
typedef void (*DomainObjListedIterator)(const char *name, const unsigned char *uuid, int id,
                                        void *opaque);
void domainObjListForEachListed(DomainObjList *list, DomainObjListedIterator cb,
                                void *opaque);

/* Fails with VIR_ERR_OPERATION_INVALID "domain is not running" if @vm is inactive. */
int domainObjCheckActive(DomainObj *vm);

/*
 * Resolve VIR_DOMAIN_AFFECT_LIVE/CONFIG/CURRENT against @vm (locked), as
 * libvirt does: CURRENT means LIVE when active, CONFIG otherwise; LIVE on an
 * inactive domain is "domain is not running"; CONFIG on a transient domain
 * is "transient domains do not have any persistent config".  On success
 * *@flags holds VIR_DOMAIN_AFFECT_LIVE and/or _CONFIG explicitly (touch
 * vm->def for LIVE, domainObjGetPersistentDef for CONFIG).
 */
int domainObjUpdateModificationImpact(DomainObj *vm, unsigned int *flags);

/*
 * The one definition an operation with @flags (LIVE/CONFIG/CURRENT) works
 * on: the live one or the persistent one; LIVE together with CONFIG is
 * VIR_ERR_INVALID_ARG, other errors as above.  *@live (may be NULL) tells
 * which one it is.
 */
DomainDef *domainObjGetOneDefState(DomainObj *vm, unsigned int flags,
                                   bool *live);
DomainDef *domainObjGetOneDef(DomainObj *vm, unsigned int flags);

/*
 * virDomainGetMetadata on @vm (locked): @type is a virDomainMetadataType,
 * @uri the namespace of an ELEMENT, @flags VIR_DOMAIN_AFFECT_*.  Missing
 * metadata is VIR_ERR_NO_DOMAIN_METADATA.  Returns a new string or NULL.
 */
char *domainObjGetMetadata(DomainObj *vm, int type, const char *uri,
                           unsigned int flags);
/*
 * virDomainSetMetadata on @vm (locked): a NULL or empty @metadata removes
 * it; an ELEMENT is stored under prefix @key in namespace @uri, replacing
 * an element of the same namespace.  Returns 0 or -1.
 */
int domainObjSetMetadata(DomainObj *vm, int type, const char *metadata,
                         const char *key, const char *uri,
                         unsigned int flags);

/* Object life. */
DomainObj *domainObjRef(DomainObj *vm);
void domainObjUnref(DomainObj *vm);
void domainObjLock(DomainObj *vm);
void domainObjUnlock(DomainObj *vm);
/* Unlock + unref, set *@vm to NULL; accepts NULL. */
void domainObjEndAPI(DomainObj **vm);

bool domainObjIsActive(DomainObj *vm);
void domainObjSetState(DomainObj *vm, int state, int reason);
int domainObjGetState(DomainObj *vm, int *reason);

/*
 * The persistent definition: newDef when active and persistent, else def.
 * Valid while @vm is locked.
 */
DomainDef *domainObjGetPersistentDef(DomainObj *vm);

/*
 * Prepare for starting a persistent domain: copy def to newDef so that live
 * changes do not touch the persistent definition.  Returns 0 or -1.
 */
int domainObjSetDefTransient(DomainObj *vm);

/* After stopping: restore newDef as def (if any), id = -1. */
void domainObjRemoveTransientDef(DomainObj *vm);
