// Calendar atoms: "during HH:MM-HH:MM" and "on <days>", parsed, printed and evaluated
// in a time zone (Asia/Shanghai, no DST; America/New_York across both DST changes).
#include <gtest/gtest.h>

#include <chrono>

#include <date/date.h>
#include <date/tz.h>

#include "lookout/rules/condition.h"
#include "condition_test_support.h"
#include "lookout/rules/evaluator.h"

namespace lookout::rules {
namespace {

using testing::parse_ok;
using testing::parse_error;

using namespace std::chrono_literals;

const date::time_zone* zone(std::string_view name) {
  return date::locate_zone(name);
}

// An instant in UTC.
Time utc(int y, unsigned m, unsigned d, Duration time_of_day) {
  return Time(date::sys_days(date::year(y) / m / d)) + time_of_day;
}

TEST(ConditionCalendarTest, ParsesAndPrints) {
  struct Case {
    const char* text;
    const char* canonical;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"during 22:00-06:00", "during 22:00-06:00"},
           {"during 08:30-17:45", "during 08:30-17:45"},
           {"smoke >= 0.08 and during 22:00-06:00", "smoke >= 0.08 and during 22:00-06:00"},
           {"on weekdays", "on weekdays"},
           {"on weekends", "on weekends"},
           {"on mon,tue,fri", "on mon,tue,fri"},
           {"on fri, mon ,tue", "on mon,tue,fri"},
           {"on sat,sun", "on weekends"},
           {"on mon,tue,wed,thu,fri", "on weekdays"},
           {"not (on weekends)", "not on weekends"},
           {"(during 08:00-18:00 and on weekdays) for 5m", "(during 08:00-18:00 and on weekdays) for 5m"},
           {"during 22:00-06:00 for 1h or co > 50 ppm", "during 22:00-06:00 for 1h or co > 50 ppm"},
       }) {
    Condition cond = parse_ok(c.text);
    EXPECT_EQ(cond.to_string(), c.canonical) << c.text;
    EXPECT_TRUE(cond.uses_time()) << c.text;
    auto again = Condition::parse(cond.to_string());
    ASSERT_TRUE(std::holds_alternative<Condition>(again)) << c.text;
    EXPECT_EQ(std::get<Condition>(again).to_string(), c.canonical);
  }
  EXPECT_TRUE(parse_ok("during 22:00-06:00 and on weekdays").quantities().empty());
  EXPECT_EQ(parse_ok("smoke >= 0.08 and during 22:00-06:00").quantities(), std::vector<std::string>{"smoke"});
  const Condition during = parse_ok("during 22:00-06:15");  // keep it alive: root() refers into it
  const Expr& e = during.root();
  ASSERT_EQ(e.kind, Expr::Kind::kCalendar);
  EXPECT_EQ(e.calendar.kind, Calendar::Kind::kDuring);
  EXPECT_EQ(e.calendar.start_minute, 22 * 60);
  EXPECT_EQ(e.calendar.end_minute, 6 * 60 + 15);
  EXPECT_EQ(parse_ok("on tue,sun").root().calendar.days, (1u << 1) | (1u << 6));
  // Quantities named "on" and "during" are still quantities before an operator.
  EXPECT_EQ(parse_ok("on == 1 and during > 2").quantities(), (std::vector<std::string>{"during", "on"}));
  EXPECT_FALSE(parse_ok("on == 1").uses_time());
}

TEST(ConditionCalendarTest, ParseErrors) {
  struct Case {
    const char* text;
    std::size_t offset;
    const char* message;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"during 25:00-06:00", 7, "expected a time of day HH:MM from 00:00 to 23:59, found \"25:00\""},
           {"during 22:00-06:60", 13, "expected a time of day HH:MM from 00:00 to 23:59, found \"06:60\""},
           {"during 22:00-6:00", 13, "expected a time of day HH:MM from 00:00 to 23:59, found \"6:00\""},
           {"during 22:00 06:00", 12,
            "expected \"-\" and the end time right after \"22:00\" (as in \"22:00-06:00\"), found a space"},
           {"during 22:00", 12,
            "expected \"-\" and the end time right after \"22:00\" (as in \"22:00-06:00\"), found end of "
            "condition"},
           {"during 22:00-22:00", 13,
            "expected an end time other than the start time 22:00, found \"22:00\"; for the whole day leave "
            "\"during\" out"},
           {"during", 6, "expected a time range HH:MM-HH:MM such as 22:00-06:00, found end of condition"},
           {"on mo", 3,
            "expected \"weekdays\", \"weekends\" or days of the week such as mon,tue,fri (mon, tue, wed, thu, fri, "
            "sat, sun), found \"mo\""},
           {"on Mon", 3,
            "expected \"weekdays\", \"weekends\" or days of the week such as mon,tue,fri (mon, tue, wed, thu, fri, "
            "sat, sun), found \"Mon\"; days are lowercase: \"mon\""},
           {"on mon,", 7,
            "expected \"weekdays\", \"weekends\" or days of the week such as mon,tue,fri (mon, tue, wed, thu, fri, "
            "sat, sun), found end of condition"},
           {"smoke > 1 on weekdays", 10,
            "expected \"and\", \"or\" or end of condition, found \"on\"; join comparisons with \"and\" or \"or\""},
           {"on weekdays during 08:00-18:00", 12,
            "expected \"and\", \"or\" or end of condition, found \"during\"; join comparisons with \"and\" or \"or\""},
       }) {
    ParseError err = parse_error(c.text);
    EXPECT_EQ(err.offset, c.offset) << c.text;
    EXPECT_EQ(err.message, c.message) << c.text;
  }
}

TEST(ConditionCalendarTest, StatelessEvaluationIsFalse) {
  ValueLookup none = [](std::string_view) -> std::optional<Value> { return std::nullopt; };
  EXPECT_FALSE(parse_ok("during 00:00-23:59").evaluate(none));
  EXPECT_FALSE(parse_ok("on mon,tue,wed,thu,fri,sat,sun").evaluate(none));
}

// Advances a fresh state to each time in turn, checking the truth and next_change.
struct Step {
  Time at;
  bool truth;
  Time next;
};
void check(const char* text, const date::time_zone* tz, std::initializer_list<Step> steps) {
  EvaluatorOptions options;
  options.time_zone = tz;
  Evaluator ev(parse_ok(text), options);
  auto state = ev.new_state();
  for (const Step& s : steps) {
    EXPECT_EQ(ev.advance(*state, s.at), s.truth) << text << " at " << date::format("%F %T", s.at);
    EXPECT_EQ(ev.next_change(*state, s.at), std::optional<Time>(s.next))
        << text << " at " << date::format("%F %T", s.at);
  }
}

TEST(ConditionCalendarTest, DuringInShanghai) {
  // Asia/Shanghai is UTC+8: local 22:00 on Friday 2026-11-20 is 14:00 UTC.
  const date::time_zone* sh = zone("Asia/Shanghai");
  check("during 22:00-06:00", sh,
        {
            {utc(2026, 11, 20, 13h), false, utc(2026, 11, 20, 14h)},
            {utc(2026, 11, 20, 14h) - 1ns, false, utc(2026, 11, 20, 14h)},
            {utc(2026, 11, 20, 14h), true, utc(2026, 11, 20, 22h)},
            {utc(2026, 11, 20, 16h), true, utc(2026, 11, 20, 22h)},  // local midnight
            {utc(2026, 11, 20, 22h) - 1ns, true, utc(2026, 11, 20, 22h)},
            {utc(2026, 11, 20, 22h), false, utc(2026, 11, 21, 14h)},
        });
  check("during 08:00-18:00", nullptr,  // no zone: UTC
        {
            {utc(2026, 11, 20, 7h + 59min), false, utc(2026, 11, 20, 8h)},
            {utc(2026, 11, 20, 8h), true, utc(2026, 11, 20, 18h)},
            {utc(2026, 11, 20, 18h), false, utc(2026, 11, 21, 8h)},
        });
}

TEST(ConditionCalendarTest, DaysInShanghai) {
  // Friday 2026-11-20 ends, in Shanghai, at 16:00 UTC.
  const date::time_zone* sh = zone("Asia/Shanghai");
  check("on weekdays", sh,
        {
            {utc(2026, 11, 20, 15h), true, utc(2026, 11, 20, 16h)},
            {utc(2026, 11, 20, 16h) - 1ns, true, utc(2026, 11, 20, 16h)},
            {utc(2026, 11, 20, 16h), false, utc(2026, 11, 21, 16h)},
            {utc(2026, 11, 22, 16h), true, utc(2026, 11, 23, 16h)},  // Monday
        });
  check("on sun,fri", sh,
        {
            {utc(2026, 11, 19, 16h) - 1ns, false, utc(2026, 11, 19, 16h)},  // Thursday
            {utc(2026, 11, 19, 16h), true, utc(2026, 11, 20, 16h)},        // Friday
            {utc(2026, 11, 20, 16h), false, utc(2026, 11, 21, 16h)},       // Saturday
            {utc(2026, 11, 21, 16h), true, utc(2026, 11, 22, 16h)},        // Sunday
        });
}

TEST(ConditionCalendarTest, DuringAcrossDstInNewYork) {
  const date::time_zone* ny = zone("America/New_York");
  // Fall back, Sunday 2026-11-01: 02:00 EDT (06:00 UTC) becomes 01:00 EST, so local
  // 01:30 happens at 05:30 UTC and again at 06:30 UTC.
  check("during 01:30-05:00", ny,
        {
            {utc(2026, 11, 1, 5h), false, utc(2026, 11, 1, 5h + 30min)},
            {utc(2026, 11, 1, 5h + 30min), true, utc(2026, 11, 1, 6h)},  // the transition
            {utc(2026, 11, 1, 6h) - 1ns, true, utc(2026, 11, 1, 6h)},
            {utc(2026, 11, 1, 6h), false, utc(2026, 11, 1, 6h + 30min)},  // 01:00 EST
            {utc(2026, 11, 1, 6h + 30min), true, utc(2026, 11, 1, 10h)},  // 05:00 EST
            {utc(2026, 11, 1, 10h), false, utc(2026, 11, 2, 6h + 30min)},
        });
  // Spring forward, Sunday 2026-03-08: 02:00 EST (07:00 UTC) becomes 03:00 EDT; local
  // 02:30 does not exist and maps to the transition.
  check("during 02:30-05:00", ny,
        {
            {utc(2026, 3, 8, 6h), false, utc(2026, 3, 8, 7h)},
            {utc(2026, 3, 8, 7h) - 1ns, false, utc(2026, 3, 8, 7h)},
            {utc(2026, 3, 8, 7h), true, utc(2026, 3, 8, 9h)},  // 03:00 EDT .. 05:00 EDT
            {utc(2026, 3, 8, 9h), false, utc(2026, 3, 9, 6h + 30min)},
        });
  // The night of the fall-back is nine hours long: 22:00 EDT (02:00 UTC) to 06:00 EST
  // (11:00 UTC).
  check("during 22:00-06:00", ny,
        {
            {utc(2026, 11, 1, 1h), false, utc(2026, 11, 1, 2h)},
            {utc(2026, 11, 1, 2h), true, utc(2026, 11, 1, 6h)},  // the transition to EST
            {utc(2026, 11, 1, 10h + 59min), true, utc(2026, 11, 1, 11h)},
            {utc(2026, 11, 1, 11h), false, utc(2026, 11, 2, 3h)},  // 22:00 EST
        });
}

TEST(ConditionCalendarTest, CombinesWithForAndReadings) {
  const date::time_zone* sh = zone("Asia/Shanghai");
  EvaluatorOptions options;
  options.time_zone = sh;
  Evaluator ev(parse_ok("(smoke >= 0.08 and during 22:00-06:00) for 1m"), options);
  auto state = ev.new_state();
  const Time t0 = utc(2026, 11, 20, 13h + 59min);  // 21:59 local
  EXPECT_FALSE(ev.observe(*state, Sample{"smoke", 0.1, "", t0, "s1"}, t0));
  EXPECT_EQ(ev.next_change(*state, t0), utc(2026, 11, 20, 14h));
  EXPECT_FALSE(ev.advance(*state, utc(2026, 11, 20, 14h)));  // the night starts; "for" starts
  EXPECT_EQ(ev.next_change(*state, utc(2026, 11, 20, 14h)), utc(2026, 11, 20, 14h + 1min));
  EXPECT_FALSE(ev.advance(*state, utc(2026, 11, 20, 14h + 1min) - 1ns));
  EXPECT_TRUE(ev.advance(*state, utc(2026, 11, 20, 14h + 1min)));

  // "for" across the fall-back night in New York: 8h30m after 02:00 UTC.
  options.time_zone = zone("America/New_York");
  Evaluator night(parse_ok("during 22:00-06:00 for 8h30m"), options);
  auto s = night.new_state();
  EXPECT_FALSE(night.advance(*s, utc(2026, 11, 1, 1h)));
  EXPECT_FALSE(night.advance(*s, utc(2026, 11, 1, 10h + 30min) - 1ns));
  EXPECT_TRUE(night.advance(*s, utc(2026, 11, 1, 10h + 30min)));
  EXPECT_EQ(night.next_change(*s, utc(2026, 11, 1, 10h + 30min)), utc(2026, 11, 1, 11h));
  EXPECT_FALSE(night.advance(*s, utc(2026, 11, 1, 11h)));
}

}  // namespace
}  // namespace lookout::rules
