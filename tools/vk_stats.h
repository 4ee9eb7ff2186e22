/* vk_stats.h: statistics commands (domstats vcpuinfo domblkstat domifstat dommemstat domblkinfo) */
#pragma once

#include "vk_ctl.h"

bool vkStatsCmdDomstats(VkCtl *ctl, const VkCmd *cmd);
bool vkStatsCmdVcpuinfo(VkCtl *ctl, const VkCmd *cmd);
bool vkStatsCmdDomblkstat(VkCtl *ctl, const VkCmd *cmd);
bool vkStatsCmdDomifstat(VkCtl *ctl, const VkCmd *cmd);
bool vkStatsCmdDommemstat(VkCtl *ctl, const VkCmd *cmd);
bool vkStatsCmdDomblkinfo(VkCtl *ctl, const VkCmd *cmd);
