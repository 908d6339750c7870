#ifndef PWS_CLIBCSV_SHIM_H
#define PWS_CLIBCSV_SHIM_H
#include <csv.h>

/* Hot-path helper for the Validate stage's hash tables (not part of libcsv): asks the CPU to
   start loading the cache line at p, so the miss overlaps with the row's other checks. */
static inline void pws_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }

#endif
