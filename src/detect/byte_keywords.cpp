#include "detect/byte_keywords.h"
