// The drill's inputs (inputs.h).
#include "lookout/drills/inputs.h"

#include <algorithm>
#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

namespace lookout::drills {
namespace {

// A lambda rather than a function, so that the algorithms below inline it.
constexpr auto earlier = [](const Input& a, const Input& b) { return a.at < b.at; };

// Puts `inputs` in time order, exactly as std::stable_sort would (equal times keep push
// order), given where each run of pushes starts. The runs are nearly all in order already
// (a stream's readings, its statuses), so sorting the few that are not and merging the
// runs does log2(runs) passes, where sorting the whole did about log2(inputs): on a day of
// the community (100 streams, a million inputs) this takes about half the sort's time.
std::vector<Input> merge_runs(std::vector<Input> inputs, const std::vector<std::size_t>& run_starts) {
  // Boundaries of the runs to merge: a run that does not start before the previous one
  // ends just continues it, and an empty run is none.
  std::vector<std::size_t> bounds;
  for (std::size_t r = 0; r < run_starts.size(); ++r) {
    const std::size_t begin = run_starts[r];
    const std::size_t end = r + 1 < run_starts.size() ? run_starts[r + 1] : inputs.size();
    if (begin == end) continue;
    const auto first = inputs.begin() + static_cast<std::ptrdiff_t>(begin);
    const auto last = inputs.begin() + static_cast<std::ptrdiff_t>(end);
    // Replayed values and reports come in file order, which need not be time order.
    if (!std::is_sorted(first, last, earlier)) std::stable_sort(first, last, earlier);
    if (bounds.empty() || earlier(*first, inputs[begin - 1])) bounds.push_back(begin);
  }
  bounds.push_back(inputs.size());
  if (bounds.size() <= 2) return inputs;  // one run (or none): already in order

  // Bottom-up merges of adjacent runs, back and forth between two buffers. std::merge takes
  // the left run's element first on equal times, and the left run was pushed first, so
  // this is stable. (Measured against a k-way merge with a heap, which does one pass but
  // log2(runs) unpredictable comparisons an input: this was twice as fast.)
  std::vector<Input> other(inputs.size());
  std::vector<Input>* from = &inputs;
  std::vector<Input>* to = &other;
  const auto at = [](std::vector<Input>* v, std::size_t i) { return v->begin() + static_cast<std::ptrdiff_t>(i); };
  while (bounds.size() > 2) {
    std::vector<std::size_t> merged;
    std::size_t r = 0;
    for (; r + 2 < bounds.size(); r += 2) {
      merged.push_back(bounds[r]);
      std::merge(at(from, bounds[r]), at(from, bounds[r + 1]), at(from, bounds[r + 1]), at(from, bounds[r + 2]),
                 at(to, bounds[r]), earlier);
    }
    if (r + 1 < bounds.size()) {  // an odd run out: carried over as it is
      merged.push_back(bounds[r]);
      std::copy(at(from, bounds[r]), at(from, bounds[r + 1]), at(to, bounds[r]));
    }
    merged.push_back(inputs.size());
    bounds.swap(merged);
    std::swap(from, to);
  }
  return std::move(*from);
}

}  // namespace

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
  // Where each run of pushes starts: runs are mostly in time order already, and merging
  // them (merge_runs) is much cheaper than sorting everything.
  std::vector<std::size_t> run_starts;
  for (std::size_t i = 0; i < scenario.streams.size(); ++i) {
    const auto& stream = scenario.streams[i];
    run_starts.push_back(inputs.size());
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
    run_starts.push_back(inputs.size());
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
  run_starts.push_back(inputs.size());
  for (std::size_t i = 0; i < scenario.reports.size(); ++i) {
    inputs.push_back({scenario.reports[i].at, Input::Kind::kReport, i, 0});
  }
  return merge_runs(std::move(inputs), run_starts);
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
