/* vk_commands.h: the table of every virtkit command with its options */
#pragma once

#include "vk_cmd.h"

typedef struct {
    const char *keyword;   /* "help KEYWORD" lists the group */
    const char *title;
} VkCmdGroup;

extern const VkCmdDef vkCommands[];
extern const VkCmdGroup vkCommandGroups[];

const VkCmdDef *vkCommandsLookup(const char *name);
const VkCmdGroup *vkCommandsLookupGroup(const char *keyword);
