// Fuzz target: the registry importers (sensors/registry.h, sensors/staff.h): places,
// sensors and the staff roster, in CSV and YAML, as coordinators import them
// (lookoutctl places|sensors|staff import, the admin API, drill scenarios).
//
// Input: the first byte picks the importer (value % 3: places, sensors, staff) and the
// format ((value / 3) % 3: .csv, .yaml, .yml, as the file name's extension picks it);
// the rest is the file. Any file must give items or diagnostics, never a crash; every
// item imported must round-trip through its storage form (JSON) exactly (but see
// texts_utf8 below).
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "lookout/base/time_format.h"
#include "lookout/sensors/registry.h"
#include "lookout/sensors/staff.h"

namespace {

using namespace lookout;

template <typename T>
void check_result(const sensors::ImportResult<T>& r) {
  fuzz::check(r.ok() || r.items.empty(), "nothing imported from a file with problems");
  for (const auto& d : r.diagnostics) {
    fuzz::check(!d.message.empty(), "a diagnostic says what is wrong");
    fuzz::check(d.line >= 0 && d.column >= 0, "positions are not negative", d.to_string());
    fuzz::check(!d.message.starts_with("internal error"),
                "no internal error (an exception caught by the last resort)", d.to_string());
  }
}

// A known finding, not fixed (fuzz/README.md): yaml-cpp 0.7 decodes the YAML escapes
// \_ and \N to the single bytes 0xA0 and 0x85, so an imported text can be invalid
// UTF-8, which the JSON storage form replaces by U+FFFD. Such items skip the round trip.
bool texts_utf8(const std::map<std::string, std::string>& attributes, std::initializer_list<std::string_view> texts) {
  for (const auto& [k, v] : attributes) {
    if (!fuzz::valid_utf8(k) || !fuzz::valid_utf8(v)) return false;
  }
  for (auto t : texts) {
    if (!fuzz::valid_utf8(t)) return false;
  }
  return true;
}
bool texts_utf8(const std::vector<std::string>& list) {
  for (const auto& t : list) {
    if (!fuzz::valid_utf8(t)) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t selector = data[0];
  const std::string_view text = fuzz::as_text(data + 1, size - 1);
  static constexpr const char* kExtensions[] = {".csv", ".yaml", ".yml"};
  const std::string extension = kExtensions[(selector / 3) % 3];
  switch (selector % 3) {
    case 0: {
      const auto r = sensors::parse_places(text, "places" + extension);
      check_result(r);
      sensors::PlaceRegistry registry;
      for (const auto& p : r.items) {
        registry.upsert(p);
        (void)registry.display_name(p.path);
        if (!texts_utf8(p.attributes, {p.name})) continue;
        const std::string stored = sensors::to_json(p);
        auto back = sensors::place_from_json(stored);
        fuzz::check(back.is_ok(), "a stored place reads back", stored + "  ->  " + back.status().to_string());
        fuzz::check(back.value() == p, "a place round-trips through JSON",
                    stored + "  ->  " + sensors::to_json(back.value()));
      }
      break;
    }
    case 1: {
      const auto r = sensors::parse_sensors(text, "sensors" + extension);
      check_result(r);
      for (const auto& s : r.items) {
        fuzz::check(sensors::is_valid_sensor_id(s.id), "a sensor id follows its rule", s.id);
        if (!texts_utf8(s.attributes, {s.kind}) || !texts_utf8(s.quantities)) continue;
        const std::string stored = sensors::to_json(s);
        auto back = sensors::sensor_from_json(stored);
        fuzz::check(back.is_ok(), "a stored sensor reads back", stored + "  ->  " + back.status().to_string());
        fuzz::check(back.value() == s, "a sensor round-trips through JSON",
                    stored + "  ->  " + sensors::to_json(back.value()));
      }
      break;
    }
    default: {
      const auto r = sensors::parse_staff(text, "staff" + extension, "Asia/Shanghai");
      check_result(r);
      static const Time kNight = parse_iso8601("2026-11-21T23:00:00+08:00").value();
      for (const auto& m : r.items) {
        fuzz::check(m.on_call_always || !m.shifts.empty(), "a member has shifts or is always on call", m.id);
        fuzz::check(m.capacity >= 1 && m.capacity <= sensors::kMaxStaffCapacity, "capacity within 1..99", m.id);
        (void)sensors::on_duty(m, kNight);
        for (const auto& shift : m.shifts) {
          auto s = sensors::shift_from_json(sensors::shift_to_json(shift));
          fuzz::check(s.is_ok() && s.value() == shift, "a shift round-trips through JSON",
                      sensors::shift_to_json(shift));
        }
        auto shifts = sensors::parse_shifts(sensors::format_shifts(m.shifts));
        fuzz::check(m.shifts.empty() || (shifts.is_ok() && shifts.value() == m.shifts),
                    "format_shifts parses back", sensors::format_shifts(m.shifts));
        if (!texts_utf8(m.attributes, {m.name, m.time_zone, m.phone, m.contact}) || !texts_utf8(m.roles) ||
            !texts_utf8(m.skills)) {
          continue;
        }
        const std::string stored = sensors::to_json(m);
        auto back = sensors::staff_from_json(stored);
        fuzz::check(back.is_ok(), "a stored member reads back", stored + "  ->  " + back.status().to_string());
        fuzz::check(back.value() == m, "a member round-trips through JSON",
                    stored + "  ->  " + sensors::to_json(back.value()));
      }
      break;
    }
  }
  return 0;
}
