/* vk_builtin.h: commands about virtkit itself: help, echo, connect, quit */
#pragma once

#include "vk_ctl.h"

bool vkBuiltinCmdConnect(VkCtl *ctl, const VkCmd *cmd);
bool vkBuiltinCmdEcho(VkCtl *ctl, const VkCmd *cmd);
bool vkBuiltinCmdHelp(VkCtl *ctl, const VkCmd *cmd);
bool vkBuiltinCmdQuit(VkCtl *ctl, const VkCmd *cmd);

void vkBuiltinPrintAllHelp(VkCtl *ctl);
