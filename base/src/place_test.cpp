#include "lookout/base/place.h"

#include <gtest/gtest.h>

namespace lookout {
namespace {

TEST(PlacePath, ParsesFullAndPartialPaths) {
  auto p = PlacePath::parse("xc/hl/qy/g03/b12");
  ASSERT_TRUE(p.is_ok()) << p.status().to_string();
  EXPECT_EQ(p->depth(), 5u);
  EXPECT_EQ(p->level(), PlaceLevel::kBuilding);
  EXPECT_EQ(p->parent().str(), "xc/hl/qy/g03");
  EXPECT_EQ(p->truncated(3).str(), "xc/hl/qy");
  auto c = PlacePath::parse("xc/hl/qy");
  ASSERT_TRUE(c.is_ok());
  EXPECT_EQ(c->level(), PlaceLevel::kCommunity);
  EXPECT_TRUE(p->is_within(*c));
  EXPECT_FALSE(c->is_within(*p));
  EXPECT_TRUE(p->is_within(PlacePath()));
}

TEST(PlacePath, RejectsBadPathsWithReason) {
  for (const char* bad : {"", "/xc", "xc/", "xc//hl", "XC/hl", "xc/h l", "a/b/c/d/e/f",
                          "xc/abcdefghijabcdefghijabcdefghijabc"}) {
    auto p = PlacePath::parse(bad);
    EXPECT_FALSE(p.is_ok()) << bad;
    EXPECT_EQ(p.status().code(), Status::Code::kInvalidArgument);
    EXPECT_FALSE(p.status().message().empty());
  }
  EXPECT_NE(PlacePath::parse("xc/H1").status().message().find("segment 2"), std::string::npos);
}

TEST(PlacePattern, MatchesExactWildcardAndOpenEnded) {
  auto b12 = PlacePath::parse("xc/hl/qy/g03/b12").value();
  auto g03 = PlacePath::parse("xc/hl/qy/g03").value();
  EXPECT_TRUE(PlacePattern::parse("xc/hl/qy/**")->matches(b12));
  EXPECT_TRUE(PlacePattern::parse("xc/hl/qy/**")->matches(PlacePath::parse("xc/hl/qy").value()));
  EXPECT_FALSE(PlacePattern::parse("xc/hl/qy/**")->matches(PlacePath::parse("xc/hl/zz/g03").value()));
  EXPECT_TRUE(PlacePattern::parse("xc/hl/*/g03")->matches(g03));
  EXPECT_FALSE(PlacePattern::parse("xc/hl/*/g03")->matches(b12));
  EXPECT_TRUE(PlacePattern::parse("xc/hl/qy/g03/b12")->matches(b12));
  EXPECT_FALSE(PlacePattern::parse("xc/hl/qy/g03")->matches(b12));
  EXPECT_TRUE(PlacePattern::parse("**")->matches(b12));
  EXPECT_EQ(PlacePattern::parse("xc/hl/*/g03")->literal_prefix().str(), "xc/hl");
  EXPECT_TRUE(PlacePattern::parse("**")->literal_prefix().is_root());
}

TEST(PlacePattern, RejectsMisplacedDoubleStarAndBadSegments) {
  EXPECT_FALSE(PlacePattern::parse("xc/**/b12").is_ok());
  EXPECT_FALSE(PlacePattern::parse("xc/B").is_ok());
  EXPECT_FALSE(PlacePattern::parse("").is_ok());
}

}  // namespace
}  // namespace lookout
