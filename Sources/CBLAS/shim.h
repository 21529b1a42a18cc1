// OpenBLAS's CBLAS interface (Debian's libopenblas-dev), including openblas_set_num_threads.
#include <cblas.h>
