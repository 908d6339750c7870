#ifndef PWS_CMINIZIPZIP_SHIM_H
#define PWS_CMINIZIPZIP_SHIM_H
/* minizip's zip writer (Debian libminizip-dev), for the FuzzWorkbook target only: it packs the
   fuzzed XML parts into an .xlsx. pws itself only reads zips (Sources/CMinizip). */
#include <zip.h>
#endif
