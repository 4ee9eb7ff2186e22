/* vk_table.c: column tables as virsh prints them (list)
 *
 * Layout (observed with virsh 9.0): every cell is preceded by one space and
 * padded to its column's display width; columns are separated by two more
 * spaces; the last column is not padded.  The header is underlined with
 * dashes as long as the widths plus three per column.  -q drops the header
 * and the dashes, and the widths then depend on the data only.
 */
#include <stdarg.h>
#include <string.h>

#include "vk_table.h"
#include "vk_util.h"

typedef struct {
    char **cells;     /* escaped for display */
    size_t *widths;   /* display width of each cell */
} VkTableRow;

struct _VkTable {
    size_t ncols;
    GArray *rows;     /* of VkTableRow; row 0 is the header */
};

static void
vkTableRowClear(gpointer data)
{
    VkTableRow *row = data;

    g_strfreev(row->cells);
    g_free(row->widths);
}

static VkTableRow
vkTableRowNew(const char *first, va_list ap)
{
    GPtrArray *cells = g_ptr_array_new();
    GArray *widths = g_array_new(FALSE, FALSE, sizeof(size_t));
    const char *cell;
    VkTableRow row;

    for (cell = first; cell; cell = va_arg(ap, const char *)) {
        size_t w = 0;

        g_ptr_array_add(cells, vkSafeDisplay(cell, &w));
        g_array_append_val(widths, w);
    }
    g_ptr_array_add(cells, NULL);
    row.cells = (char **) g_ptr_array_free(cells, FALSE);
    row.widths = (size_t *) (void *) g_array_free(widths, FALSE);
    return row;
}

/**
 * vkTableNew:
 * @first: first column title; further titles follow, then NULL
 *
 * Returns: a new table with that header (free with vkTableFree()).
 */
VkTable *
vkTableNew(const char *first, ...)
{
    VkTable *table = g_new0(VkTable, 1);
    VkTableRow header;
    va_list ap;

    va_start(ap, first);
    header = vkTableRowNew(first, ap);
    va_end(ap);
    table->ncols = g_strv_length(header.cells);
    table->rows = g_array_new(FALSE, FALSE, sizeof(VkTableRow));
    g_array_set_clear_func(table->rows, vkTableRowClear);
    g_array_append_val(table->rows, header);
    return table;
}

/**
 * vkTableFree:
 * @table: table to free, may be NULL
 */
void
vkTableFree(VkTable *table)
{
    if (!table)
        return;
    g_array_free(table->rows, TRUE);
    g_free(table);
}

/**
 * vkTableAddRow:
 * @table: table
 * @first: first cell; further cells follow, then NULL.  The number of cells
 *         must equal the number of columns.
 */
void
vkTableAddRow(VkTable *table, const char *first, ...)
{
    VkTableRow row;
    va_list ap;

    va_start(ap, first);
    row = vkTableRowNew(first, ap);
    va_end(ap);
    g_assert(g_strv_length(row.cells) == table->ncols);
    g_array_append_val(table->rows, row);
}

static void
vkTablePrintRow(GString *out, const VkTableRow *row, const size_t *widths, size_t ncols)
{
    size_t i;

    for (i = 0; i < ncols; i++) {
        g_string_append_c(out, ' ');
        g_string_append(out, row->cells[i]);
        if (i + 1 < ncols) {
            size_t pad = widths[i] - row->widths[i] + 2;

            while (pad--)
                g_string_append_c(out, ' ');
        }
    }
    g_string_append_c(out, '\n');
}

/**
 * vkTablePrint:
 * @table: table
 * @ctl: run state (for -q)
 *
 * Prints the table on stdout.
 */
void
vkTablePrint(VkTable *table, VkCtl *ctl)
{
    g_autofree size_t *widths = g_new0(size_t, table->ncols);
    g_autoptr(GString) out = g_string_new(NULL);
    size_t total = 0;
    size_t r;
    size_t i;

    /* with -q the header is not printed and does not count for the widths */
    for (r = ctl->quiet ? 1 : 0; r < table->rows->len; r++) {
        const VkTableRow *row = &g_array_index(table->rows, VkTableRow, r);

        for (i = 0; i < table->ncols; i++)
            widths[i] = MAX(widths[i], row->widths[i]);
    }
    for (i = 0; i < table->ncols; i++)
        total += widths[i] + 3;

    for (r = 0; r < table->rows->len; r++) {
        if (r == 0 && ctl->quiet)
            continue;
        vkTablePrintRow(out, &g_array_index(table->rows, VkTableRow, r), widths, table->ncols);
        if (r == 0) {
            for (i = 0; i < total; i++)
                g_string_append_c(out, '-');
            g_string_append_c(out, '\n');
        }
    }
    vkPrint(ctl, "%s", out->str);
}
