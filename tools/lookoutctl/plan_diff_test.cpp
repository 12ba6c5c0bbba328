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

TEST(PlanChanges, SaysWhatChangedInThePlanWideKeys) {
  std::string v2 = std::string(kV1) +
                   "scope: building\n"
                   "time_zone: Asia/Shanghai\n"
                   "resolve:\n  when: smoke < 0.05 /\n  for: 10m\n"
                   "inhibits:\n  - plan: gas-leak\n    scope: building\n    from_level: II\n  - smoke-test\n"
                   "reopen_within: 30m\n"
                   "renotify:\n  every: 10m\n  times: 2\n";
  auto changes = plan_changes(kV1, v2);
  EXPECT_THAT(changes, Contains("scope: place -> building"));
  EXPECT_THAT(changes, Contains("time zone: UTC -> Asia/Shanghai"));
  EXPECT_THAT(changes, Contains("resolve: by hand -> when smoke < 0.05 / for 10m"));
  EXPECT_THAT(changes, Contains("inhibits: (none) -> gas-leak (building, from II); smoke-test (same_place, from IV)"));
  EXPECT_THAT(changes, Contains("reopen within: (none) -> 30m"));
  EXPECT_THAT(changes, Contains("renotify: (none) -> every 10m, at most 2 times per level"));
  EXPECT_EQ(changes.size(), 6u);

  std::string v3 = v2;
  v3.replace(v3.find("  for: 10m"), 10, "  for: 15m");
  v3.replace(v3.find("reopen_within: 30m"), 18, "reopen_within: 1h");
  v3.replace(v3.find("  times: 2"), 10, "  times: 3");
  auto later = plan_changes(v2, v3);
  EXPECT_THAT(later, Contains("resolve: when smoke < 0.05 / for 10m -> when smoke < 0.05 / for 15m"));
  EXPECT_THAT(later, Contains("reopen within: 30m -> 1h"));
  EXPECT_THAT(later, Contains("renotify: every 10m, at most 2 times per level -> every 10m, at most 3 times per level"));
  EXPECT_EQ(later.size(), 3u);
  // Only the plan-wide keys changed: no longer "(layout and comments only)".
  EXPECT_THAT(plan_changes(v2, v2 + "# comment\n"), IsEmpty());
}

}  // namespace
}  // namespace lookout::ctl
