#ifndef PWS_CPREFETCH_H
#define PWS_CPREFETCH_H

/* Asks the CPU to start loading the cache line at p, so the miss overlaps with other work.
   Validate's hash tables call it as soon as a row's keys are known (SlotTable.prefetch). */
static inline void pws_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }

/* glibc's malloc serves blocks over 128 KiB from fresh mappings until the first such block is
   freed; then it raises that threshold (to the freed block's size, at most 32 MiB) and the trim
   threshold with it, for the rest of the process. pws settles both from the start (the `pws`
   executable's first step), so a run does not depend on when its first large free happens to
   come: a file's read buffer or a row chunk is reused heap, not a mapping faulted in page by
   page and unmapped again. Returns 1 when glibc took both settings (0 elsewhere). */
#if defined(__linux__)
#include <malloc.h>
static inline int pws_settle_malloc(void) {
    return mallopt(M_MMAP_THRESHOLD, 32 << 20) && mallopt(M_TRIM_THRESHOLD, 64 << 20);
}
#else
static inline int pws_settle_malloc(void) { return 0; }
#endif

/* Starts writing the dirty pages of bytes [offset, offset + length) of the file open as fd to
   the disk, without waiting for them (Linux's sync_file_range with SYNC_FILE_RANGE_WRITE). A
   writer of a large output calls it behind itself as it goes (CSV's CSVWriter), so the fsync
   that publishing does at the end finds little left to write instead of the whole file: at
   3 M records, indicators.csv's ~490 MB made that fsync ~0.3 s of the run's serial tail.
   Advisory: returns 0, or -1 where it is not available (other systems; a file system without
   it), which callers ignore. */
int pws_write_behind(int fd, long long offset, long long length);

#endif
