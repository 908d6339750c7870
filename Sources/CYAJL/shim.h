#ifndef PWS_CYAJL_SHIM_H
#define PWS_CYAJL_SHIM_H
/* yajl's streaming (SAX) parser, nothing else: FHIR NDJSON lines and Bundle files (Ingest/FHIR). */
#include <yajl/yajl_parse.h>
#endif
