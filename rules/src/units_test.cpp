#include "lookout/rules/units.h"

#include <gtest/gtest.h>

namespace lookout::rules {
namespace {

TEST(UnitsTest, KnowsTheUnitsPlansUse) {
  for (const char* u :
       {"Cel", "K", "degF", "m", "cm", "mm", "/", "%", "ppm", "%LEL", "%RH", "dB", "lx", "W", "V", "A", "s", "count"}) {
    EXPECT_TRUE(is_known_unit(u)) << u;
  }
  for (const char* u : {"", "cel", "C", "degC", "ppb", "%/m", "km", "LEL", "kW"}) {
    EXPECT_FALSE(is_known_unit(u)) << u;
  }
}

TEST(UnitsTest, SameUnitOrNoUnitIsTheValue) {
  EXPECT_EQ(convert(3.5, "Cel", "Cel"), 3.5);
  EXPECT_EQ(convert(3.5, "", ""), 3.5);
  EXPECT_EQ(convert(3.5, "", "Cel"), 3.5);  // a value with no unit is in the target unit
  EXPECT_EQ(convert(3.5, "Cel", ""), 3.5);  // a target with no unit takes the value as is
  EXPECT_EQ(convert(3.5, "furlong", "furlong"), 3.5);
}

TEST(UnitsTest, Temperatures) {
  EXPECT_DOUBLE_EQ(*convert(0, "Cel", "K"), 273.15);
  EXPECT_DOUBLE_EQ(*convert(373.15, "K", "Cel"), 100);
  EXPECT_DOUBLE_EQ(*convert(212, "degF", "Cel"), 100);
  EXPECT_DOUBLE_EQ(*convert(-40, "Cel", "degF"), -40);
  EXPECT_DOUBLE_EQ(*convert(57, "Cel", "degF"), 134.6);
  EXPECT_DOUBLE_EQ(*convert(373.15, "K", "degF"), 212);
  EXPECT_DOUBLE_EQ(*convert(32, "degF", "K"), 273.15);
}

TEST(UnitsTest, Lengths) {
  EXPECT_EQ(*convert(1.5, "m", "cm"), 150);
  EXPECT_EQ(*convert(1500, "mm", "m"), 1.5);
  EXPECT_EQ(*convert(30, "cm", "m"), 0.3);  // division by an exact power of ten: no drift
  EXPECT_EQ(*convert(25, "mm", "cm"), 2.5);
  EXPECT_EQ(*convert(2.5, "cm", "mm"), 25);
}

TEST(UnitsTest, Fractions) {
  EXPECT_EQ(*convert(15, "%", "/"), 0.15);
  EXPECT_EQ(*convert(0.25, "/", "%"), 25);
  EXPECT_EQ(*convert(10000, "ppm", "%"), 1);
  EXPECT_EQ(*convert(2, "%", "ppm"), 20000);
  EXPECT_EQ(*convert(0.0001, "/", "ppm"), 100);
  EXPECT_EQ(*convert(100, "ppm", "/"), 0.0001);
}

TEST(UnitsTest, IdentityOnlyUnitsConvertOnlyToThemselves) {
  for (const char* u : {"%LEL", "%RH", "dB", "lx", "W", "V", "A", "s", "count"}) {
    EXPECT_EQ(convert(7, u, u), 7) << u;
  }
  EXPECT_EQ(convert(7, "%LEL", "%"), std::nullopt);
  EXPECT_EQ(convert(7, "%", "%LEL"), std::nullopt);
  EXPECT_EQ(convert(7, "%RH", "%"), std::nullopt);
  EXPECT_EQ(convert(7, "%RH", "%LEL"), std::nullopt);
  EXPECT_EQ(convert(7, "W", "V"), std::nullopt);
}

TEST(UnitsTest, IncompatibleOrUnknownUnitsDoNotConvert) {
  EXPECT_EQ(convert(1, "Cel", "m"), std::nullopt);
  EXPECT_EQ(convert(1, "cm", "%"), std::nullopt);
  EXPECT_EQ(convert(1, "ppb", "ppm"), std::nullopt);
  EXPECT_EQ(convert(1, "ppm", "ppb"), std::nullopt);
  EXPECT_EQ(convert(1, "cel", "Cel"), std::nullopt);  // units are case-sensitive
}

}  // namespace
}  // namespace lookout::rules
