#include "plan_diff.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lookout::ctl {
namespace {

using ::testing::Contains;
using ::testing::IsEmpty;

constexpr const char* kV1 = R"(id: fire
title: Residential fire
places: ["xc/hl/qy/**"]
levels:
  II:
    when: smoke >= 0.15 /
    alert:
      event: Residential fire
      headline: "Fire in {place_name}"
)";

TEST(UnifiedDiff, EqualTextsGiveNothingAndChangesGiveHunks) {
  EXPECT_EQ(unified_diff(kV1, kV1, "a", "b"), "");
  std::string v2 = kV1;
  v2.replace(v2.find("0.15"), 4, "0.1");
  auto d = unified_diff(kV1, v2, "fire v1", "fire.yaml");
  EXPECT_EQ(d,
            "--- fire v1\n+++ fire.yaml\n@@ -3,7 +3,7 @@\n places: [\"xc/hl/qy/**\"]\n levels:\n   II:\n"
            "-    when: smoke >= 0.15 /\n+    when: smoke >= 0.1 /\n     alert:\n       event: Residential fire\n"
            "       headline: \"Fire in {place_name}\"\n");
}

TEST(UnifiedDiff, AddedAndRemovedLinesAtTheEdges) {
  auto d = unified_diff("a\nb\n", "b\nc\n", "x", "y");
  EXPECT_EQ(d, "--- x\n+++ y\n@@ -1,2 +1,2 @@\n-a\n b\n+c\n");
  EXPECT_EQ(unified_diff("", "a\n", "x", "y"), "--- x\n+++ y\n@@ -0,0 +1,1 @@\n+a\n");
}

TEST(PlanChanges, SaysWhatChangedInCoordinatorTerms) {
  std::string v2 = kV1;
  v2.replace(v2.find("0.15"), 4, "0.1");
  v2 += "  III:\n    when: smoke >= 0.05 /\n    alert:\n      event: Smoke\n      headline: Smoke\n";
  auto changes = plan_changes(kV1, v2);
  EXPECT_THAT(changes, Contains("level II condition: smoke >= 0.15 / -> smoke >= 0.1 /"));
  EXPECT_THAT(changes, Contains("level III: added, when smoke >= 0.05 /"));
  EXPECT_THAT(plan_changes(kV1, std::string(kV1) + "# a comment\n"), IsEmpty());
  EXPECT_EQ(plan_changes(kV1, "id: [").size(), 1u);
}

}  // namespace
}  // namespace lookout::ctl
