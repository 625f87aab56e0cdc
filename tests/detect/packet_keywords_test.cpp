#include <gtest/gtest.h>

#include "detect/packet_keywords.h"

TEST(Placeholder, Builds) { SUCCEED(); }
