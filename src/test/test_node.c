/* The test driver's host: node info, capabilities, and the node files it loads. */
#include <string.h>

#define ERR_DOMAIN VIR_FROM_TEST

#include "test/test_node.h"
#include "util/error.h"
#include "util/log.h"
#include "util/str.h"
#include "util/xml.h"

LOG_INIT("test.node");

/* Namespace of the test driver's extra per-domain elements in node files. */
#define TEST_NODE_NAMESPACE "http://libvirt.org/schemas/domain/test/1.0"

/*
 * The domain every test:///default starts with: values as libvirt 9.0's
 * test driver shows them (virsh -c test:///default dumpxml test).
 */
static const char testNodeDefaultDomainXML[] =
    "<domain type='test'>"
    "<name>test</name>"
    "<uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>"
    "<memory unit='KiB'>8388608</memory>"
    "<currentMemory unit='KiB'>2097152</currentMemory>"
    "<vcpu placement='static'>2</vcpu>"
    "<os><type arch='i686'>hvm</type><boot dev='hd'/></os>"
    "<clock offset='utc'/>"
    "<on_poweroff>destroy</on_poweroff>"
    "<on_reboot>restart</on_reboot>"
    "<on_crash>destroy</on_crash>"
    "<devices>"
    "<disk type='file' device='disk'>"
    "<source file='/guest/diskimage1'/>"
    "<target dev='vda' bus='virtio'/>"
    "<address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>"
    "</disk>"
    "<interface type='network'>"
    "<mac address='aa:bb:cc:dd:ee:ff'/>"
    "<source network='default'/>"
    "<target dev='testnet0'/>"
    "<address type='pci' domain='0x0000' bus='0x00' slot='0x01' function='0x0'/>"
    "</interface>"
    "<memballoon model='virtio'>"
    "<address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0'/>"
    "</memballoon>"
    "</devices>"
    "</domain>";

/**
 * testNodeInitDefault:
 * @node: to fill
 *
 * The host of test:///default (libvirt 9.0's values): i686, 16 CPUs at
 * 1400 MHz in 2 NUMA cells x 2 sockets x 2 cores x 2 threads, 3 GiB.
 */
void
testNodeInitDefault(TestNode *node)
{
    memset(node, 0, sizeof(*node));
    g_strlcpy(node->info.model, "i686", sizeof(node->info.model));
    node->info.memory = 3145728;    /* KiB */
    node->info.cpus = 16;
    node->info.mhz = 1400;
    node->info.nodes = 2;
    node->info.sockets = 2;
    node->info.cores = 2;
    node->info.threads = 2;
    node->freeMemory = 3145728;
    node->numaCells = true;
}

/**
 * testNodeFillDefaults:
 * @def: a freshly parsed definition
 *
 * Applies what the test driver's capabilities imply for an XML that left
 * it out: the host architecture.
 */
void
testNodeFillDefaults(DomainDef *def)
{
    if (!def->os.arch)
        def->os.arch = g_strdup(TEST_NODE_DEFAULT_ARCH);
}

/* Per-domain data of a node file, from the test namespace elements. */
typedef struct {
    int runstate;            /* virDomainState */
    bool transient;
    bool hasManagedSave;
} TestNodeDomainExtra;

static bool
testNodeIsExtra(xmlNodePtr node, const char *name)
{
    return node->type == XML_ELEMENT_NODE && node->ns && node->ns->href &&
           streq((const char *) node->ns->href, TEST_NODE_NAMESPACE) &&
           streq((const char *) node->name, name);
}

static int
testNodeParseExtra(xmlNodePtr root, TestNodeDomainExtra *extra)
{
    xmlNodePtr cur;

    extra->runstate = VIR_DOMAIN_RUNNING;
    extra->transient = false;
    extra->hasManagedSave = false;

    for (cur = root->children; cur; cur = cur->next) {
        if (testNodeIsExtra(cur, "transient")) {
            extra->transient = true;
        } else if (testNodeIsExtra(cur, "hasmanagedsave")) {
            /* Presence is what counts, as in libvirt. */
            extra->hasManagedSave = true;
        } else if (testNodeIsExtra(cur, "runstate")) {
            g_autofree char *str = xmlUtilContent(cur);
            unsigned int val;

            if (!str || strParseUInt(g_strstrip(str), 10, &val) < 0) {
                reportError(VIR_ERR_XML_ERROR, "%s", _("invalid runstate"));
                return -1;
            }
            if (val >= VIR_DOMAIN_LAST) {
                reportError(VIR_ERR_XML_ERROR,
                            _("runstate '%1$u' out of range"), val);
                return -1;
            }
            extra->runstate = val;
        }
    }

    if (extra->transient && extra->runstate == VIR_DOMAIN_SHUTOFF) {
        reportError(VIR_ERR_XML_ERROR, "%s",
                    _("transient domain cannot have runstate 'shutoff'"));
        return -1;
    }
    if (extra->hasManagedSave && extra->runstate != VIR_DOMAIN_SHUTOFF) {
        reportError(VIR_ERR_XML_ERROR, "%s",
                    _("domain with managedsave data can only have runstate 'shutoff'"));
        return -1;
    }
    return 0;
}

/*
 * Add @def to @domains in the state @extra asks for.  Domains loaded from
 * a node file get reason 0 (unknown), as libvirt's do; active ones get ids
 * in file order.
 */
static int
testNodeAddDomain(DomainObjList *domains, DomainDef **def,
                  const TestNodeDomainExtra *extra)
{
    DomainObj *vm;
    int ret = -1;

    testNodeFillDefaults(*def);
    if (!(vm = domainObjListAdd(domains, def, 0, NULL)))
        return -1;

    vm->persistent = !extra->transient;
    vm->hasManagedSave = extra->hasManagedSave;
    if (extra->runstate != VIR_DOMAIN_SHUTOFF) {
        if (domainObjSetDefTransient(vm) < 0) {
            domainObjListRemove(domains, vm);
            goto cleanup;
        }
        domainObjListAssignID(domains, vm);
    }
    domainObjSetState(vm, extra->runstate, 0);
    ret = 0;

 cleanup:
    domainObjEndAPI(&vm);
    return ret;
}

/**
 * testNodeLoadDefault:
 * @node: filled with test:///default's host
 * @domains: receives the "test" domain, running
 *
 * Returns: 0, or -1 with an error.
 */
int
testNodeLoadDefault(TestNode *node, DomainObjList *domains)
{
    g_autoptr(DomainDef) def = NULL;
    TestNodeDomainExtra extra = { VIR_DOMAIN_RUNNING, false, false };

    testNodeInitDefault(node);
    if (!(def = domainDefParseString(testNodeDefaultDomainXML,
                                     DOMAIN_DEF_PARSE_INACTIVE)))
        return -1;
    return testNodeAddDomain(domains, &def, &extra);
}

/* A <cpu> child holding an unsigned number; absent leaves *@val alone. */
static int
testNodeParseCPUField(xmlNodePtr cpu, const char *name, unsigned int *val)
{
    g_autofree char *str = NULL;
    xmlNodePtr child = xmlUtilChild(cpu, name);

    if (!child)
        return 0;
    str = xmlUtilContent(child);
    if (!str || strParseUInt(g_strstrip(str), 10, val) < 0) {
        reportError(VIR_ERR_XML_ERROR, _("invalid node cpu %1$s value"), name);
        return -1;
    }
    return 0;
}

static int
testNodeParseHost(TestNode *node, xmlNodePtr root)
{
    xmlNodePtr cpu = xmlUtilChild(root, "cpu");
    xmlNodePtr mem = xmlUtilChild(root, "memory");

    if (cpu) {
        g_autofree char *model = xmlUtilChildContent(cpu, "model");

        if (testNodeParseCPUField(cpu, "nodes", &node->info.nodes) < 0 ||
            testNodeParseCPUField(cpu, "sockets", &node->info.sockets) < 0 ||
            testNodeParseCPUField(cpu, "cores", &node->info.cores) < 0 ||
            testNodeParseCPUField(cpu, "threads", &node->info.threads) < 0 ||
            testNodeParseCPUField(cpu, "active", &node->info.cpus) < 0 ||
            testNodeParseCPUField(cpu, "mhz", &node->info.mhz) < 0)
            return -1;
        if (model) {
            if (strlen(model) >= sizeof(node->info.model)) {
                reportError(VIR_ERR_INTERNAL_ERROR,
                            _("Model %1$s too big for destination"), model);
                return -1;
            }
            g_strlcpy(node->info.model, model, sizeof(node->info.model));
        }
    }

    if (mem) {
        g_autofree char *str = xmlUtilContent(mem);
        unsigned long val;

        /* An empty <memory/> keeps the default, as libvirt. */
        if (str && *g_strstrip(str)) {
            if (strParseULong(str, 10, &val) < 0) {
                reportError(VIR_ERR_XML_ERROR, "%s",
                            _("invalid node memory value"));
                return -1;
            }
            node->info.memory = val;
        }
    }
    return 0;
}

/*
 * Parse a node or domain file.  libvirt reports a file that cannot be read
 * as VIR_ERR_XML_ERROR "failed to parse xml document 'PATH'", and clients
 * see that code, so a missing file is reported that way here too.
 */
static xmlDocPtr
testNodeParseFile(const char *path, const char *rootName)
{
    if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
        reportError(VIR_ERR_XML_ERROR, _("failed to parse xml document '%1$s'"),
                    path);
        return NULL;
    }
    return xmlUtilParseFile(path, rootName, VIR_FROM_TEST);
}

/* Resolve a file= reference relative to the node file's directory. */
static char *
testNodeResolvePath(const char *nodePath, const char *ref)
{
    g_autofree char *dir = NULL;

    if (g_path_is_absolute(ref))
        return g_strdup(ref);
    dir = g_path_get_dirname(nodePath);
    return g_build_filename(dir, ref, NULL);
}

static int
testNodeLoadDomain(DomainObjList *domains, const char *nodePath,
                   xmlDocPtr doc, xmlNodePtr node)
{
    g_autofree char *ref = xmlUtilProp(node, "file");
    g_autoptr(xmlDoc) subdoc = NULL;
    g_autoptr(DomainDef) def = NULL;
    TestNodeDomainExtra extra;

    if (ref) {
        g_autofree char *path = testNodeResolvePath(nodePath, ref);

        if (!(subdoc = testNodeParseFile(path, "domain")))
            return -1;
        doc = subdoc;
        node = xmlDocGetRootElement(subdoc);
    }

    if (testNodeParseExtra(node, &extra) < 0)
        return -1;
    if (!(def = domainDefParseNode(doc, node, DOMAIN_DEF_PARSE_INACTIVE)))
        return -1;
    return testNodeAddDomain(domains, &def, &extra);
}

/**
 * testNodeLoadFile:
 * @node: filled from the file's <cpu> and <memory> (defaults otherwise)
 * @domains: receives the file's domains
 * @path: absolute path of the node file
 *
 * Reads a node file: <node> holding <cpu> (mhz, model, active, nodes,
 * sockets, cores, threads), <memory> (KiB) and <domain> elements, inline
 * or as <domain file='PATH'/> (relative to the node file).  Each domain
 * may carry the test namespace's <runstate>, <transient/> and
 * <hasmanagedsave/>; otherwise it is persistent and running.
 *
 * Returns: 0, or -1 with an error (VIR_ERR_XML_ERROR for a malformed or
 * missing file, naming it).
 */
int
testNodeLoadFile(TestNode *node, DomainObjList *domains, const char *path)
{
    g_autoptr(xmlDoc) doc = NULL;
    xmlNodePtr root;
    xmlNodePtr cur;

    testNodeInitDefault(node);
    /* A file describes no NUMA cells: nothing is free. */
    node->numaCells = false;
    node->freeMemory = 0;

    if (!(doc = testNodeParseFile(path, "node")))
        return -1;
    root = xmlDocGetRootElement(doc);

    if (testNodeParseHost(node, root) < 0)
        return -1;

    for (cur = root->children; cur; cur = cur->next) {
        if (cur->type != XML_ELEMENT_NODE || cur->ns ||
            !streq((const char *) cur->name, "domain"))
            continue;
        if (testNodeLoadDomain(domains, path, doc, cur) < 0)
            return -1;
    }
    return 0;
}

/* One NUMA cell of test:///default's capabilities. */
static void
testNodeFormatCell(GString *buf, unsigned int id, unsigned long long memKiB,
                   unsigned int pageSize, unsigned int firstCpu)
{
    unsigned int i;

    g_string_append_printf(buf, "        <cell id='%u'>\n", id);
    g_string_append_printf(buf,
                           "          <memory unit='KiB'>%llu</memory>\n",
                           memKiB);
    g_string_append_printf(buf,
                           "          <pages unit='KiB' size='%u'>%llu</pages>\n",
                           pageSize, memKiB / pageSize);
    g_string_append(buf,
                    "          <pages unit='KiB' size='2048'>0</pages>\n"
                    "          <pages unit='KiB' size='1048576'>0</pages>\n"
                    "          <cpus num='8'>\n");
    for (i = 0; i < 8; i++) {
        unsigned int cpu = firstCpu + i;

        g_string_append_printf(buf,
                               "            <cpu id='%u' socket_id='%u' die_id='0' "
                               "core_id='%u' siblings='%u'/>\n",
                               cpu, id, i, cpu);
    }
    g_string_append(buf, "          </cpus>\n"
                         "        </cell>\n");
}

static void
testNodeFormatGuest(GString *buf, const char *osType)
{
    g_string_append_printf(buf,
                           "  <guest>\n"
                           "    <os_type>%s</os_type>\n"
                           "    <arch name='i686'>\n"
                           "      <wordsize>32</wordsize>\n"
                           "      <emulator>/usr/bin/test-hv</emulator>\n"
                           "      <domain type='test'/>\n"
                           "    </arch>\n"
                           "    <features>\n"
                           "      <pae/>\n"
                           "      <nonpae/>\n"
                           "    </features>\n"
                           "  </guest>\n"
                           "\n", osType);
}

/**
 * testNodeFormatCapabilities:
 * @node: the host
 *
 * Formats the capabilities XML of the test driver (libvirt 9.0's layout:
 * an i686 host, two NUMA cells for test:///default and none for a node
 * file, the "testSecurity" model, hvm and xen guests).
 *
 * Returns: the XML; caller frees.
 */
char *
testNodeFormatCapabilities(const TestNode *node)
{
    GString *buf = g_string_sized_new(4096);

    g_string_append(buf,
                    "<capabilities>\n"
                    "\n"
                    "  <host>\n"
                    "    <cpu>\n"
                    "      <arch>i686</arch>\n"
                    "      <features>\n"
                    "        <pae/>\n"
                    "        <nonpae/>\n"
                    "      </features>\n"
                    "      <pages unit='KiB' size='4'/>\n"
                    "      <pages unit='KiB' size='8'/>\n"
                    "      <pages unit='KiB' size='2048'/>\n"
                    "      <pages unit='KiB' size='1048576'/>\n"
                    "    </cpu>\n"
                    "    <power_management/>\n"
                    "    <iommu support='no'/>\n"
                    "    <topology>\n");
    if (node->numaCells) {
        g_string_append(buf, "      <cells num='2'>\n");
        testNodeFormatCell(buf, 0, 2097152, 4, 0);
        testNodeFormatCell(buf, 1, 4194304, 8, 8);
    } else {
        g_string_append(buf, "      <cells num='0'>\n");
    }
    g_string_append(buf,
                    "      </cells>\n"
                    "    </topology>\n"
                    "    <secmodel>\n"
                    "      <model>testSecurity</model>\n"
                    "      <doi></doi>\n"
                    "    </secmodel>\n"
                    "  </host>\n"
                    "\n");
    testNodeFormatGuest(buf, "hvm");
    testNodeFormatGuest(buf, "xen");
    g_string_append(buf, "</capabilities>\n");
    return g_string_free(buf, FALSE);
}
