#include <gtest/gtest.h>

#include "detect/byte_keywords.h"

TEST(Placeholder, Builds) { SUCCEED(); }
