#include "detect/threshold.h"
