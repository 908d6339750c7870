/* SwiftPM builds a C target from at least one source file; the helper itself is the static
   inline function in include/CPrefetch.h. */
#include "CPrefetch.h"
