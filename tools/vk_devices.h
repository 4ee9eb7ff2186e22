/* vk_devices.h: commands that read a domain's devices from its XML (domblklist domiflist domdisplay) */
#pragma once

#include "vk_ctl.h"

bool vkDevicesCmdDomblklist(VkCtl *ctl, const VkCmd *cmd);
bool vkDevicesCmdDomiflist(VkCtl *ctl, const VkCmd *cmd);
bool vkDevicesCmdDomdisplay(VkCtl *ctl, const VkCmd *cmd);
