#ifndef PWS_CLIBXML2_SHIM_H
#define PWS_CLIBXML2_SHIM_H
/* libxml2 (Debian libxml2-dev): the streaming xmlTextReader (workbook-level parts) and the SAX2
 * push parser (worksheets) the workbook reader uses.
 * Debian builds libxml2 with ICU, and its encoding.h then includes ICU's headers, whose types
 * clash with Foundation's own copy of ICU in any module that sees both. pws never touches an
 * encoding handler's ICU converters (only pointers to them live at the end of that struct), so
 * the ICU part of the headers is switched off here. */
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/xmlreader.h>
#include <libxml/parser.h>
#include <libxml/SAX2.h>
#endif
