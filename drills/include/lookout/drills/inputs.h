// What a drill sends to the engine: every reading, sensor status and report of a
// scenario, in time order, drawn with a seeded generator. The virtual runner (drill.h)
// feeds them to the core on a virtual clock; a live drill (lookoutctl drill run --live)
// publishes them over the broker as the wall clock reaches them. The same scenario and
// seed give the same inputs either way.
//
// Thread-safety: plain values; a Random is used by one thread at a time.
#pragma once

#include <cstdint>
#include <vector>

#include "lookout/drills/scenario.h"

namespace lookout::drills {

// A small deterministic generator (splitmix64): the same seed gives the same draws on
// every platform and standard library, which std::uniform_*_distribution does not promise.
class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)
  Duration in(const DurationRange& r) {
    if (r.max <= r.min) return r.min;
    const auto span = static_cast<double>((r.max - r.min).count());
    return r.min + Duration(static_cast<Duration::rep>(uniform() * span));
  }

 private:
  std::uint64_t state_;
};

// One input of the drill, at its time.
struct Input {
  Duration at{};
  enum class Kind { kReading, kStatus, kReport } kind = Kind::kReading;
  // kReading, kStatus: index in the scenario's streams; kReport: in its reports.
  std::size_t stream = 0;
  // kReading: the value; kStatus: 1 "offline", 0 "online".
  double value = 0;
};

// Every reading, status and report of the scenario, in time order (then file order).
// Noise is drawn from `random`.
std::vector<Input> build_inputs(const Scenario& scenario, Random& random);

// The answer a simulated phone gives to an assignment, as the scenario's behaviour
// rules draw it (docs/drills.md, "staff_behaviour").
struct PhoneAnswer {
  bool answers = false;   // false: never answers
  bool declines = false;
  Duration respond{};     // offer -> accept or decline
  Duration travel{};      // accept -> arrived
};
// The first behaviour rule matching the member (role, kind, id), or the default.
const StaffBehaviour& behaviour_for(const Scenario& scenario, std::string_view staff, std::string_view kind,
                                    std::string_view role);
PhoneAnswer draw_answer(const StaffBehaviour& behaviour, Random& random);

}  // namespace lookout::drills
