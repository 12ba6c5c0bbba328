// The compiled, stateful evaluator (evaluator.h).
//
// Compilation flattens the condition into nodes in post-order (children before their
// parent, root last), so one pass over the array evaluates the whole tree. There are no
// short-circuits: a node is evaluated whenever its inputs may have changed, whatever its
// siblings' truths ("for" and hysteresis nodes keep state). A step evaluates only the
// nodes that may have changed (step()), which in the common case, a reading that
// changes no comparison's truth, is the nodes that read it.
//
// State layout (bytes on x86-64 with libstdc++), all in one allocation (new_state()):
// the State, then its arrays one after the other, so that a reading touches a few
// adjacent cache lines (the deques of windows and the sensor lists still allocate):
//   State itself                       ~160
//   per latest-value comparison        LatestState, 32
//   per window comparison              WindowState, 2 deques + sum: ~176, plus
//                                      24 per sample held (WinSample), plus for min/max
//                                      24 per sample on the monotonic deque (at most as
//                                      many as held, usually far fewer)
//   per "for"                          ForState, 16
//   per node                           9 (its truth at the last step; when it may
//                                      next change by itself)
//   per hysteresis                     1
//   per sensor atom                    ConfirmState, 24, plus per sensor held
//                                      SensorEntry, 64 + the id beyond 15 characters
//   per attribute atom                 1
// With max_window_samples = 4096 a window is at most 4096 * 48 bytes (192 KiB) plus
// its fixed part.
#include "lookout/rules/evaluator.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cmath>
#include <deque>
#include <limits>
#include <memory>
#include <new>
#include <stdexcept>
#include <type_traits>

#include "lookout/rules/units.h"

namespace lookout::rules {
namespace {

enum class NodeKind : std::uint8_t { kCompare, kAnd, kOr, kNot, kFor, kCalendar, kAbsent, kSensors, kAttribute, kFalse };

// One node in one cache line: what a step and a sample read of it, and indices for the
// rest (its children, its unit, its calendar or attribute), so that a reading at many
// plans touches one line a node rather than the three or four of a node holding its
// strings, calendar and attribute itself.
struct alignas(64) Node {
  NodeKind kind = NodeKind::kCompare;
  bool sticky = false;     // kSensors, offline: a status holds until the next one
  bool has_clear = false;  // kCompare: hysteresis ("clear op threshold")
  Aggregate aggregate = Aggregate::kLatest;
  CompareOp op = CompareOp::kGreaterEqual;
  CompareOp clear_op = CompareOp::kLess;
  // Per kind: kCompare, after `aggregate`: State::latest or State::windows; kAbsent:
  // State::latest; kFor: State::fors; kSensors: State::confirms; kAttribute:
  // State::attrs and Program::attributes; kCalendar: Program::calendars.
  std::uint32_t slot = 0;
  std::uint32_t hyst = 0;  // into State::hyst, when `has_clear`
  // Its children: Program::children[first_child, first_child + child_count), in one
  // array for the whole program rather than a vector (an allocation) per node.
  std::uint32_t first_child = 0;
  std::uint32_t child_count = 0;
  std::uint32_t unit = 0;  // kCompare, kSensors: Program::units (0: none)
  int count = 1;           // kSensors
  // kCompare: the window; kAbsent: how long without a sample; kSensors: within; kFor:
  // how long its child must hold.
  Duration window{};
  double threshold = 0;
  double clear_threshold = 0;
  // The nodes that have this one as a child, one bit each (node i: bit i), in programs
  // of at most kIncrementalNodes nodes, whose steps evaluate only what may have changed.
  std::uint64_t parents = 0;
};
static_assert(sizeof(Node) == 64);

// Programs of at most this many nodes are stepped incrementally (step()); larger ones
// evaluate every node at every step.
constexpr std::size_t kIncrementalNodes = 64;

struct SensorEntry {
  std::string id;
  Time latest{};           // time of its latest sample
  Time last_met{};         // time of its latest sample that met the comparison
  bool has_latest = false;
  bool latest_met = false; // its latest sample met the comparison
  bool has_met = false;
  bool converted = false;
};

struct ConfirmState {
  std::vector<SensorEntry> sensors;  // sorted by id
};

struct LatestState {
  Time time{};
  double value = 0;        // in the comparison's unit
  bool has = false;        // a sample has been seen
  bool known = false;      // it is a number in a unit that converts
  bool converted = false;  // the value was converted (so is snapped to the threshold)
};

struct WinSample {
  Time time{};
  std::uint64_t seq = 0;  // arrival order in the State: ties of time by arrival
  double value = 0;       // in the comparison's unit
};

struct WindowState {
  std::deque<WinSample> samples;  // by (time, seq)
  std::deque<WinSample> extreme;  // min/max only: the monotonic deque, by (time, seq)
  double sum = 0;                 // of samples' values
  std::size_t evictions = 0;      // since `sum` was last recomputed
};

struct ForState {
  Time since{};
  bool has_since = false;
};

constexpr Duration kTick{1};
constexpr Time kNoDue = Time::min();  // State::due: the node changes only with its inputs

Time saturating_add(Time t, Duration d) {
  if (t > Time::max() - d) return Time::max();
  return t + d;
}

bool is_extreme(Aggregate a) { return a == Aggregate::kMin || a == Aggregate::kMax; }

// The local wall-clock time of `t` in `tz` (UTC when null).
date::local_time<Duration> local_of(const date::time_zone* tz, Time t) {
  if (tz == nullptr) return date::local_time<Duration>{t.time_since_epoch()};
  return tz->to_local(t);
}

bool calendar_truth(const Calendar& c, const date::time_zone* tz, Time t) {
  const auto local = local_of(tz, t);
  const auto day = date::floor<date::days>(local);
  if (c.kind == Calendar::Kind::kOn) {
    const unsigned iso = date::weekday(day).iso_encoding();  // 1 = Monday ... 7 = Sunday
    return (c.days & (1u << (iso - 1))) != 0;
  }
  const auto tod = local - day;
  const std::chrono::minutes start(c.start_minute);
  const std::chrono::minutes end(c.end_minute);
  return start < end ? (tod >= start && tod < end) : (tod >= start || tod < end);
}

// The earliest instant after `now` at which a calendar atom's truth may change: the
// next instant whose local time is a boundary (start or end for "during", midnight for
// "on"), where a nonexistent local time maps to its transition and an ambiguous one to
// both of its instants, or the zone's next offset transition (the local time jumps).
Time next_calendar_boundary(const Calendar& c, const date::time_zone* tz, Time now) {
  std::vector<std::chrono::minutes> bounds;
  if (c.kind == Calendar::Kind::kOn) {
    bounds.emplace_back(0);
  } else {
    bounds.emplace_back(c.start_minute);
    bounds.emplace_back(c.end_minute);
  }
  std::optional<Time> best;
  auto consider = [&](Time t) {
    if (t > now && (!best || t < *best)) best = t;
  };
  const auto today = date::floor<date::days>(local_of(tz, now));
  for (int d = -1; d <= 2; ++d) {
    for (auto b : bounds) {
      const date::local_time<std::chrono::minutes> local = today + date::days(d) + b;
      if (tz == nullptr) {
        consider(Time(local.time_since_epoch()));
        continue;
      }
      consider(std::chrono::time_point_cast<Duration>(tz->to_sys(local, date::choose::earliest)));
      consider(std::chrono::time_point_cast<Duration>(tz->to_sys(local, date::choose::latest)));
    }
  }
  if (tz != nullptr) {
    const date::sys_info info = tz->get_info(now);
    const auto now_s = date::floor<std::chrono::seconds>(now);
    if (info.end > now_s && info.end - now_s <= date::days(3)) consider(Time(info.end));
  }
  return *best;  // a local day later there is always a boundary
}

}  // namespace

struct Evaluator::Program {
  EvaluatorOptions options;
  // Post-order: every node after its children. A condition's root may be a node of an
  // earlier condition (a shared subtree), so roots need not increase.
  std::vector<Node> nodes;
  std::vector<std::uint32_t> roots;  // per condition: its root node
  std::vector<std::uint32_t> children;  // every node's children (Node::first_child)
  std::vector<std::string> units{std::string()};  // each unit once; 0 is none
  std::vector<Calendar> calendars;
  std::vector<Attribute> attributes;  // parallel to State::attrs

  std::uint32_t unit_index(const std::string& unit) {
    for (std::uint32_t i = 0; i < units.size(); ++i) {
      if (units[i] == unit) return i;
    }
    units.push_back(unit);
    return static_cast<std::uint32_t>(units.size() - 1);
  }
  // A plan's conditions repeat each other (its default resolve rule is "not (L1 or L2
  // ...)"), and a condition may repeat itself: a subtree equal to one compiled before is
  // that node again, so it is stepped once and keeps one state. That is sound because
  // every node of a State sees the same samples at the same steps, so equal subtrees
  // would hold equal states.
  std::vector<std::string> node_quantity;  // compile() only: what a reading node reads
  std::uint32_t compiling = 0;             // compile() only: the condition being compiled
  std::vector<std::pair<std::uint32_t, std::uint32_t>> occurrences;  // compile() only: (condition, reading node), one per atom written
  std::vector<std::pair<std::string, std::uint32_t>> readers;  // (quantity, reading node): compile() only
  // The same, grouped: one entry per quantity, its nodes at reader_nodes[first, first + count).
  // A plan reads a handful of quantities; observe() scans these, comparing the length
  // and the first character before the bytes.
  struct QuantityReaders {
    std::string quantity;
    std::uint32_t first = 0;
    std::uint32_t count = 0;
    std::uint64_t nodes = 0;  // its reading nodes, one bit each (incremental programs)
  };
  std::vector<QuantityReaders> by_quantity;
  std::vector<std::uint32_t> reader_nodes;
  // Per condition: its atoms' readers (indices into reader_nodes), one per atom as
  // written, so a shared atom's unit mismatches count for each condition that has it.
  std::vector<std::vector<std::uint32_t>> condition_readers;

  void group_readers() {
    std::sort(readers.begin(), readers.end());
    std::vector<std::uint32_t> reader_of(nodes.size(), 0);
    for (const auto& [quantity, node] : readers) {
      if (by_quantity.empty() || by_quantity.back().quantity != quantity) {
        by_quantity.push_back({quantity, static_cast<std::uint32_t>(reader_nodes.size()), 0});
      }
      reader_of[node] = static_cast<std::uint32_t>(reader_nodes.size());
      reader_nodes.push_back(node);
      ++by_quantity.back().count;
      if (node < kIncrementalNodes) by_quantity.back().nodes |= std::uint64_t{1} << node;
    }
    if (nodes.size() <= kIncrementalNodes) {
      for (std::uint32_t i = 0; i < nodes.size(); ++i) {
        for (std::uint32_t c = 0; c < nodes[i].child_count; ++c) {
          nodes[children[nodes[i].first_child + c]].parents |= std::uint64_t{1} << i;
        }
      }
    }
    condition_readers.resize(roots.size());
    for (const auto& [condition, node] : occurrences) condition_readers[condition].push_back(reader_of[node]);
    readers.clear();
    readers.shrink_to_fit();
    occurrences.clear();
    occurrences.shrink_to_fit();
    node_quantity.clear();
    node_quantity.shrink_to_fit();
  }

  const QuantityReaders* find_readers(std::string_view quantity) const {
    for (const auto& q : by_quantity) {
      if (q.quantity.size() == quantity.size() && !quantity.empty() && q.quantity[0] == quantity[0] &&
          std::string_view(q.quantity) == quantity) {
        return &q;
      }
    }
    return nullptr;
  }
  std::uint32_t latest_count = 0;
  std::uint32_t window_count = 0;
  std::uint32_t for_count = 0;
  std::uint32_t hyst_count = 0;
  std::uint32_t confirm_count = 0;

  // Whether node `a` computes what `b`, with children `kids` and (kCalendar) `calendar`
  // or (kAttribute) `attribute`, would (children already shared, so compared by index;
  // units interned, so likewise); slots are not compared.
  bool same(const Node& a, const Node& b, const std::vector<std::uint32_t>& kids, const Calendar& calendar,
            const Attribute& attribute) const {
    if (a.kind != b.kind || a.child_count != kids.size() ||
        !std::equal(kids.begin(), kids.end(), children.begin() + a.first_child)) {
      return false;
    }
    switch (a.kind) {
      case NodeKind::kCompare:
        return a.aggregate == b.aggregate && a.unit == b.unit && a.window == b.window && a.op == b.op &&
               a.threshold == b.threshold && a.has_clear == b.has_clear &&
               (!a.has_clear || (a.clear_op == b.clear_op && a.clear_threshold == b.clear_threshold));
      case NodeKind::kAnd:
      case NodeKind::kOr:
      case NodeKind::kNot:
      case NodeKind::kFalse: return true;
      case NodeKind::kFor: return a.window == b.window;
      case NodeKind::kCalendar: {
        const Calendar& c = calendars[a.slot];
        return c.kind == calendar.kind && c.start_minute == calendar.start_minute &&
               c.end_minute == calendar.end_minute && c.days == calendar.days;
      }
      case NodeKind::kAbsent: return a.window == b.window;
      case NodeKind::kSensors:
        return a.count == b.count && a.unit == b.unit && a.op == b.op && a.threshold == b.threshold &&
               a.window == b.window && a.sticky == b.sticky;
      case NodeKind::kAttribute: {
        const Attribute& x = attributes[a.slot];
        return x.target == attribute.target && x.name == attribute.name && x.bare == attribute.bare &&
               x.op == attribute.op && x.value == attribute.value;
      }
    }
    return false;
  }

  std::uint32_t compile(const Expr& e) {
    Node n;
    std::vector<std::uint32_t> kids;
    kids.reserve(e.children.size());
    for (const auto& child : e.children) kids.push_back(compile(*child));
    std::string quantity;  // of a reading node
    Calendar calendar;
    Attribute attribute;
    switch (e.kind) {
      case Expr::Kind::kCompare: {
        const Comparison& c = e.compare;
        n.kind = NodeKind::kCompare;
        n.aggregate = c.aggregate;
        n.unit = unit_index(c.unit);
        n.window = c.window;
        n.op = c.op;
        n.threshold = c.threshold;
        if (c.clear) {
          n.has_clear = true;
          n.clear_op = c.clear->op;
          n.clear_threshold = c.clear->threshold;
        }
        quantity = c.quantity;
        break;
      }
      case Expr::Kind::kAnd: n.kind = NodeKind::kAnd; break;
      case Expr::Kind::kOr: n.kind = NodeKind::kOr; break;
      case Expr::Kind::kNot: n.kind = NodeKind::kNot; break;
      case Expr::Kind::kFor:
        n.kind = NodeKind::kFor;
        n.window = e.duration;
        break;
      case Expr::Kind::kCalendar:
        n.kind = NodeKind::kCalendar;
        calendar = e.calendar;
        break;
      case Expr::Kind::kAbsent:
        // Tracks only the latest sample's time, in a LatestState (has, time).
        n.kind = NodeKind::kAbsent;
        n.window = e.absence.window;
        quantity = e.absence.quantity;
        break;
      case Expr::Kind::kSensors: {
        const Confirmation& c = e.sensors;
        n.kind = NodeKind::kSensors;
        n.count = c.count;
        n.unit = unit_index(c.compare.unit);
        n.op = c.compare.op;
        n.threshold = c.compare.threshold;
        n.window = c.within;
        n.sticky = c.offline;
        quantity = c.compare.quantity;
        break;
      }
      case Expr::Kind::kAttribute:
        n.kind = NodeKind::kAttribute;
        attribute = e.attribute;
        break;
      case Expr::Kind::kLevel: n.kind = NodeKind::kFalse; break;
    }
    const bool reads = n.kind == NodeKind::kCompare || n.kind == NodeKind::kAbsent || n.kind == NodeKind::kSensors;
    for (std::uint32_t i = 0; i < nodes.size(); ++i) {
      if (node_quantity[i] == quantity && same(nodes[i], n, kids, calendar, attribute)) {
        if (reads) occurrences.emplace_back(compiling, i);
        return i;
      }
    }
    switch (n.kind) {
      case NodeKind::kCompare:
        n.slot = n.aggregate == Aggregate::kLatest ? latest_count++ : window_count++;
        if (n.has_clear) n.hyst = hyst_count++;
        break;
      case NodeKind::kFor: n.slot = for_count++; break;
      case NodeKind::kAbsent: n.slot = latest_count++; break;
      case NodeKind::kSensors: n.slot = confirm_count++; break;
      case NodeKind::kAttribute:
        n.slot = static_cast<std::uint32_t>(attributes.size());
        attributes.push_back(std::move(attribute));
        break;
      case NodeKind::kCalendar:
        n.slot = static_cast<std::uint32_t>(calendars.size());
        calendars.push_back(calendar);
        break;
      default: break;
    }
    n.first_child = static_cast<std::uint32_t>(children.size());
    n.child_count = static_cast<std::uint32_t>(kids.size());
    children.insert(children.end(), kids.begin(), kids.end());
    auto index = static_cast<std::uint32_t>(nodes.size());
    if (reads) {
      readers.emplace_back(quantity, index);
      occurrences.emplace_back(compiling, index);
    }
    nodes.push_back(std::move(n));
    node_quantity.push_back(std::move(quantity));
    return index;
  }
};

namespace {

// An array in the State's allocation (new_state() places it and constructs its elements).
template <typename T>
struct Slots {
  T* data = nullptr;
  std::uint32_t count = 0;
  T& operator[](std::size_t i) { return data[i]; }
  const T& operator[](std::size_t i) const { return data[i]; }
  T* begin() { return data; }
  T* end() { return data + count; }
  const T* begin() const { return data; }
  const T* end() const { return data + count; }
  const T& back() const { return data[count - 1]; }
};

}  // namespace

struct Evaluator::State {
  // Once started, `values` are always a step's at `now` for the state as it is: whatever
  // changes the state (a sample, set_attributes()) steps at once, and stepping again at
  // `now` would change nothing (step is idempotent at one time).
  bool started = false;
  Time now{};
  // The earliest moment after `now` at which some part of the condition may change by
  // itself (a value expiring, a sample leaving a window, a "for" elapsing, a calendar
  // boundary), as the last step found it; nullopt when none. Nothing but a step changes
  // it: so until that moment a step would change nothing, and advance_to() moves `now`
  // without one.
  std::optional<Time> next;
  std::uint64_t seq = 0;
  // Incremental steps (programs of at most kIncrementalNodes nodes): the next step
  // evaluates every node when `full` (the first step; after set_attributes()), else the
  // reading nodes in `dirty` (a sample reached them), the nodes whose `due` has come and
  // the parents of every node whose truth changed.
  bool full = true;
  std::uint64_t dirty = 0;
  // The per-node arrays, all in the one allocation that holds the State (new_state()):
  // a reading touches a few adjacent cache lines of a State rather than seven
  // separately allocated vectors.
  Slots<LatestState> latest;
  Slots<WindowState> windows;
  Slots<ForState> fors;
  Slots<ConfirmState> confirms;
  Slots<char> hyst;    // hysteresis: raised
  Slots<char> attrs;   // attribute atoms' truths, from set_attributes()
  Slots<char> values;  // per node: truth at the last step
  // Per node: the earliest moment after its last evaluation at which it may change by
  // itself (what step() considers for it), kNoDue when none; s.next is the earliest.
  Slots<Time> due;
  Slots<std::uint64_t> mismatches;  // per reading node (reader_nodes): samples whose unit did not convert

  State() = default;
  // The arrays live in the State's own allocation: a State is never copied or moved.
  State(const State&) = delete;
  State& operator=(const State&) = delete;
  ~State() {
    std::destroy_n(windows.data, windows.count);
    std::destroy_n(confirms.data, confirms.count);
  }
};

void Evaluator::StateDeleter::operator()(State* s) const {
  s->~State();
  ::operator delete(s);
}

namespace {

// Drops the oldest sample of a window.
void pop_oldest(WindowState& w) {
  const WinSample oldest = w.samples.front();
  w.samples.pop_front();
  if (!w.extreme.empty() && w.extreme.front().seq == oldest.seq) w.extreme.pop_front();
  if (w.samples.empty()) {
    w.sum = 0;
    w.evictions = 0;
    return;
  }
  w.sum -= oldest.value;
  // Re-summing once per window's worth of evictions bounds the rounding drift of the
  // running sum at amortised O(1) per sample.
  if (++w.evictions >= w.samples.size()) {
    double sum = 0;
    for (const auto& s : w.samples) sum += s.value;
    w.sum = sum;
    w.evictions = 0;
  }
}

void evict_expired(WindowState& w, Duration window, Time now) {
  while (!w.samples.empty() && now - w.samples.front().time > window) pop_oldest(w);
}

void insert(WindowState& w, const WinSample& s, Aggregate aggregate, std::size_t cap) {
  auto by_time = [](const WinSample& a, Time t) { return a.time <= t; };
  // Upper bound by time: the new sample has the largest seq, so it goes after ties.
  auto pos = std::partition_point(w.samples.begin(), w.samples.end(), [&](const WinSample& a) { return by_time(a, s.time); });
  w.samples.insert(pos, s);
  w.sum += s.value;
  if (is_extreme(aggregate)) {
    // Monotonic deque: by (time, seq), values strictly decreasing (max) or increasing
    // (min). A sample is dominated by a later one that is at least as extreme.
    const bool is_max = aggregate == Aggregate::kMax;
    auto at_least_as_extreme = [is_max](double a, double b) { return is_max ? a >= b : a <= b; };
    auto q = std::partition_point(w.extreme.begin(), w.extreme.end(),
                                  [&](const WinSample& a) { return by_time(a, s.time); });
    if (q == w.extreme.end() || !at_least_as_extreme(q->value, s.value)) {
      auto first = q;
      while (first != w.extreme.begin() && at_least_as_extreme(s.value, std::prev(first)->value)) --first;
      q = w.extreme.erase(first, q);
      w.extreme.insert(q, s);
    }
  }
  while (w.samples.size() > cap) pop_oldest(w);
}

// The aggregate of a window; nullopt when unknown.
std::optional<double> aggregate_of(const WindowState& w, Aggregate aggregate) {
  switch (aggregate) {
    case Aggregate::kCount: return static_cast<double>(w.samples.size());
    case Aggregate::kSum: return w.sum;
    case Aggregate::kAvg:
      if (w.samples.empty()) return std::nullopt;
      return w.sum / static_cast<double>(w.samples.size());
    case Aggregate::kMin:
    case Aggregate::kMax:
      if (w.extreme.empty()) return std::nullopt;
      return w.extreme.front().value;
    case Aggregate::kRate:
      if (w.samples.empty()) return std::nullopt;
      return w.samples.back().value - w.samples.front().value;
    case Aggregate::kLatest: break;
  }
  return std::nullopt;
}

}  // namespace

Evaluator::Evaluator(const Condition& condition, EvaluatorOptions options)
    : Evaluator(std::vector<Condition>{condition}, options) {}

Evaluator::Evaluator(const std::vector<Condition>& conditions, EvaluatorOptions options) {
  auto program = std::make_unique<Program>();
  if (options.max_window_samples == 0) options.max_window_samples = 1;
  program->options = options;
  for (const auto& condition : conditions) {
    program->compiling = static_cast<std::uint32_t>(program->roots.size());
    if (condition.has_root()) {
      program->roots.push_back(program->compile(condition.root()));
    } else {
      // A default Condition has no root: always false.
      program->roots.push_back(static_cast<std::uint32_t>(program->nodes.size()));
      Node never;
      never.kind = NodeKind::kFalse;
      program->nodes.push_back(std::move(never));
      program->node_quantity.emplace_back();
    }
  }
  program->group_readers();
  program_ = std::move(program);
}

Evaluator::~Evaluator() = default;
Evaluator::Evaluator(Evaluator&&) noexcept = default;
Evaluator& Evaluator::operator=(Evaluator&&) noexcept = default;

const EvaluatorOptions& Evaluator::options() const { return program_->options; }

Evaluator::StatePtr Evaluator::new_state() const {
  const Program& p = *program_;
  // One allocation: the State, then each array at its alignment (all at most
  // alignof(std::max_align_t), which operator new gives).
  std::size_t size = sizeof(State);
  auto reserve = [&size](std::size_t align, std::size_t bytes) {
    size = (size + align - 1) / align * align;
    const std::size_t at = size;
    size += bytes;
    return at;
  };
  const std::size_t latest_at = reserve(alignof(LatestState), p.latest_count * sizeof(LatestState));
  const std::size_t windows_at = reserve(alignof(WindowState), p.window_count * sizeof(WindowState));
  const std::size_t fors_at = reserve(alignof(ForState), p.for_count * sizeof(ForState));
  const std::size_t confirms_at = reserve(alignof(ConfirmState), p.confirm_count * sizeof(ConfirmState));
  const std::size_t hyst_at = reserve(1, p.hyst_count);
  const std::size_t attrs_at = reserve(1, static_cast<std::uint32_t>(p.attributes.size()));
  const std::size_t values_at = reserve(1, p.nodes.size());
  const std::size_t due_at = reserve(alignof(Time), p.nodes.size() * sizeof(Time));
  const std::size_t mismatches_at = reserve(alignof(std::uint64_t), p.reader_nodes.size() * sizeof(std::uint64_t));
  auto* block = static_cast<std::byte*>(::operator new(size));
  StatePtr s(new (block) State);
  // Each array's count is set once its elements exist, so that ~State() destroys only
  // what was constructed if a constructor throws (a deque allocates).
  auto place = [block](auto& slots, std::size_t at, std::size_t count) {
    using T = std::remove_reference_t<decltype(slots[0])>;
    T* data = reinterpret_cast<T*>(block + at);
    std::uninitialized_value_construct_n(data, count);
    slots.data = std::launder(data);
    slots.count = static_cast<std::uint32_t>(count);
  };
  place(s->latest, latest_at, p.latest_count);
  place(s->windows, windows_at, p.window_count);
  place(s->fors, fors_at, p.for_count);
  place(s->confirms, confirms_at, p.confirm_count);
  place(s->hyst, hyst_at, p.hyst_count);
  place(s->attrs, attrs_at, static_cast<std::uint32_t>(p.attributes.size()));
  place(s->values, values_at, p.nodes.size());
  place(s->due, due_at, p.nodes.size());
  std::fill(s->due.begin(), s->due.end(), kNoDue);
  place(s->mismatches, mismatches_at, p.reader_nodes.size());
  return s;
}

namespace {

using State = Evaluator::State;

// One step at `t` (the State's time, s.now), children before parents: evaluates the
// nodes that may have changed, and finds s.next, the earliest moment after t at which a
// node may change by itself (each node's contribution, State::due, is read from the
// state it has just updated). Programs of more than kIncrementalNodes nodes, and every
// State's first step, evaluate every node. Otherwise a node is evaluated only when a
// sample reached it (s.dirty), its due moment has come, or a child's truth changed: any
// other node would compute the truth and due moment it already has (a comparison's
// value holds until a sample or its expiry, a window changes only by samples and at its
// oldest sample's expiry, a "for" only when its child changes or its time is up, a
// calendar at its boundaries, hysteresis is idempotent at a fixed input). The
// differential test (evaluator_differential_test.cpp) checks this against a reference
// that evaluates the whole tree at every moment.
// `children` and `calendars`: the Program's.
void step(const std::vector<Node>& nodes, const std::uint32_t* children, const Calendar* calendars,
          const EvaluatorOptions& options, State& s, Time t) {
  // Evaluates node i at t; returns whether its truth changed.
  auto evaluate = [&](std::size_t i) {
    const Node& n = nodes[i];
    Time due = kNoDue;
    auto consider = [&](Time e) {
      if (e > t && (due == kNoDue || e < due)) due = e;
    };
    bool v = false;
    switch (n.kind) {
      case NodeKind::kCompare: {
        std::optional<double> x;
        bool converted = false;
        if (n.aggregate == Aggregate::kLatest) {
          const LatestState& l = s.latest[n.slot];
          if (l.has && l.known) {
            if (t - l.time <= options.max_value_age) {
              x = l.value;
              converted = l.converted;
            }
            consider(saturating_add(saturating_add(l.time, options.max_value_age), kTick));
          }
        } else {
          WindowState& w = s.windows[n.slot];
          evict_expired(w, n.window, t);
          x = aggregate_of(w, n.aggregate);
          if (!w.samples.empty()) consider(saturating_add(saturating_add(w.samples.front().time, n.window), kTick));
        }
        bool raise = x && satisfies(*x, n.op, n.threshold, converted);
        if (n.has_clear) {
          char& on = s.hyst[n.hyst];
          on = x && (raise || (on && !satisfies(*x, n.clear_op, n.clear_threshold, converted)));
          v = on != 0;
        } else {
          v = raise;
        }
        break;
      }
      case NodeKind::kAnd:
        v = std::all_of(children + n.first_child, children + n.first_child + n.child_count,
                        [&](std::uint32_t c) { return s.values[c] != 0; });
        break;
      case NodeKind::kOr:
        v = std::any_of(children + n.first_child, children + n.first_child + n.child_count,
                        [&](std::uint32_t c) { return s.values[c] != 0; });
        break;
      case NodeKind::kNot: v = s.values[children[n.first_child]] == 0; break;
      case NodeKind::kCalendar:
        v = calendar_truth(calendars[n.slot], options.time_zone, t);
        consider(next_calendar_boundary(calendars[n.slot], options.time_zone, t));
        break;
      case NodeKind::kAbsent: {
        // No sample in (t - window, t], and one seen at some time.
        const LatestState& l = s.latest[n.slot];
        v = l.has && t - l.time >= n.window;
        if (l.has) consider(saturating_add(l.time, n.window));  // exactly when it turns true
        break;
      }
      case NodeKind::kSensors: {
        int met = 0;
        for (const SensorEntry& e : s.confirms[n.slot].sensors) {
          if (n.window != Duration::zero()) {
            if (e.has_met) {
              if (t - e.last_met <= n.window) ++met;
              consider(saturating_add(saturating_add(e.last_met, n.window), kTick));
            }
          } else if (e.has_latest && e.latest_met) {
            if (n.sticky || t - e.latest <= options.max_value_age) ++met;
            if (!n.sticky) consider(saturating_add(saturating_add(e.latest, options.max_value_age), kTick));
          }
        }
        v = met >= n.count;
        break;
      }
      case NodeKind::kAttribute: v = s.attrs[n.slot] != 0; break;
      case NodeKind::kFalse: v = false; break;
      case NodeKind::kFor: {
        ForState& f = s.fors[n.slot];
        if (s.values[children[n.first_child]] != 0) {
          if (!f.has_since) {
            f.has_since = true;
            f.since = t;
          }
          v = t - f.since >= n.window;
          consider(saturating_add(f.since, n.window));
        } else {
          f.has_since = false;
        }
        break;
      }
    }
    s.due[i] = due;
    const char value = v ? 1 : 0;
    const bool changed = s.values[i] != value;
    s.values[i] = value;
    return changed;
  };
  const std::size_t count = nodes.size();
  Time best = kNoDue;  // the earliest due moment
  bool rescan = true;  // whether `best` must be found among all the nodes' due moments
  if (s.full || count > kIncrementalNodes) {
    for (std::size_t i = 0; i < count; ++i) evaluate(i);
    s.full = false;
  } else {
    // s.next is the earliest of the nodes' due moments (the last step found it so, and
    // only steps change them): when it is after t, no node is due, and unless a node
    // evaluated now held it, it stays the earliest of those not evaluated.
    const Time earliest = s.next ? *s.next : kNoDue;
    std::uint64_t todo = s.dirty;
    if (earliest != kNoDue && earliest <= t) {
      for (std::size_t i = 0; i < count; ++i) {
        if (s.due[i] != kNoDue && s.due[i] <= t) todo |= std::uint64_t{1} << i;
      }
    } else {
      rescan = false;
      best = earliest;
    }
    // Lowest index first: a parent comes after its children (post-order), so it is
    // evaluated after them, and a changed child adds only higher bits.
    while (todo != 0) {
      const auto i = static_cast<std::size_t>(std::countr_zero(todo));
      todo &= todo - 1;
      if (earliest != kNoDue && s.due[i] == earliest) rescan = true;
      if (evaluate(i)) todo |= nodes[i].parents;
      const Time due = s.due[i];
      if (due != kNoDue && (best == kNoDue || due < best)) best = due;
    }
  }
  s.dirty = 0;
  if (rescan) {
    // Without branches on the data: kNoDue (Time::min()) counts as Time::max() in the
    // minimum, and `any` tells a real Time::max() from none.
    Time earliest = Time::max();
    bool any = false;
    for (std::size_t i = 0; i < count; ++i) {
      const Time due = s.due[i];
      any |= due != kNoDue;
      earliest = std::min(earliest, due == kNoDue ? Time::max() : due);
    }
    best = any ? earliest : kNoDue;
  }
  s.next = best != kNoDue ? std::optional<Time>(best) : std::nullopt;
}

void advance_to(const std::vector<Node>& nodes, const std::uint32_t* children, const Calendar* calendars,
                const EvaluatorOptions& options, State& s, Time now) {
  if (!s.started) {
    s.started = true;
    s.now = now;
    step(nodes, children, calendars, options, s, now);
    return;
  }
  if (now < s.now) now = s.now;  // time never goes backwards
  if (!s.next || *s.next > now) {
    // Nothing changes by itself up to `now`: a step there would find what the last one did.
    s.now = now;
    return;
  }
  // Each moment in between where something may change, in order (s.next is kept by
  // every step).
  while (s.next && *s.next < now) {
    s.now = *s.next;
    step(nodes, children, calendars, options, s, s.now);
  }
  s.now = now;
  step(nodes, children, calendars, options, s, now);
}

}  // namespace

namespace {

// Whether a sample's value must be converted to a node's unit: both given and
// different (a value without a unit is taken to be in the node's unit, a node without
// one takes the value as it comes).
bool needs_conversion(std::string_view from, const std::string& to) {
  return !from.empty() && !to.empty() && from != std::string_view(to);
}

// The sample's value in the node's unit; nullopt when the units do not convert.
std::optional<double> value_in(double value, std::string_view from, const std::string& to, bool conversion) {
  return conversion ? convert(value, from, to) : std::optional<double>(value);
}

// One sample for a sensor atom: updates its sensor's entry.
void observe_sensor(ConfirmState& cs, const Node& n, const std::string& unit, const Sample& sample, Time t,
                    bool finite, std::uint64_t& mismatches, std::size_t max_sensors) {
  const bool converted = needs_conversion(sample.unit, unit);
  std::optional<double> value;
  if (finite) {
    value = value_in(sample.value, sample.unit, unit, converted);
    if (!value) ++mismatches;
  }
  const bool met = value && satisfies(*value, n.op, n.threshold, converted);
  auto& sensors = cs.sensors;
  auto it = std::partition_point(sensors.begin(), sensors.end(),
                                 [&](const SensorEntry& e) { return std::string_view(e.id) < sample.sensor; });
  if (it == sensors.end() || it->id != sample.sensor) {
    auto at = it - sensors.begin();  // by index: erasing below invalidates iterators
    if (sensors.size() >= std::max<std::size_t>(max_sensors, 1)) {
      // Full: forget the sensor heard from least recently.
      auto heard = [](const SensorEntry& e) {
        return std::max(e.has_latest ? e.latest : Time::min(), e.has_met ? e.last_met : Time::min());
      };
      auto oldest = std::min_element(sensors.begin(), sensors.end(),
                                     [&](const SensorEntry& a, const SensorEntry& b) { return heard(a) < heard(b); });
      if (oldest - sensors.begin() < at) --at;
      sensors.erase(oldest);
    }
    SensorEntry e;
    e.id = std::string(sample.sensor);
    it = sensors.insert(sensors.begin() + at, std::move(e));
  }
  SensorEntry& e = *it;
  if (!e.has_latest || t >= e.latest) {
    e.has_latest = true;
    e.latest = t;
    e.latest_met = met;
    e.converted = converted;
  }
  if (met && (!e.has_met || t > e.last_met)) {
    e.has_met = true;
    e.last_met = t;
  }
}

}  // namespace

void Evaluator::set_attributes(State& state, const AttributeLookup& lookup, Time now) const {
  const Program& p = *program_;
  // Every value first: a lookup that throws leaves the State as it was.
  std::vector<char> values(state.attrs.count, 0);
  for (const Node& n : p.nodes) {
    if (n.kind != NodeKind::kAttribute) continue;
    const Attribute& a = p.attributes[n.slot];
    values[n.slot] = lookup && attribute_holds(a, lookup(a.target, a.name)) ? 1 : 0;
  }
  // Up to `now` with the old values: the moments in between must not see the new ones.
  if (state.started) advance_to(p.nodes, p.children.data(), p.calendars.data(), p.options, state, now);
  std::copy(values.begin(), values.end(), state.attrs.data);
  state.full = true;
  if (state.started) step(p.nodes, p.children.data(), p.calendars.data(), p.options, state, state.now);
}

bool Evaluator::advance(State& state, Time now) const {
  advance_to(program_->nodes, program_->children.data(), program_->calendars.data(), program_->options, state, now);
  return truth(state);
}

std::uint32_t Evaluator::quantity_index(std::string_view quantity) const {
  const auto* readers = program_->find_readers(quantity);
  return readers == nullptr ? kNoQuantity : static_cast<std::uint32_t>(readers - program_->by_quantity.data());
}

bool Evaluator::observe(State& state, const Sample& sample, Time now) const {
  return observe(state, sample, now, quantity_index(sample.quantity));
}

bool Evaluator::observe(State& state, const Sample& sample, Time now, std::uint32_t quantity) const {
  const Program& p = *program_;
  advance_to(p.nodes, p.children.data(), p.calendars.data(), p.options, state, now);
  if (quantity == kNoQuantity) return truth(state);
  const Time t_now = state.now;
  const Time t = std::min(sample.time, t_now);
  const bool finite = std::isfinite(sample.value);
  const auto* readers = &p.by_quantity.at(quantity);
  assert(readers->quantity == sample.quantity);
  const std::uint64_t seq = state.seq++;
  state.dirty |= readers->nodes;
  for (std::uint32_t r = readers->first; r < readers->first + readers->count; ++r) {
    const Node& n = p.nodes[p.reader_nodes[r]];
    if (n.kind == NodeKind::kAbsent) {
      // Any sample is a sign of life, a non-number or a unit that converts nowhere included.
      LatestState& l = state.latest[n.slot];
      if (!l.has || t > l.time) l.time = t;
      l.has = true;
      continue;
    }
    if (n.kind == NodeKind::kSensors) {
      observe_sensor(state.confirms[n.slot], n, p.units[n.unit], sample, t, finite, state.mismatches[r],
                     p.options.max_sensors);
      continue;
    }
    const std::string& unit = p.units[n.unit];
    const bool converted = needs_conversion(sample.unit, unit);
    std::optional<double> value;
    if (finite) {
      value = n.aggregate == Aggregate::kCount ? std::optional<double>(sample.value)
                                                : value_in(sample.value, sample.unit, unit, converted);
      if (!value) ++state.mismatches[r];
    }
    if (n.aggregate == Aggregate::kLatest) {
      LatestState& l = state.latest[n.slot];
      if (l.has && t < l.time) continue;  // older than the latest: not the latest value
      l.has = true;
      l.time = t;
      l.known = value.has_value();
      l.value = value.value_or(0);
      l.converted = converted;
    } else {
      if (!value || t_now - t > n.window) continue;  // not a number, or already out of the window
      insert(state.windows[n.slot], WinSample{t, seq, *value}, n.aggregate, p.options.max_window_samples);
    }
  }
  step(p.nodes, p.children.data(), p.calendars.data(), p.options, state, t_now);
  return truth(state);
}

// The first condition's root (false before the first step: every value starts at 0).
bool Evaluator::truth(const State& state) const {
  return !program_->roots.empty() && state.values[program_->roots.front()] != 0;
}

bool Evaluator::truth(const State& state, std::size_t condition) const {
  return state.values[program_->roots.at(condition)] != 0;
}

std::size_t Evaluator::conditions() const { return program_->roots.size(); }

std::optional<Time> Evaluator::next_change(const State& state, Time now) const {
  const std::optional<Time>& e = state.next;
  if (e && *e < now) return now;
  return e;
}

std::size_t Evaluator::state_bytes(const State& s) const {
  std::size_t bytes = sizeof(State);
  bytes += s.latest.count * sizeof(LatestState);
  bytes += s.windows.count * sizeof(WindowState);
  for (const auto& w : s.windows) bytes += (w.samples.size() + w.extreme.size()) * sizeof(WinSample);
  bytes += s.fors.count * sizeof(ForState);
  bytes += s.hyst.count + s.values.count + s.attrs.count + s.due.count * sizeof(Time);
  bytes += s.confirms.count * sizeof(ConfirmState);
  for (const auto& c : s.confirms) {
    bytes += c.sensors.capacity() * sizeof(SensorEntry);
    for (const auto& e : c.sensors) {
      if (e.id.capacity() > 15) bytes += e.id.capacity() + 1;  // beyond the small-string buffer
    }
  }
  return bytes;
}

std::uint64_t Evaluator::unit_mismatches(const State& state) const {
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < program_->roots.size(); ++i) sum += unit_mismatches(state, i);
  return sum;
}

std::uint64_t Evaluator::unit_mismatches(const State& state, std::size_t condition) const {
  if (condition >= program_->roots.size()) throw std::out_of_range("Evaluator::unit_mismatches: no such condition");
  std::uint64_t sum = 0;
  for (std::uint32_t r : program_->condition_readers[condition]) sum += state.mismatches[r];
  return sum;
}

}  // namespace lookout::rules
