// The drill's inputs (inputs.h).
#include "lookout/drills/inputs.h"

#include <algorithm>
#include <optional>

namespace lookout::drills {

std::vector<Input> build_inputs(const Scenario& scenario, Random& random) {
  std::vector<Input> inputs;
  // Room for every input at once: a day of a community is about a million, and growing
  // the vector by doubling copied and page-faulted through most of them again.
  std::size_t expected = scenario.reports.size();
  for (const auto& stream : scenario.streams) {
    expected += stream.replayed.size() + stream.script.size();
    if (stream.replayed.empty() && stream.every > Duration::zero()) {
      expected += static_cast<std::size_t>(scenario.duration / stream.every) + 1;
    }
  }
  inputs.reserve(expected);
  for (std::size_t i = 0; i < scenario.streams.size(); ++i) {
    const auto& stream = scenario.streams[i];
    if (!stream.replayed.empty()) {
      for (const auto& [at, value] : stream.replayed) {
        if (at >= Duration::zero() && at <= scenario.duration) inputs.push_back({at, Input::Kind::kReading, i, value});
      }
      continue;
    }
    // Statuses: "offline" where an offline piece starts, "online" where a sensor that
    // was offline sends again (its status is what offline() reads).
    bool offline = false;
    for (const auto& piece : stream.script) {
      if (piece.kind == Segment::Kind::kOffline) {
        inputs.push_back({piece.at, Input::Kind::kStatus, i, 1});
        offline = true;
      } else if (offline && piece.kind != Segment::Kind::kSilent) {
        inputs.push_back({piece.at, Input::Kind::kStatus, i, 0});
        offline = false;
      }
    }
    std::optional<double> last;
    for (Duration t{}; t <= scenario.duration; t += stream.every) {
      auto value = script_value(stream, t);
      if (!value) continue;
      bool stuck = false;
      for (const auto& piece : stream.script) {
        if (piece.at <= t) stuck = piece.kind == Segment::Kind::kStuck;
      }
      double v = *value;
      if (stuck && last) {
        v = *last;  // a stuck sensor repeats exactly what it last sent
      } else if (stream.noise > 0) {
        v += (random.uniform() * 2 - 1) * stream.noise;
      }
      last = v;
      inputs.push_back({t, Input::Kind::kReading, i, v});
    }
  }
  for (std::size_t i = 0; i < scenario.reports.size(); ++i) {
    inputs.push_back({scenario.reports[i].at, Input::Kind::kReport, i, 0});
  }
  std::stable_sort(inputs.begin(), inputs.end(), [](const Input& a, const Input& b) { return a.at < b.at; });
  return inputs;
}

const StaffBehaviour& behaviour_for(const Scenario& scenario, std::string_view staff, std::string_view kind,
                                    std::string_view role) {
  static const StaffBehaviour kDefault;
  for (const auto& b : scenario.behaviour) {
    if (!b.role.empty() && b.role != role) continue;
    if (!b.kind.empty() && b.kind != kind) continue;
    if (!b.staff.empty() && b.staff != staff) continue;
    return b;
  }
  return kDefault;
}

PhoneAnswer draw_answer(const StaffBehaviour& b, Random& random) {
  PhoneAnswer a;
  const double u = random.uniform();
  a.respond = random.in(b.respond);
  if (u < b.no_answer) return a;
  a.answers = true;
  a.declines = u < b.no_answer + b.decline;
  a.travel = random.in(b.travel);
  return a;
}

}  // namespace lookout::drills
