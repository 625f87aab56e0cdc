#include "detect/packet_keywords.h"
