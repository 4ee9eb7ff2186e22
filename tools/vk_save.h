/* vk_save.h: save, restore, managedsave, managedsave-remove and dump */
#pragma once

#include "vk_ctl.h"

bool vkSaveCmdSave(VkCtl *ctl, const VkCmd *cmd);
bool vkSaveCmdRestore(VkCtl *ctl, const VkCmd *cmd);
bool vkSaveCmdManagedsave(VkCtl *ctl, const VkCmd *cmd);
bool vkSaveCmdManagedsaveRemove(VkCtl *ctl, const VkCmd *cmd);
bool vkSaveCmdDump(VkCtl *ctl, const VkCmd *cmd);
