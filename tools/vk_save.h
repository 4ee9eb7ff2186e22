/* vk_save.h: save, restore, managed save, the XML of save images and dump */
#pragma once

#include "vk_ctl.h"

bool vkSaveCmdSave(VkCtl *ctl, const VkCmd *cmd);
bool vkSaveCmdRestore(VkCtl *ctl, const VkCmd *cmd);
bool vkSaveCmdManagedsave(VkCtl *ctl, const VkCmd *cmd);
bool vkSaveCmdManagedsaveRemove(VkCtl *ctl, const VkCmd *cmd);
bool vkSaveCmdDump(VkCtl *ctl, const VkCmd *cmd);
bool vkSaveCmdManagedsaveDumpxml(VkCtl *ctl, const VkCmd *cmd);
bool vkSaveCmdManagedsaveDefine(VkCtl *ctl, const VkCmd *cmd);
bool vkSaveCmdSaveImageDumpxml(VkCtl *ctl, const VkCmd *cmd);
bool vkSaveCmdSaveImageDefine(VkCtl *ctl, const VkCmd *cmd);
