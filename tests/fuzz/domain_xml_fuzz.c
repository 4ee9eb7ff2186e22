/*
 * libFuzzer target for the domain XML parser: parse any input, and when it
 * is accepted, format it in every mode, parse the output again and check
 * that formatting is stable.  Any crash, sanitizer report, leak or
 * instability is a finding.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "conf/domain_conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzzCheckStable(const DomainDef *def, unsigned int parseFlags, unsigned int fmtFlags)
{
    g_autofree char *first = domainDefFormat(def, fmtFlags | DOMAIN_DEF_FORMAT_SECURE);
    g_autofree char *firstPlain = domainDefFormat(def, fmtFlags);
    g_autoptr(DomainDef) again = NULL;
    g_autoptr(DomainDef) copy = NULL;
    g_autofree char *second = NULL;
    g_autofree char *third = NULL;

    if (!first || !firstPlain)
        abort();                /* formatting a parsed definition cannot fail */
    if (!(again = domainDefParseString(first, parseFlags)))
        abort();                /* our own output must parse */
    second = domainDefFormat(again, fmtFlags);
    if (!second)
        abort();
    /* Libvirt re-sorts some devices on a second parse; a third pass must
     * then be a fixed point. */
    {
        g_autofree char *secure2 = domainDefFormat(again, fmtFlags | DOMAIN_DEF_FORMAT_SECURE);
        g_autoptr(DomainDef) third_def = domainDefParseString(secure2, parseFlags);

        if (!third_def)
            abort();
        third = domainDefFormat(third_def, fmtFlags);
        if (!third || strcmp(second, third) != 0)
            abort();
    }
    if (!(copy = domainDefCopy(def, parseFlags)))
        abort();
    if (!domainDefIsABIStable(def, copy))
        abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *xml = NULL;
    g_autoptr(DomainDef) def = NULL;
    g_autoptr(DomainDef) live = NULL;

    if (size > 1024 * 1024)
        return 0;
    xml = g_strndup((const char *)data, size);

    if ((def = domainDefParseString(xml, DOMAIN_DEF_PARSE_INACTIVE)))
        fuzzCheckStable(def, DOMAIN_DEF_PARSE_INACTIVE, DOMAIN_DEF_FORMAT_INACTIVE);
    errorReset();

    if ((live = domainDefParseString(xml, 0))) {
        fuzzCheckStable(live, 0, 0);
        g_free(domainDefFormat(live, DOMAIN_DEF_FORMAT_INACTIVE));
    }
    errorReset();

    g_clear_pointer(&def, domainDefFree);
    if ((def = domainDefParseString(xml, DOMAIN_DEF_PARSE_INACTIVE | DOMAIN_DEF_PARSE_VALIDATE)))
        g_free(domainDefFormat(def, DOMAIN_DEF_FORMAT_INACTIVE));
    errorReset();
    return 0;
}
