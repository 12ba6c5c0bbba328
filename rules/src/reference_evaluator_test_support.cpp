#include "reference_evaluator_test_support.h"

#include <algorithm>
#include <cmath>

#include "lookout/rules/units.h"

namespace lookout::rules::testing {
namespace {

// The reference re-evaluates calendar atoms at every whole 30 minutes of UTC.
constexpr std::chrono::minutes kCalendarGrid{30};

bool compare(double x, CompareOp op, double threshold) {
  switch (op) {
    case CompareOp::kLess: return x < threshold;
    case CompareOp::kLessEqual: return x <= threshold;
    case CompareOp::kGreater: return x > threshold;
    case CompareOp::kGreaterEqual: return x >= threshold;
    case CompareOp::kEqual: return x == threshold;
    case CompareOp::kNotEqual: return x != threshold;
  }
  return false;
}

bool compare_snapped(double x, bool converted, CompareOp op, double threshold) {
  if (converted && std::fabs(x - threshold) <= 1e-12 * std::max(std::fabs(x), std::fabs(threshold))) x = threshold;
  return compare(x, op, threshold);
}

void collect(const Expr& e, std::vector<Duration>& windows, std::vector<const Expr*>& fors, bool& calendar,
             std::vector<Duration>& absences) {
  if (e.kind == Expr::Kind::kCalendar) calendar = true;
  if (e.kind == Expr::Kind::kCompare && e.compare.aggregate != Aggregate::kLatest) windows.push_back(e.compare.window);
  if (e.kind == Expr::Kind::kFor) fors.push_back(&e);
  if (e.kind == Expr::Kind::kAbsent) absences.push_back(e.absence.window);
  if (e.kind == Expr::Kind::kSensors && e.sensors.within != Duration::zero()) windows.push_back(e.sensors.within);
  for (const auto& c : e.children) collect(*c, windows, fors, calendar, absences);
}

}  // namespace

ReferenceEvaluator::ReferenceEvaluator(Condition condition, EvaluatorOptions options)
    : condition_(std::move(condition)), options_(options) {
  if (options_.max_window_samples == 0) options_.max_window_samples = 1;
}

// The operand of a comparison at time t: (value in the comparison's unit, converted),
// or nullopt when unknown.
std::optional<std::pair<double, bool>> ReferenceEvaluator::operand(const Comparison& c, Time t) const {
  if (c.aggregate == Aggregate::kLatest) {
    // The sample with the latest (time, arrival).
    const Stored* latest = nullptr;
    for (const Stored& s : samples_) {
      if (s.quantity != c.quantity) continue;
      if (latest == nullptr || s.time > latest->time || (s.time == latest->time && s.seq > latest->seq)) latest = &s;
    }
    if (latest == nullptr || t - latest->time > options_.max_value_age || !std::isfinite(latest->value)) {
      return std::nullopt;
    }
    std::optional<double> v = convert(latest->value, latest->unit, c.unit);
    if (!v) return std::nullopt;
    bool converted = !c.unit.empty() && !latest->unit.empty() && latest->unit != c.unit;
    return std::make_pair(*v, converted);
  }
  // Every sample of the quantity inside [t - window, t] that the window accepts ...
  std::vector<std::pair<std::pair<Time, std::uint64_t>, double>> in;
  for (const Stored& s : samples_) {
    if (s.quantity != c.quantity || !std::isfinite(s.value) || t - s.time > c.window) continue;
    std::optional<double> v = c.aggregate == Aggregate::kCount ? std::optional<double>(s.value)
                                                               : convert(s.value, s.unit, c.unit);
    if (!v) continue;
    in.push_back({{s.time, s.seq}, *v});
  }
  // ... oldest first, keeping only the max_window_samples latest.
  std::sort(in.begin(), in.end());
  if (in.size() > options_.max_window_samples) in.erase(in.begin(), in.end() - static_cast<std::ptrdiff_t>(options_.max_window_samples));
  double sum = 0;
  for (const auto& s : in) sum += s.second;
  switch (c.aggregate) {
    case Aggregate::kCount: return std::make_pair(static_cast<double>(in.size()), false);
    case Aggregate::kSum: return std::make_pair(sum, false);
    default: break;
  }
  if (in.empty()) return std::nullopt;
  double result = 0;
  switch (c.aggregate) {
    case Aggregate::kAvg: result = sum / static_cast<double>(in.size()); break;
    case Aggregate::kMin: result = std::min_element(in.begin(), in.end(), [](auto& a, auto& b) { return a.second < b.second; })->second; break;
    case Aggregate::kMax: result = std::max_element(in.begin(), in.end(), [](auto& a, auto& b) { return a.second < b.second; })->second; break;
    case Aggregate::kRate: result = in.back().second - in.front().second; break;
    default: break;
  }
  return std::make_pair(result, false);
}

// Every node is evaluated (no short-circuit) so that the stateful ones see every step.
bool ReferenceEvaluator::eval(const Expr& e, Time t) {
  switch (e.kind) {
    case Expr::Kind::kCompare: {
      const Comparison& c = e.compare;
      auto x = operand(c, t);
      bool raise = x && compare_snapped(x->first, x->second, c.op, c.threshold);
      if (!c.clear) return raise;
      bool& on = raised_[&e];
      if (!x) {
        on = false;
      } else if (raise) {
        on = true;
      } else if (on && compare_snapped(x->first, x->second, c.clear->op, c.clear->threshold)) {
        on = false;
      }
      return on;
    }
    case Expr::Kind::kAnd:
    case Expr::Kind::kOr: {
      std::vector<bool> values;
      for (const auto& child : e.children) values.push_back(eval(*child, t));
      bool all = std::all_of(values.begin(), values.end(), [](bool b) { return b; });
      bool any = std::any_of(values.begin(), values.end(), [](bool b) { return b; });
      return e.kind == Expr::Kind::kAnd ? all : any;
    }
    case Expr::Kind::kNot: return !eval(*e.children.front(), t);
    case Expr::Kind::kCalendar: {
      // Brute force: the local time at t, from the zone's offset at t.
      const Calendar& c = e.calendar;
      std::chrono::seconds offset{0};
      if (options_.time_zone != nullptr) offset = options_.time_zone->get_info(t).offset;
      const Duration local = t.time_since_epoch() + offset;
      const auto day = std::chrono::floor<date::days>(local);
      if (c.kind == Calendar::Kind::kOn) {
        // Day 0 of the epoch, 1970-01-01, was a Thursday (index 3 from Monday).
        const auto index = static_cast<unsigned>(((day.count() + 3) % 7 + 7) % 7);
        return (c.days & (1u << index)) != 0;
      }
      const Duration tod = local - day;
      const Duration start = std::chrono::minutes(c.start_minute);
      const Duration end = std::chrono::minutes(c.end_minute);
      if (start < end) return tod >= start && tod < end;
      return tod >= start || tod < end;
    }
    case Expr::Kind::kAbsent: {
      // Brute force: seen at all, and no sample at all with a time in (t - T, t].
      bool seen = false;
      for (const Stored& s : samples_) {
        if (s.quantity != e.absence.quantity) continue;
        seen = true;
        if (s.time <= t && t - s.time < e.absence.window) return false;
      }
      return seen;
    }
    case Expr::Kind::kSensors: {
      // Brute force: for each sensor, its samples of the quantity.
      const Confirmation& c = e.sensors;
      auto meets = [&](const Stored& s) {
        if (!std::isfinite(s.value)) return false;
        std::optional<double> v = convert(s.value, s.unit, c.compare.unit);
        if (!v) return false;
        bool converted = !c.compare.unit.empty() && !s.unit.empty() && s.unit != c.compare.unit;
        return compare_snapped(*v, converted, c.compare.op, c.compare.threshold);
      };
      std::map<std::string, const Stored*> latest;  // sensor -> latest sample by (time, arrival)
      std::map<std::string, bool> met_within;
      for (const Stored& s : samples_) {
        if (s.quantity != c.compare.quantity) continue;
        const Stored*& l = latest[s.sensor];
        if (l == nullptr || s.time > l->time || (s.time == l->time && s.seq > l->seq)) l = &s;
        if (c.within != Duration::zero() && t - s.time <= c.within && meets(s)) met_within[s.sensor] = true;
      }
      int count = 0;
      if (c.within != Duration::zero()) {
        count = static_cast<int>(met_within.size());
      } else {
        for (const auto& [sensor, s] : latest) {
          if ((c.offline || t - s->time <= options_.max_value_age) && meets(*s)) ++count;
        }
      }
      return count >= c.count;
    }
    case Expr::Kind::kAttribute:
      return attributes_ && attribute_holds(e.attribute, attributes_(e.attribute.target, e.attribute.name));
    case Expr::Kind::kLevel: return false;
    case Expr::Kind::kFor: {
      bool inner = eval(*e.children.front(), t);
      Since& s = for_state_[&e];
      if (!inner) {
        s.has = false;
        return false;
      }
      if (!s.has) s = Since{true, t};
      return t - s.since >= e.duration;
    }
  }
  return false;
}

void ReferenceEvaluator::evaluate_at(Time t) {
  now_ = t;
  truth_ = condition_.has_root() ? eval(condition_.root(), t) : false;
}

bool ReferenceEvaluator::advance(Time now) {
  if (!started_) {
    started_ = true;
    evaluate_at(now);
    return truth_;
  }
  now = std::max(now, now_);
  std::vector<Duration> windows;
  std::vector<const Expr*> fors;
  bool calendar = false;
  std::vector<Duration> absences;  // absent(q, T): every sample's time + T
  if (condition_.has_root()) collect(condition_.root(), windows, fors, calendar, absences);
  // Evaluate at every moment in (now_, now) where anything could change by itself:
  // a superset (every sample's expiry and window exits, every "for" elapsing); extra
  // moments change nothing.
  while (true) {
    std::optional<Time> next;
    auto consider = [&](Time c) {
      if (c > now_ && c < now && (!next || c < *next)) next = c;
    };
    for (const Stored& s : samples_) {
      consider(s.time + options_.max_value_age + Duration(1));
      for (Duration w : windows) consider(s.time + w + Duration(1));
      for (Duration a : absences) consider(s.time + a);
    }
    for (const Expr* f : fors) {
      auto it = for_state_.find(f);
      if (it != for_state_.end() && it->second.has) consider(it->second.since + f->duration);
    }
    if (calendar) {
      // Calendar atoms: every whole kCalendarGrid of UTC. A superset of the moments
      // where they change, as long as zone offsets, their transitions and the atoms'
      // times are whole multiples of it (the differential test keeps to that).
      const Duration grid = kCalendarGrid;
      consider(Time(grid * (now_.time_since_epoch() / grid + 1)));
    }
    if (!next) break;
    evaluate_at(*next);
  }
  evaluate_at(now);
  return truth_;
}

void ReferenceEvaluator::set_attributes(const AttributeLookup& lookup, Time now) {
  if (started_) advance(now);
  attributes_ = lookup;
  if (started_) evaluate_at(now_);
}

bool ReferenceEvaluator::observe(const Sample& sample, Time now) {
  advance(now);
  samples_.push_back(Stored{std::string(sample.quantity), sample.value, std::string(sample.unit),
                            std::min(sample.time, now_), samples_.size(), std::string(sample.sensor)});
  evaluate_at(now_);
  return truth_;
}

}  // namespace lookout::rules::testing
