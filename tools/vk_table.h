/* vk_table.h: column tables as virsh prints them (list) */
#pragma once

#include <glib.h>

#include "vk_ctl.h"

typedef struct _VkTable VkTable;

VkTable *vkTableNew(const char *first, ...) G_GNUC_NULL_TERMINATED;
void vkTableFree(VkTable *table);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VkTable, vkTableFree);

void vkTableAddRow(VkTable *table, const char *first, ...) G_GNUC_NULL_TERMINATED;
void vkTablePrint(VkTable *table, VkCtl *ctl);
