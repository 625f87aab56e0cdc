#include "detect/transforms.h"
