#ifndef PWS_CMINIZIP_SHIM_H
#define PWS_CMINIZIP_SHIM_H
/* minizip (Debian libminizip-dev, zlib's contrib/minizip): reading the parts of an .xlsx. */
#include <unzip.h>
#endif
