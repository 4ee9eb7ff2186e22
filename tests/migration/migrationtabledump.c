/* Prints the compiled migration table as JSON (for spin-check.py export). */
#include <stdio.h>

#include "migration/migration.h"

int
main(void)
{
    g_autofree char *json = migrationTableFormatJSON();

    fputs(json, stdout);
    return 0;
}
