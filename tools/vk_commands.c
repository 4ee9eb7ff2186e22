/* vk_commands.c: the table of every virtkit command with its options
 *
 * Adding a command: write its handler in the file of its group
 * (vk_host.c, vk_domain.c, vk_devices.c, vk_monitor.c, vk_event.c,
 * vk_builtin.c), describe
 * its options below and add one entry to vkCommands[].  Names, option names,
 * option types and their order follow virsh 9.0 so that scripts keep
 * working; bare words fill the non-boolean options in the order listed.
 */
#include <libvirt/libvirt.h>

#include "vk_commands.h"
#include "vk_builtin.h"
#include "vk_console.h"
#include "vk_devices.h"
#include "vk_domain.h"
#include "vk_event.h"
#include "vk_host.h"
#include "vk_migrate.h"
#include "vk_monitor.h"
#include "vk_qemu.h"
#include "vk_save.h"
#include "vk_stats.h"
#include "vk_util.h"

const VkCmdGroup vkCommandGroups[] = {
    { "domain", "Domain Management" },
    { "monitor", "Domain Monitoring" },
    { "events", "Domain Events" },
    { "host", "Host and Hypervisor" },
    { "virtkit", "Virtkit itself" },
    { NULL, NULL },
};

#define VK_OPT_DOMAIN(what, filter) \
    { .name = "domain", .type = VK_OPT_DATA, .flags = VK_OFLAG_REQUIRED, \
      .help = what, .complete = VK_COMPLETE_DOMAIN, .completeFlags = filter }

#define VK_OPT_DOMAIN_ANY(filter) VK_OPT_DOMAIN("domain name, id or UUID", filter)

#define VK_OPT_FILE(what) \
    { .name = "file", .type = VK_OPT_DATA, .flags = VK_OFLAG_REQUIRED, \
      .help = what, .complete = VK_COMPLETE_FILE }

#define VK_OPT_FLAG(n, h) { .name = n, .type = VK_OPT_BOOL, .help = h }

#define VK_OPTS_IMPACT \
    VK_OPT_FLAG("config", "change the persistent definition (next boot)"), \
    VK_OPT_FLAG("live", "change the running domain"), \
    VK_OPT_FLAG("current", "change whichever of the two is current")

#define VK_OPT_END { .name = NULL }

#define VK_ACTIVE VIR_CONNECT_LIST_DOMAINS_ACTIVE

/* ---- statistics (vk_stats.c) ---- */

static const VkOptDef vkOptsDomstats[] = {
    VK_OPT_FLAG("state", "report domain state"),
    VK_OPT_FLAG("cpu-total", "report domain physical cpu usage"),
    VK_OPT_FLAG("balloon", "report domain balloon statistics"),
    VK_OPT_FLAG("vcpu", "report domain virtual cpu information"),
    VK_OPT_FLAG("interface", "report domain network interface information"),
    VK_OPT_FLAG("block", "report domain block device statistics"),
    VK_OPT_FLAG("perf", "report domain perf event statistics"),
    VK_OPT_FLAG("iothread", "report domain IOThread information"),
    VK_OPT_FLAG("memory", "report domain memory usage"),
    VK_OPT_FLAG("dirtyrate", "report domain dirty rate information"),
    VK_OPT_FLAG("vm", "report hypervisor-specific statistics"),
    VK_OPT_FLAG("list-active", "list only active domains"),
    VK_OPT_FLAG("list-inactive", "list only inactive domains"),
    VK_OPT_FLAG("list-persistent", "list only persistent domains"),
    VK_OPT_FLAG("list-transient", "list only transient domains"),
    VK_OPT_FLAG("list-running", "list only running domains"),
    VK_OPT_FLAG("list-paused", "list only paused domains"),
    VK_OPT_FLAG("list-shutoff", "list only shutoff domains"),
    VK_OPT_FLAG("list-other", "list only domains in other states"),
    VK_OPT_FLAG("raw", "do not pretty-print the fields"),
    VK_OPT_FLAG("enforce", "enforce requested stats parameters"),
    VK_OPT_FLAG("backing", "add backing chain information to block stats"),
    VK_OPT_FLAG("nowait", "report only stats that are accessible instantly"),
    { .name = "domain", .type = VK_OPT_ARGV, .help = "list of domains to get stats for",
      .complete = VK_COMPLETE_DOMAIN },
    VK_OPT_END,
};

static const VkOptDef vkOptsVcpuinfo[] = {
    VK_OPT_DOMAIN_ANY(VK_ACTIVE),
    VK_OPT_FLAG("pretty", "return human readable output"),
    VK_OPT_END,
};

static const VkOptDef vkOptsDomblkstat[] = {
    VK_OPT_DOMAIN_ANY(VK_ACTIVE),
    { .name = "device", .type = VK_OPT_STRING, .flags = VK_OFLAG_EMPTY_OK,
      .help = "block device" },
    VK_OPT_FLAG("human", "print a more human readable output"),
    VK_OPT_END,
};

static const VkOptDef vkOptsDomifstat[] = {
    VK_OPT_DOMAIN_ANY(VK_ACTIVE),
    { .name = "interface", .type = VK_OPT_DATA, .flags = VK_OFLAG_REQUIRED,
      .help = "interface device specified by name or MAC Address" },
    VK_OPT_END,
};

static const VkOptDef vkOptsDommemstat[] = {
    VK_OPT_DOMAIN_ANY(VK_ACTIVE),
    { .name = "period", .type = VK_OPT_INT, .help = "period in seconds to set collection" },
    VK_OPT_FLAG("config", "affect next boot"),
    VK_OPT_FLAG("live", "affect running domain"),
    VK_OPT_FLAG("current", "affect current domain"),
    VK_OPT_END,
};

static const VkOptDef vkOptsDomblkinfo[] = {
    VK_OPT_DOMAIN_ANY(0),
    { .name = "device", .type = VK_OPT_STRING, .help = "block device" },
    VK_OPT_FLAG("human", "Human readable output"),
    VK_OPT_FLAG("all", "display all block devices info"),
    VK_OPT_END,
};

/* ---- host ---- */

static const VkOptDef vkOptsDomcapabilities[] = {
    { .name = "virttype", .type = VK_OPT_STRING, .help = "virtualization type (/domain/@type)" },
    { .name = "emulatorbin", .type = VK_OPT_STRING,
      .help = "path to emulator binary (/domain/devices/emulator)" },
    { .name = "arch", .type = VK_OPT_STRING, .help = "domain architecture (/domain/os/type/@arch)" },
    { .name = "machine", .type = VK_OPT_STRING,
      .help = "machine type (/domain/os/type/@machine)" },
    VK_OPT_END,
};

static const VkOptDef vkOptsVersion[] = {
    VK_OPT_FLAG("daemon", "also show the version of the daemon behind the connection"),
    VK_OPT_END,
};

/* ---- virtkit itself ---- */

static const VkOptDef vkOptsHelp[] = {
    { .name = "command", .type = VK_OPT_STRING,
      .help = "command or group keyword to describe; all commands when omitted",
      .complete = VK_COMPLETE_COMMAND },
    VK_OPT_END,
};

static const VkOptDef vkOptsEcho[] = {
    VK_OPT_FLAG("shell", "quote the words for a POSIX shell"),
    VK_OPT_FLAG("xml", "escape the words for XML"),
    VK_OPT_FLAG("split", "print each comma-separated part on its own line (',,' is a comma)"),
    VK_OPT_FLAG("err", "print on standard error instead"),
    { .name = "string", .type = VK_OPT_ARGV, .flags = VK_OFLAG_EMPTY_OK,
      .help = "words to print" },
    VK_OPT_END,
};

static const VkOptDef vkOptsConnect[] = {
    { .name = "name", .type = VK_OPT_STRING, .flags = VK_OFLAG_EMPTY_OK,
      .help = "URI to connect to (default: the current one)" },
    VK_OPT_FLAG("readonly", "open a read-only connection"),
    VK_OPT_END,
};

/* ---- monitoring ---- */

static const VkOptDef vkOptsList[] = {
    VK_OPT_FLAG("inactive", "show only domains that are not running"),
    VK_OPT_FLAG("all", "show running and inactive domains"),
    VK_OPT_FLAG("transient", "only transient domains"),
    VK_OPT_FLAG("persistent", "only persistent domains"),
    VK_OPT_FLAG("with-snapshot", "only domains that have snapshots"),
    VK_OPT_FLAG("without-snapshot", "only domains without snapshots"),
    VK_OPT_FLAG("with-checkpoint", "only domains that have checkpoints"),
    VK_OPT_FLAG("without-checkpoint", "only domains without checkpoints"),
    VK_OPT_FLAG("state-running", "only running domains"),
    VK_OPT_FLAG("state-paused", "only paused domains"),
    VK_OPT_FLAG("state-shutoff", "only shut off domains"),
    VK_OPT_FLAG("state-other", "only domains in any other state"),
    VK_OPT_FLAG("autostart", "only domains started with the host"),
    VK_OPT_FLAG("no-autostart", "only domains not started with the host"),
    VK_OPT_FLAG("with-managed-save", "only domains with a managed save image"),
    VK_OPT_FLAG("without-managed-save", "only domains without a managed save image"),
    VK_OPT_FLAG("uuid", "print UUIDs instead of a table"),
    VK_OPT_FLAG("name", "print names instead of a table"),
    VK_OPT_FLAG("id", "print IDs instead of a table"),
    VK_OPT_FLAG("table", "print a table (the default)"),
    VK_OPT_FLAG("managed-save", "show 'saved' as the state of domains with a managed save image"),
    VK_OPT_FLAG("title", "add a column with each domain's title"),
    VK_OPT_END,
};

static const VkOptDef vkOptsDomainOnly[] = {
    VK_OPT_DOMAIN_ANY(0),
    VK_OPT_END,
};

static const VkOptDef vkOptsDomstate[] = {
    VK_OPT_DOMAIN_ANY(0),
    VK_OPT_FLAG("reason", "add why the domain is in that state"),
    VK_OPT_END,
};

static const VkOptDef vkOptsDomblklist[] = {
    VK_OPT_DOMAIN_ANY(0),
    VK_OPT_FLAG("inactive", "read the persistent definition instead of the live one"),
    VK_OPT_FLAG("details", "add the disk type and device kind columns"),
    VK_OPT_END,
};

static const VkOptDef vkOptsDomiflist[] = {
    VK_OPT_DOMAIN_ANY(0),
    VK_OPT_FLAG("inactive", "read the persistent definition instead of the live one"),
    VK_OPT_END,
};

static const VkOptDef vkOptsDomid[] = {
    VK_OPT_DOMAIN("domain name or UUID", 0),
    VK_OPT_END,
};

static const VkOptDef vkOptsDomname[] = {
    VK_OPT_DOMAIN("domain id or UUID", 0),
    VK_OPT_END,
};

static const VkOptDef vkOptsDomuuid[] = {
    VK_OPT_DOMAIN("domain name or id", 0),
    VK_OPT_END,
};

/* ---- domain management ---- */

static const VkOptDef vkOptsDumpxml[] = {
    VK_OPT_DOMAIN_ANY(0),
    VK_OPT_FLAG("inactive", "show the persistent definition instead of the live one"),
    VK_OPT_FLAG("security-info", "include security-sensitive data such as passwords"),
    VK_OPT_FLAG("update-cpu", "adapt the guest CPU description to the host CPU"),
    VK_OPT_FLAG("migratable", "produce XML suitable for migration"),
    VK_OPT_END,
};

static const VkOptDef vkOptsConsole[] = {
    VK_OPT_DOMAIN_ANY(VK_ACTIVE),
    { .name = "devname", .type = VK_OPT_STRING, .help = "character device name" },
    VK_OPT_FLAG("force", "force console connection (disconnect already connected sessions)"),
    VK_OPT_FLAG("safe", "only connect if safe console handling is supported"),
    VK_OPT_END,
};

static const VkOptDef vkOptsScreenshot[] = {
    VK_OPT_DOMAIN_ANY(0),
    { .name = "file", .type = VK_OPT_STRING, .help = "where to store the screenshot",
      .complete = VK_COMPLETE_FILE },
    { .name = "screen", .type = VK_OPT_INT, .help = "ID of a screen to take screenshot of" },
    VK_OPT_END,
};

static const VkOptDef vkOptsDomdisplay[] = {
    VK_OPT_DOMAIN_ANY(VK_ACTIVE),
    VK_OPT_FLAG("include-password", "put the display's password into the URI"),
    { .name = "type", .type = VK_OPT_STRING,
      .help = "only this kind of display: vnc, spice or rdp" },
    VK_OPT_FLAG("all", "print a URI for every kind of display the domain has"),
    VK_OPT_END,
};

static const VkOptDef vkOptsQemuMonitorCommand[] = {
    VK_OPT_DOMAIN_ANY(VK_ACTIVE),
    VK_OPT_FLAG("hmp", "command is in human monitor protocol"),
    VK_OPT_FLAG("pretty", "pretty-print any qemu monitor protocol output"),
    VK_OPT_FLAG("return-value", "extract the value of the 'return' key from the returned string"),
    { .name = "pass-fds", .type = VK_OPT_STRING, .flags = VK_OFLAG_NAMED_ONLY,
      .help = "pass file descriptors N,M,... along with the command (not supported)" },
    { .name = "cmd", .type = VK_OPT_ARGV, .flags = VK_OFLAG_REQUIRED, .help = "command" },
    VK_OPT_END,
};

static const VkOptDef vkOptsDefine[] = {
    VK_OPT_FILE("XML file describing the domain"),
    VK_OPT_FLAG("validate", "check the XML against the schema first"),
    VK_OPT_END,
};

static const VkOptDef vkOptsUndefine[] = {
    VK_OPT_DOMAIN_ANY(VIR_CONNECT_LIST_DOMAINS_PERSISTENT),
    VK_OPT_FLAG("managed-save", "also remove the managed save image"),
    VK_OPT_FLAG("snapshots-metadata", "also remove snapshot metadata (inactive domain)"),
    VK_OPT_FLAG("checkpoints-metadata", "also remove checkpoint metadata (inactive domain)"),
    VK_OPT_FLAG("nvram", "also remove the NVRAM file"),
    VK_OPT_FLAG("keep-nvram", "keep the NVRAM file"),
    VK_OPT_FLAG("tpm", "also remove the TPM state"),
    VK_OPT_FLAG("keep-tpm", "keep the TPM state"),
    VK_OPT_END,
};

static const VkOptDef vkOptsCreate[] = {
    VK_OPT_FILE("XML file describing the domain"),
    VK_OPT_FLAG("paused", "leave the new domain paused"),
    VK_OPT_FLAG("autodestroy", "destroy the domain when this connection closes"),
    VK_OPT_FLAG("validate", "check the XML against the schema first"),
    VK_OPT_FLAG("reset-nvram", "start from a fresh copy of the NVRAM template"),
    VK_OPT_END,
};

static const VkOptDef vkOptsStart[] = {
    VK_OPT_DOMAIN("name or UUID of the inactive domain", VIR_CONNECT_LIST_DOMAINS_INACTIVE),
    VK_OPT_FLAG("paused", "leave the domain paused"),
    VK_OPT_FLAG("autodestroy", "destroy the domain when this connection closes"),
    VK_OPT_FLAG("bypass-cache", "do not pollute the host file cache when restoring"),
    VK_OPT_FLAG("force-boot", "boot afresh even if a managed save image exists"),
    VK_OPT_FLAG("reset-nvram", "start from a fresh copy of the NVRAM template"),
    VK_OPT_END,
};

static const VkOptDef vkOptsDestroy[] = {
    VK_OPT_DOMAIN_ANY(VK_ACTIVE),
    VK_OPT_FLAG("graceful", "give the guest a chance to stop cleanly, never kill it"),
    VK_OPT_FLAG("remove-logs", "delete the domain's log files"),
    VK_OPT_END,
};

static const VkOptDef vkOptsShutdown[] = {
    VK_OPT_DOMAIN_ANY(VK_ACTIVE),
    { .name = "mode", .type = VK_OPT_STRING,
      .help = "comma-separated methods: acpi, agent, initctl, signal, paravirt" },
    VK_OPT_END,
};

static const VkOptDef vkOptsActiveDomain[] = {
    VK_OPT_DOMAIN_ANY(VK_ACTIVE),
    VK_OPT_END,
};

static const VkOptDef vkOptsSave[] = {
    VK_OPT_DOMAIN_ANY(VIR_CONNECT_LIST_DOMAINS_ACTIVE),
    { .name = "file", .type = VK_OPT_DATA, .flags = VK_OFLAG_REQUIRED,
      .help = "where to save the data", .complete = VK_COMPLETE_FILE },
    VK_OPT_FLAG("bypass-cache", "avoid file system cache when saving"),
    { .name = "xml", .type = VK_OPT_STRING, .help = "filename containing updated XML for the target",
      .complete = VK_COMPLETE_FILE },
    VK_OPT_FLAG("running", "set domain to be running on restore"),
    VK_OPT_FLAG("paused", "set domain to be paused on restore"),
    VK_OPT_FLAG("verbose", "display the progress of save"),
    VK_OPT_END,
};

static const VkOptDef vkOptsDump[] = {
    VK_OPT_DOMAIN_ANY(VIR_CONNECT_LIST_DOMAINS_ACTIVE),
    { .name = "file", .type = VK_OPT_DATA, .flags = VK_OFLAG_REQUIRED,
      .help = "where to dump the core", .complete = VK_COMPLETE_FILE },
    VK_OPT_FLAG("live", "perform a live core dump if supported"),
    VK_OPT_FLAG("crash", "crash the domain after core dump"),
    VK_OPT_FLAG("bypass-cache", "avoid file system cache when dumping"),
    VK_OPT_FLAG("reset", "reset the domain after core dump"),
    VK_OPT_FLAG("verbose", "display the progress of dump"),
    VK_OPT_FLAG("memory-only", "dump domain's memory only"),
    { .name = "format", .type = VK_OPT_STRING, .flags = VK_OFLAG_EMPTY_OK,
      .help = "specify the format of memory-only dump" },
    VK_OPT_END,
};

static const VkOptDef vkOptsRestore[] = {
    VK_OPT_FILE("the state to restore"),
    VK_OPT_FLAG("bypass-cache", "avoid file system cache when restoring"),
    { .name = "xml", .type = VK_OPT_STRING, .help = "filename containing updated XML for the target",
      .complete = VK_COMPLETE_FILE },
    VK_OPT_FLAG("running", "restore domain into running state"),
    VK_OPT_FLAG("paused", "restore domain into paused state"),
    VK_OPT_FLAG("reset-nvram", "re-initialize NVRAM from its pristine template"),
    VK_OPT_END,
};

static const VkOptDef vkOptsManagedsave[] = {
    VK_OPT_DOMAIN_ANY(VIR_CONNECT_LIST_DOMAINS_ACTIVE),
    VK_OPT_FLAG("bypass-cache", "avoid file system cache when saving"),
    VK_OPT_FLAG("running", "set domain to be running on next start"),
    VK_OPT_FLAG("paused", "set domain to be paused on next start"),
    VK_OPT_FLAG("verbose", "display the progress of save"),
    VK_OPT_END,
};

static const VkOptDef vkOptsManagedsaveRemove[] = {
    VK_OPT_DOMAIN_ANY(VIR_CONNECT_LIST_DOMAINS_MANAGEDSAVE),
    VK_OPT_END,
};

static const VkOptDef vkOptsManagedsaveDumpxml[] = {
    VK_OPT_DOMAIN_ANY(VIR_CONNECT_LIST_DOMAINS_MANAGEDSAVE),
    VK_OPT_FLAG("security-info", "include security sensitive information in XML dump"),
    VK_OPT_END,
};

static const VkOptDef vkOptsManagedsaveDefine[] = {
    VK_OPT_DOMAIN_ANY(VIR_CONNECT_LIST_DOMAINS_MANAGEDSAVE),
    { .name = "xml", .type = VK_OPT_DATA, .flags = VK_OFLAG_REQUIRED,
      .help = "filename containing updated XML for the target", .complete = VK_COMPLETE_FILE },
    VK_OPT_FLAG("running", "set domain to be running on start"),
    VK_OPT_FLAG("paused", "set domain to be paused on start"),
    VK_OPT_END,
};

static const VkOptDef vkOptsSaveImageDumpxml[] = {
    VK_OPT_FILE("saved state file to read"),
    VK_OPT_FLAG("security-info", "include security sensitive information in XML dump"),
    VK_OPT_END,
};

static const VkOptDef vkOptsSaveImageDefine[] = {
    VK_OPT_FILE("saved state file to modify"),
    { .name = "xml", .type = VK_OPT_DATA, .flags = VK_OFLAG_REQUIRED,
      .help = "filename containing updated XML for the target", .complete = VK_COMPLETE_FILE },
    VK_OPT_FLAG("running", "set domain to be running on restore"),
    VK_OPT_FLAG("paused", "set domain to be paused on restore"),
    VK_OPT_END,
};

static const VkOptDef vkOptsSuspend[] = {
    VK_OPT_DOMAIN_ANY(VIR_CONNECT_LIST_DOMAINS_RUNNING),
    VK_OPT_END,
};

static const VkOptDef vkOptsResume[] = {
    VK_OPT_DOMAIN_ANY(VIR_CONNECT_LIST_DOMAINS_PAUSED),
    VK_OPT_END,
};

static const VkOptDef vkOptsAutostart[] = {
    VK_OPT_DOMAIN_ANY(VIR_CONNECT_LIST_DOMAINS_PERSISTENT),
    VK_OPT_FLAG("disable", "stop starting the domain with the host"),
    VK_OPT_END,
};

static const VkOptDef vkOptsSetmem[] = {
    VK_OPT_DOMAIN_ANY(0),
    { .name = "size", .type = VK_OPT_INT, .flags = VK_OFLAG_REQUIRED,
      .help = "new memory size; a number with an optional unit (KiB when none)" },
    VK_OPTS_IMPACT,
    VK_OPT_END,
};

static const VkOptDef vkOptsSetmaxmem[] = {
    VK_OPT_DOMAIN_ANY(0),
    { .name = "size", .type = VK_OPT_INT, .flags = VK_OFLAG_REQUIRED,
      .help = "new memory limit; a number with an optional unit (KiB when none)" },
    VK_OPTS_IMPACT,
    VK_OPT_END,
};

static const VkOptDef vkOptsSetvcpus[] = {
    VK_OPT_DOMAIN_ANY(0),
    { .name = "count", .type = VK_OPT_INT, .flags = VK_OFLAG_REQUIRED,
      .help = "number of virtual CPUs" },
    VK_OPT_FLAG("maximum", "change the maximum (needs --config)"),
    VK_OPTS_IMPACT,
    VK_OPT_FLAG("guest", "change how many CPUs the guest has online (agent)"),
    VK_OPT_FLAG("hotpluggable", "make the added CPUs removable again"),
    VK_OPT_END,
};

static const VkOptDef vkOptsVcpucount[] = {
    VK_OPT_DOMAIN_ANY(0),
    VK_OPT_FLAG("maximum", "show the maximum"),
    VK_OPT_FLAG("active", "show the number in use"),
    VK_OPT_FLAG("live", "ask the running domain"),
    VK_OPT_FLAG("config", "ask the persistent definition"),
    VK_OPT_FLAG("current", "ask whichever of the two is current"),
    VK_OPT_FLAG("guest", "ask the guest agent instead of the hypervisor"),
    VK_OPT_END,
};

static const VkOptDef vkOptsDomjobinfo[] = {
    VK_OPT_DOMAIN_ANY(VK_ACTIVE),
    VK_OPT_FLAG("completed", "show the statistics of the job that finished last"),
    VK_OPT_FLAG("keep-completed", "keep those statistics after showing them"),
    VK_OPT_FLAG("anystats", "show statistics whatever the job's outcome"),
    VK_OPT_FLAG("rawstats", "print the statistics as the API returns them"),
    VK_OPT_END,
};

/* ---- migration ---- */

static const VkOptDef vkOptsMigrate[] = {
    VK_OPT_DOMAIN_ANY(0),
    { .name = "desturi", .type = VK_OPT_DATA, .flags = VK_OFLAG_REQUIRED,
      .help = "connection URI of the destination host as seen from the client (normal "
              "migration) or source (p2p migration)" },
    VK_OPT_FLAG("live", "live migration"),
    VK_OPT_FLAG("offline", "offline migration"),
    VK_OPT_FLAG("p2p", "peer-2-peer migration"),
    VK_OPT_FLAG("tunnelled", "tunnelled migration"),
    VK_OPT_FLAG("persistent", "persist VM on destination"),
    VK_OPT_FLAG("undefinesource", "undefine VM on source"),
    VK_OPT_FLAG("suspend", "do not restart the domain on the destination host"),
    VK_OPT_FLAG("change-protection", "prevent any configuration changes to domain until "
                "migration ends"),
    VK_OPT_FLAG("unsafe", "force migration even if it may be unsafe"),
    VK_OPT_FLAG("verbose", "display the progress of migration"),
    VK_OPT_FLAG("compressed", "compress repeated pages during live migration"),
    VK_OPT_FLAG("auto-converge", "force convergence during live migration"),
    VK_OPT_FLAG("abort-on-error", "abort on soft errors during migration"),
    VK_OPT_FLAG("postcopy", "enable post-copy migration; switch to it using migrate-postcopy "
                "command"),
    VK_OPT_FLAG("postcopy-after-precopy", "automatically switch to post-copy migration after "
                "one pass of pre-copy"),
    { .name = "migrateuri", .type = VK_OPT_STRING,
      .help = "migration URI, usually can be omitted" },
    { .name = "graphicsuri", .type = VK_OPT_STRING,
      .help = "graphics URI to be used for seamless graphics migration" },
    { .name = "listen-address", .type = VK_OPT_STRING,
      .help = "listen address that destination should bind to for incoming migration" },
    { .name = "dname", .type = VK_OPT_STRING,
      .help = "rename to new name during migration (if supported)" },
    { .name = "timeout", .type = VK_OPT_INT,
      .help = "run action specified by --timeout-* option (suspend by default) if live "
              "migration exceeds timeout (in seconds)" },
    VK_OPT_FLAG("timeout-suspend", "suspend the guest after timeout"),
    VK_OPT_FLAG("timeout-postcopy", "switch to post-copy after timeout"),
    { .name = "xml", .type = VK_OPT_STRING, .complete = VK_COMPLETE_FILE,
      .help = "filename containing updated XML for the target" },
    { .name = "persistent-xml", .type = VK_OPT_STRING, .complete = VK_COMPLETE_FILE,
      .help = "filename containing updated persistent XML for the target" },
    { .name = "postcopy-bandwidth", .type = VK_OPT_INT,
      .help = "post-copy migration bandwidth limit in MiB/s" },
    VK_OPT_FLAG("parallel", "enable parallel migration"),
    { .name = "parallel-connections", .type = VK_OPT_INT,
      .help = "number of connections for parallel migration" },
    { .name = "bandwidth", .type = VK_OPT_INT,
      .help = "migration bandwidth limit in MiB/s" },
    VK_OPT_END,
};

static const VkOptDef vkOptsMigrateSetspeed[] = {
    VK_OPT_DOMAIN_ANY(0),
    { .name = "bandwidth", .type = VK_OPT_INT, .flags = VK_OFLAG_REQUIRED,
      .help = "migration bandwidth limit in MiB/s" },
    VK_OPT_FLAG("postcopy", "set post-copy migration bandwidth"),
    VK_OPT_END,
};

static const VkOptDef vkOptsMigrateCompcache[] = {
    VK_OPT_DOMAIN_ANY(0),
    { .name = "size", .type = VK_OPT_INT,
      .help = "requested size of the cache (in bytes) used for compression" },
    VK_OPT_END,
};

static const VkOptDef vkOptsDomjobabort[] = {
    VK_OPT_DOMAIN_ANY(VK_ACTIVE),
    VK_OPT_FLAG("postcopy", "interrupt post-copy migration"),
    VK_OPT_END,
};

static const VkOptDef vkOptsMigrateGetspeed[] = {
    VK_OPT_DOMAIN_ANY(0),
    VK_OPT_FLAG("postcopy", "get post-copy migration bandwidth"),
    VK_OPT_END,
};

static const VkOptDef vkOptsMigrateSetmaxdowntime[] = {
    VK_OPT_DOMAIN_ANY(0),
    { .name = "downtime", .type = VK_OPT_INT, .flags = VK_OFLAG_REQUIRED,
      .help = "maximum tolerable downtime (in milliseconds) for migration" },
    VK_OPT_END,
};

/* ---- events ---- */

static const VkOptDef vkOptsEvent[] = {
    { .name = "domain", .type = VK_OPT_STRING,
      .help = "only events of this domain (name, id or UUID)",
      .complete = VK_COMPLETE_DOMAIN },
    { .name = "event", .type = VK_OPT_STRING,
      .help = "the event to wait for (see --list)",
      .complete = VK_COMPLETE_EVENT },
    VK_OPT_FLAG("all", "wait for any event"),
    VK_OPT_FLAG("loop", "keep printing events until the timeout or Ctrl-C"),
    { .name = "timeout", .type = VK_OPT_INT, .help = "give up after this many seconds" },
    VK_OPT_FLAG("list", "list the event names"),
    VK_OPT_FLAG("timestamp", "print the time before each event"),
    VK_OPT_END,
};

const VkCmdDef vkCommands[] = {
    /* domain management */
    { "autostart", "domain", vkDomainCmdAutostart, vkOptsAutostart,
      "start a domain with the host",
      "Mark a persistent domain to be started when the host boots, or with "
      "--disable remove that mark.", 0 },
    { "create", "domain", vkDomainCmdCreate, vkOptsCreate,
      "start a transient domain from an XML file",
      "Create and start a domain from an XML description without keeping "
      "the definition after it stops.", 0 },
    { "define", "domain", vkDomainCmdDefine, vkOptsDefine,
      "define a domain from an XML file without starting it",
      "Add or update a persistent domain definition from an XML description.", 0 },
    { "destroy", "domain", vkDomainCmdDestroy, vkOptsDestroy,
      "stop a domain at once",
      "Stop a running domain immediately, like pulling the power cord. The "
      "definition of a persistent domain is kept.", 0 },
    { "console", "domain", vkConsoleCmdConsole, vkOptsConsole,
      "connect to the guest console",
      "Connect the terminal to the domain's serial console; the escape "
      "character (-e, default ^]) leaves it.", 0 },
    { "domdisplay", "domain", vkDevicesCmdDomdisplay, vkOptsDomdisplay,
      "print the URI of a domain's graphical display",
      "Print the URI a VNC, SPICE or RDP viewer connects to for the display "
      "of a running domain.", 0 },
    { "domid", "domain", vkMonitorCmdDomid, vkOptsDomid,
      "print the id of a domain",
      "Print the numeric id of a running domain given its name or UUID, or "
      "'-' if it is not running.", 0 },
    { "domjobabort", "domain", vkDomainCmdDomjobabort, vkOptsDomjobabort,
      "abort the job running on a domain",
      "Cancel the background job (migration, save, dump...) of a domain.", 0 },
    { "domjobinfo", "domain", vkDomainCmdDomjobinfo, vkOptsDomjobinfo,
      "show the progress of a domain's job",
      "Show the type, duration and progress of the background job of a domain.", 0 },
    { "domname", "domain", vkMonitorCmdDomname, vkOptsDomname,
      "print the name of a domain",
      "Print the name of a domain given its id or UUID.", 0 },
    { "domuuid", "domain", vkMonitorCmdDomuuid, vkOptsDomuuid,
      "print the UUID of a domain",
      "Print the UUID of a domain given its name or id.", 0 },
    { "dump", "domain", vkSaveCmdDump, vkOptsDump,
      "dump the core of a domain to a file for analysis",
      "Write the guest's state (or with --memory-only its memory, in the chosen "
      "format) to a file; --crash stops the domain afterwards, --reset resets it.", 0 },
    { "dumpxml", "domain", vkDomainCmdDumpxml, vkOptsDumpxml,
      "print the XML description of a domain",
      "Print the XML description of a domain: the live one for a running "
      "domain unless --inactive is given.", 0 },
    { "managedsave", "domain", vkSaveCmdManagedsave, vkOptsManagedsave,
      "save a domain state to a file the hypervisor driver manages",
      "Save the state of a running domain and stop it; the next start of the "
      "domain resumes from that state.", 0 },
    { "managedsave-define", "domain", vkSaveCmdManagedsaveDefine, vkOptsManagedsaveDefine,
      "redefine the XML for a domain's managed save state file",
      "Replace the domain XML associated with a managed save state file.", 0 },
    { "managedsave-dumpxml", "domain", vkSaveCmdManagedsaveDumpxml, vkOptsManagedsaveDumpxml,
      "Domain information of managed save state file in XML",
      "Dump XML of domain information for a managed save state file to stdout.", 0 },
    { "managedsave-remove", "domain", vkSaveCmdManagedsaveRemove, vkOptsManagedsaveRemove,
      "remove the managed save image of a domain",
      "Delete a domain's managed save image, so that its next start boots afresh.", 0 },
    { "migrate", "domain", vkMigrateCmdMigrate, vkOptsMigrate,
      "migrate domain to another host",
      "Migrate domain to another host.  Add --live for live migration.", 0 },
    { "migrate-compcache", "domain", vkMigrateCmdCompcache, vkOptsMigrateCompcache,
      "get/set compression cache size",
      "Get/set size of the cache (in bytes) used for compressing repeatedly transferred "
      "memory pages during live migration.", 0 },
    { "migrate-getmaxdowntime", "domain", vkMigrateCmdGetmaxdowntime, vkOptsDomainOnly,
      "get maximum tolerable downtime",
      "Get maximum tolerable downtime of a domain which is being live-migrated to "
      "another host.", 0 },
    { "migrate-getspeed", "domain", vkMigrateCmdGetspeed, vkOptsMigrateGetspeed,
      "get the maximum migration bandwidth",
      "Get the maximum migration bandwidth (in MiB/s) for a domain.", 0 },
    { "migrate-postcopy", "domain", vkMigrateCmdPostcopy, vkOptsDomainOnly,
      "switch running migration from pre-copy to post-copy",
      "Switch running migration from pre-copy to post-copy. The migration must have been "
      "started with --postcopy option.", 0 },
    { "migrate-setmaxdowntime", "domain", vkMigrateCmdSetmaxdowntime,
      vkOptsMigrateSetmaxdowntime,
      "set maximum tolerable downtime",
      "Set maximum tolerable downtime of a domain which is being live-migrated to "
      "another host.", 0 },
    { "migrate-setspeed", "domain", vkMigrateCmdSetspeed, vkOptsMigrateSetspeed,
      "set the maximum migration bandwidth",
      "Set the maximum migration bandwidth (in MiB/s) for a domain which is being "
      "migrated to another host.", 0 },
    { "qemu-monitor-command", "domain", vkQemuCmdMonitorCommand, vkOptsQemuMonitorCommand,
      "QEMU Monitor Command",
      "Send a QMP command (JSON, or a command name and its arguments) or with --hmp a human "
      "monitor command to the domain's QEMU and print the reply.  Taints the domain.", 0 },
    { "reboot", "domain", vkDomainCmdReboot, vkOptsShutdown,
      "ask a domain to reboot",
      "Ask the guest to restart; it may take a while or be ignored.", 0 },
    { "reset", "domain", vkDomainCmdReset, vkOptsActiveDomain,
      "reset a domain like a hardware reset",
      "Reset the virtual machine immediately, without telling the guest.", 0 },
    { "resume", "domain", vkDomainCmdResume, vkOptsResume,
      "let a paused domain run again",
      "Resume the virtual CPUs of a paused domain.", 0 },
    { "restore", "domain", vkSaveCmdRestore, vkOptsRestore,
      "restore a domain from a saved state in a file",
      "Start a domain again from the state save wrote to a file.", 0 },
    { "save", "domain", vkSaveCmdSave, vkOptsSave,
      "save a domain state to a file",
      "Save the memory and device state of a running domain to a file and stop it; "
      "restore starts it again from there.", 0 },
    { "save-image-define", "domain", vkSaveCmdSaveImageDefine, vkOptsSaveImageDefine,
      "redefine the XML for a domain's saved state file",
      "Replace the domain XML associated with a saved state file.", 0 },
    { "save-image-dumpxml", "domain", vkSaveCmdSaveImageDumpxml, vkOptsSaveImageDumpxml,
      "saved state domain information in XML",
      "Dump XML of domain information for a saved state file to stdout.", 0 },
    { "screenshot", "domain", vkConsoleCmdScreenshot, vkOptsScreenshot,
      "take a screenshot of a current domain console and store it into a file",
      "Save an image of the domain's display to a file; without one the name is "
      "DOMAIN-DATE-TIME with the image type's extension.", 0 },
    { "setmaxmem", "domain", vkDomainCmdSetmaxmem, vkOptsSetmaxmem,
      "change the memory limit of a domain",
      "Change the maximum memory a domain may use.", 0 },
    { "setmem", "domain", vkDomainCmdSetmem, vkOptsSetmem,
      "change the memory of a domain",
      "Change the memory given to a domain (balloon), within its limit.", 0 },
    { "setvcpus", "domain", vkDomainCmdSetvcpus, vkOptsSetvcpus,
      "change the number of virtual CPUs of a domain",
      "Change how many virtual CPUs a domain has, or with --maximum its "
      "limit at next boot.", 0 },
    { "shutdown", "domain", vkDomainCmdShutdown, vkOptsShutdown,
      "ask a domain to shut down",
      "Ask the guest to power off cleanly; it may take a while or be ignored.", 0 },
    { "start", "domain", vkDomainCmdStart, vkOptsStart,
      "start a defined domain",
      "Start an inactive persistent domain.", 0 },
    { "suspend", "domain", vkDomainCmdSuspend, vkOptsSuspend,
      "pause a domain",
      "Stop the virtual CPUs of a running domain; its memory stays allocated.", 0 },
    { "undefine", "domain", vkDomainCmdUndefine, vkOptsUndefine,
      "remove the definition of a domain",
      "Remove a persistent definition. A running domain keeps running as a "
      "transient domain.", 0 },
    { "vcpucount", "domain", vkDomainCmdVcpucount, vkOptsVcpucount,
      "show the number of virtual CPUs of a domain",
      "Show the current and maximum virtual CPU counts of the running domain "
      "and of its persistent definition.", 0 },

    /* monitoring */
    { "domblkinfo", "monitor", vkStatsCmdDomblkinfo, vkOptsDomblkinfo,
      "show the sizes of a domain's disk",
      "Show the capacity, allocation and physical size of one disk of a domain, "
      "or of all of them with --all.", 0 },
    { "domblklist", "monitor", vkDevicesCmdDomblklist, vkOptsDomblklist,
      "list the disks of a domain",
      "Show each disk of a domain with its target name and source (file, "
      "device, volume...); --details adds its type and device kind.", 0 },
    { "domblkstat", "monitor", vkStatsCmdDomblkstat, vkOptsDomblkstat,
      "show the I/O counters of a domain's disk",
      "Show the read, write and flush counters of a disk of a running domain "
      "(all disks summed without --device); --human labels them.", 0 },
    { "domiflist", "monitor", vkDevicesCmdDomiflist, vkOptsDomiflist,
      "list the network interfaces of a domain",
      "Show each network interface of a domain with its host device, type, "
      "source, model and MAC address.", 0 },
    { "domifstat", "monitor", vkStatsCmdDomifstat, vkOptsDomifstat,
      "show the traffic counters of a domain's interface",
      "Show the bytes, packets, errors and drops of a network interface of a "
      "running domain, given by its device name or MAC address.", 0 },
    { "dominfo", "monitor", vkMonitorCmdDominfo, vkOptsDomainOnly,
      "show basic information about a domain",
      "Show the id, state, CPUs, memory and other basic facts of a domain.", 0 },
    { "dommemstat", "monitor", vkStatsCmdDommemstat, vkOptsDommemstat,
      "show the memory statistics of a domain",
      "Show the memory statistics of a running domain (balloon size, RSS and "
      "what the guest reports).", 0 },
    { "domstate", "monitor", vkMonitorCmdDomstate, vkOptsDomstate,
      "show the state of a domain",
      "Print the state of a domain, and with --reason why it is in it.", 0 },
    { "domstats", "monitor", vkStatsCmdDomstats, vkOptsDomstats,
      "show the statistics of domains",
      "Show the statistics of the listed domains, or of all domains (filtered "
      "by the --list options); the group options choose what to report.  It "
      "never waits for a domain's job or a busy hypervisor.", 0 },
    { "list", "monitor", vkMonitorCmdList, vkOptsList,
      "list domains",
      "List the running domains, or with filters any set of domains.", 0 },
    { "vcpuinfo", "monitor", vkStatsCmdVcpuinfo, vkOptsVcpuinfo,
      "show the virtual CPUs of a domain",
      "Show each virtual CPU of a running domain with the host CPU it runs on, "
      "its CPU time and its affinity.", 0 },
    /* events */
    { "event", "events", vkEventCmdEvent, vkOptsEvent,
      "wait for domain events",
      "Print domain events as they happen: one event, or with --loop every "
      "event until the timeout or Ctrl-C. --list shows the event names.", 0 },

    /* host */
    { "capabilities", "host", vkHostCmdCapabilities, NULL,
      "print the capabilities of the host",
      "Print the XML description of what the host and hypervisor can do.", 0 },
    { "domcapabilities", "host", vkHostCmdDomcapabilities, vkOptsDomcapabilities,
      "domain capabilities",
      "Print what the hypervisor can run for an emulator, architecture, machine type and "
      "virtualization type (libvirt's domainCapabilities XML).", 0 },
    { "hostname", "host", vkHostCmdHostname, NULL,
      "print the host name of the hypervisor",
      "Print the name of the host the connection talks to.", 0 },
    { "nodeinfo", "host", vkHostCmdNodeinfo, NULL,
      "show the CPUs and memory of the host",
      "Show the CPU model, topology and memory size of the host.", 0 },
    { "uri", "host", vkHostCmdUri, NULL,
      "print the URI of the connection",
      "Print the canonical URI of the current connection.", 0 },
    { "version", "host", vkHostCmdVersion, vkOptsVersion,
      "show versions",
      "Show the versions of the library and of the hypervisor.", 0 },

    /* virtkit itself */
    { "connect", "virtkit", vkBuiltinCmdConnect, vkOptsConnect,
      "connect to a hypervisor again",
      "Close the current connection and open another one, to the URI given "
      "or to the current URI.", VK_CMD_FLAG_NOCONNECT },
    { "echo", "virtkit", vkBuiltinCmdEcho, vkOptsEcho,
      "print the arguments",
      "Print the arguments, optionally quoted; useful for testing the parser.",
      VK_CMD_FLAG_NOCONNECT },
    { "exit", "virtkit", vkBuiltinCmdQuit, NULL,
      "leave the interactive shell",
      "Leave virtkit.", VK_CMD_FLAG_NOCONNECT },
    { "help", "virtkit", vkBuiltinCmdHelp, vkOptsHelp,
      "show help",
      "List the commands, the commands of a group, or describe one command "
      "and its options.", VK_CMD_FLAG_NOCONNECT },
    { "quit", "virtkit", vkBuiltinCmdQuit, NULL,
      "leave the interactive shell",
      "Leave virtkit.", VK_CMD_FLAG_NOCONNECT },
    { NULL, NULL, NULL, NULL, NULL, NULL, 0 },
};

/**
 * vkCommandsLookup:
 * @name: command name
 *
 * Returns: the command's definition, or NULL if there is no such command.
 */
const VkCmdDef *
vkCommandsLookup(const char *name)
{
    const VkCmdDef *def;

    for (def = vkCommands; def->name; def++) {
        if (vkStreq(def->name, name))
            return def;
    }
    return NULL;
}

/**
 * vkCommandsLookupGroup:
 * @keyword: group keyword ("domain", "host", ...)
 *
 * Returns: the group, or NULL if there is no such group.
 */
const VkCmdGroup *
vkCommandsLookupGroup(const char *keyword)
{
    const VkCmdGroup *grp;

    for (grp = vkCommandGroups; grp->keyword; grp++) {
        if (vkStreq(grp->keyword, keyword))
            return grp;
    }
    return NULL;
}
