#include "lookout/sensors/staff.h"

#include <fstream>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lookout/base/time_format.h"

namespace lookout::sensors {
namespace {

using ::testing::HasSubstr;

PlacePath P(std::string_view text) { return PlacePath::parse(text).value(); }
Time T(std::string_view iso) { return parse_iso8601(iso).value(); }

Diagnostic D(const std::string& file, int line, int column, const std::string& message) {
  return {file, line, column, message};
}

// The diagnostics of a file that must be rejected; checks that nothing was imported.
Diagnostics errors(const ImportResult<StaffMember>& result) {
  EXPECT_FALSE(result.ok()) << "accepted";
  EXPECT_TRUE(result.items.empty());
  return result.diagnostics;
}

const ImportResult<StaffMember>& expect_ok(const ImportResult<StaffMember>& result) {
  EXPECT_TRUE(result.ok()) << to_string(result.diagnostics);
  return result;
}

Shift S(std::uint8_t days, int start, int end) { return Shift{days, start, end}; }
constexpr std::uint8_t kMon = 1, kTue = 2, kWed = 4, kThu = 8, kFri = 16, kSat = 32, kSun = 64;
constexpr std::uint8_t kMonFri = 0x1F;
int H(int hours, int minutes = 0) { return hours * 60 + minutes; }

// A one-member YAML file with `fields` (each "    key: value\n") after a valid id,
// name, kind and home.
std::string member_yaml(const std::string& fields) {
  return "staff:\n"
         "  - id: w-1\n"
         "    name: Zhang Wei\n"
         "    kind: grid_worker\n"
         "    home: xc/hl/qy/g03\n" +
         fields;
}

// ---- YAML --------------------------------------------------------------------------------------

const char* const kRosterYaml = R"(# Qingyuan community roster
time_zone: Asia/Shanghai
staff:
  - id: w-zhang
    name: 张伟 Zhang Wei
    roles: [grid_worker, fire_warden]
    skills: [first_aid]
    kind: grid_worker
    home: xc/hl/qy/g03
    shifts:
      - mon-fri 08:00-18:00
      - sat 09:00-12:00
    capacity: 2
    phone: "+86 138 0013 8000"
    contact: WeChat zhangwei_qy
    attributes:
      languages: zh, en
  - id: v.li
    name: Li Na
    roles: []
    all_round: true
    kind: volunteer
    home: xc/hl/qy/g03/b12
    time_zone: Europe/London
    shifts:
      - {days: [fri, sat], start: "22:00", end: "06:00"}
  - id: FB-7
    name: Fire brigade liaison
    roles: [fire_liaison]
    kind: outside_agency
    home: xc/hl
    on_call: always
    all_round: false
)";

TEST(StaffYaml, ParsesEveryField) {
  auto result = expect_ok(parse_staff(kRosterYaml, "staff.yaml"));
  ASSERT_EQ(result.items.size(), 3u);

  const StaffMember& zhang = result.items[0];
  EXPECT_EQ(zhang.id, "w-zhang");
  EXPECT_EQ(zhang.name, "张伟 Zhang Wei");
  EXPECT_EQ(zhang.roles, (std::vector<std::string>{"grid_worker", "fire_warden"}));
  EXPECT_EQ(zhang.skills, (std::vector<std::string>{"first_aid"}));
  EXPECT_EQ(zhang.kind, StaffKind::kGridWorker);
  EXPECT_EQ(zhang.home, P("xc/hl/qy/g03"));
  EXPECT_EQ(zhang.time_zone, "Asia/Shanghai");  // the file's
  EXPECT_FALSE(zhang.on_call_always);
  EXPECT_EQ(zhang.shifts, (std::vector<Shift>{S(kMonFri, H(8), H(18)), S(kSat, H(9), H(12))}));
  EXPECT_EQ(zhang.capacity, 2);
  EXPECT_FALSE(zhang.all_round);
  EXPECT_EQ(zhang.phone, "+86 138 0013 8000");
  EXPECT_EQ(zhang.contact, "WeChat zhangwei_qy");
  EXPECT_EQ(zhang.attributes, (std::map<std::string, std::string>{{"languages", "zh, en"}}));

  const StaffMember& li = result.items[1];
  EXPECT_TRUE(li.roles.empty());
  EXPECT_TRUE(li.all_round);
  EXPECT_EQ(li.kind, StaffKind::kVolunteer);
  EXPECT_EQ(li.time_zone, "Europe/London");  // her own
  EXPECT_EQ(li.shifts, (std::vector<Shift>{S(kFri | kSat, H(22), H(6))}));
  EXPECT_TRUE(li.shifts[0].wraps());
  EXPECT_EQ(li.capacity, 1);  // the default
  EXPECT_EQ(li.phone, "");

  const StaffMember& fb = result.items[2];
  EXPECT_EQ(fb.id, "FB-7");
  EXPECT_EQ(fb.kind, StaffKind::kOutsideAgency);
  EXPECT_TRUE(fb.on_call_always);
  EXPECT_TRUE(fb.shifts.empty());
}

TEST(StaffYaml, TimeZoneDefaultsToTheFileThenTheCallersDefault) {
  const std::string body = "staff:\n  - {id: a, name: A, roles: [r], kind: volunteer, home: xc, on_call: always}\n";
  EXPECT_EQ(expect_ok(parse_staff(body, "s.yaml")).items.at(0).time_zone, "UTC");
  EXPECT_EQ(expect_ok(parse_staff(body, "s.yaml", "Asia/Shanghai")).items.at(0).time_zone, "Asia/Shanghai");
  // The file's time_zone, written before or after the list, wins over the caller's.
  EXPECT_EQ(
      expect_ok(parse_staff("time_zone: America/New_York\n" + body, "s.yaml", "Asia/Shanghai")).items.at(0).time_zone,
      "America/New_York");
  EXPECT_EQ(expect_ok(parse_staff(body + "time_zone: Europe/Paris\n", "s.yaml")).items.at(0).time_zone, "Europe/Paris");
  // A default the caller got wrong is reported where it is needed.
  EXPECT_EQ(errors(parse_staff(body, "s.yaml", "Mars/Olympus")),
            Diagnostics{D("s.yaml", 2, 5,
                          "no time_zone given and the default \"Mars/Olympus\" is not a known time zone; expected "
                          "time_zone: with an IANA name such as Asia/Shanghai")});
}

TEST(StaffYaml, EmptyListImportsNothing) {
  for (const char* text : {"staff: []\n", "staff:\n", "time_zone: UTC\nstaff:\n"}) {
    auto result = expect_ok(parse_staff(text, "s.yaml"));
    EXPECT_TRUE(result.items.empty());
  }
}

TEST(StaffYaml, TopLevelErrors) {
  EXPECT_EQ(errors(parse_staff("staf:\n  - id: a\n", "s.yaml")),
            (Diagnostics{D("s.yaml", 1, 1,
                           "unknown key \"staf\" at the top of the file; expected \"staff\" or "
                           "\"time_zone\""),
                         D("s.yaml", 1, 1, "no \"staff\" key; expected the file to start with staff:")}));
  EXPECT_EQ(errors(parse_staff("time_zone: Asia/Beijing\nstaff: []\n", "s.yaml")),
            Diagnostics{D("s.yaml", 1, 12,
                          "unknown time zone \"Asia/Beijing\"; expected an IANA name such as Asia/Shanghai or UTC")});
  EXPECT_EQ(errors(parse_staff("staff:\n  - just a name\n", "s.yaml")),
            Diagnostics{D("s.yaml", 2, 5,
                          "item 1 of staff: expected a staff member (a map with id, name, ...), found \"just a "
                          "name\"")});
}

TEST(StaffYaml, MissingRequiredKeys) {
  EXPECT_EQ(errors(parse_staff("staff:\n  - phone: \"110\"\n", "s.yaml")),
            (Diagnostics{
                D("s.yaml", 2, 5, "this staff member has no id; expected e.g. id: w-zhang"),
                D("s.yaml", 2, 5, "this staff member has no name; expected e.g. name: Zhang Wei"),
                D("s.yaml", 2, 5, "this staff member has no kind; expected e.g. kind: grid_worker"),
                D("s.yaml", 2, 5, "this staff member has no home; expected e.g. home: xc/hl/qy/g03"),
                D("s.yaml", 2, 5,
                  "this staff member has no roles and is not all_round; expected at least one role, e.g. "
                  "fire_warden, or all_round: true"),
                D("s.yaml", 2, 5,
                  "this staff member has no shifts; expected shifts, e.g. mon-fri 08:00-18:00, or on_call: always "
                  "for a member who can be called at any time"),
            }));
}

TEST(StaffYaml, FieldErrors) {
  const char* text = R"(staff:
  - id: w zhang
    name: ""
    roles: [Fire_Warden, first_aid, first_aid]
    skills: first_aid
    kind: police
    home: xc/hl/QY
    time_zone: Beijing
    shifts: [mon-fri 08:00-18:00]
    capacity: 0
    all_round: maybe
    colour: red
)";
  EXPECT_EQ(
      errors(parse_staff(text, "s.yaml")),
      (Diagnostics{
          D("s.yaml", 2, 9, "staff id \"w zhang\" is not valid; expected 1 to 64 of A-Z, a-z, 0-9, '_', '.', '-'"),
          D("s.yaml", 3, 11, "name is empty; expected the member's name"),
          D("s.yaml", 4, 13,
            "role \"Fire_Warden\" is not valid; expected a lower-case name: a letter, then up to 63 of a-z, 0-9, "
            "'_', e.g. fire_warden"),
          D("s.yaml", 4, 37, "role \"first_aid\" is listed twice for this staff member"),
          D("s.yaml", 5, 13, "expected a list of skills, e.g. [first_aid, electrician], found \"first_aid\""),
          D("s.yaml", 6, 11,
            "kind \"police\" is not known; expected one of community_worker, grid_worker, building_lead, volunteer, "
            "property_management, outside_agency"),
          D("s.yaml", 7, 11,
            "place path \"xc/hl/QY\": segment 3 \"QY\" is not; expected 1 to 32 of a-z, 0-9, '_' or '-'"),
          D("s.yaml", 8, 16, "unknown time zone \"Beijing\"; expected an IANA name such as Asia/Shanghai or UTC"),
          D("s.yaml", 10, 15,
            "capacity 0 is out of range; expected 1 to 99 (how many assignments the member can take at once)"),
          D("s.yaml", 11, 16, "expected all_round: true or false, found \"maybe\""),
          D("s.yaml", 12, 5,
            "unknown key \"colour\" in this staff member; expected id, name, roles, skills, kind, home, time_zone, "
            "shifts, on_call, capacity, all_round, phone, contact, attributes"),
      }));
}

TEST(StaffYaml, CapacityAndAllRoundValues) {
  auto with = [](const std::string& fields) {
    return parse_staff(member_yaml("    roles: [r]\n    on_call: always\n" + fields), "s.yaml");
  };
  EXPECT_EQ(expect_ok(with("    capacity: 99\n")).items.at(0).capacity, 99);
  EXPECT_EQ(expect_ok(with("    capacity: 1\n")).items.at(0).capacity, 1);
  for (const char* yes : {"true", "TRUE", "True", "yes"}) {
    EXPECT_TRUE(expect_ok(with(std::string("    all_round: ") + yes + "\n")).items.at(0).all_round) << yes;
  }
  for (const char* no : {"false", "FALSE", "no"}) {
    EXPECT_FALSE(expect_ok(with(std::string("    all_round: ") + no + "\n")).items.at(0).all_round) << no;
  }
  EXPECT_EQ(errors(with("    capacity: 100\n")).at(0).message,
            "capacity 100 is out of range; expected 1 to 99 (how many assignments the member can take at once)");
  for (const char* bad : {"1.5", "two", "-1x", "\"\""}) {
    EXPECT_THAT(errors(with(std::string("    capacity: ") + bad + "\n")).at(0).message,
                HasSubstr("expected capacity as a whole number from 1 to 99"))
        << bad;
  }
}

TEST(StaffYaml, EveryKindIsKnown) {
  for (const char* kind :
       {"community_worker", "grid_worker", "building_lead", "volunteer", "property_management", "outside_agency"}) {
    auto text =
        "staff:\n  - {id: a, name: A, roles: [r], home: xc, on_call: always, kind: " + std::string(kind) + "}\n";
    auto result = expect_ok(parse_staff(text, "s.yaml"));
    ASSERT_EQ(result.items.size(), 1u);
    EXPECT_EQ(staff_kind_name(result.items[0].kind), kind);
    EXPECT_EQ(parse_staff_kind(kind), result.items[0].kind);
  }
  EXPECT_FALSE(parse_staff_kind("Grid_Worker"));
}

TEST(StaffYaml, DuplicateId) {
  const char* text =
      "staff:\n"
      "  - {id: a, name: A, roles: [r], kind: volunteer, home: xc, on_call: always}\n"
      "  - {id: b, name: B, roles: [r], kind: volunteer, home: xc, on_call: always}\n"
      "  - {id: a, name: A2, roles: [r], kind: volunteer, home: xc, on_call: always}\n";
  EXPECT_EQ(errors(parse_staff(text, "s.yaml")),
            Diagnostics{D("s.yaml", 4, 10, "staff member \"a\" is listed twice; first on line 2")});
}

// ---- The no-shift rule ---------------------------------------------------------------------------

TEST(StaffYaml, AMemberNeedsShiftsOrOnCallAlways) {
  // No shifts at all: refused, never read as "always available".
  EXPECT_EQ(errors(parse_staff(member_yaml("    roles: [r]\n"), "s.yaml")),
            Diagnostics{D("s.yaml", 2, 5,
                          "this staff member has no shifts; expected shifts, e.g. mon-fri 08:00-18:00, or on_call: "
                          "always for a member who can be called at any time")});
  // An empty list: the same, shown at the key.
  EXPECT_EQ(errors(parse_staff(member_yaml("    roles: [r]\n    shifts: []\n"), "s.yaml")).at(0),
            D("s.yaml", 7, 5,
              "this staff member has no shifts; expected shifts, e.g. mon-fri 08:00-18:00, or on_call: always for a "
              "member who can be called at any time"));
  // Both: one or the other.
  EXPECT_EQ(
      errors(
          parse_staff(member_yaml("    roles: [r]\n    shifts: [daily 08:00-20:00]\n    on_call: always\n"), "s.yaml")),
      Diagnostics{D("s.yaml", 7, 5, "this staff member has both shifts and on_call: always; expected one of them")});
  // on_call takes only "always"; a wrong value is not reported again as missing shifts.
  EXPECT_EQ(errors(parse_staff(member_yaml("    roles: [r]\n    on_call: yes\n"), "s.yaml")),
            Diagnostics{D("s.yaml", 7, 14,
                          "expected on_call: always (for a member who can be called at any time; otherwise give "
                          "shifts), found \"yes\"")});
  auto always = expect_ok(parse_staff(member_yaml("    roles: [r]\n    on_call: Always\n"), "s.yaml"));
  EXPECT_TRUE(always.items.at(0).on_call_always);
}

TEST(StaffYaml, AMemberNeedsRolesOrAllRound) {
  const std::string duty = "    on_call: always\n";
  EXPECT_EQ(errors(parse_staff(member_yaml(duty + "    roles: []\n"), "s.yaml")),
            Diagnostics{D("s.yaml", 7, 5,
                          "this staff member has no roles and is not all_round; expected at least one role, e.g. "
                          "fire_warden, or all_round: true")});
  EXPECT_EQ(errors(parse_staff(member_yaml(duty + "    all_round: false\n"), "s.yaml")).size(), 1u);
  // A wrong role is reported once, not again as "no roles".
  EXPECT_EQ(errors(parse_staff(member_yaml(duty + "    roles: [Warden]\n"), "s.yaml")),
            Diagnostics{D("s.yaml", 7, 13,
                          "role \"Warden\" is not valid; expected a lower-case name: a letter, then up to 63 of a-z, "
                          "0-9, '_', e.g. fire_warden")});
  auto ok = expect_ok(parse_staff(member_yaml(duty + "    all_round: true\n"), "s.yaml"));
  EXPECT_TRUE(ok.items.at(0).roles.empty());
}

// ---- Shifts ------------------------------------------------------------------------------------------

TEST(Shifts, CompactSyntax) {
  auto parse = [](std::string_view text) {
    auto r = parse_shifts(text);
    EXPECT_TRUE(r.is_ok()) << text << ": " << r.status().message();
    return r.is_ok() ? *r : std::vector<Shift>{};
  };
  EXPECT_EQ(parse("mon-fri 08:00-18:00"), (std::vector<Shift>{S(kMonFri, H(8), H(18))}));
  EXPECT_EQ(parse("mon-fri 08:00-18:00; sat 09:00-12:00"),
            (std::vector<Shift>{S(kMonFri, H(8), H(18)), S(kSat, H(9), H(12))}));
  EXPECT_EQ(parse("mon,wed, fri 8:30-12:15;"), (std::vector<Shift>{S(kMon | kWed | kFri, H(8, 30), H(12, 15))}));
  EXPECT_EQ(parse("weekdays 09:00-17:00"), (std::vector<Shift>{S(kMonFri, H(9), H(17))}));
  EXPECT_EQ(parse("weekends 10:00 - 16:00"), (std::vector<Shift>{S(kSat | kSun, H(10), H(16))}));
  EXPECT_EQ(parse("daily 00:00-24:00"), (std::vector<Shift>{S(0x7F, 0, Shift::kMinutesPerDay)}));
  // A range may run past Sunday; day names in any case.
  EXPECT_EQ(parse("Fri-Mon 22:00-06:00"), (std::vector<Shift>{S(kFri | kSat | kSun | kMon, H(22), H(6))}));
  EXPECT_EQ(parse("SUN 18:00-00:00"), (std::vector<Shift>{S(kSun, H(18), 0)}));
  EXPECT_EQ(parse("  tue-thu   07:00-15:00  "), (std::vector<Shift>{S(kTue | kWed | kThu, H(7), H(15))}));
  EXPECT_TRUE(parse("").empty());
  EXPECT_TRUE(parse(" ; ").empty());
  // Wrapping: an end at or before the start is the next day.
  EXPECT_TRUE(S(kFri, H(22), H(6)).wraps());
  EXPECT_TRUE(S(kFri, H(18), 0).wraps());
  EXPECT_FALSE(S(kFri, 0, Shift::kMinutesPerDay).wraps());
}

TEST(Shifts, FormatRoundTrips) {
  const std::vector<std::vector<Shift>> cases = {
      {S(kMonFri, H(8), H(18)), S(kSat, H(9), H(12))},
      {S(0x7F, 0, Shift::kMinutesPerDay)},
      {S(kMon | kWed | kThu | kSun, H(22), H(6, 30))},
      {S(kSat | kSun, H(23, 59), H(0, 1))},
  };
  EXPECT_EQ(format_shifts(cases[0]), "mon-fri 08:00-18:00; sat 09:00-12:00");
  EXPECT_EQ(format_shifts(cases[1]), "daily 00:00-24:00");
  EXPECT_EQ(format_shifts(cases[2]), "mon,wed-thu,sun 22:00-06:30");
  EXPECT_EQ(format_shift(cases[3][0]), "sat-sun 23:59-00:01");
  for (const auto& shifts : cases) {
    auto back = parse_shifts(format_shifts(shifts));
    ASSERT_TRUE(back.is_ok()) << back.status().message();
    EXPECT_EQ(*back, shifts);
  }
}

TEST(Shifts, ErrorsSayWhatIsWrong) {
  auto message = [](std::string_view text) {
    auto r = parse_shifts(text);
    EXPECT_FALSE(r.is_ok()) << text;
    return r.is_ok() ? std::string() : r.status().message();
  };
  EXPECT_EQ(message("monday 08:00-18:00"),
            "shift \"monday 08:00-18:00\": unknown day \"monday\"; expected mon, tue, wed, thu, fri, sat, sun, a range "
            "such as mon-fri, or daily, weekdays, weekends");
  EXPECT_EQ(message("mon-fri 8-18"),
            "shift \"mon-fri 8-18\": start time \"8\" is not a time of day; expected HH:MM from 00:00 to 23:59; "
            "shift \"mon-fri 8-18\": end time \"18\" is not a time of day; expected HH:MM from 00:00 to 24:00");
  EXPECT_EQ(message("08:00-18:00"),
            "shift \"08:00-18:00\": no days; expected the days first, e.g. mon-fri 08:00-18:00 (or daily, weekdays, "
            "weekends)");
  EXPECT_EQ(message("mon-fri"),
            "shift \"mon-fri\": no times; expected the days, then the start and end times, e.g. mon-fri "
            "08:00-18:00");
  EXPECT_EQ(message("sat 09:00"),
            "shift \"sat 09:00\": expected a start and an end time, HH:MM-HH:MM, e.g. 08:00-18:00, found \"09:00\"");
  EXPECT_EQ(message("sat 09:00-"),
            "shift \"sat 09:00-\": no end time after '-'; expected HH:MM-HH:MM, e.g. 08:00-18:00");
  EXPECT_EQ(message("sat 09:00-09:00"),
            "shift \"sat 09:00-09:00\": the shift starts and ends at 09:00; expected an end different from the start "
            "(a whole day is 00:00-24:00)");
  EXPECT_EQ(message("sat 24:00-06:00"),
            "shift \"sat 24:00-06:00\": start time \"24:00\" is not a time of day; expected HH:MM from 00:00 to 23:59");
  EXPECT_EQ(message("sat 22:00-24:30"),
            "shift \"sat 22:00-24:30\": end time \"24:30\" is not a time of day; expected HH:MM from 00:00 to 24:00");
  EXPECT_EQ(message("sat 07:60-08:00"),
            "shift \"sat 07:60-08:00\": start time \"07:60\" is not a time of day; expected HH:MM from 00:00 to 23:59");
  EXPECT_EQ(message("mon-fri,wed 08:00-18:00"),
            "shift \"mon-fri,wed 08:00-18:00\": day \"wed\" repeats a day already given in this shift");
  EXPECT_EQ(message("mon,,tue 08:00-18:00"),
            "shift \"mon,,tue 08:00-18:00\": an empty day between commas; expected mon, tue, wed, thu, fri, sat, "
            "sun, a range such as mon-fri, or daily, weekdays, weekends");
  EXPECT_THAT(message("mon-fri 08:00–18:00"), HasSubstr("expected a start and an end time, HH:MM-HH:MM"));
}

TEST(StaffYaml, ShiftErrorsPointIntoTheText) {
  // Columns point at the wrong part of the shift, in plain and quoted text.
  EXPECT_EQ(errors(parse_staff(member_yaml("    roles: [r]\n    shifts:\n      - mon-fri 08:00-18:00\n"
                                           "      - sat,sunday 09:00-12:00\n      - \"sun 10:00-25:00\"\n"),
                               "s.yaml")),
            (Diagnostics{
                D("s.yaml", 9, 13,
                  "shift \"sat,sunday 09:00-12:00\": unknown day \"sunday\"; expected mon, tue, wed, thu, fri, sat, "
                  "sun, a range such as mon-fri, or daily, weekdays, weekends"),
                D("s.yaml", 10, 20,
                  "shift \"sun 10:00-25:00\": end time \"25:00\" is not a time of day; expected HH:MM from 00:00 to "
                  "24:00"),
            }));
  // One text with ';' as in CSV, and the map form with its own positions.
  auto ok = expect_ok(
      parse_staff(member_yaml("    roles: [r]\n    shifts: mon-fri 08:00-18:00; sat 09:00-12:00\n"), "s.yaml"));
  EXPECT_EQ(ok.items.at(0).shifts.size(), 2u);
  EXPECT_EQ(errors(parse_staff(member_yaml("    roles: [r]\n    shifts:\n"
                                           "      - {days: [mon, funday], start: \"08:00\", end: \"8pm\"}\n"
                                           "      - {days: sat, start: \"09:00\", end: \"09:00\"}\n"
                                           "      - {days: sun, start: \"09:00\"}\n"
                                           "      - {day: sun, start: \"09:00\", end: \"10:00\"}\n"),
                               "s.yaml")),
            (Diagnostics{
                D("s.yaml", 8, 22,
                  "unknown day \"funday\"; expected mon, tue, wed, thu, fri, sat, sun, a range such as mon-fri, or "
                  "daily, weekdays, weekends"),
                D("s.yaml", 8, 53, "end time \"8pm\" is not a time of day; expected HH:MM from 00:00 to 24:00"),
                D("s.yaml", 9, 42,
                  "the shift starts and ends at 09:00; expected an end different from the start (a whole day is "
                  "00:00-24:00)"),
                D("s.yaml", 10, 9, "this shift has no end; expected e.g. end: \"18:00\""),
                D("s.yaml", 11, 10, "unknown key \"day\" in this shift; expected days, start, end"),
                D("s.yaml", 11, 9, "this shift has no days; expected e.g. days: mon-fri"),
            }));
  EXPECT_EQ(errors(parse_staff(member_yaml("    roles: [r]\n    shifts: [{}]\n"), "s.yaml")),
            (Diagnostics{D("s.yaml", 7, 14, "this shift has no days; expected e.g. days: mon-fri"),
                         D("s.yaml", 7, 14, "this shift has no start; expected e.g. start: \"08:00\""),
                         D("s.yaml", 7, 14, "this shift has no end; expected e.g. end: \"18:00\"")}));
  // Shifts that are wrong are not reported again as missing.
  EXPECT_EQ(errors(parse_staff(member_yaml("    roles: [r]\n    shifts: [mon 9-5]\n"), "s.yaml")).size(), 2u);
  EXPECT_EQ(errors(parse_staff(member_yaml("    roles: [r]\n    shifts: {days: mon}\n"), "s.yaml")),
            Diagnostics{D("s.yaml", 7, 13, "expected a list of shifts, each like mon-fri 08:00-18:00, found a map")});
}

// ---- CSV -------------------------------------------------------------------------------------------------

TEST(StaffCsv, ParsesEveryColumn) {
  const char* text =
      "id,name,roles,skills,kind,home,time_zone,shifts,on_call,capacity,all_round,phone,contact,languages\n"
      "w-zhang,张伟,grid_worker;fire_warden,first_aid,grid_worker,xc/hl/qy/g03,Asia/Shanghai,"
      "\"mon-fri 08:00-18:00; sat 09:00-12:00\",,2,false,+86 138 0013 8000,\"WeChat: zhangwei_qy\",zh\n"
      "v.li,Li Na,,,volunteer,xc/hl/qy/g03/b12,,fri-sat 22:00-06:00,,,TRUE,,,\n"
      "FB-7,Fire brigade,fire_liaison,,outside_agency,xc/hl,,,always,5,,119,,\n";
  auto result = expect_ok(parse_staff(text, "staff.csv", "Asia/Shanghai"));
  ASSERT_EQ(result.items.size(), 3u);
  const StaffMember& zhang = result.items[0];
  EXPECT_EQ(zhang.name, "张伟");
  EXPECT_EQ(zhang.roles, (std::vector<std::string>{"grid_worker", "fire_warden"}));
  EXPECT_EQ(zhang.skills, (std::vector<std::string>{"first_aid"}));
  EXPECT_EQ(zhang.kind, StaffKind::kGridWorker);
  EXPECT_EQ(zhang.shifts, (std::vector<Shift>{S(kMonFri, H(8), H(18)), S(kSat, H(9), H(12))}));
  EXPECT_EQ(zhang.capacity, 2);
  EXPECT_EQ(zhang.phone, "+86 138 0013 8000");
  EXPECT_EQ(zhang.contact, "WeChat: zhangwei_qy");
  EXPECT_EQ(zhang.attributes, (std::map<std::string, std::string>{{"languages", "zh"}}));
  const StaffMember& li = result.items[1];
  EXPECT_TRUE(li.roles.empty());
  EXPECT_TRUE(li.all_round);
  EXPECT_EQ(li.time_zone, "Asia/Shanghai");  // the default
  EXPECT_EQ(li.capacity, 1);
  EXPECT_TRUE(li.attributes.empty());
  const StaffMember& fb = result.items[2];
  EXPECT_TRUE(fb.on_call_always);
  EXPECT_EQ(fb.capacity, 5);
  EXPECT_EQ(fb.phone, "119");
}

TEST(StaffCsv, OptionalColumnsMayBeLeftOut) {
  auto result =
      expect_ok(parse_staff("id,name,roles,kind,home,shifts\nw1,Wang,warden,building_lead,xc/a/b,"
                            "daily 07:00-23:00\n",
                            "s.csv"));
  ASSERT_EQ(result.items.size(), 1u);
  EXPECT_EQ(result.items[0].time_zone, "UTC");
  EXPECT_EQ(result.items[0].kind, StaffKind::kBuildingLead);
  EXPECT_EQ(errors(parse_staff("id,name,kind,home\n", "s.csv")).at(0),
            D("s.csv", 1, 0,
              "the header row has no \"roles\" column; expected the columns "
              "id,name,roles,skills,kind,home,time_zone,shifts,on_call,capacity,all_round,phone,contact (required: "
              "id,name,roles,kind,home,shifts)"));
  EXPECT_EQ(errors(parse_staff("id,name,roles,kind,home,Shifts\n", "s.csv")).at(0),
            D("s.csv", 1, 25, "column \"Shifts\": column names are lower case; expected \"shifts\""));
}

TEST(StaffCsv, CellErrorsWithColumns) {
  const char* text =
      "id,name,roles,kind,home,shifts,on_call,capacity,all_round,time_zone\n"              // 1
      "w 1,,fire warden;first_aid,police,xc/hl/QY,mon-fri 08:00-18:00,,0,maybe,Beijing\n"  // 2
      "w2,Wang,r,volunteer,xc,\"mon-fri 08:00-18:00; sat 9:00-25:00\",,,,\n"               // 3
      "w3,Li,r,volunteer,xc,,,,,\n"                                                        // 4
      "w4,Liu,r,volunteer,xc,daily 08:00-09:00,sometimes,,,\n"                             // 5
      "w5,Chen,r,volunteer,xc,daily 08:00-09:00,always,,,\n"                               // 6
      "w6,Zhou,\"fire_warden,first_aid\",volunteer,xc,,always,,,\n"                        // 7
      "w2,Wang again,,volunteer,xc,,always,,,\n";                                          // 8
  EXPECT_EQ(
      errors(parse_staff(text, "s.csv")),
      (Diagnostics{
          D("s.csv", 2, 1, "staff id \"w 1\" is not valid; expected 1 to 64 of A-Z, a-z, 0-9, '_', '.', '-'"),
          D("s.csv", 2, 5, "name is empty; expected the member's name"),
          D("s.csv", 2, 6,
            "role \"fire warden\" is not valid; expected a lower-case name: a letter, then up to 63 of a-z, 0-9, "
            "'_', e.g. fire_warden"),
          D("s.csv", 2, 28,
            "kind \"police\" is not known; expected one of community_worker, grid_worker, building_lead, volunteer, "
            "property_management, outside_agency"),
          D("s.csv", 2, 35,
            "place path \"xc/hl/QY\": segment 3 \"QY\" is not; expected 1 to 32 of a-z, 0-9, '_' or '-'"),
          D("s.csv", 2, 73, "unknown time zone \"Beijing\"; expected an IANA name such as Asia/Shanghai or UTC"),
          D("s.csv", 2, 65,
            "capacity 0 is out of range; expected 1 to 99 (how many assignments the member can take at once)"),
          D("s.csv", 2, 67, "expected all_round: true or false, found \"maybe\""),
          D("s.csv", 3, 55,
            "shift \"sat 9:00-25:00\": end time \"25:00\" is not a time of day; expected HH:MM from 00:00 to 24:00"),
          D("s.csv", 4, 22,
            "this staff member has no shifts; expected shifts, e.g. mon-fri 08:00-18:00, or on_call: always for a "
            "member who can be called at any time"),
          D("s.csv", 5, 41,
            "expected on_call: always (for a member who can be called at any time; otherwise give shifts), found "
            "\"sometimes\""),
          D("s.csv", 6, 24, "this staff member has both shifts and on_call: always; expected one of them"),
          // A role that is given but wrong is reported once, not again as missing.
          D("s.csv", 7, 10,
            "role \"fire_warden,first_aid\" is not valid; expected a lower-case name: a letter, then up to 63 of "
            "a-z, 0-9, '_', e.g. fire_warden (separate names with ';')"),
          D("s.csv", 8, 1, "staff member \"w2\" is listed twice; first on line 3"),
          D("s.csv", 8, 15,
            "this staff member has no roles and is not all_round; expected at least one role, e.g. fire_warden, or "
            "all_round: true"),
      }));
}

TEST(StaffCsv, AnyErrorImportsNothing) {
  const char* text =
      "id,name,roles,kind,home,shifts\n"
      "w1,Wang,r,volunteer,xc,daily 08:00-09:00\n"
      "w2,Li,r,volunteer,xc,daily 08:00\n";
  auto result = parse_staff(text, "s.csv");
  EXPECT_EQ(errors(result).size(), 1u);
}

// ---- Storage form ------------------------------------------------------------------------------------

TEST(ShiftJson, RoundTripsInTheStoredShape) {
  EXPECT_EQ(shift_to_json(S(kMonFri, H(8), H(18))),
            R"({"days":["mon","tue","wed","thu","fri"],"start":"08:00","end":"18:00"})");
  EXPECT_EQ(shift_to_json(S(kSat | kTue, H(9, 5), 24 * 60)), R"({"days":["tue","sat"],"start":"09:05","end":"24:00"})");
  EXPECT_EQ(shift_to_json(S(kFri | kSun, H(22), H(6))), R"({"days":["fri","sun"],"start":"22:00","end":"06:00"})");
  for (const Shift& s : {S(kMonFri, H(8), H(18)), S(0x7F, 0, 24 * 60), S(kFri | kSun, H(22), H(6)),
                         S(kSun, H(23, 59), 0), S(kWed, 0, H(0, 1))}) {
    auto back = shift_from_json(shift_to_json(s));
    ASSERT_TRUE(back.is_ok()) << shift_to_json(s) << ": " << back.status().to_string();
    EXPECT_EQ(*back, s) << shift_to_json(s);
    EXPECT_EQ(shift_to_json(*back), shift_to_json(s));
  }
  // 24:00 is the end of the day; an overnight shift ends the next day.
  auto whole_day = shift_from_json(R"({"days":["mon"],"start":"00:00","end":"24:00"})");
  ASSERT_TRUE(whole_day.is_ok()) << whole_day.status().to_string();
  EXPECT_EQ(*whole_day, S(kMon, 0, 24 * 60));
  EXPECT_FALSE(whole_day->wraps());
  auto overnight = shift_from_json(R"({"days": ["fri"], "start": "22:00", "end": "06:00"})");
  ASSERT_TRUE(overnight.is_ok()) << overnight.status().to_string();
  EXPECT_EQ(*overnight, S(kFri, H(22), H(6)));
  EXPECT_TRUE(overnight->wraps());
  // Days in any order read the same; keys beyond days, start and end are ignored.
  auto any_order = shift_from_json(R"({"end":"11:00","start":"09:00","days":["sat","tue"],"note":"x"})");
  ASSERT_TRUE(any_order.is_ok()) << any_order.status().to_string();
  EXPECT_EQ(*any_order, S(kTue | kSat, H(9), H(11)));
}

TEST(ShiftJson, DamagedShiftsAreCorruptionNamingTheProblem) {
  auto message = [](const std::string& text) {
    auto r = shift_from_json(text);
    EXPECT_FALSE(r.is_ok()) << text;
    if (r.is_ok()) return std::string();
    EXPECT_EQ(r.status().code(), Status::Code::kCorruption) << text;
    return r.status().message();
  };
  EXPECT_THAT(message("{"), HasSubstr("not valid JSON"));
  EXPECT_THAT(message("[1]"), HasSubstr("a shift must be an object"));
  EXPECT_THAT(message(R"({"start":"09:00","end":"11:00"})"), HasSubstr(R"(no field "days")"));
  EXPECT_THAT(message(R"({"days":[],"start":"09:00","end":"11:00"})"),
              HasSubstr(R"("days" must be a non-empty array of mon..sun, found [])"));
  EXPECT_THAT(message(R"({"days":"mon","start":"09:00","end":"11:00"})"), HasSubstr("non-empty array"));
  EXPECT_THAT(message(R"({"days":["monday"],"start":"09:00","end":"11:00"})"),
              HasSubstr(R"(day must be one of mon..sun, found "monday")"));
  EXPECT_THAT(message(R"({"days":["Mon"],"start":"09:00","end":"11:00"})"), HasSubstr(R"(found "Mon")"));
  EXPECT_THAT(message(R"({"days":[1],"start":"09:00","end":"11:00"})"), HasSubstr("found 1"));
  EXPECT_THAT(message(R"({"days":["tue","wed","tue"],"start":"09:00","end":"11:00"})"),
              HasSubstr(R"(repeats the day "tue")"));
  EXPECT_THAT(message(R"({"days":["tue"],"end":"11:00"})"), HasSubstr(R"(no field "start")"));
  EXPECT_THAT(message(R"({"days":["tue"],"start":"09:00"})"), HasSubstr(R"(no field "end")"));
  EXPECT_THAT(message(R"({"days":["tue"],"start":"24:00","end":"11:00"})"),
              HasSubstr(R"("start" must be a time HH:MM from 00:00 to 23:59, found "24:00")"));
  EXPECT_THAT(message(R"({"days":["tue"],"start":"09:00","end":"25:00"})"),
              HasSubstr(R"("end" must be a time HH:MM from 00:00 to 24:00, found "25:00")"));
  EXPECT_THAT(message(R"({"days":["tue"],"start":"9:00","end":"11:00"})"), HasSubstr(R"(found "9:00")"));
  EXPECT_THAT(message(R"({"days":["tue"],"start":"09:60","end":"11:00"})"), HasSubstr(R"(found "09:60")"));
  EXPECT_THAT(message(R"({"days":["tue"],"start":900,"end":"11:00"})"), HasSubstr("found 900"));
  EXPECT_THAT(message(R"({"days":["tue"],"start":"09:00","end":"09:00"})"),
              HasSubstr("starts and ends at 09:00"));
  // A long value is cut short in the message.
  const std::string long_day(500, 'x');
  const std::string m = message(R"({"days":[")" + long_day + R"("],"start":"09:00","end":"11:00"})");
  EXPECT_THAT(m, HasSubstr("..."));
  EXPECT_LT(m.size(), 200u);
}

TEST(StaffJson, RoundTrips) {
  auto result = expect_ok(parse_staff(kRosterYaml, "staff.yaml"));
  ASSERT_EQ(result.items.size(), 3u);
  for (const auto& m : result.items) {
    auto back = staff_from_json(to_json(m));
    ASSERT_TRUE(back.is_ok()) << back.status().to_string();
    EXPECT_EQ(*back, m);
  }
  EXPECT_EQ(to_json(result.items[1]),
            R"({"id":"v.li","name":"Li Na","roles":[],"skills":[],"kind":"volunteer","home":"xc/hl/qy/g03/b12",)"
            R"("time_zone":"Europe/London","on_call_always":false,"shifts":[{"days":["fri","sat"],"start":"22:00",)"
            R"("end":"06:00"}],"capacity":1,"all_round":true,"phone":"","contact":"","attributes":{}})");
}

TEST(StaffJson, DamagedRecordsAreCorruption) {
  const std::string good =
      R"({"id":"a","name":"A","roles":["r"],"skills":[],"kind":"volunteer","home":"xc","time_zone":"UTC",)"
      R"("on_call_always":false,"shifts":[{"days":["mon"],"start":"08:00","end":"18:00"}],"capacity":1,)"
      R"("all_round":false})";
  ASSERT_TRUE(staff_from_json(good).is_ok()) << staff_from_json(good).status().to_string();
  auto corrupt = [&](const std::string& from, const std::string& to) {
    std::string text = good;
    auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
    auto r = staff_from_json(text);
    EXPECT_FALSE(r.is_ok()) << text;
    if (!r.is_ok()) {
      EXPECT_EQ(r.status().code(), Status::Code::kCorruption) << text;
    }
  };
  corrupt(R"("id":"a")", R"("id":"a b")");
  corrupt(R"("kind":"volunteer")", R"("kind":"police")");
  corrupt(R"("home":"xc")", R"("home":"XC")");
  corrupt(R"("time_zone":"UTC")", R"("time_zone":"Mars/Base")");
  corrupt(R"("roles":["r"])", R"("roles":["R"])");
  corrupt(R"(["mon"])", R"(["monday"])");
  corrupt(R"(["mon"])", R"([])");
  corrupt(R"("end":"18:00")", R"("end":"08:00")");
  corrupt(R"("end":"18:00")", R"("end":"25:00")");
  corrupt(R"("capacity":1)", R"("capacity":0)");
  corrupt(R"("capacity":1)", R"("capacity":"1")");
  corrupt(R"("all_round":false)", R"("all_round":"no")");
  corrupt(R"("on_call_always":false)", R"("on_call_always":true)");                           // and shifts: both
  corrupt(R"("shifts":[{"days":["mon"],"start":"08:00","end":"18:00"}])", R"("shifts":[])");  // neither
  corrupt(R"({"id")", R"([{"id")");
  EXPECT_EQ(staff_from_json("not json").status().code(), Status::Code::kCorruption);
  // A damaged shift is reported by the shared reader, prefixed with the record.
  std::string text = good;
  text.replace(text.find(R"(["mon"])"), 7, R"(["mon","mon"])");
  auto r = staff_from_json(text);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().message(), R"(stored staff member: a shift repeats the day "mon")");
}

// ---- On duty -----------------------------------------------------------------------------------------------

StaffMember member(const std::string& zone, const std::string& shifts) {
  StaffMember m;
  m.id = "m";
  m.name = "M";
  m.roles = {"r"};
  m.home = P("xc");
  m.time_zone = zone;
  m.shifts = parse_shifts(shifts).value();
  return m;
}

TEST(OnDuty, ShiftsInShanghaiTime) {
  const auto m = member("Asia/Shanghai", "mon-fri 08:00-18:00");  // UTC+8, no DST
  // Monday 23 November 2026.
  EXPECT_FALSE(on_duty(m, T("2026-11-22T23:59:59Z")));  // Mon 07:59:59 local
  EXPECT_TRUE(on_duty(m, T("2026-11-23T00:00:00Z")));   // Mon 08:00 local: the start is included
  EXPECT_TRUE(on_duty(m, T("2026-11-23T09:59:59Z")));   // Mon 17:59:59
  EXPECT_FALSE(on_duty(m, T("2026-11-23T10:00:00Z")));  // Mon 18:00: the end is not
  // Saturday 28 November 08:00 local, though Friday in UTC until then.
  EXPECT_TRUE(on_duty(m, T("2026-11-27T09:00:00Z")));   // Fri 17:00 local
  EXPECT_FALSE(on_duty(m, T("2026-11-28T01:00:00Z")));  // Sat 09:00 local
  EXPECT_FALSE(on_duty(m, T("2026-11-22T04:00:00Z")));  // Sun 12:00 local
}

TEST(OnDuty, AShiftPastMidnightBelongsToTheDayItStarts) {
  const auto m = member("Asia/Shanghai", "fri 22:00-06:00");
  EXPECT_FALSE(on_duty(m, T("2026-11-27T13:59:00Z")));  // Fri 21:59
  EXPECT_TRUE(on_duty(m, T("2026-11-27T14:00:00Z")));   // Fri 22:00
  EXPECT_TRUE(on_duty(m, T("2026-11-27T16:00:00Z")));   // Sat 00:00
  EXPECT_TRUE(on_duty(m, T("2026-11-27T21:59:59Z")));   // Sat 05:59:59
  EXPECT_FALSE(on_duty(m, T("2026-11-27T22:00:00Z")));  // Sat 06:00
  EXPECT_FALSE(on_duty(m, T("2026-11-28T14:00:00Z")));  // Sat 22:00: the shift is Friday's only
  EXPECT_FALSE(on_duty(m, T("2026-11-26T21:00:00Z")));  // Fri 05:00: Thursday has no shift
  // Ending at midnight: until the end of the day, not into the next.
  const auto evening = member("Asia/Shanghai", "sun 18:00-00:00");
  EXPECT_TRUE(on_duty(evening, T("2026-11-22T15:59:59Z")));   // Sun 23:59:59
  EXPECT_FALSE(on_duty(evening, T("2026-11-22T16:00:00Z")));  // Mon 00:00
  // Sunday night into Monday: the week wraps too.
  const auto night = member("Asia/Shanghai", "sun 23:00-01:00");
  EXPECT_TRUE(on_duty(night, T("2026-11-22T16:30:00Z")));  // Mon 00:30
  // A whole day.
  const auto all_day = member("Asia/Shanghai", "sat 00:00-24:00");
  EXPECT_TRUE(on_duty(all_day, T("2026-11-27T16:00:00Z")));   // Sat 00:00
  EXPECT_TRUE(on_duty(all_day, T("2026-11-28T15:59:59Z")));   // Sat 23:59:59
  EXPECT_FALSE(on_duty(all_day, T("2026-11-28T16:00:00Z")));  // Sun 00:00
}

TEST(OnDuty, FollowsTheLocalClockAcrossDaylightSavingTime) {
  // New York: EST (UTC-5) until Sunday 8 March 2026 02:00, then EDT (UTC-4) until
  // Sunday 1 November 2026 02:00.
  const auto office = member("America/New_York", "mon-fri 09:00-17:00");
  EXPECT_TRUE(on_duty(office, T("2026-03-06T14:00:00Z")));   // Fri 6 Mar 09:00 EST
  EXPECT_FALSE(on_duty(office, T("2026-03-06T13:30:00Z")));  // Fri 6 Mar 08:30 EST
  EXPECT_TRUE(on_duty(office, T("2026-03-09T13:00:00Z")));   // Mon 9 Mar 09:00 EDT
  EXPECT_FALSE(on_duty(office, T("2026-03-09T12:59:59Z")));  // 08:59:59 EDT
  EXPECT_TRUE(on_duty(office, T("2026-03-09T20:59:59Z")));   // 16:59:59 EDT
  EXPECT_FALSE(on_duty(office, T("2026-03-09T21:00:00Z")));  // 17:00 EDT

  // Spring forward: Saturday night's 22:00-06:00 is seven hours long that night.
  const auto night = member("America/New_York", "sat 22:00-06:00");
  EXPECT_FALSE(on_duty(night, T("2026-03-08T02:59:59Z")));  // Sat 21:59:59 EST
  EXPECT_TRUE(on_duty(night, T("2026-03-08T03:00:00Z")));   // Sat 22:00 EST
  EXPECT_TRUE(on_duty(night, T("2026-03-08T06:59:59Z")));   // Sun 01:59:59 EST
  EXPECT_TRUE(on_duty(night, T("2026-03-08T07:00:00Z")));   // Sun 03:00 EDT (02:00 never happens)
  EXPECT_TRUE(on_duty(night, T("2026-03-08T09:59:59Z")));   // Sun 05:59:59 EDT
  EXPECT_FALSE(on_duty(night, T("2026-03-08T10:00:00Z")));  // Sun 06:00 EDT
  // A shift inside the hour that is skipped does not happen that day.
  const auto skipped = member("America/New_York", "sun 02:00-02:30");
  for (const char* t : {"2026-03-08T06:59:59Z", "2026-03-08T07:00:00Z", "2026-03-08T07:15:00Z"}) {
    EXPECT_FALSE(on_duty(skipped, T(t))) << t;
  }
  EXPECT_TRUE(on_duty(skipped, T("2026-03-15T06:15:00Z")));  // the next Sunday, 02:15 EDT

  // Fall back: 01:00-02:00 happens twice, and the shift covers both.
  const auto early = member("America/New_York", "sun 01:00-02:00");
  EXPECT_FALSE(on_duty(early, T("2026-11-01T04:59:59Z")));  // 00:59:59 EDT
  EXPECT_TRUE(on_duty(early, T("2026-11-01T05:30:00Z")));   // 01:30 EDT
  EXPECT_TRUE(on_duty(early, T("2026-11-01T06:30:00Z")));   // 01:30 EST, the second time
  EXPECT_FALSE(on_duty(early, T("2026-11-01T07:00:00Z")));  // 02:00 EST
}

TEST(OnDuty, OnCallAlwaysAndUnknownZones) {
  StaffMember m = member("UTC", "");
  EXPECT_FALSE(on_duty(m, T("2026-11-23T12:00:00Z")));  // no shifts (only possible when built by hand)
  m.on_call_always = true;
  EXPECT_TRUE(on_duty(m, T("2026-11-23T12:00:00Z")));
  EXPECT_TRUE(on_duty(m, T("2026-11-28T03:00:00Z")));
  StaffMember lost = member("Mars/Base", "daily 00:00-24:00");
  EXPECT_FALSE(on_duty(lost, T("2026-11-23T12:00:00Z")));
}

// ---- Registry ------------------------------------------------------------------------------------------------

TEST(StaffRegistry, UpsertFindAllOnDuty) {
  StaffRegistry registry;
  EXPECT_EQ(registry.size(), 0u);
  EXPECT_EQ(registry.find("b"), nullptr);
  auto b = member("Asia/Shanghai", "daily 08:00-20:00");
  b.id = "b";
  auto a = member("UTC", "mon 00:00-01:00");
  a.id = "a";
  registry.upsert(b);
  registry.upsert(a);
  ASSERT_EQ(registry.size(), 2u);
  auto all = registry.all();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0]->id, "a");
  EXPECT_EQ(all[1]->id, "b");
  b.name = "B again";
  registry.upsert(b);
  EXPECT_EQ(registry.size(), 2u);
  ASSERT_NE(registry.find("b"), nullptr);
  EXPECT_EQ(registry.find("b")->name, "B again");
  EXPECT_TRUE(registry.on_duty(*registry.find("b"), T("2026-11-23T04:00:00Z")));   // 12:00 Shanghai
  EXPECT_FALSE(registry.on_duty(*registry.find("b"), T("2026-11-23T14:00:00Z")));  // 22:00 Shanghai
}

TEST(RoleNames, Validity) {
  EXPECT_TRUE(is_valid_role_name("fire_warden"));
  EXPECT_TRUE(is_valid_role_name("a"));
  EXPECT_TRUE(is_valid_role_name("a" + std::string(63, '9')));
  EXPECT_FALSE(is_valid_role_name("a" + std::string(64, '9')));
  for (const char* bad : {"", "Fire", "1st", "_x", "fire-warden", "fire warden", "急救"}) {
    EXPECT_FALSE(is_valid_role_name(bad)) << bad;
  }
}

// ---- The examples in docs/registries.md ---------------------------------------------------------------------

#ifdef LOOKOUT_DOCS_DIR
TEST(StaffDocs, ExamplesAreAccepted) {
  std::ifstream in(std::string(LOOKOUT_DOCS_DIR) + "/registries.md");
  ASSERT_TRUE(in) << "cannot read docs/registries.md";
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string doc = buffer.str();
  // The "Staff roster" section, up to the next section.
  const auto begin = doc.find("\n## Staff roster");
  ASSERT_NE(begin, std::string::npos);
  const std::string section = doc.substr(begin, doc.find("\n## ", begin + 1) - begin);
  int checked = 0;
  for (std::string fence : {"```yaml\n", "```csv\n"}) {
    for (auto start = section.find(fence); start != std::string::npos; start = section.find(fence, start)) {
      start += fence.size();
      const auto end = section.find("```", start);
      ASSERT_NE(end, std::string::npos);
      const std::string example = section.substr(start, end - start);
      const std::string file = fence == "```csv\n" ? "staff.csv" : "staff.yaml";
      auto result = parse_staff(example, file, "Asia/Shanghai");
      EXPECT_TRUE(result.ok()) << example << "\n" << to_string(result.diagnostics);
      EXPECT_FALSE(result.items.empty()) << example;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 2);
}
#endif

}  // namespace
}  // namespace lookout::sensors
