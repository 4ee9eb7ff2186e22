/* vk_host.c: host and hypervisor commands: uri, hostname, version, nodeinfo, capabilities,
 * domcapabilities */
#include <stdlib.h>

#include "vk_host.h"

/**
 * vkHostCmdUri:
 * @ctl: run state
 * @cmd: parsed "uri" command
 *
 * Prints the canonical URI of the connection.
 *
 * Returns: true on success.
 */
bool
vkHostCmdUri(VkCtl *ctl, const VkCmd *cmd G_GNUC_UNUSED)
{
    char *uri = virConnectGetURI(ctl->conn);

    if (!uri) {
        vkError(ctl, "%s", "failed to get URI");
        return false;
    }
    vkPrint(ctl, "%s\n", uri);
    free(uri);
    return true;
}

/**
 * vkHostCmdHostname:
 * @ctl: run state
 * @cmd: parsed "hostname" command
 *
 * Prints the host name of the hypervisor host.
 *
 * Returns: true on success.
 */
bool
vkHostCmdHostname(VkCtl *ctl, const VkCmd *cmd G_GNUC_UNUSED)
{
    char *name = virConnectGetHostname(ctl->conn);

    if (!name) {
        vkError(ctl, "%s", "failed to get hostname");
        return false;
    }
    vkPrint(ctl, "%s\n", name);
    free(name);
    return true;
}

static void
vkHostPrintVersion(VkCtl *ctl, const char *what, const char *type, unsigned long v)
{
    vkPrint(ctl, "%s%s%s %lu.%lu.%lu\n", what, type ? " " : "", type ? type : "",
            v / 1000000, (v / 1000) % 1000, v % 1000);
}

/**
 * vkHostCmdVersion:
 * @ctl: run state
 * @cmd: parsed "version" command
 *
 * Prints the versions of the headers virtkit was built with, of the library
 * in use, of the driver API and of the hypervisor; with --daemon also the
 * version of the library behind the connection.
 *
 * Returns: true on success.
 */
bool
vkHostCmdVersion(VkCtl *ctl, const VkCmd *cmd)
{
    const char *type = virConnectGetType(ctl->conn);
    unsigned long libVersion = 0;
    unsigned long apiVersion = 0;
    unsigned long hvVersion = 0;
    unsigned long long daemonVersion = 0;

    if (!type) {
        vkError(ctl, "%s", "failed to get hypervisor type");
        return false;
    }
    vkHostPrintVersion(ctl, "Compiled against library: libvirt", NULL, LIBVIR_VERSION_NUMBER);

    if (virGetVersion(&libVersion, type, &apiVersion) < 0) {
        vkError(ctl, "%s", "failed to get the library version");
        return false;
    }
    vkHostPrintVersion(ctl, "Using library: libvirt", NULL, libVersion);
    vkHostPrintVersion(ctl, "Using API:", type, apiVersion);

    if (virConnectGetVersion(ctl->conn, &hvVersion) < 0) {
        vkError(ctl, "%s", "failed to get the hypervisor version");
        return false;
    }
    if (hvVersion == 0)
        vkPrint(ctl, "Cannot extract running %s hypervisor version\n", type);
    else
        vkHostPrintVersion(ctl, "Running hypervisor:", type, hvVersion);

    if (vkCmdOptBool(cmd, "daemon")) {
        unsigned long dv;

        if (virConnectGetLibVersion(ctl->conn, &dv) < 0) {
            vkError(ctl, "%s", "failed to get the daemon version");
        } else {
            daemonVersion = dv;
            vkPrint(ctl, "Running against daemon: %llu.%llu.%llu\n",
                    daemonVersion / 1000000, (daemonVersion / 1000) % 1000,
                    daemonVersion % 1000);
        }
    }
    return true;
}

/**
 * vkHostCmdNodeinfo:
 * @ctl: run state
 * @cmd: parsed "nodeinfo" command
 *
 * Prints the host's CPU and memory facts in virsh's layout.
 *
 * Returns: true on success.
 */
bool
vkHostCmdNodeinfo(VkCtl *ctl, const VkCmd *cmd G_GNUC_UNUSED)
{
    virNodeInfo info;

    if (virNodeGetInfo(ctl->conn, &info) < 0) {
        vkError(ctl, "%s", "failed to get node information");
        return false;
    }
    vkPrint(ctl, "%-20s %s\n", "CPU model:", info.model);
    vkPrint(ctl, "%-20s %d\n", "CPU(s):", (int) info.cpus);
    if (info.mhz)
        vkPrint(ctl, "%-20s %d MHz\n", "CPU frequency:", (int) info.mhz);
    vkPrint(ctl, "%-20s %d\n", "CPU socket(s):", (int) info.sockets);
    vkPrint(ctl, "%-20s %d\n", "Core(s) per socket:", (int) info.cores);
    vkPrint(ctl, "%-20s %d\n", "Thread(s) per core:", (int) info.threads);
    vkPrint(ctl, "%-20s %d\n", "NUMA cell(s):", (int) info.nodes);
    vkPrint(ctl, "%-20s %lu KiB\n", "Memory size:", info.memory);
    return true;
}

/**
 * vkHostCmdCapabilities:
 * @ctl: run state
 * @cmd: parsed "capabilities" command
 *
 * Prints the capabilities XML of the connection.
 *
 * Returns: true on success.
 */
bool
vkHostCmdCapabilities(VkCtl *ctl, const VkCmd *cmd G_GNUC_UNUSED)
{
    char *caps = virConnectGetCapabilities(ctl->conn);

    if (!caps) {
        vkError(ctl, "%s", "failed to get capabilities");
        return false;
    }
    vkPrint(ctl, "%s\n", caps);
    free(caps);
    return true;
}

/**
 * vkHostCmdDomcapabilities:
 * @ctl: run state
 * @cmd: parsed "domcapabilities" command
 *
 * Prints the domain capabilities XML for the emulator, architecture,
 * machine and virtualization type given (each optional), as virsh does.
 *
 * Returns: true on success.
 */
bool
vkHostCmdDomcapabilities(VkCtl *ctl, const VkCmd *cmd)
{
    const char *virttype = NULL;
    const char *emulatorbin = NULL;
    const char *arch = NULL;
    const char *machine = NULL;
    char *caps;

    if (vkCmdOptString(ctl, cmd, "virttype", &virttype) < 0 ||
        vkCmdOptString(ctl, cmd, "emulatorbin", &emulatorbin) < 0 ||
        vkCmdOptString(ctl, cmd, "arch", &arch) < 0 ||
        vkCmdOptString(ctl, cmd, "machine", &machine) < 0)
        return false;
    if (!(caps = virConnectGetDomainCapabilities(ctl->conn, emulatorbin, arch, machine,
                                                 virttype, 0))) {
        vkError(ctl, "%s", "failed to get emulator capabilities");
        return false;
    }
    vkPrint(ctl, "%s\n", caps);
    free(caps);
    return true;
}
