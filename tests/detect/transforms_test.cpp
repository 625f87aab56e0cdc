#include <gtest/gtest.h>

#include "detect/transforms.h"

TEST(Placeholder, Builds) { SUCCEED(); }
