#include "lookout/rules/units.h"

#include <array>
#include <string>

#include "unit_table.h"

namespace lookout::rules {
namespace {

// What a unit measures. Units convert only within one dimension; the "identity-only"
// units each have a dimension of their own, so they convert only to themselves.
enum class Dimension {
  kTemperature,
  kLength,
  kFraction,
  kLowerExplosiveLimit,
  kRelativeHumidity,
  kSoundLevel,
  kIlluminance,
  kPower,
  kVoltage,
  kCurrent,
  kTime,
  kCount,
};

struct UnitInfo {
  std::string_view name;  // as SenML writes it
  Dimension dimension;
  // For scaled units: the unit is 10^pow10 of the dimension's base unit (cm: -2 of m,
  // %: -2 of /, ppm: -6 of /). Unused for temperatures, which are offset scales.
  int pow10;
};

constexpr std::array<UnitInfo, 18> kUnits{{
    {"Cel", Dimension::kTemperature, 0},
    {"K", Dimension::kTemperature, 0},
    {"degF", Dimension::kTemperature, 0},
    {"m", Dimension::kLength, 0},
    {"cm", Dimension::kLength, -2},
    {"mm", Dimension::kLength, -3},
    {"/", Dimension::kFraction, 0},
    {"%", Dimension::kFraction, -2},
    {"ppm", Dimension::kFraction, -6},
    {"%LEL", Dimension::kLowerExplosiveLimit, 0},
    {"%RH", Dimension::kRelativeHumidity, 0},
    {"dB", Dimension::kSoundLevel, 0},
    {"lx", Dimension::kIlluminance, 0},
    {"W", Dimension::kPower, 0},
    {"V", Dimension::kVoltage, 0},
    {"A", Dimension::kCurrent, 0},
    {"s", Dimension::kTime, 0},
    {"count", Dimension::kCount, 0},
}};

const UnitInfo* find_unit(std::string_view name) {
  for (const auto& u : kUnits) {
    if (u.name == name) return &u;
  }
  return nullptr;
}

// 10^n for 0 <= n <= 22, all exactly representable as doubles. Scaling by multiplying
// or dividing by an exact power of ten rounds once, so 15 % is exactly 0.15 /.
double exact_pow10(int n) {
  double p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}

double to_celsius(double v, std::string_view unit) {
  if (unit == "K") return v - 273.15;
  if (unit == "degF") return (v - 32) * 5 / 9;
  return v;
}

double from_celsius(double c, std::string_view unit) {
  if (unit == "K") return c + 273.15;
  if (unit == "degF") return c * 9 / 5 + 32;
  return c;
}

}  // namespace

bool is_known_unit(std::string_view unit) { return find_unit(unit) != nullptr; }

std::optional<double> convert(double value, std::string_view from, std::string_view to) {
  if (from == to) return value;
  // A value without a unit is taken to be in the target unit; a target without a unit
  // (a threshold written without one) takes the value as it comes.
  if (from.empty() || to.empty()) return value;
  const UnitInfo* f = find_unit(from);
  const UnitInfo* t = find_unit(to);
  if (f == nullptr || t == nullptr || f->dimension != t->dimension) return std::nullopt;
  if (f->dimension == Dimension::kTemperature) {
    // Direct formulas between Cel and the other two keep the common cases to one
    // rounding step; K <-> degF goes through Cel.
    return from_celsius(to_celsius(value, from), to);
  }
  int k = f->pow10 - t->pow10;
  return k >= 0 ? value * exact_pow10(k) : value / exact_pow10(-k);
}

namespace internal {

const std::string& known_units_list() {
  static const std::string list = [] {
    std::string out;
    for (const auto& u : kUnits) {
      if (!out.empty()) out += ", ";
      out += u.name;
    }
    return out;
  }();
  return list;
}

}  // namespace internal
}  // namespace lookout::rules
