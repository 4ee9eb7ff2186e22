/* vk_console.h: commands that use streams: console and screenshot */
#pragma once

#include "vk_ctl.h"

bool vkConsoleCmdConsole(VkCtl *ctl, const VkCmd *cmd);
bool vkConsoleCmdScreenshot(VkCtl *ctl, const VkCmd *cmd);
