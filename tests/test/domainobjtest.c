/* Unit tests of the domain object list (src/conf/domain_obj.c). */
#include <string.h>

#include <glib.h>

#include "conf/domain_obj.h"
#include "util/error.h"
#include "util/uuid.h"

static DomainDef *
makeDef(const char *name, const char *uuid)
{
    g_autofree char *xml = NULL;
    DomainDef *def;

    xml = g_strdup_printf("<domain type='test'><name>%s</name>%s%s%s"
                          "<memory>1024</memory><vcpu>2</vcpu>"
                          "<os><type>hvm</type></os></domain>",
                          name, uuid ? "<uuid>" : "", uuid ? uuid : "",
                          uuid ? "</uuid>" : "");
    def = domainDefParseString(xml, DOMAIN_DEF_PARSE_INACTIVE);
    if (!def)
        g_error("cannot parse test definition: %s", errorGetSlot()->message);
    return def;
}

static void
assertError(int code, const char *fragment)
{
    virErrorPtr err = errorGetSlot();

    g_assert_cmpint(err->code, ==, code);
    if (fragment && !strstr(err->message, fragment))
        g_error("message '%s' lacks '%s'", err->message, fragment);
    errorReset();
}

#define UUID_A "aaaaaaaa-0000-4000-8000-000000000001"
#define UUID_B "bbbbbbbb-0000-4000-8000-000000000002"

static void
testAddFind(void)
{
    g_autoptr(DomainObjList) list = domainObjListNew();
    DomainDef *def = makeDef("a", UUID_A);
    unsigned char uuid[VIR_UUID_BUFLEN];
    DomainObj *vm;

    vm = domainObjListAdd(list, &def, 0, NULL);
    g_assert_nonnull(vm);
    g_assert_null(def);
    g_assert_true(vm->persistent);
    g_assert_cmpint(vm->state, ==, VIR_DOMAIN_SHUTOFF);
    g_assert_false(domainObjIsActive(vm));
    domainObjEndAPI(&vm);
    g_assert_null(vm);

    vm = domainObjListFindByName(list, "a");
    g_assert_nonnull(vm);
    g_assert_cmpstr(vm->def->name, ==, "a");
    domainObjEndAPI(&vm);

    g_assert_cmpint(uuidParse(UUID_A, uuid), ==, 0);
    vm = domainObjListFindByUUID(list, uuid);
    g_assert_nonnull(vm);
    domainObjEndAPI(&vm);

    g_assert_null(domainObjListFindByName(list, "b"));
    g_assert_null(domainObjListFindByID(list, 1));
    g_assert_false(errorIsSet());
    g_assert_cmpuint(domainObjListCount(list), ==, 1);
}

static void
testAddErrors(void)
{
    g_autoptr(DomainObjList) list = domainObjListNew();
    DomainDef *def = makeDef("a", UUID_A);
    DomainDef *oldDef = NULL;
    DomainObj *vm = domainObjListAdd(list, &def, 0, NULL);

    domainObjEndAPI(&vm);

    /* same UUID, other name */
    def = makeDef("b", UUID_A);
    g_assert_null(domainObjListAdd(list, &def, 0, NULL));
    assertError(VIR_ERR_OPERATION_FAILED,
                "domain 'a' is already defined with uuid " UUID_A);
    g_assert_nonnull(def);
    domainDefFree(def);

    /* same name, other UUID */
    def = makeDef("a", UUID_B);
    g_assert_null(domainObjListAdd(list, &def, 0, NULL));
    assertError(VIR_ERR_OPERATION_FAILED,
                "domain 'a' already exists with uuid " UUID_A);
    domainDefFree(def);

    /* same both: replaces, returns the old definition */
    def = makeDef("a", UUID_A);
    vm = domainObjListAdd(list, &def, 0, &oldDef);
    g_assert_nonnull(vm);
    g_assert_nonnull(oldDef);
    g_assert_true(vm->def != oldDef);
    domainDefFree(oldDef);

    /* running: ADD_LIVE | CHECK_LIVE refuses */
    g_assert_cmpint(domainObjSetDefTransient(vm), ==, 0);
    g_assert_cmpint(domainObjListAssignID(list, vm), ==, 1);
    domainObjEndAPI(&vm);
    def = makeDef("a", UUID_A);
    g_assert_null(domainObjListAdd(list, &def,
                                   DOMAIN_OBJ_LIST_ADD_LIVE |
                                   DOMAIN_OBJ_LIST_ADD_CHECK_LIVE, NULL));
    assertError(VIR_ERR_OPERATION_INVALID, "domain 'a' is already active");
    domainDefFree(def);
}

static void
testLiveAndPersistentDefs(void)
{
    g_autoptr(DomainObjList) list = domainObjListNew();
    DomainDef *def = makeDef("a", UUID_A);
    DomainDef *oldDef = NULL;
    DomainDef *persistent;
    DomainObj *vm = domainObjListAdd(list, &def, 0, NULL);

    /* start: newDef keeps the persistent copy */
    g_assert_cmpint(domainObjSetDefTransient(vm), ==, 0);
    domainObjListAssignID(list, vm);
    g_assert_nonnull(vm->newDef);
    g_assert_true(domainObjGetPersistentDef(vm) == vm->newDef);
    vm->def->mem.current = 512;     /* a live change */
    domainObjEndAPI(&vm);

    /* redefine while running: only the persistent definition changes */
    def = makeDef("a", UUID_A);
    def->mem.total = 4096;
    vm = domainObjListAdd(list, &def, 0, &oldDef);
    g_assert_nonnull(oldDef);
    domainDefFree(oldDef);
    g_assert_cmpuint(vm->def->mem.total, ==, 1024);
    g_assert_cmpuint(vm->def->mem.current, ==, 512);
    persistent = domainObjGetPersistentDef(vm);
    g_assert_cmpuint(persistent->mem.total, ==, 4096);

    /* stop: the persistent definition comes back */
    domainObjListReleaseID(list, vm);
    domainObjRemoveTransientDef(vm);
    g_assert_null(vm->newDef);
    g_assert_cmpint(vm->def->id, ==, -1);
    g_assert_cmpuint(vm->def->mem.total, ==, 4096);
    domainObjEndAPI(&vm);
}

static void
testIDs(void)
{
    g_autoptr(DomainObjList) list = domainObjListNew();
    const char *names[] = { "a", "b", "c" };
    int ids[8];
    char *inactive[8];
    size_t i;
    int n;

    for (i = 0; i < G_N_ELEMENTS(names); i++) {
        DomainDef *def = makeDef(names[i], NULL);
        DomainObj *vm = domainObjListAdd(list, &def, 0, NULL);

        if (i != 1)
            domainObjListAssignID(list, vm);
        domainObjEndAPI(&vm);
    }
    g_assert_cmpuint(domainObjListCountActive(list, true), ==, 2);
    g_assert_cmpuint(domainObjListCountActive(list, false), ==, 1);

    n = domainObjListGetActiveIDs(list, ids, G_N_ELEMENTS(ids));
    g_assert_cmpint(n, ==, 2);
    g_assert_cmpint(ids[0], ==, 1);
    g_assert_cmpint(ids[1], ==, 2);
    n = domainObjListGetActiveIDs(list, ids, 1);
    g_assert_cmpint(n, ==, 1);

    n = domainObjListGetInactiveNames(list, inactive, G_N_ELEMENTS(inactive));
    g_assert_cmpint(n, ==, 1);
    g_assert_cmpstr(inactive[0], ==, "b");
    g_free(inactive[0]);

    {
        DomainObj *vm = domainObjListFindByID(list, 2);

        g_assert_nonnull(vm);
        g_assert_cmpstr(vm->def->name, ==, "c");
        domainObjListReleaseID(list, vm);
        domainObjEndAPI(&vm);
        g_assert_null(domainObjListFindByID(list, 2));
        /* ids are not reused */
        vm = domainObjListFindByName(list, "c");
        g_assert_cmpint(domainObjListAssignID(list, vm), ==, 3);
        domainObjEndAPI(&vm);
    }
}

static void
testRemoveWhileReferenced(void)
{
    g_autoptr(DomainObjList) list = domainObjListNew();
    DomainDef *def = makeDef("a", UUID_A);
    DomainObj *vm = domainObjListAdd(list, &def, 0, NULL);
    DomainObj *held = domainObjRef(vm);

    domainObjListRemove(list, vm);
    g_assert_true(vm->removed);
    domainObjEndAPI(&vm);

    g_assert_null(domainObjListFindByName(list, "a"));
    g_assert_cmpuint(domainObjListCount(list), ==, 0);
    /* the holder's reference keeps the object valid */
    domainObjLock(held);
    g_assert_cmpstr(held->def->name, ==, "a");
    domainObjEndAPI(&held);

    /* the name is free again */
    def = makeDef("a", UUID_B);
    vm = domainObjListAdd(list, &def, 0, NULL);
    g_assert_nonnull(vm);
    domainObjEndAPI(&vm);
}

static bool
filterAll(DomainObj *vm, void *opaque)
{
    return true;
}

static void
testListFlags(void)
{
    g_autoptr(DomainObjList) list = domainObjListNew();
    g_autoptr(GPtrArray) all = NULL;
    DomainDef *def = makeDef("a", NULL);
    DomainObj *vm = domainObjListAdd(list, &def, 0, NULL);

    /* inactive persistent, no autostart, no managed save */
    g_assert_true(domainObjMatchesListFlags(vm, 0));
    g_assert_true(domainObjMatchesListFlags(vm, VIR_CONNECT_LIST_DOMAINS_INACTIVE));
    g_assert_false(domainObjMatchesListFlags(vm, VIR_CONNECT_LIST_DOMAINS_ACTIVE));
    g_assert_true(domainObjMatchesListFlags(vm, VIR_CONNECT_LIST_DOMAINS_ACTIVE |
                                                VIR_CONNECT_LIST_DOMAINS_INACTIVE));
    g_assert_true(domainObjMatchesListFlags(vm, VIR_CONNECT_LIST_DOMAINS_PERSISTENT));
    g_assert_false(domainObjMatchesListFlags(vm, VIR_CONNECT_LIST_DOMAINS_TRANSIENT));
    g_assert_true(domainObjMatchesListFlags(vm, VIR_CONNECT_LIST_DOMAINS_SHUTOFF));
    g_assert_false(domainObjMatchesListFlags(vm, VIR_CONNECT_LIST_DOMAINS_RUNNING));
    g_assert_false(domainObjMatchesListFlags(vm, VIR_CONNECT_LIST_DOMAINS_OTHER));
    g_assert_true(domainObjMatchesListFlags(vm, VIR_CONNECT_LIST_DOMAINS_NO_AUTOSTART));
    g_assert_false(domainObjMatchesListFlags(vm, VIR_CONNECT_LIST_DOMAINS_AUTOSTART));
    g_assert_true(domainObjMatchesListFlags(vm, VIR_CONNECT_LIST_DOMAINS_NO_MANAGEDSAVE));
    g_assert_true(domainObjMatchesListFlags(vm, VIR_CONNECT_LIST_DOMAINS_NO_SNAPSHOT));
    g_assert_false(domainObjMatchesListFlags(vm, VIR_CONNECT_LIST_DOMAINS_HAS_SNAPSHOT));
    g_assert_true(domainObjMatchesListFlags(vm, VIR_CONNECT_LIST_DOMAINS_NO_CHECKPOINT));
    g_assert_false(domainObjMatchesListFlags(vm, VIR_CONNECT_LIST_DOMAINS_HAS_CHECKPOINT));

    vm->autostart = true;
    vm->hasManagedSave = true;
    vm->nsnapshots = 1;
    vm->ncheckpoints = 2;
    g_assert_true(domainObjMatchesListFlags(vm, VIR_CONNECT_LIST_DOMAINS_AUTOSTART |
                                                VIR_CONNECT_LIST_DOMAINS_MANAGEDSAVE |
                                                VIR_CONNECT_LIST_DOMAINS_HAS_SNAPSHOT |
                                                VIR_CONNECT_LIST_DOMAINS_HAS_CHECKPOINT));
    domainObjSetState(vm, VIR_DOMAIN_CRASHED, 0);
    g_assert_true(domainObjMatchesListFlags(vm, VIR_CONNECT_LIST_DOMAINS_OTHER));
    domainObjSetState(vm, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER);
    g_assert_true(domainObjMatchesListFlags(vm, VIR_CONNECT_LIST_DOMAINS_PAUSED));
    g_assert_false(domainObjMatchesListFlags(vm, VIR_CONNECT_LIST_DOMAINS_RUNNING |
                                                 VIR_CONNECT_LIST_DOMAINS_SHUTOFF));
    domainObjEndAPI(&vm);

    all = domainObjListCollect(list, filterAll, NULL);
    g_assert_cmpuint(all->len, ==, 1);
}

static void
testMetadata(void)
{
    g_autoptr(DomainObjList) list = domainObjListNew();
    DomainDef *def = makeDef("a", NULL);
    DomainObj *vm = domainObjListAdd(list, &def, 0, NULL);
    g_autofree char *xml = NULL;
    g_autofree char *elem = NULL;
    char *str;

    g_assert_null(domainObjGetMetadata(vm, VIR_DOMAIN_METADATA_TITLE, NULL, 0));
    assertError(VIR_ERR_NO_DOMAIN_METADATA, "Requested metadata element is not present");

    g_assert_cmpint(domainObjSetMetadata(vm, VIR_DOMAIN_METADATA_TITLE, "T",
                                         NULL, NULL, 0), ==, 0);
    str = domainObjGetMetadata(vm, VIR_DOMAIN_METADATA_TITLE, NULL, 0);
    g_assert_cmpstr(str, ==, "T");
    g_free(str);
    g_assert_cmpint(domainObjSetMetadata(vm, VIR_DOMAIN_METADATA_TITLE, "a\nb",
                                         NULL, NULL, 0), ==, -1);
    assertError(VIR_ERR_INVALID_ARG, "newlines");

    g_assert_cmpint(domainObjSetMetadata(vm, VIR_DOMAIN_METADATA_ELEMENT,
                                         "<foo a='1'><bar>x</bar></foo>",
                                         "pf", "http://x/", 0), ==, 0);
    g_assert_cmpint(domainObjSetMetadata(vm, VIR_DOMAIN_METADATA_ELEMENT,
                                         "<baz/>", "q", "http://y/", 0), ==, 0);
    elem = domainObjGetMetadata(vm, VIR_DOMAIN_METADATA_ELEMENT, "http://x/", 0);
    g_assert_cmpstr(elem, ==, "<foo a=\"1\">\n  <bar>x</bar>\n</foo>");

    xml = domainDefFormat(vm->def, DOMAIN_DEF_FORMAT_INACTIVE);
    g_assert_nonnull(strstr(xml, "<pf:foo xmlns:pf=\"http://x/\" a=\"1\">"));
    g_assert_nonnull(strstr(xml, "<pf:bar>x</pf:bar>"));
    g_assert_nonnull(strstr(xml, "<q:baz xmlns:q=\"http://y/\"/>"));

    g_assert_cmpint(domainObjSetMetadata(vm, VIR_DOMAIN_METADATA_ELEMENT,
                                         "<baz", "q", "http://y/", 0), ==, -1);
    assertError(VIR_ERR_XML_DETAIL, "(metadata_xml)");

    /* removal */
    g_assert_cmpint(domainObjSetMetadata(vm, VIR_DOMAIN_METADATA_ELEMENT,
                                         NULL, NULL, "http://x/", 0), ==, 0);
    g_assert_null(domainObjGetMetadata(vm, VIR_DOMAIN_METADATA_ELEMENT,
                                       "http://x/", 0));
    assertError(VIR_ERR_NO_DOMAIN_METADATA, NULL);
    g_assert_cmpint(domainObjSetMetadata(vm, VIR_DOMAIN_METADATA_ELEMENT,
                                         NULL, NULL, "http://y/", 0), ==, 0);
    g_assert_null(vm->def->metadata);

    /* LIVE on an inactive domain */
    g_assert_cmpint(domainObjSetMetadata(vm, VIR_DOMAIN_METADATA_DESCRIPTION,
                                         "d", NULL, NULL,
                                         VIR_DOMAIN_AFFECT_LIVE), ==, -1);
    assertError(VIR_ERR_OPERATION_INVALID, "domain is not running");
    g_assert_null(domainObjGetMetadata(vm, 7, NULL, 0));
    assertError(VIR_ERR_INVALID_ARG, "unknown metadata type '7'");
    domainObjEndAPI(&vm);
}

/* Concurrent add/find/remove on a shared list: no crash, consistent count. */
typedef struct {
    DomainObjList *list;
    unsigned int seed;
} RaceData;

static gpointer
raceThread(gpointer opaque)
{
    RaceData *data = opaque;
    GRand *rand = g_rand_new_with_seed(data->seed);
    int i;

    for (i = 0; i < 20000; i++) {
        g_autofree char *name = g_strdup_printf("d%d", g_rand_int_range(rand, 0, 16));
        DomainObj *vm;

        switch (g_rand_int_range(rand, 0, 4)) {
        case 0: {
            DomainDef *def = makeDef(name, NULL);

            vm = domainObjListAdd(data->list, &def, 0, NULL);
            if (!vm) {
                domainDefFree(def);
                errorReset();
            }
            domainObjEndAPI(&vm);
            break;
        }
        case 1:
            if ((vm = domainObjListFindByName(data->list, name))) {
                domainObjListRemove(data->list, vm);
                domainObjEndAPI(&vm);
            }
            break;
        case 2:
            if ((vm = domainObjListFindByName(data->list, name))) {
                if (!domainObjIsActive(vm))
                    domainObjListAssignID(data->list, vm);
                else
                    domainObjListReleaseID(data->list, vm);
                domainObjEndAPI(&vm);
            }
            break;
        default: {
            g_autoptr(GPtrArray) all = domainObjListCollect(data->list, filterAll, NULL);

            g_assert_cmpuint(all->len, <=, 16);
            break;
        }
        }
    }
    g_rand_free(rand);
    return NULL;
}

static void
testConcurrent(void)
{
    g_autoptr(DomainObjList) list = domainObjListNew();
    GThread *threads[4];
    RaceData data[4];
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(threads); i++) {
        data[i].list = list;
        data[i].seed = i + 1;
        threads[i] = g_thread_new("race", raceThread, &data[i]);
    }
    for (i = 0; i < G_N_ELEMENTS(threads); i++)
        g_thread_join(threads[i]);
    g_assert_cmpuint(domainObjListCountActive(list, true) +
                     domainObjListCountActive(list, false), ==,
                     domainObjListCount(list));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/domainobj/add-find", testAddFind);
    g_test_add_func("/domainobj/add-errors", testAddErrors);
    g_test_add_func("/domainobj/live-persistent", testLiveAndPersistentDefs);
    g_test_add_func("/domainobj/ids", testIDs);
    g_test_add_func("/domainobj/remove-referenced", testRemoveWhileReferenced);
    g_test_add_func("/domainobj/list-flags", testListFlags);
    g_test_add_func("/domainobj/metadata", testMetadata);
    g_test_add_func("/domainobj/concurrent", testConcurrent);
    return g_test_run();
}
