#include <gtest/gtest.h>

#include "detect/threshold.h"

TEST(Placeholder, Builds) { SUCCEED(); }
