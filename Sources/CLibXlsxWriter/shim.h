#ifndef PWS_CLIBXLSXWRITER_SHIM_H
#define PWS_CLIBXLSXWRITER_SHIM_H
/* libxlsxwriter (Debian libxlsxwriter-dev): the .xlsx writer of pws.xlsx. Nothing else here. */
#include <xlsxwriter.h>
#endif
