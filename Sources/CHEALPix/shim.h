#include <chealpix.h>
