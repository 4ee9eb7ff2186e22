/* Driver-side domain objects and the list that finds them by name, UUID and id. */
#include <string.h>

#define ERR_DOMAIN VIR_FROM_DOMAIN

#include "conf/domain_obj.h"
#include "util/error.h"
#include "util/log.h"
#include "util/str.h"
#include "util/thread.h"
#include "util/uuid.h"
#include "util/xml.h"

LOG_INIT("conf.domain_obj");

/*
 * The list.  @lock is a leaf lock (docs/internals/locking.md): while it is
 * held nothing else is acquired, in particular no domain lock.  Lookups
 * take a reference under it, drop it, and only then lock the object.
 * Every listed object holds one reference owned by the list.
 */
struct _DomainObjList {
    RWLock lock;
    GHashTable *byName;   /* vm->listName -> vm (borrowed key and value) */
    GHashTable *byUUID;   /* vm->listUUID -> vm */
    GHashTable *byID;     /* GINT_TO_POINTER(vm->listID) -> vm */
    DomainObj *head;      /* insertion order, for stable listings */
    DomainObj *tail;
    int nextID;           /* next id to hand out; ids start at 1 */
};

/**
 * domainObjListNew:
 *
 * Returns: a new empty list (caller frees with domainObjListFree).
 */
DomainObjList *
domainObjListNew(void)
{
    DomainObjList *list = g_new0(DomainObjList, 1);

    rwLockInit(&list->lock);
    list->byName = g_hash_table_new(g_str_hash, g_str_equal);
    list->byUUID = g_hash_table_new(uuidHash, uuidHashEqual);
    list->byID = g_hash_table_new(g_direct_hash, g_direct_equal);
    list->nextID = 1;
    return list;
}

/**
 * domainObjListFree:
 * @list: the list, or NULL
 *
 * Drops the list's reference on every object (objects still referenced
 * elsewhere survive, marked removed) and frees the list.  No other thread
 * may use @list any more.
 */
void
domainObjListFree(DomainObjList *list)
{
    DomainObj *vm;

    if (!list)
        return;
    vm = list->head;
    while (vm) {
        DomainObj *next = vm->listNext;

        vm->listPrev = vm->listNext = NULL;
        g_clear_pointer(&vm->listName, g_free);
        vm->listID = -1;
        /* A reader holding a reference sees the flag under vm->lock. */
        domainObjLock(vm);
        vm->removed = true;
        domainObjUnlock(vm);
        domainObjUnref(vm);
        vm = next;
    }
    g_hash_table_destroy(list->byName);
    g_hash_table_destroy(list->byUUID);
    g_hash_table_destroy(list->byID);
    rwLockClear(&list->lock);
    g_free(list);
}

static DomainObj *
domainObjNew(void)
{
    DomainObj *vm = g_new0(DomainObj, 1);

    g_atomic_int_set(&vm->refs, 1);
    mutexInit(&vm->lock);
    vm->listID = -1;
    return vm;
}

/**
 * domainObjRef:
 * @vm: the object
 *
 * Returns: @vm, with one more reference.
 */
DomainObj *
domainObjRef(DomainObj *vm)
{
    g_atomic_int_inc(&vm->refs);
    return vm;
}

/**
 * domainObjUnref:
 * @vm: the object, or NULL
 *
 * Drops a reference; the last one frees the object and its definitions.
 * Must not be called with @vm locked unless the caller holds another
 * reference.
 */
void
domainObjUnref(DomainObj *vm)
{
    if (!vm || !g_atomic_int_dec_and_test(&vm->refs))
        return;
    domainDefFree(vm->def);
    domainDefFree(vm->newDef);
    if (vm->privateData && vm->privateDataFree)
        vm->privateDataFree(vm->privateData);
    g_free(vm->listName);
    mutexClear(&vm->lock);
    g_free(vm);
}

/**
 * domainObjLock:
 * @vm: the object (referenced by the caller)
 *
 * Locks @vm.  Never called with the list lock or another domain lock held.
 */
void
domainObjLock(DomainObj *vm)
{
    mutexLock(&vm->lock);
}

/**
 * domainObjUnlock:
 * @vm: the locked object
 */
void
domainObjUnlock(DomainObj *vm)
{
    mutexUnlock(&vm->lock);
}

/**
 * domainObjEndAPI:
 * @vm: pointer to a locked, referenced object, or to NULL
 *
 * Unlocks and unrefs *@vm and sets it to NULL.
 */
void
domainObjEndAPI(DomainObj **vm)
{
    if (!*vm)
        return;
    domainObjUnlock(*vm);
    domainObjUnref(*vm);
    *vm = NULL;
}

/* Called with the list lock held (either mode). */
static DomainObj *
domainObjListRefLocked(DomainObj *vm)
{
    return vm ? domainObjRef(vm) : NULL;
}

/* Lock a referenced object found under the list lock; drop it if removed. */
static DomainObj *
domainObjListLockFound(DomainObj *vm)
{
    if (!vm)
        return NULL;
    domainObjLock(vm);
    if (vm->removed) {
        domainObjUnlock(vm);
        domainObjUnref(vm);
        return NULL;
    }
    return vm;
}

/**
 * domainObjListFindByName:
 * @list: the list
 * @name: domain name
 *
 * Returns: the object, referenced and locked, or NULL (no error reported).
 */
DomainObj *
domainObjListFindByName(DomainObjList *list, const char *name)
{
    DomainObj *vm;

    rwLockReaderLock(&list->lock);
    vm = domainObjListRefLocked(g_hash_table_lookup(list->byName, name));
    rwLockReaderUnlock(&list->lock);
    return domainObjListLockFound(vm);
}

/**
 * domainObjListFindByUUID:
 * @list: the list
 * @uuid: VIR_UUID_BUFLEN raw bytes
 *
 * Returns: the object, referenced and locked, or NULL (no error reported).
 */
DomainObj *
domainObjListFindByUUID(DomainObjList *list, const unsigned char *uuid)
{
    DomainObj *vm;

    rwLockReaderLock(&list->lock);
    vm = domainObjListRefLocked(g_hash_table_lookup(list->byUUID, uuid));
    rwLockReaderUnlock(&list->lock);
    return domainObjListLockFound(vm);
}

/**
 * domainObjListFindByID:
 * @list: the list
 * @id: a running domain's id
 *
 * Returns: the object, referenced and locked, or NULL (no error reported).
 */
DomainObj *
domainObjListFindByID(DomainObjList *list, int id)
{
    DomainObj *vm;

    rwLockReaderLock(&list->lock);
    vm = domainObjListRefLocked(g_hash_table_lookup(list->byID,
                                                    GINT_TO_POINTER(id)));
    rwLockReaderUnlock(&list->lock);
    vm = domainObjListLockFound(vm);
    /* The id may have been released between the lookup and the lock. */
    if (vm && (!vm->def || vm->def->id != id)) {
        domainObjEndAPI(&vm);
        return NULL;
    }
    return vm;
}

/* Append @vm to the order list; list lock held for writing. */
static void
domainObjListLinkLocked(DomainObjList *list, DomainObj *vm)
{
    vm->listPrev = list->tail;
    vm->listNext = NULL;
    if (list->tail)
        list->tail->listNext = vm;
    else
        list->head = vm;
    list->tail = vm;
}

static void
domainObjListUnlinkLocked(DomainObjList *list, DomainObj *vm)
{
    if (vm->listPrev)
        vm->listPrev->listNext = vm->listNext;
    else
        list->head = vm->listNext;
    if (vm->listNext)
        vm->listNext->listPrev = vm->listPrev;
    else
        list->tail = vm->listPrev;
    vm->listPrev = vm->listNext = NULL;
}

/*
 * Put @def into the existing, locked @vm (found by UUID, same name).
 * Implements the replacement rules of domainObjListAdd.
 */
static int
domainObjListReplaceLocked(DomainObj *vm, DomainDef **def, unsigned int flags,
                           DomainDef **oldDef)
{
    if ((flags & DOMAIN_OBJ_LIST_ADD_CHECK_LIVE) && domainObjIsActive(vm)) {
        reportError(VIR_ERR_OPERATION_INVALID,
                    _("domain '%1$s' is already active"), vm->def->name);
        return -1;
    }

    if (flags & DOMAIN_OBJ_LIST_ADD_LIVE) {
        /* Starting from a new live definition: keep the persistent one. */
        if (domainObjIsActive(vm)) {
            reportError(VIR_ERR_OPERATION_INVALID,
                        _("domain '%1$s' is already active"), vm->def->name);
            return -1;
        }
        if (vm->persistent) {
            if (!vm->newDef)
                vm->newDef = g_steal_pointer(&vm->def);
            else
                domainDefFree(g_steal_pointer(&vm->def));
        } else {
            domainDefFree(g_steal_pointer(&vm->def));
        }
        vm->def = g_steal_pointer(def);
        return 0;
    }

    if (domainObjIsActive(vm)) {
        /* A running domain: the new definition is the persistent one. */
        if (oldDef)
            *oldDef = vm->newDef;
        else
            domainDefFree(vm->newDef);
        vm->newDef = g_steal_pointer(def);
    } else {
        if (oldDef)
            *oldDef = vm->def;
        else
            domainDefFree(vm->def);
        vm->def = g_steal_pointer(def);
        g_clear_pointer(&vm->newDef, domainDefFree);
    }
    vm->persistent = true;
    return 0;
}

/**
 * domainObjListAdd:
 * @list: the list
 * @def: pointer to the definition to add (ownership taken on success)
 * @flags: DomainObjListAddFlags
 * @oldDef: where to return a replaced definition, or NULL
 *
 * Adds a definition, or replaces the definition of the domain with the
 * same name and UUID (see domain_obj.h for the rules and errors).  A new
 * object starts shut off, persistent unless ADD_LIVE is given.  *@oldDef is
 * written only when a definition was replaced (caller frees it).
 *
 * Locking: takes the list lock, then (after dropping it) the found object's
 * lock; the caller must hold no domain lock.
 *
 * Returns: the object, referenced and locked, or NULL with an error.
 */
DomainObj *
domainObjListAdd(DomainObjList *list, DomainDef **def, unsigned int flags,
                 DomainDef **oldDef)
{
    DomainObj *vm = NULL;
    char uuidstr[VIR_UUID_STRING_BUFLEN];

    if (oldDef)
        *oldDef = NULL;

    for (;;) {
        DomainObj *other;
        /*
         * A candidate new object, locked BEFORE the list lock is taken so
         * that the list lock stays a leaf (a domain lock is never acquired
         * while it is held).  Nobody can see it until it is inserted.
         */
        DomainObj *fresh = domainObjNew();

        domainObjLock(fresh);
        rwLockWriterLock(&list->lock);

        if ((other = g_hash_table_lookup(list->byUUID, (*def)->uuid))) {
            if (!streq(other->listName, (*def)->name)) {
                uuidFormat(other->listUUID, uuidstr);
                reportError(VIR_ERR_OPERATION_FAILED,
                            _("domain '%1$s' is already defined with uuid %2$s"),
                            other->listName, uuidstr);
                rwLockWriterUnlock(&list->lock);
                domainObjEndAPI(&fresh);
                return NULL;
            }
            vm = domainObjRef(other);
            rwLockWriterUnlock(&list->lock);
            domainObjEndAPI(&fresh);

            if (!(vm = domainObjListLockFound(vm)))
                continue;   /* removed meanwhile: try again */
            if (domainObjListReplaceLocked(vm, def, flags, oldDef) < 0)
                domainObjEndAPI(&vm);
            return vm;
        }

        if ((other = g_hash_table_lookup(list->byName, (*def)->name))) {
            uuidFormat(other->listUUID, uuidstr);
            reportError(VIR_ERR_OPERATION_FAILED,
                        _("domain '%1$s' already exists with uuid %2$s"),
                        other->listName, uuidstr);
            rwLockWriterUnlock(&list->lock);
            domainObjEndAPI(&fresh);
            return NULL;
        }

        fresh->listName = g_strdup((*def)->name);
        memcpy(fresh->listUUID, (*def)->uuid, VIR_UUID_BUFLEN);
        fresh->state = VIR_DOMAIN_SHUTOFF;
        fresh->reason = VIR_DOMAIN_SHUTOFF_UNKNOWN;
        fresh->persistent = !(flags & DOMAIN_OBJ_LIST_ADD_LIVE);
        fresh->def = g_steal_pointer(def);
        g_hash_table_insert(list->byName, fresh->listName, fresh);
        g_hash_table_insert(list->byUUID, fresh->listUUID, fresh);
        domainObjListLinkLocked(list, fresh);
        /* One reference for the list, the creation one for the caller. */
        domainObjRef(fresh);
        rwLockWriterUnlock(&list->lock);
        return fresh;
    }
}

/**
 * domainObjListRemove:
 * @list: the list
 * @vm: a listed object, locked and referenced by the caller
 *
 * Unlists @vm (name, UUID and id) and marks it removed; the list's
 * reference is dropped, the caller's keeps @vm valid.
 */
void
domainObjListRemove(DomainObjList *list, DomainObj *vm)
{
    bool listed = false;

    rwLockWriterLock(&list->lock);
    if (vm->listName &&
        g_hash_table_lookup(list->byUUID, vm->listUUID) == vm) {
        g_hash_table_remove(list->byUUID, vm->listUUID);
        g_hash_table_remove(list->byName, vm->listName);
        if (vm->listID >= 0)
            g_hash_table_remove(list->byID, GINT_TO_POINTER(vm->listID));
        domainObjListUnlinkLocked(list, vm);
        g_clear_pointer(&vm->listName, g_free);
        vm->listID = -1;
        listed = true;
    }
    rwLockWriterUnlock(&list->lock);

    vm->removed = true;
    if (listed)
        domainObjUnref(vm);
}

/**
 * domainObjListAssignID:
 * @list: the list
 * @vm: a listed object, locked
 *
 * Gives @vm the next id (ids grow from 1 and are never reused within a
 * list) and makes it findable by it; sets vm->def->id.
 *
 * Returns: the id.
 */
int
domainObjListAssignID(DomainObjList *list, DomainObj *vm)
{
    int id;

    rwLockWriterLock(&list->lock);
    if (vm->listID >= 0)
        g_hash_table_remove(list->byID, GINT_TO_POINTER(vm->listID));
    id = list->nextID++;
    if (list->nextID <= 0)   /* wrapped: start again */
        list->nextID = 1;
    vm->listID = id;
    if (vm->listName)
        g_hash_table_insert(list->byID, GINT_TO_POINTER(id), vm);
    rwLockWriterUnlock(&list->lock);

    vm->def->id = id;
    return id;
}

/**
 * domainObjListReleaseID:
 * @list: the list
 * @vm: a listed object, locked
 *
 * Makes @vm no longer findable by id; vm->def->id becomes -1.
 */
void
domainObjListReleaseID(DomainObjList *list, DomainObj *vm)
{
    rwLockWriterLock(&list->lock);
    if (vm->listID >= 0 &&
        g_hash_table_lookup(list->byID, GINT_TO_POINTER(vm->listID)) == vm)
        g_hash_table_remove(list->byID, GINT_TO_POINTER(vm->listID));
    vm->listID = -1;
    rwLockWriterUnlock(&list->lock);

    if (vm->def)
        vm->def->id = -1;
}

/* Snapshot of the listed objects, each referenced. */
static GPtrArray *
domainObjListSnapshot(DomainObjList *list)
{
    GPtrArray *all;
    DomainObj *vm;

    rwLockReaderLock(&list->lock);
    all = g_ptr_array_new_full(g_hash_table_size(list->byUUID),
                               (GDestroyNotify) domainObjUnref);
    for (vm = list->head; vm; vm = vm->listNext)
        g_ptr_array_add(all, domainObjRef(vm));
    rwLockReaderUnlock(&list->lock);
    return all;
}

/**
 * domainObjListCollect:
 * @list: the list
 * @filter: predicate called with each object locked, or NULL for all
 * @opaque: passed to @filter
 *
 * Takes a snapshot of the listed objects: references are taken under the
 * list lock, which is then dropped before each object is locked for
 * @filter.  Objects removed meanwhile are skipped.
 *
 * Returns: a GPtrArray of referenced, unlocked objects in insertion order;
 * freeing the array unrefs them.
 */
GPtrArray *
domainObjListCollect(DomainObjList *list, DomainObjFilter filter,
                     void *opaque)
{
    GPtrArray *all = domainObjListSnapshot(list);
    GPtrArray *ret;
    guint i;

    ret = g_ptr_array_new_full(all->len, (GDestroyNotify) domainObjUnref);
    for (i = 0; i < all->len; i++) {
        DomainObj *vm = all->pdata[i];
        bool keep;

        domainObjLock(vm);
        keep = !vm->removed && (!filter || filter(vm, opaque));
        domainObjUnlock(vm);
        if (keep)
            g_ptr_array_add(ret, domainObjRef(vm));
    }
    g_ptr_array_unref(all);
    return ret;
}

/**
 * domainObjListForEach:
 * @list: the list
 * @cb: called with each object locked
 * @opaque: passed to @cb
 *
 * Iterates over a snapshot of the list taken under the list lock; the
 * callbacks run without it.  Objects removed meanwhile are skipped.
 */
void
domainObjListForEach(DomainObjList *list, DomainObjIterator cb, void *opaque)
{
    g_autoptr(GPtrArray) all = domainObjListSnapshot(list);
    guint i;

    for (i = 0; i < all->len; i++) {
        DomainObj *vm = all->pdata[i];

        domainObjLock(vm);
        if (!vm->removed)
            cb(vm, opaque);
        domainObjUnlock(vm);
    }
}

/**
 * domainObjMatchesListFlags:
 * @vm: the object, locked
 * @flags: virConnectListAllDomainsFlags
 *
 * Each group of flags (active/inactive, persistent/transient, state,
 * managed save, autostart, snapshot, checkpoint) filters only when at
 * least one flag of the group is given; a group with both of its flags
 * given matches everything, as in libvirt.
 *
 * Returns: true if @vm passes every group.
 */
bool
domainObjMatchesListFlags(DomainObj *vm, unsigned int flags)
{
    const unsigned int stateFlags = VIR_CONNECT_LIST_DOMAINS_RUNNING |
                                    VIR_CONNECT_LIST_DOMAINS_PAUSED |
                                    VIR_CONNECT_LIST_DOMAINS_SHUTOFF |
                                    VIR_CONNECT_LIST_DOMAINS_OTHER;
    bool active = domainObjIsActive(vm);

    /* A group filters only when one of its two flags is given. */
#define GROUP(a, b, cond) \
    if ((flags & ((a) | (b))) && \
        !(((flags & (a)) && (cond)) || ((flags & (b)) && !(cond)))) \
        return false

    GROUP(VIR_CONNECT_LIST_DOMAINS_ACTIVE, VIR_CONNECT_LIST_DOMAINS_INACTIVE,
          active);
    GROUP(VIR_CONNECT_LIST_DOMAINS_PERSISTENT,
          VIR_CONNECT_LIST_DOMAINS_TRANSIENT, vm->persistent);
    GROUP(VIR_CONNECT_LIST_DOMAINS_MANAGEDSAVE,
          VIR_CONNECT_LIST_DOMAINS_NO_MANAGEDSAVE, vm->hasManagedSave);
    GROUP(VIR_CONNECT_LIST_DOMAINS_AUTOSTART,
          VIR_CONNECT_LIST_DOMAINS_NO_AUTOSTART, vm->autostart);
    GROUP(VIR_CONNECT_LIST_DOMAINS_HAS_SNAPSHOT,
          VIR_CONNECT_LIST_DOMAINS_NO_SNAPSHOT, vm->nsnapshots > 0);
    GROUP(VIR_CONNECT_LIST_DOMAINS_HAS_CHECKPOINT,
          VIR_CONNECT_LIST_DOMAINS_NO_CHECKPOINT, vm->ncheckpoints > 0);
#undef GROUP

    if (flags & stateFlags) {
        bool ok = false;

        switch (vm->state) {
        case VIR_DOMAIN_RUNNING:
            ok = flags & VIR_CONNECT_LIST_DOMAINS_RUNNING;
            break;
        case VIR_DOMAIN_PAUSED:
            ok = flags & VIR_CONNECT_LIST_DOMAINS_PAUSED;
            break;
        case VIR_DOMAIN_SHUTOFF:
            ok = flags & VIR_CONNECT_LIST_DOMAINS_SHUTOFF;
            break;
        default:
            ok = flags & VIR_CONNECT_LIST_DOMAINS_OTHER;
            break;
        }
        if (!ok)
            return false;
    }
    return true;
}

/**
 * domainObjListCount:
 * @list: the list
 *
 * Returns: the number of listed domains.
 */
size_t
domainObjListCount(DomainObjList *list)
{
    size_t n;

    rwLockReaderLock(&list->lock);
    n = g_hash_table_size(list->byUUID);
    rwLockReaderUnlock(&list->lock);
    return n;
}

/**
 * domainObjListCountActive:
 * @list: the list
 * @active: count active (true) or inactive (false) domains
 *
 * A domain is active while it holds an id, so this needs no domain lock.
 *
 * Returns: the count.
 */
size_t
domainObjListCountActive(DomainObjList *list, bool active)
{
    size_t total;
    size_t nactive;

    rwLockReaderLock(&list->lock);
    total = g_hash_table_size(list->byUUID);
    nactive = g_hash_table_size(list->byID);
    rwLockReaderUnlock(&list->lock);
    return active ? nactive : total - nactive;
}

/**
 * domainObjListGetInactiveNames:
 * @list: the list
 * @names: array of at least @maxnames slots
 * @maxnames: capacity of @names
 *
 * Fills @names with copies of the inactive domains' names (caller frees).
 *
 * Returns: the number of names stored.
 */
int
domainObjListGetInactiveNames(DomainObjList *list, char **const names,
                              int maxnames)
{
    DomainObj *vm;
    int n = 0;

    rwLockReaderLock(&list->lock);
    for (vm = list->head; vm && n < maxnames; vm = vm->listNext) {
        if (vm->listID < 0)
            names[n++] = g_strdup(vm->listName);
    }
    rwLockReaderUnlock(&list->lock);
    return n;
}

/**
 * domainObjListForEachListed:
 * @list: the list
 * @cb: called for each listed object, in list order
 * @opaque: passed to @cb
 *
 * Walks the list under its read lock and gives @cb the name, UUID and id
 * the list keeps for each object (the keys it finds them by, updated with
 * the object's own under the list's write lock), as
 * domainObjListGetInactiveNames does: no object is referenced or locked,
 * so a listing of many domains touches each object once.  Only for what
 * these three tell (activity included: an object has an id exactly while
 * it is active); anything else needs domainObjListForEach.
 */
void
domainObjListForEachListed(DomainObjList *list, DomainObjListedIterator cb, void *opaque)
{
    DomainObj *vm;

    rwLockReaderLock(&list->lock);
    for (vm = list->head; vm; vm = vm->listNext)
        cb(vm->listName, vm->listUUID, vm->listID, opaque);
    rwLockReaderUnlock(&list->lock);
}

/**
 * domainObjListGetActiveIDs:
 * @list: the list
 * @ids: array of at least @maxids slots
 * @maxids: capacity of @ids
 *
 * Returns: the number of ids of active domains stored in @ids.
 */
int
domainObjListGetActiveIDs(DomainObjList *list, int *ids, int maxids)
{
    DomainObj *vm;
    int n = 0;

    rwLockReaderLock(&list->lock);
    for (vm = list->head; vm && n < maxids; vm = vm->listNext) {
        if (vm->listID >= 0)
            ids[n++] = vm->listID;
    }
    rwLockReaderUnlock(&list->lock);
    return n;
}

/**
 * domainObjIsActive:
 * @vm: the object, locked
 *
 * Returns: true while the domain runs (has an id).
 */
bool
domainObjIsActive(DomainObj *vm)
{
    return vm->def && vm->def->id != -1;
}

/**
 * domainObjSetState:
 * @vm: the object, locked
 * @state: a virDomainState
 * @reason: the matching reason enum value
 */
void
domainObjSetState(DomainObj *vm, int state, int reason)
{
    vm->state = state;
    vm->reason = reason;
}

/**
 * domainObjGetState:
 * @vm: the object, locked
 * @reason: where to store the reason, or NULL
 *
 * Returns: the virDomainState.
 */
int
domainObjGetState(DomainObj *vm, int *reason)
{
    if (reason)
        *reason = vm->reason;
    return vm->state;
}

/**
 * domainObjGetPersistentDef:
 * @vm: the object, locked
 *
 * Returns: the persistent definition (newDef when running, else def);
 * valid while @vm stays locked.  For a transient domain, its only
 * definition.
 */
DomainDef *
domainObjGetPersistentDef(DomainObj *vm)
{
    if (domainObjIsActive(vm) && vm->newDef)
        return vm->newDef;
    return vm->def;
}

/**
 * domainObjSetDefTransient:
 * @vm: the object, locked, about to start
 *
 * For a persistent domain, keeps a copy of the definition as newDef so
 * that live changes leave the persistent one alone.
 *
 * Returns: 0, or -1 with an error.
 */
int
domainObjSetDefTransient(DomainObj *vm)
{
    if (!vm->persistent || vm->newDef)
        return 0;
    if (!(vm->newDef = domainDefCopy(vm->def, 0)))
        return -1;
    return 0;
}

/**
 * domainObjRemoveTransientDef:
 * @vm: the object, locked, just stopped
 *
 * Makes the persistent definition current again (dropping the live one)
 * and leaves the domain without id.
 */
void
domainObjRemoveTransientDef(DomainObj *vm)
{
    if (vm->newDef) {
        domainDefFree(vm->def);
        vm->def = g_steal_pointer(&vm->newDef);
    }
    vm->def->id = -1;
    vm->updated = false;
}

/**
 * domainObjCheckActive:
 * @vm: the object, locked
 *
 * Returns: 0 if @vm runs, else -1 with VIR_ERR_OPERATION_INVALID
 * "domain is not running" (libvirt's error for this case).
 */
int
domainObjCheckActive(DomainObj *vm)
{
    if (!domainObjIsActive(vm)) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s",
                    _("domain is not running"));
        return -1;
    }
    return 0;
}

/**
 * domainObjUpdateModificationImpact:
 * @vm: the object, locked
 * @flags: in: VIR_DOMAIN_AFFECT_* (other bits kept); out: explicit
 *
 * Returns: 0, or -1 with VIR_ERR_OPERATION_INVALID.
 */
int
domainObjUpdateModificationImpact(DomainObj *vm, unsigned int *flags)
{
    bool active = domainObjIsActive(vm);

    if ((*flags & (VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG)) == 0)
        *flags |= active ? VIR_DOMAIN_AFFECT_LIVE : VIR_DOMAIN_AFFECT_CONFIG;

    if (!active && (*flags & VIR_DOMAIN_AFFECT_LIVE)) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s",
                    _("domain is not running"));
        return -1;
    }
    if (!vm->persistent && (*flags & VIR_DOMAIN_AFFECT_CONFIG)) {
        reportError(VIR_ERR_OPERATION_INVALID, "%s",
                    _("transient domains do not have any persistent config"));
        return -1;
    }
    return 0;
}

/**
 * domainObjGetOneDefState:
 * @vm: the object, locked
 * @flags: VIR_DOMAIN_AFFECT_LIVE, _CONFIG or neither (current); other bits
 *         are ignored
 * @live: set to whether the live definition was chosen, or NULL
 *
 * Returns: the definition to use (valid while @vm is locked), or NULL with
 * an error: both LIVE and CONFIG is VIR_ERR_INVALID_ARG (libvirt's "Flags
 * ... are mutually exclusive"), others as domainObjUpdateModificationImpact.
 */
DomainDef *
domainObjGetOneDefState(DomainObj *vm, unsigned int flags, bool *live)
{
    flags &= VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG;
    if (flags == (VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG)) {
        reportError(VIR_ERR_INVALID_ARG,
                    _("Flags '%1$s' and '%2$s' are mutually exclusive"),
                    "VIR_DOMAIN_AFFECT_LIVE", "VIR_DOMAIN_AFFECT_CONFIG");
        return NULL;
    }
    if (domainObjUpdateModificationImpact(vm, &flags) < 0)
        return NULL;
    if (live)
        *live = flags & VIR_DOMAIN_AFFECT_LIVE;
    if (flags & VIR_DOMAIN_AFFECT_LIVE)
        return vm->def;
    return domainObjGetPersistentDef(vm);
}

/**
 * domainObjGetOneDef:
 * @vm: the object, locked
 * @flags: as for domainObjGetOneDefState
 *
 * Returns: the definition to use, or NULL with an error.
 */
DomainDef *
domainObjGetOneDef(DomainObj *vm, unsigned int flags)
{
    return domainObjGetOneDefState(vm, flags, NULL);
}

/* ---- metadata ---- */

/* The stored <metadata> element of @def re-read as a tree, or NULL. */
static xmlDocPtr
domainObjMetadataRead(const DomainDef *def)
{
    xmlDocPtr doc;

    if (!def->metadata)
        return NULL;
    doc = xmlReadMemory(def->metadata, (int) strlen(def->metadata), NULL,
                        NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
                              XML_PARSE_NOWARNING);
    if (doc && xmlDocGetRootElement(doc))
        xmlUtilStripBlanks(xmlDocGetRootElement(doc));
    return doc;
}

/* The child of <metadata> in namespace @uri, or NULL. */
static xmlNodePtr
domainObjMetadataFind(xmlNodePtr root, const char *uri)
{
    xmlNodePtr cur;

    for (cur = root ? root->children : NULL; cur; cur = cur->next) {
        if (cur->type == XML_ELEMENT_NODE && cur->ns && cur->ns->href &&
            streq((const char *) cur->ns->href, uri))
            return cur;
    }
    return NULL;
}

/* Put every element of the subtree without a namespace into @ns. */
static void
domainObjMetadataSetNs(xmlNodePtr node, xmlNsPtr ns)
{
    xmlNodePtr cur;

    if (!node->ns)
        xmlSetNs(node, ns);
    for (cur = node->children; cur; cur = cur->next) {
        if (cur->type == XML_ELEMENT_NODE)
            domainObjMetadataSetNs(cur, ns);
    }
}

/* Take the subtree out of namespace @uri (the reverse of the above). */
static void
domainObjMetadataClearNs(xmlNodePtr node, const char *uri)
{
    xmlNodePtr cur;

    if (node->ns && node->ns->href && streq((const char *) node->ns->href, uri))
        xmlSetNs(node, NULL);
    for (cur = node->children; cur; cur = cur->next) {
        if (cur->type == XML_ELEMENT_NODE)
            domainObjMetadataClearNs(cur, uri);
    }
}

static char *
domainObjMetadataGetElement(const DomainDef *def, const char *uri)
{
    g_autoptr(xmlDoc) doc = domainObjMetadataRead(def);
    g_autoptr(xmlDoc) out = NULL;
    xmlNodePtr found;
    xmlNodePtr copy;
    xmlNsPtr *nsp;

    if (!doc || !uri ||
        !(found = domainObjMetadataFind(xmlDocGetRootElement(doc), uri)))
        return NULL;

    out = xmlNewDoc(BAD_CAST "1.0");
    copy = xmlDocCopyNode(found, out, 1);
    xmlDocSetRootElement(out, copy);
    domainObjMetadataClearNs(copy, uri);
    /* Drop the now unused declaration of @uri. */
    for (nsp = &copy->nsDef; *nsp; ) {
        xmlNsPtr ns = *nsp;

        if (ns->href && streq((const char *) ns->href, uri)) {
            *nsp = ns->next;
            ns->next = NULL;
            xmlFreeNs(ns);
        } else {
            nsp = &ns->next;
        }
    }
    return xmlUtilNodeDump(out, copy, 0, true);
}

static int
domainObjMetadataSetElement(DomainDef *def, const char *metadata,
                            const char *key, const char *uri)
{
    g_autoptr(xmlDoc) doc = domainObjMetadataRead(def);
    g_autoptr(xmlDoc) frag = NULL;
    xmlNodePtr root;
    xmlNodePtr old;

    if (metadata && *metadata &&
        !(frag = xmlUtilParse(metadata, NULL, "(metadata_xml)", NULL,
                              VIR_FROM_DOMAIN)))
        return -1;

    if (!doc) {
        doc = xmlNewDoc(BAD_CAST "1.0");
        xmlDocSetRootElement(doc, xmlNewDocNode(doc, NULL,
                                                BAD_CAST "metadata", NULL));
    }
    root = xmlDocGetRootElement(doc);

    if ((old = domainObjMetadataFind(root, uri))) {
        xmlUnlinkNode(old);
        xmlFreeNode(old);
    }

    if (frag) {
        xmlNodePtr copy = xmlDocCopyNode(xmlDocGetRootElement(frag), doc, 1);
        xmlNsPtr ns;

        if (!copy) {
            reportError(VIR_ERR_NO_MEMORY, "%s", _("cannot copy metadata"));
            return -1;
        }
        if (!(ns = xmlNewNs(copy, BAD_CAST uri, BAD_CAST key))) {
            xmlFreeNode(copy);
            reportError(VIR_ERR_XML_ERROR,
                        _("failed to create namespace '%1$s' with prefix '%2$s'"),
                        uri, key);
            return -1;
        }
        domainObjMetadataSetNs(copy, ns);
        xmlAddChild(root, copy);
        xmlUtilStripBlanks(copy);
    }

    g_clear_pointer(&def->metadata, g_free);
    if (root->children)
        def->metadata = xmlUtilNodeDump(doc, root, 0, true);
    return 0;
}

static int
domainObjCheckMetadataType(int type)
{
    if (type < VIR_DOMAIN_METADATA_DESCRIPTION ||
        type > VIR_DOMAIN_METADATA_ELEMENT) {
        reportError(VIR_ERR_INVALID_ARG, _("unknown metadata type '%1$d'"),
                    type);
        return -1;
    }
    return 0;
}

/**
 * domainObjGetMetadata:
 * @vm: the object, locked
 * @type: virDomainMetadataType
 * @uri: namespace of the element for VIR_DOMAIN_METADATA_ELEMENT
 * @flags: VIR_DOMAIN_AFFECT_LIVE, _CONFIG or neither (current)
 *
 * Returns: the title, description or element (unprefixed, indented);
 * caller frees.  NULL with VIR_ERR_NO_DOMAIN_METADATA when absent, or
 * another error.
 */
char *
domainObjGetMetadata(DomainObj *vm, int type, const char *uri,
                     unsigned int flags)
{
    DomainDef *def;
    char *ret = NULL;

    if (domainObjCheckMetadataType(type) < 0 ||
        !(def = domainObjGetOneDef(vm, flags)))
        return NULL;

    switch (type) {
    case VIR_DOMAIN_METADATA_DESCRIPTION:
        ret = g_strdup(def->description);
        break;
    case VIR_DOMAIN_METADATA_TITLE:
        ret = g_strdup(def->title);
        break;
    case VIR_DOMAIN_METADATA_ELEMENT:
        ret = domainObjMetadataGetElement(def, uri);
        break;
    }
    if (!ret)
        reportError(VIR_ERR_NO_DOMAIN_METADATA, "%s",
                    _("Requested metadata element is not present"));
    return ret;
}

static int
domainObjDefSetMetadata(DomainDef *def, int type, const char *metadata,
                        const char *key, const char *uri)
{
    char **field = NULL;

    switch (type) {
    case VIR_DOMAIN_METADATA_DESCRIPTION:
        field = &def->description;
        break;
    case VIR_DOMAIN_METADATA_TITLE:
        field = &def->title;
        break;
    case VIR_DOMAIN_METADATA_ELEMENT:
        return domainObjMetadataSetElement(def, metadata, key, uri);
    }
    g_free(*field);
    *field = (metadata && *metadata) ? g_strdup(metadata) : NULL;
    return 0;
}

/**
 * domainObjSetMetadata:
 * @vm: the object, locked
 * @type: virDomainMetadataType
 * @metadata: new value, or NULL / "" to remove
 * @key: namespace prefix for an ELEMENT
 * @uri: namespace URI for an ELEMENT
 * @flags: VIR_DOMAIN_AFFECT_LIVE and/or _CONFIG, or neither (current)
 *
 * Returns: 0, or -1 with an error (nothing changed when the element XML
 * is malformed).
 */
int
domainObjSetMetadata(DomainObj *vm, int type, const char *metadata,
                     const char *key, const char *uri, unsigned int flags)
{
    if (domainObjCheckMetadataType(type) < 0 ||
        domainObjUpdateModificationImpact(vm, &flags) < 0)
        return -1;

    if (type == VIR_DOMAIN_METADATA_TITLE && metadata &&
        strchr(metadata, '\n')) {
        reportError(VIR_ERR_INVALID_ARG, "%s",
                    _("metadata title can't contain newlines"));
        return -1;
    }

    if ((flags & VIR_DOMAIN_AFFECT_LIVE) &&
        domainObjDefSetMetadata(vm->def, type, metadata, key, uri) < 0)
        return -1;
    if ((flags & VIR_DOMAIN_AFFECT_CONFIG) &&
        domainObjDefSetMetadata(domainObjGetPersistentDef(vm), type, metadata,
                                key, uri) < 0)
        return -1;
    return 0;
}
