#include "lookout/rules/condition.h"
#include "condition_test_support.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

namespace lookout::rules {
namespace {

using testing::parse_ok;
using testing::parse_error;

// Readings for evaluate(): quantity -> value and unit.
ValueLookup values(std::map<std::string, Value, std::less<>> readings) {
  return [readings = std::move(readings)](std::string_view q) -> std::optional<Value> {
    auto it = readings.find(q);
    if (it == readings.end()) return std::nullopt;
    return it->second;
  };
}

bool eval(std::string_view text, std::map<std::string, Value, std::less<>> readings, int* mismatches = nullptr) {
  return parse_ok(text).evaluate(values(std::move(readings)), mismatches);
}

// ---------------------------------------------------------------------------------
// Structure

TEST(ConditionTest, ParsesAComparison) {
  Condition c = parse_ok("temperature >= 57.5 Cel");
  const Expr& e = c.root();
  ASSERT_EQ(e.kind, Expr::Kind::kCompare);
  EXPECT_EQ(e.compare.quantity, "temperature");
  EXPECT_EQ(e.compare.op, CompareOp::kGreaterEqual);
  EXPECT_EQ(e.compare.threshold, 57.5);
  EXPECT_EQ(e.compare.unit, "Cel");
}

TEST(ConditionTest, ParsesEveryOperator) {
  const std::pair<const char*, CompareOp> cases[] = {
      {"<", CompareOp::kLess},          {"<=", CompareOp::kLessEqual}, {">", CompareOp::kGreater},
      {">=", CompareOp::kGreaterEqual}, {"==", CompareOp::kEqual},     {"!=", CompareOp::kNotEqual},
  };
  for (const auto& [text, op] : cases) {
    Condition c = parse_ok(std::string("x ") + text + " 1");
    EXPECT_EQ(c.root().compare.op, op) << text;
    EXPECT_EQ(to_string(op), text);
  }
}

TEST(ConditionTest, ParsesNumbers) {
  const std::pair<const char*, double> cases[] = {
      {"5", 5},  {"-5", -5},    {"+5", 5},       {"0.15", 0.15},  {".5", 0.5}, {"-.5", -0.5},
      {"5.", 5}, {"1e3", 1000}, {"1E-3", 0.001}, {"2.5e+2", 250}, {"-0", 0},
  };
  for (const auto& [text, value] : cases) {
    Condition c = parse_ok(std::string("x > ") + text);
    EXPECT_EQ(c.root().compare.threshold, value) << text;
  }
}

TEST(ConditionTest, AcceptsSenMLNamesAndNoSpaces) {
  Condition c = parse_ok("urn:dev:ow:10e2073a01080063/temp.c_1-a>=1");
  EXPECT_EQ(c.root().compare.quantity, "urn:dev:ow:10e2073a01080063/temp.c_1-a");
  EXPECT_EQ(parse_ok("(a<1)or(b!=2)").to_string(), "a < 1 or b != 2");
  EXPECT_EQ(parse_ok("1wire > 0").root().compare.quantity, "1wire");
}

TEST(ConditionTest, NotBindsTighterThanAndWhichBindsTighterThanOr) {
  Condition c = parse_ok("a > 1 or b > 1 and not c > 1");
  const Expr& root = c.root();
  ASSERT_EQ(root.kind, Expr::Kind::kOr);
  ASSERT_EQ(root.children.size(), 2u);
  EXPECT_EQ(root.children[0]->kind, Expr::Kind::kCompare);
  const Expr& conj = *root.children[1];
  ASSERT_EQ(conj.kind, Expr::Kind::kAnd);
  EXPECT_EQ(conj.children[0]->compare.quantity, "b");
  ASSERT_EQ(conj.children[1]->kind, Expr::Kind::kNot);
  EXPECT_EQ(conj.children[1]->children[0]->compare.quantity, "c");

  Condition d = parse_ok("not a > 1 and b > 1");
  ASSERT_EQ(d.root().kind, Expr::Kind::kAnd);
  EXPECT_EQ(d.root().children[0]->kind, Expr::Kind::kNot);

  // Evaluation agrees: a or (b and not c).
  EXPECT_TRUE(eval("a > 1 or b > 1 and c > 1", {{"a", {2, ""}}}));
  EXPECT_FALSE(eval("a > 1 or b > 1 and c > 1", {{"b", {2, ""}}}));
  EXPECT_TRUE(eval("not a > 1 and b > 1", {{"b", {2, ""}}}));
}

TEST(ConditionTest, ParenthesesGroup) {
  Condition c = parse_ok("(a > 1 or b > 1) and c > 1");
  ASSERT_EQ(c.root().kind, Expr::Kind::kAnd);
  EXPECT_EQ(c.root().children[0]->kind, Expr::Kind::kOr);
  EXPECT_FALSE(eval("(a > 1 or b > 1) and c > 1", {{"a", {2, ""}}}));
  EXPECT_TRUE(eval("(a > 1 or b > 1) and c > 1", {{"a", {2, ""}}, {"c", {2, ""}}}));

  Condition n = parse_ok("not (a > 1 and b > 1)");
  ASSERT_EQ(n.root().kind, Expr::Kind::kNot);
  EXPECT_EQ(n.root().children[0]->kind, Expr::Kind::kAnd);

  EXPECT_EQ(parse_ok("((a > 1))").root().kind, Expr::Kind::kCompare);
}

TEST(ConditionTest, ChainsOfTheSameConnectiveAreFlat) {
  Condition c = parse_ok("(a > 1 and b > 1) and (c > 1 and d > 1)");
  ASSERT_EQ(c.root().kind, Expr::Kind::kAnd);
  EXPECT_EQ(c.root().children.size(), 4u);
  EXPECT_EQ(c.to_string(), "a > 1 and b > 1 and c > 1 and d > 1");
  Condition o = parse_ok("a > 1 or (b > 1 or c > 1)");
  EXPECT_EQ(o.root().children.size(), 3u);
}

// ---------------------------------------------------------------------------------
// Evaluation

TEST(ConditionTest, EveryOperatorEvaluates) {
  struct Case {
    const char* text;
    bool below, equal, above;  // value 1, 2, 3 against threshold 2
  };
  const Case cases[] = {
      {"x < 2", true, false, false}, {"x <= 2", true, true, false},  {"x > 2", false, false, true},
      {"x >= 2", false, true, true}, {"x == 2", false, true, false}, {"x != 2", true, false, true},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(eval(c.text, {{"x", {1, ""}}}), c.below) << c.text;
    EXPECT_EQ(eval(c.text, {{"x", {2, ""}}}), c.equal) << c.text;
    EXPECT_EQ(eval(c.text, {{"x", {3, ""}}}), c.above) << c.text;
  }
}

TEST(ConditionTest, UnknownQuantityMakesAComparisonFalse) {
  EXPECT_FALSE(eval("smoke >= 0.1", {}));
  EXPECT_FALSE(eval("smoke < 0.1", {}));
  EXPECT_FALSE(eval("smoke != 0.1", {}));
  EXPECT_TRUE(eval("not smoke >= 0.1", {}));  // two-valued logic: "not" of unknown is true
  EXPECT_TRUE(eval("smoke >= 0.1 or co > 5", {{"co", {6, ""}}}));
  // A reading that is not a number counts as unknown too.
  EXPECT_FALSE(eval("smoke != 0.1", {{"smoke", {std::nan(""), ""}}}));
}

TEST(ConditionTest, AndOrShortCircuit) {
  std::vector<std::string> asked;
  ValueLookup lookup = [&](std::string_view q) -> std::optional<Value> {
    asked.emplace_back(q);
    return Value{1, ""};
  };
  EXPECT_FALSE(parse_ok("a > 5 and b > 0").evaluate(lookup));
  EXPECT_EQ(asked, std::vector<std::string>{"a"});
  asked.clear();
  EXPECT_TRUE(parse_ok("a > 0 or b > 0").evaluate(lookup));
  EXPECT_EQ(asked, std::vector<std::string>{"a"});
}

TEST(ConditionTest, ConvertsTheReadingToTheThresholdUnit) {
  EXPECT_TRUE(eval("temperature >= 57 Cel", {{"temperature", {135, "degF"}}}));   // 57.2 Cel
  EXPECT_FALSE(eval("temperature >= 57 Cel", {{"temperature", {134, "degF"}}}));  // 56.7 Cel
  EXPECT_TRUE(eval("temperature >= 57 Cel", {{"temperature", {330.15, "K"}}}));   // exactly 57 Cel
  EXPECT_TRUE(eval("temperature >= 57 Cel", {{"temperature", {57, "Cel"}}}));
  EXPECT_TRUE(eval("temperature >= 57 Cel", {{"temperature", {57, ""}}}));  // no unit: in Cel
  EXPECT_TRUE(eval("smoke >= 15 %", {{"smoke", {0.15, "/"}}}));
  EXPECT_TRUE(eval("smoke <= 0.15 /", {{"smoke", {15, "%"}}}));
  EXPECT_TRUE(eval("co >= 100 ppm", {{"co", {0.0001, "/"}}}));
  EXPECT_TRUE(eval("co >= 100 ppm", {{"co", {0.01, "%"}}}));
  // Boundaries hold after conversion: 0.3 m is 30 cm for <=, >= and ==.
  EXPECT_TRUE(eval("water_level <= 30 cm", {{"water_level", {0.3, "m"}}}));
  EXPECT_TRUE(eval("water_level >= 30 cm", {{"water_level", {0.3, "m"}}}));
  EXPECT_TRUE(eval("water_level == 30 cm", {{"water_level", {0.3, "m"}}}));
  EXPECT_FALSE(eval("water_level > 30 cm", {{"water_level", {0.3, "m"}}}));
  EXPECT_TRUE(eval("water_level > 30 cm", {{"water_level", {301, "mm"}}}));
}

TEST(ConditionTest, ThresholdWithoutUnitComparesTheRawValue) {
  EXPECT_TRUE(eval("smoke >= 0.15", {{"smoke", {0.2, "/"}}}));
  EXPECT_TRUE(eval("smoke >= 0.15", {{"smoke", {20, "%"}}}));  // raw 20, not converted
  int mismatches = 0;
  EXPECT_TRUE(eval("temperature > 50", {{"temperature", {60, "m"}}}, &mismatches));
  EXPECT_EQ(mismatches, 0);
}

TEST(ConditionTest, IncompatibleUnitsAreFalseAndCounted) {
  int mismatches = 0;
  EXPECT_FALSE(eval("temperature >= 57 Cel", {{"temperature", {80, "m"}}}, &mismatches));
  EXPECT_EQ(mismatches, 1);
  EXPECT_FALSE(eval("gas_lel >= 10 %LEL", {{"gas_lel", {20, "%"}}}, &mismatches));
  EXPECT_EQ(mismatches, 2);
  EXPECT_FALSE(eval("co > 1 ppm", {{"co", {5, "ppb"}}}, &mismatches));  // unknown reading unit
  EXPECT_EQ(mismatches, 3);
  // Counting is optional.
  EXPECT_FALSE(eval("temperature >= 57 Cel", {{"temperature", {80, "m"}}}));
  // "not" over a mismatch is true (the comparison itself is false), and still counted.
  EXPECT_TRUE(eval("not temperature >= 57 Cel", {{"temperature", {80, "m"}}}, &mismatches));
  EXPECT_EQ(mismatches, 4);
}

TEST(ConditionTest, DefaultConditionIsFalse) {
  Condition c;
  EXPECT_FALSE(c.evaluate(values({})));
  EXPECT_EQ(c.to_string(), "");
  EXPECT_TRUE(c.quantities().empty());
  EXPECT_FALSE(parse_ok("a > 1").evaluate(ValueLookup()));  // no lookup: nothing known
}

// ---------------------------------------------------------------------------------
// quantities() and to_string()

TEST(ConditionTest, QuantitiesAreSortedAndUnique) {
  Condition c = parse_ok("smoke > 1 and (temperature > 50 Cel or smoke > 2) or not co > 5 or a > 1");
  EXPECT_EQ(c.quantities(), (std::vector<std::string>{"a", "co", "smoke", "temperature"}));
}

TEST(ConditionTest, ToStringIsCanonical) {
  const std::pair<const char*, const char*> cases[] = {
      {"smoke>=0.15", "smoke >= 0.15"},
      {"  temperature   >  57   Cel ", "temperature > 57 Cel"},
      {"x > +1e3", "x > 1000"},
      {"x > 1e21", "x > 1e+21"},
      {"x > -.5", "x > -0.5"},
      {"((a > 1))", "a > 1"},
      {"(a > 1) and (b > 1)", "a > 1 and b > 1"},
      {"a > 1 or (b > 1 and c > 1)", "a > 1 or b > 1 and c > 1"},
      {"(a > 1 or b > 1) and c > 1", "(a > 1 or b > 1) and c > 1"},
      {"not (a > 1)", "not a > 1"},
      {"not (a > 1 or b > 1)", "not (a > 1 or b > 1)"},
      {"not not a > 1", "not not a > 1"},
      {"gas_lel >= 10 %LEL or (co > 50 ppm and not door == 1)", "gas_lel >= 10 %LEL or co > 50 ppm and not door == 1"},
  };
  for (const auto& [text, canonical] : cases) {
    EXPECT_EQ(parse_ok(text).to_string(), canonical) << text;
  }
}

TEST(ConditionTest, ToStringRoundTrips) {
  const char* texts[] = {
      "smoke >= 0.15",
      "temperature > 57 Cel and smoke > 0.05",
      "gas_lel >= 10 %LEL or (co > 50 ppm and not door == 1)",
      "not (a < 1 or b <= 2) and (c > 3 or d >= 4) or e == 5 and f != 6",
      "x > 0.1 or x > 1e-7 or x > 123456789.125 or x < -1e300",
      "(((a > 1 or b > 1) and c > 1) or d > 1) and e > 1",
  };
  for (const char* text : texts) {
    std::string once = parse_ok(text).to_string();
    Condition again = parse_ok(once);
    EXPECT_EQ(again.to_string(), once) << text;
    EXPECT_EQ(again.quantities(), parse_ok(text).quantities()) << text;
  }
  // Thresholds survive exactly.
  Condition c = parse_ok(parse_ok("x > 0.1").to_string());
  EXPECT_EQ(c.root().compare.threshold, 0.1);
}

// ---------------------------------------------------------------------------------
// Errors: every one with its offset and message

struct ErrorCase {
  const char* text;
  std::size_t offset;
  std::string message;
};

TEST(ConditionTest, ParseErrorsPointAtTheOffendingToken) {
  const std::string units =
      "expected a unit (Cel, K, degF, m, cm, mm, /, %, ppm, %LEL, %RH, dB, lx, W, V, A, s, count), found ";
  const std::string ops = "expected a comparison operator (<, <=, >, >=, ==, !=), found ";
  const std::string operand = "expected a quantity name, \"not\" or \"(\", found ";
  const std::string connective = "expected \"and\", \"or\" or end of condition, found ";
  const std::string connective_paren = "expected \"and\", \"or\" or \")\", found ";
  const ErrorCase cases[] = {
      // Empty text.
      {"", 0, "expected a condition such as \"smoke >= 0.15\", found end of condition"},
      {"   ", 3, "expected a condition such as \"smoke >= 0.15\", found end of condition"},
      // Operands.
      {">= 5", 0, operand + "\">=\""},
      {"and > 1", 0, operand + "\"and\""},
      {"smoke% > 1", 0, operand + "\"smoke%\""},
      {"-x > 1", 0, operand + "\"-x\""},
      {"0.15 <= smoke", 0, operand + "\"0.15\"; write the quantity first, e.g. \"smoke >= 0.15\""},
      {"smoke > 1 and", 13, operand + "end of condition"},
      {"smoke > 1 or ) ", 13, operand + "\")\""},
      {"not", 3, operand + "end of condition"},
      {"()", 1, operand + "\")\""},
      {"\xe6\xb8\xa9\xe5\xba\xa6 > 5", 0, operand + "\"\xe6\xb8\xa9\xe5\xba\xa6\""},
      // Operators.
      {"smoke", 5, ops + "end of condition"},
      {"smoke => 5", 6, ops + "\"=>\""},
      {"smoke = 5", 6, ops + "\"=\""},
      {"smoke 5", 6, ops + "\"5\""},
      {"smoke >== 5", 6, ops + "\">==\""},
      // Numbers.
      {"smoke >= ", 9, "expected a number, found end of condition"},
      {"smoke >= high", 9, "expected a number, found \"high\""},
      {"smoke >= 1.2.3", 9, "expected a number, found \"1.2.3\""},
      {"temperature > 57Cel", 14,
       "expected a number, found \"57Cel\"; put a space between the number and its unit: \"57 Cel\""},
      {"smoke >= 1e999", 9,
       "expected a number within the range of a double (about 1e-308 to 1e308 in size), found \"1e999\""},
      {"smoke >= (1)", 9, "expected a number, found \"(\""},
      // Units.
      {"co > 5 ppb", 7, units + "\"ppb\""},
      {"temperature > 57 cel", 17, units + "\"cel\""},
      {"smoke > 1 foo", 10, units + "\"foo\""},
      // Trailing garbage and missing connectives.
      {"smoke > 1)", 9, connective + "\")\""},
      {"smoke > 1 5", 10, connective + "\"5\""},
      {"smoke > 1 Cel Cel", 14, connective + "\"Cel\""},
      {"smoke > 1 co > 2", 10, connective + "\"co\"; join comparisons with \"and\" or \"or\""},
      {"smoke > 1 AND co > 2", 10, connective + "\"AND\"; keywords are lowercase: \"and\""},
      {"smoke > 1 && co > 2", 10, connective + "\"&&\"; write \"and\""},
      {"smoke > 1 || co > 2", 10, connective + "\"||\"; write \"or\""},
      {"smoke > 1 # note", 10, connective + "\"#\""},
      {"(smoke > 1 co > 2)", 11, connective_paren + "\"co\"; join comparisons with \"and\" or \"or\""},
      {"(smoke > 1 5)", 11, connective_paren + "\"5\""},
      // Unbalanced parentheses: the "(" that is never closed.
      {"(smoke > 1", 0, "expected \")\" to close this \"(\", found end of condition"},
      {"a > 1 and (b > 1 or (c > 1)", 10, "expected \")\" to close this \"(\", found end of condition"},
      {"not ((a > 1)", 4, "expected \")\" to close this \"(\", found end of condition"},
  };
  for (const auto& c : cases) {
    ParseError err = parse_error(c.text);
    EXPECT_EQ(err.offset, c.offset) << c.text;
    EXPECT_EQ(err.message, c.message) << c.text;
  }
}

TEST(ConditionTest, LongTokensAreShortenedInMessages) {
  std::string text = "smoke > 1 " + std::string(100, 'q');
  ParseError err = parse_error(text);
  EXPECT_EQ(err.offset, 10u);
  EXPECT_NE(err.message.find("\"" + std::string(40, 'q') + "...\""), std::string::npos) << err.message;
}

TEST(ConditionTest, NestingIsLimited) {
  std::string deep;
  for (int i = 0; i < 64; ++i) deep += "not ";
  parse_ok(deep + "a > 1");
  ParseError err = parse_error(deep + "not a > 1");
  EXPECT_EQ(err.offset, 64u * 4);
  EXPECT_EQ(err.message, "expected at most 64 \"not\"s and parentheses inside each other, found more");
  ParseError parens = parse_error(std::string(100000, '('));
  EXPECT_EQ(parens.offset, 64u);
}

}  // namespace
}  // namespace lookout::rules
