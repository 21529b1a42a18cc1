// Cairo's drawing API (Debian's libcairo2-dev): image surfaces, paths, text through fontconfig.
#include <cairo.h>
