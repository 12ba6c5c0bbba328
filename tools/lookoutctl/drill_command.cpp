#include "drill_command.h"

#include <filesystem>
#include <fstream>
#include <iostream>

#include "lookout/drills/drill.h"
#include "lookout/drills/report.h"
#include "lookout/drills/scenario.h"

namespace lookout::ctl {

namespace fs = std::filesystem;

namespace {

bool write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) {
    std::cerr << "lookoutctl: cannot write " << path.string() << "\n";
    return false;
  }
  return true;
}

}  // namespace

bool write_report_files(const std::string& base, const std::string& markdown, const std::string& json,
                        const std::string& html) {
  return write_file(base + ".md", markdown) && write_file(base + ".json", json) && write_file(base + ".html", html);
}

std::optional<drills::Scenario> load_scenario_or_say_why(const std::string& path) {
  auto loaded = drills::load_scenario_file(path);
  if (!loaded.scenario) {
    for (const auto& d : loaded.diagnostics) std::cerr << d.to_string() << "\n";
    std::cerr << "lookoutctl: the scenario has " << loaded.diagnostics.size() << " error(s); nothing was run\n";
  }
  return std::move(loaded.scenario);
}

int drill_run(const DrillArgs& args) {
  auto loaded = load_scenario_or_say_why(args.scenario);
  if (!loaded) return 2;
  const auto& scenario = *loaded;
  const std::uint64_t first_seed = args.seed.value_or(scenario.seed);
  std::vector<drills::DrillReport> reports;
  for (int i = 0; i < std::max(1, args.runs); ++i) {
    Diagnostics diagnostics;
    drills::DrillOptions options;
    options.seed = first_seed + static_cast<std::uint64_t>(i);
    auto report = drills::run_drill(scenario, options, diagnostics);
    if (!report.is_ok()) {
      for (const auto& d : diagnostics) std::cerr << d.to_string() << "\n";
      std::cerr << "lookoutctl: " << args.scenario << ": " << report.status().message() << "\n";
      return 2;
    }
    reports.push_back(std::move(*report));
  }
  bool passed = true;
  for (const auto& r : reports) passed = passed && r.passed();

  if (!args.out_dir.empty()) {
    std::error_code ec;
    fs::create_directories(args.out_dir, ec);
    if (ec) {
      std::cerr << "lookoutctl: cannot create " << args.out_dir << ": " << ec.message() << "\n";
      return 2;
    }
    for (const auto& r : reports) {
      const fs::path base = fs::path(args.out_dir) / (r.drill + "-seed" + std::to_string(r.seed));
      if (!write_file(base.string() + ".md", drills::to_markdown(r)) ||
          !write_file(base.string() + ".json", drills::to_json(r)) ||
          !write_file(base.string() + ".html", drills::to_html(r))) {
        return 2;
      }
    }
    if (reports.size() > 1) {
      const auto summary = drills::summarize(reports);
      const fs::path base = fs::path(args.out_dir) / (scenario.id + "-summary");
      if (!write_file(base.string() + ".md", drills::to_markdown(summary)) ||
          !write_file(base.string() + ".json", drills::to_json(summary))) {
        return 2;
      }
    }
  }
  if (reports.size() == 1) {
    std::cout << (args.json_output ? drills::to_json(reports.front()) : drills::to_markdown(reports.front()));
  } else {
    const auto summary = drills::summarize(reports);
    std::cout << (args.json_output ? drills::to_json(summary) : drills::to_markdown(summary));
  }
  return passed ? 0 : 1;
}

}  // namespace lookout::ctl
