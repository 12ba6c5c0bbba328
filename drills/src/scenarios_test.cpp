// The drill scenarios of drills/scenarios/: one per plan of plans/library/, played
// against the real engine core in virtual time (docs/drills.md). Every scenario file
// directly in drills/scenarios/ (not testdata/) must load without a diagnostic, pass
// every expectation with its own seed, and give the same report, byte for byte, when
// run twice. A scenario named *-gap.yaml documents a gap the plan has (a role nobody can
// fill at that hour): its "no unfilled role" expectations must fail, with the role in
// their evidence, and every other expectation must pass. Every plan of the library
// needs a scenario whose file name starts with the plan's id.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "lookout/drills/drill.h"
#include "lookout/drills/report.h"
#include "lookout/drills/scenario.h"
#include "lookout/plans/plan.h"
#include "lookout/sensors/staff.h"

#ifndef LOOKOUT_SOURCE_DIR
#error "LOOKOUT_SOURCE_DIR must name the source tree (drills/CMakeLists.txt)"
#endif

namespace lookout::drills {
namespace {

namespace fs = std::filesystem;

fs::path scenario_dir() { return fs::path(LOOKOUT_SOURCE_DIR) / "drills" / "scenarios"; }
fs::path library_dir() { return fs::path(LOOKOUT_SOURCE_DIR) / "plans" / "library"; }

// The *.yaml files of `dir` itself (not of its subdirectories), by name.
std::vector<std::string> yaml_files(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".yaml") out.push_back(entry.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool documents_a_gap(const std::string& file) { return file.ends_with("-gap.yaml"); }

std::string evidence(const DrillReport& report) {
  std::string out;
  for (const auto& e : report.expectations) {
    out += std::string(e.passed ? "  passed" : "  FAILED") + " (line " + std::to_string(e.line) + ") " + e.text + ": " +
           e.evidence + "\n";
  }
  for (const auto& r : report.roles) {
    out += "  role " + r.role + " at " + r.place + " (" + r.incident + "): " + std::to_string(r.accepted) + " of " +
           std::to_string(r.needed) + (r.filled_at ? ", filled at " + format_offset(*r.filled_at) : ", never filled") +
           "\n";
  }
  return out;
}

class ScenarioFile : public ::testing::TestWithParam<std::string> {};

TEST_P(ScenarioFile, LoadsPassesAndIsDeterministic) {
  const std::string file = GetParam();
  const auto path = (scenario_dir() / file).string();
  auto loaded = load_scenario_file(path);
  ASSERT_TRUE(loaded.diagnostics.empty()) << to_string(loaded.diagnostics);
  ASSERT_TRUE(loaded.scenario.has_value());
  const Scenario& scenario = *loaded.scenario;
  EXPECT_EQ(scenario.id + ".yaml", file) << "name the file after the drill id";
  ASSERT_FALSE(scenario.expectations.empty()) << "a scenario of the library shows something";

  Diagnostics diagnostics;
  auto first = run_drill(scenario, {}, diagnostics);
  ASSERT_TRUE(first.is_ok()) << first.status().to_string() << "\n" << to_string(diagnostics);
  const DrillReport& report = *first;
  EXPECT_EQ(report.actual_alerts, 0u);
  EXPECT_GT(report.alerts, 0u) << "the scenario raises nothing";

  if (!documents_a_gap(file)) {
    EXPECT_TRUE(report.passed()) << file << " (seed " << report.seed << "):\n" << evidence(report);
  } else {
    int gaps = 0;
    for (const auto& e : report.expectations) {
      if (e.text == "no unfilled role") {
        ++gaps;
        EXPECT_FALSE(e.passed) << file << ": the gap it documents is gone; turn the drill around\n" << evidence(report);
        EXPECT_NE(e.evidence.find("unfilled: "), std::string::npos) << e.evidence;
      } else {
        EXPECT_TRUE(e.passed) << file << ": " << e.text << ": " << e.evidence << "\n" << evidence(report);
      }
    }
    EXPECT_EQ(gaps, 1) << file << ": a gap scenario states \"no_unfilled_role: true\" once, expecting it to fail";
  }

  // Same scenario, same seed: the same report, byte for byte.
  Diagnostics again_diagnostics;
  auto second = run_drill(scenario, {}, again_diagnostics);
  ASSERT_TRUE(second.is_ok()) << second.status().to_string();
  EXPECT_EQ(to_json(*first), to_json(*second)) << file << " is not deterministic";
}

// Personal data (docs/security.md): nothing the engine publishes during a scenario (CAP
// alerts, notices, assignments, incident states: every topic) carries a roster member's
// name, phone number or contact, unless the plan's author typed that text into the plan
// (a plan's `owner` may name an office that is also on the roster). Staff are named by id
// only; templates have no placeholder that could put a name or a phone there.
TEST_P(ScenarioFile, PublishesNoStaffNamesPhonesOrContacts) {
  const std::string file = GetParam();
  auto loaded = load_scenario_file((scenario_dir() / file).string());
  ASSERT_TRUE(loaded.scenario.has_value()) << to_string(loaded.diagnostics);
  const Scenario& scenario = *loaded.scenario;

  struct Secret {
    std::string staff;
    std::string what;
    std::string text;
  };
  std::vector<Secret> secrets;
  for (const auto& [name, text] : scenario.staff) {
    auto roster = sensors::parse_staff(text, name, scenario.time_zone);
    ASSERT_TRUE(roster.ok()) << to_string(roster.diagnostics);
    for (const auto& m : roster.items) {
      secrets.push_back({m.id, "name", m.name});
      if (!m.phone.empty()) secrets.push_back({m.id, "phone", m.phone});
      if (!m.contact.empty()) secrets.push_back({m.id, "contact", m.contact});
    }
  }
  std::erase_if(secrets, [&](const Secret& secret) {
    return std::any_of(scenario.plans.begin(), scenario.plans.end(),
                       [&](const auto& plan) { return plan.second.find(secret.text) != std::string::npos; });
  });
  ASSERT_FALSE(secrets.empty()) << file << " has no roster";

  std::size_t messages = 0;
  std::vector<std::string> leaks;
  DrillOptions options;
  options.tap = [&](const std::string& topic, const std::string& payload) {
    ++messages;
    for (const auto& s : secrets) {
      if (topic.find(s.text) != std::string::npos || payload.find(s.text) != std::string::npos) {
        leaks.push_back(topic + " carries " + s.staff + "'s " + s.what + " \"" + s.text + "\"");
      }
    }
  };
  Diagnostics diagnostics;
  auto report = run_drill(scenario, options, diagnostics);
  ASSERT_TRUE(report.is_ok()) << report.status().to_string() << "\n" << to_string(diagnostics);
  EXPECT_GT(report->assignments + report->alerts, 0u);
  EXPECT_GT(messages, 0u);
  EXPECT_TRUE(leaks.empty()) << file << ":\n" << ::testing::PrintToString(leaks);
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param.substr(0, info.param.size() - 5);  // without ".yaml"
  for (char& c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(DrillScenarios, ScenarioFile, ::testing::ValuesIn(yaml_files(scenario_dir())), test_name);

TEST(DrillScenarios, ThereAreScenarios) { EXPECT_FALSE(yaml_files(scenario_dir()).empty()) << scenario_dir(); }

TEST(DrillScenarios, EveryLibraryPlanHasAScenario) {
  const auto plans = yaml_files(library_dir());
  ASSERT_FALSE(plans.empty()) << library_dir();
  const auto scenarios = yaml_files(scenario_dir());
  for (const auto& plan_file : plans) {
    std::ifstream in(library_dir() / plan_file, std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto loaded = plans::load_plan(text, plan_file);
    ASSERT_TRUE(loaded.plan.has_value()) << plan_file << "\n" << to_string(loaded.diagnostics);
    const std::string& id = loaded.plan->id;
    // The plan's own scenario: <id>.yaml or <id>-<something>.yaml, and it plays that plan.
    bool found = false;
    for (const auto& s : scenarios) {
      if (s != id + ".yaml" && !s.starts_with(id + "-")) continue;
      auto scenario = load_scenario_file((scenario_dir() / s).string());
      if (!scenario.scenario) continue;
      for (const auto& [name, text] : scenario.scenario->plans) {
        if (fs::path(name).filename() == plan_file) found = true;
      }
    }
    EXPECT_TRUE(found) << "no scenario in " << scenario_dir() << " plays plan " << id << " (" << plan_file
                       << "): add drills/scenarios/" << id << ".yaml";
  }
}

}  // namespace
}  // namespace lookout::drills
