#ifndef PWS_CLIBCSV_SHIM_H
#define PWS_CLIBCSV_SHIM_H
#include <csv.h>
#endif
