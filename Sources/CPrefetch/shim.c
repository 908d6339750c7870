/* The out-of-line helpers; the others are the static inline functions in include/CPrefetch.h.
   _GNU_SOURCE is set here, not in the header: Swift's Glibc module is built without it, so
   sync_file_range is declared only for this file. */
#define _GNU_SOURCE
#include <fcntl.h>
#include "CPrefetch.h"

int pws_write_behind(int fd, long long offset, long long length) {
#if defined(__linux__)
    return sync_file_range(fd, (off_t)offset, (off_t)length, SYNC_FILE_RANGE_WRITE);
#else
    (void)fd; (void)offset; (void)length;
    return -1;
#endif
}
