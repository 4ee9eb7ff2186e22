/* vk_migrate.h: migrate and the migration tunables (migrate-setspeed, -getspeed, -setmaxdowntime,
 * -getmaxdowntime, -postcopy) */
#pragma once

#include "vk_cmd.h"

bool vkMigrateCmdMigrate(VkCtl *ctl, const VkCmd *cmd);
bool vkMigrateCmdSetspeed(VkCtl *ctl, const VkCmd *cmd);
bool vkMigrateCmdGetspeed(VkCtl *ctl, const VkCmd *cmd);
bool vkMigrateCmdCompcache(VkCtl *ctl, const VkCmd *cmd);
bool vkMigrateCmdSetmaxdowntime(VkCtl *ctl, const VkCmd *cmd);
bool vkMigrateCmdGetmaxdowntime(VkCtl *ctl, const VkCmd *cmd);
bool vkMigrateCmdPostcopy(VkCtl *ctl, const VkCmd *cmd);
