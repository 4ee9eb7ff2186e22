/* vk_host.h: host and hypervisor commands: uri, hostname, version, nodeinfo, capabilities,
 * domcapabilities */
#pragma once

#include "vk_ctl.h"

bool vkHostCmdCapabilities(VkCtl *ctl, const VkCmd *cmd);
bool vkHostCmdDomcapabilities(VkCtl *ctl, const VkCmd *cmd);
bool vkHostCmdHostname(VkCtl *ctl, const VkCmd *cmd);
bool vkHostCmdNodeinfo(VkCtl *ctl, const VkCmd *cmd);
bool vkHostCmdUri(VkCtl *ctl, const VkCmd *cmd);
bool vkHostCmdVersion(VkCtl *ctl, const VkCmd *cmd);
