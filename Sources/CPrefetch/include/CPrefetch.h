#ifndef PWS_CPREFETCH_H
#define PWS_CPREFETCH_H

/* Asks the CPU to start loading the cache line at p, so the miss overlaps with other work.
   Validate's hash tables call it as soon as a row's keys are known (SlotTable.prefetch). */
static inline void pws_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }

#endif
