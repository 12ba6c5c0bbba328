#include "lookout/base/yaml_fields.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <variant>

#include "lookout/base/duration.h"

namespace lookout {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// ---- message text

TEST(YamlFields, QuoteCutsLongValuesOutsideUtf8Characters) {
  EXPECT_EQ(quote("fire"), "\"fire\"");
  EXPECT_EQ(quote(""), "\"\"");
  const std::string sixty(60, 'a');
  EXPECT_EQ(quote(sixty), "\"" + sixty + "\"");
  EXPECT_EQ(quote(sixty + "b"), "\"" + sixty + "...\"");
  // "é" is two bytes, the second of them byte 60: the cut moves before the character.
  const std::string fifty_nine(59, 'a');
  EXPECT_EQ(quote(fifty_nine + "\xC3\xA9" + "zz"), "\"" + fifty_nine + "...\"");
}

TEST(YamlFields, JoinOr) {
  EXPECT_EQ(join_or({}), "");
  EXPECT_EQ(join_or({"I"}), "I");
  EXPECT_EQ(join_or({"I", "II"}), "I or II");
  EXPECT_EQ(join_or({"I", "II", "III", "IV"}), "I, II, III or IV");
}

TEST(YamlFields, AsciiLower) {
  EXPECT_EQ(ascii_lower('A'), 'a');
  EXPECT_EQ(ascii_lower('Z'), 'z');
  EXPECT_EQ(ascii_lower('a'), 'a');
  EXPECT_EQ(ascii_lower('_'), '_');
  EXPECT_EQ(ascii_lower('\xC3'), '\xC3');
}

TEST(YamlFields, ClosestIgnoresCaseAndCountsATranspositionAsOneEdit) {
  const std::vector<std::string_view> keys = {"title", "levels", "language"};
  EXPECT_EQ(closest("level", keys), "levels");
  EXPECT_EQ(closest("TITLE", keys), "title");
  EXPECT_EQ(closest("tilte", keys), "title");
  EXPECT_EQ(closest("lnaguaeg", keys), "language");  // two transpositions
  EXPECT_EQ(closest("owner", keys), std::nullopt);
  EXPECT_EQ(closest("title", {}), std::nullopt);
}

TEST(YamlFields, ClosestAllowsMoreEditsForLongerWords) {
  // Under 3 bytes: only the word itself.
  EXPECT_EQ(closest("ab", {"ac"}), std::nullopt);
  EXPECT_EQ(closest("AB", {"ab"}), "ab");
  // 3 or 4 bytes: one edit.
  EXPECT_EQ(closest("abc", {"abd"}), "abd");
  EXPECT_EQ(closest("abc", {"ade"}), std::nullopt);
  EXPECT_EQ(closest("abcd", {"abxd"}), "abxd");
  // 5 bytes and more: two edits.
  EXPECT_EQ(closest("abcde", {"abxye"}), "abxye");
  EXPECT_EQ(closest("abcde", {"axyze"}), std::nullopt);
  // Of equally close candidates, the first.
  EXPECT_EQ(closest("abcx", {"abcy", "abcz"}), "abcy");
}

TEST(YamlFields, DidYouMean) {
  EXPECT_EQ(did_you_mean("levles", {"title", "levels"}), "; did you mean \"levels\"?");
  EXPECT_EQ(did_you_mean("plcae", {"place", "plan"}, "{", "}"), "; did you mean \"{place}\"?");
  EXPECT_EQ(did_you_mean("owner", {"title", "levels"}), "");
}

TEST(YamlFields, Describe) {
  const YAML::Node root = YAML::Load("a:\nb: ''\nc: fire\nd: [1]\ne: {x: 1}\n");
  EXPECT_EQ(describe(root["a"]), "nothing");
  EXPECT_EQ(describe(root["b"]), "an empty text");
  EXPECT_EQ(describe(root["c"]), "\"fire\"");
  EXPECT_EQ(describe(root["d"]), "a list");
  EXPECT_EQ(describe(root["e"]), "a map");
}

// ---- positions

// "line:column"
std::string str(Position p) { return std::to_string(p.line) + ":" + std::to_string(p.column); }

TEST(SourceText, LinesAndColumnsCountCharacters) {
  const std::string text = "标题: 火灾\nx: 1\n";
  const SourceText source(text);
  EXPECT_EQ(source.line_count(), 3u);
  EXPECT_EQ(source.line_start(1), text.find('x'));
  EXPECT_EQ(source.line_index(0), 0u);
  EXPECT_EQ(source.line_index(text.find('x')), 1u);
  EXPECT_EQ(source.line_index(text.size() + 10), 2u);  // clamped
  EXPECT_EQ(source.characters(0, text.find(':')), 2);   // 标题
  EXPECT_EQ(str(source.at_byte(0)), "1:1");
  EXPECT_EQ(str(source.at_byte(text.find(':'))), "1:3");
  EXPECT_EQ(str(source.at_byte(text.size())), "3:1");

  const YAML::Node root = YAML::Load(text);
  EXPECT_EQ(str(source.at(root["标题"])), "1:5");
  EXPECT_EQ(str(source.at(root["x"])), "2:4");
}

TEST(SourceText, MarksWithoutAByteOffset) {
  const SourceText source("a: 1\n");
  YAML::Mark mark;
  mark.pos = -1;
  mark.line = 4;
  mark.column = 2;
  EXPECT_EQ(str(source.at(mark)), "5:3");
  EXPECT_EQ(str(source.at(YAML::Mark::null_mark())), "0:0");
}

TEST(SourceText, InScalarMapsThroughQuotesEscapesAndFolding) {
  const std::string text =
      "a: plain text\n"
      "b: \"x\\ty z\"\n"
      "c: 'it''s here'\n"
      "d: >\n"
      "  folded\n"
      "  line two\n"
      "e: &anchor value\n";
  const SourceText source(text);
  const YAML::Node root = YAML::Load(text);
  EXPECT_EQ(str(source.in_scalar(root["a"], 0)), "1:4");
  EXPECT_EQ(str(source.in_scalar(root["a"], 6)), "1:10");  // "text"
  EXPECT_EQ(str(source.in_scalar(root["b"], 4)), "2:10");  // "z", after the \t escape
  EXPECT_EQ(str(source.in_scalar(root["c"], 3)), "3:9");  // "s", after ''
  EXPECT_EQ(str(source.in_scalar(root["d"], 7)), "6:3");  // "line", on the next line
  EXPECT_EQ(str(source.in_scalar(root["e"], 3)), str(source.at(root["e"])));  // an anchor: the start
}

// ---- fields

TEST(YamlFields, FindAndFindSet) {
  const YAML::Node root = YAML::Load("title: Fire\nowner:\n");
  Fields fields;
  for (auto it = root.begin(); it != root.end(); ++it) {
    fields.push_back(Field{it->first.Scalar(), it->first, it->second});
  }
  ASSERT_NE(find(fields, "title"), nullptr);
  EXPECT_EQ(find(fields, "title")->value.Scalar(), "Fire");
  EXPECT_NE(find(fields, "owner"), nullptr);
  EXPECT_EQ(find_set(fields, "owner"), nullptr);  // "owner:" with nothing after it
  EXPECT_NE(find_set(fields, "title"), nullptr);
  EXPECT_EQ(find(fields, "levels"), nullptr);
  EXPECT_EQ(find_set(fields, "levels"), nullptr);
}

// ---- the reader

// The reader's protected parts, for the tests.
class Reader : public YamlFieldReader {
 public:
  explicit Reader(std::string_view text) : YamlFieldReader(text, "f.yaml") {}

  using YamlFieldReader::item_field;
  using YamlFieldReader::items_of;
  using YamlFieldReader::load_document;
  using YamlFieldReader::parse_duration_in;
  using YamlFieldReader::read_duration;
  using YamlFieldReader::read_map;
  using YamlFieldReader::read_string;
  using YamlFieldReader::read_time_zone;
  using YamlFieldReader::read_whole_number;
  using YamlFieldReader::require;

  // "line:column: message" of each diagnostic, in the order reported.
  std::vector<std::string> messages() const {
    std::vector<std::string> out;
    for (const auto& d : diagnostics_) {
      EXPECT_EQ(d.file, "f.yaml");
      out.push_back(std::to_string(d.line) + ":" + std::to_string(d.column) + ": " + d.message);
    }
    return out;
  }

  // The fields of the root map, every key allowed.
  Fields root_fields(const YAML::Node& root) {
    std::vector<std::string_view> all;
    for (auto it = root.begin(); it != root.end(); ++it) all.push_back(it->first.Scalar());
    return read_map(root, all, "a key");
  }
};

constexpr std::string_view kPlan = "a plan (a map with id and title)";

TEST(YamlFieldReader, LoadDocumentReportsWhyThereIsNoneToRead) {
  {
    Reader r("id: fire\n");
    auto root = r.load_document(kPlan, "plan");
    ASSERT_TRUE(root);
    EXPECT_EQ((*root)["id"].Scalar(), "fire");
    EXPECT_THAT(r.messages(), ElementsAre());
  }
  {
    Reader r("# nothing\n");
    EXPECT_FALSE(r.load_document(kPlan, "plan"));
    EXPECT_THAT(r.messages(), ElementsAre("0:0: expected a plan (a map with id and title), found an empty file"));
  }
  {
    Reader r("a: 1\n---\nb: 2\n");
    auto root = r.load_document(kPlan, "scenario");
    ASSERT_TRUE(root);  // the first document, read on
    EXPECT_EQ((*root)["a"].Scalar(), "1");
    EXPECT_THAT(r.messages(), ElementsAre("2:1: expected one scenario per file, found a second YAML document"));
  }
  {
    Reader r("a: [1, 2\n");
    EXPECT_FALSE(r.load_document(kPlan, "plan"));
    ASSERT_EQ(r.messages().size(), 1u);
    EXPECT_THAT(r.messages()[0], HasSubstr("expected valid YAML, found a syntax error: "));
  }
  {
    Reader r("headline: Fire: leave now\n");
    EXPECT_FALSE(r.load_document(kPlan, "plan"));
    EXPECT_THAT(r.messages(), ElementsAre("1:15: expected valid YAML, found a syntax error: illegal map value (if a "
                                          "text contains \": \", put it in quotes)"));
  }
}

TEST(YamlFieldReader, ReadMapReportsUnknownRepeatedAndNonTextKeys) {
  const std::string text = "title: Fire\ntitel: x\ntitle: again\n? [a]\n: 1\nlevels: {}\n";
  Reader r(text);
  const YAML::Node root = YAML::Load(text);
  Fields fields = r.read_map(root, {"title", "levels"}, "a plan key (title or levels)");
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields[0].name, "title");
  EXPECT_EQ(fields[0].value.Scalar(), "Fire");
  EXPECT_EQ(fields[1].name, "levels");
  EXPECT_THAT(r.messages(),
              ElementsAre("2:1: expected a plan key (title or levels), found \"titel\"; did you mean \"title\"?",
                          "3:1: expected each key once, found \"title\" again (first on line 1)",
                          "4:3: expected a plan key (title or levels), found a list"));
}

TEST(YamlFieldReader, ReadMapNamesWhatIsRepeated) {
  const std::string text = "I: a\nI: b\n";
  Reader r(text);
  r.read_map(YAML::Load(text), {"I", "II"}, "a warning level (I or II)", "warning level");
  EXPECT_THAT(r.messages(), ElementsAre("2:1: expected each warning level once, found \"I\" again (first on line 1)"));
}

TEST(YamlFieldReader, RequireReportsAtTheMap) {
  const std::string text = "x: 1\nplan:\n  title: Fire\n";
  Reader r(text);
  const YAML::Node plan = YAML::Load(text)["plan"];
  Fields fields = r.read_map(plan, {"title", "levels"}, "a plan key");
  EXPECT_NE(r.require(fields, plan, "title", "the plan"), nullptr);
  EXPECT_EQ(r.require(fields, plan, "levels", "the plan"), nullptr);
  EXPECT_THAT(r.messages(), ElementsAre("3:3: expected key \"levels\" in the plan, found none"));
}

TEST(YamlFieldReader, ReadStringReportsAtTheValueOrAnEmptyValuesKey) {
  const std::string text = "title: Fire\nowner:\nhazards: [fire]\nempty: ''\n";
  Reader r(text);
  const YAML::Node root = YAML::Load(text);
  Fields fields = r.root_fields(root);
  EXPECT_EQ(r.read_string(*find(fields, "title"), "a title"), "Fire");
  EXPECT_EQ(r.read_string(*find(fields, "owner"), "an owner"), std::nullopt);
  EXPECT_EQ(r.read_string(*find(fields, "hazards"), "a hazard"), std::nullopt);
  EXPECT_EQ(r.read_string(*find(fields, "empty"), "a text"), std::nullopt);
  EXPECT_THAT(r.messages(), ElementsAre("2:1: expected an owner, found nothing",
                                        "3:10: expected a hazard, found a list",
                                        "4:8: expected a text, found an empty text"));
}

TEST(YamlFieldReader, ReadWholeNumberTakesDigitsOnlyWithinItsRange) {
  const std::string text =
      "a: 5\nb: 007\nc: 0\nd: +5\ne: -1\nf: 5x\ng: 1000\nh: 99999999999\ni: ' 5'\n";
  Reader r(text);
  Fields fields = r.root_fields(YAML::Load(text));
  auto number = [&](std::string_view key, int min = 1) {
    return r.read_whole_number(*find(fields, key), "a number of people", min, 999);
  };
  EXPECT_EQ(number("a"), 5);
  EXPECT_EQ(number("b"), 7);
  EXPECT_EQ(number("c", 0), 0);
  EXPECT_THAT(r.messages(), ElementsAre());
  for (std::string_view key : {"c", "d", "e", "f", "g", "h", "i"}) EXPECT_EQ(number(key), std::nullopt) << key;
  EXPECT_THAT(r.messages(), ElementsAre("3:4: expected a number of people (a whole number from 1 to 999), found \"0\"",
                                        "4:4: expected a number of people (a whole number from 1 to 999), found \"+5\"",
                                        "5:4: expected a number of people (a whole number from 1 to 999), found \"-1\"",
                                        "6:4: expected a number of people (a whole number from 1 to 999), found \"5x\"",
                                        "7:4: expected a number of people (a whole number from 1 to 999), found \"1000\"",
                                        "8:4: expected a number of people (a whole number from 1 to 999), found "
                                        "\"99999999999\"",
                                        "9:4: expected a number of people (a whole number from 1 to 999), found \" 5\""));
}

TEST(YamlFieldReader, ReadTimeZoneTakesNamesTheSystemKnows) {
  const std::string text = "a: UTC\nb: Asia/Shanghai\nc: Mars/Olympus\nd:\n";
  Reader r(text);
  Fields fields = r.root_fields(YAML::Load(text));
  EXPECT_EQ(r.read_time_zone(*find(fields, "a")), "UTC");
  EXPECT_EQ(r.read_time_zone(*find(fields, "b")), "Asia/Shanghai");
  EXPECT_EQ(r.read_time_zone(*find(fields, "c")), std::nullopt);
  EXPECT_EQ(r.read_time_zone(*find(fields, "d")), std::nullopt);
  EXPECT_THAT(r.messages(),
              ElementsAre("3:4: expected an IANA time zone such as Asia/Shanghai or UTC, found \"Mars/Olympus\"",
                          "4:1: expected an IANA time zone such as Asia/Shanghai or UTC, found nothing"));
}

TEST(YamlFieldReader, ReadDurationReportsAMistakeAtItsCharacter) {
  const std::string text = "every: 10m\nafter: 10 min\nfor:\n";
  Reader r(text);
  Fields fields = r.root_fields(YAML::Load(text));
  EXPECT_EQ(r.read_duration(*find(fields, "every")), std::chrono::minutes(10));
  EXPECT_EQ(r.read_duration(*find(fields, "after")), std::nullopt);
  EXPECT_EQ(r.read_duration(*find(fields, "for")), std::nullopt);
  const auto error = std::get<DurationError>(parse_duration("10 min"));
  EXPECT_THAT(r.messages(),
              ElementsAre("2:" + std::to_string(8 + error.offset) + ": " + error.message,
                          "3:1: expected a duration such as 30s, 10m or 1h30m, found nothing"));
}

TEST(YamlFieldReader, ParseDurationInCountsFromThePartsOffset) {
  const std::string text = "respond: \"1m..5x\"\n";
  Reader r(text);
  const YAML::Node value = YAML::Load(text)["respond"];
  EXPECT_EQ(r.parse_duration_in(value, "1m", 0), std::chrono::minutes(1));
  EXPECT_EQ(r.parse_duration_in(value, "5x", 4), std::nullopt);
  const auto error = std::get<DurationError>(parse_duration("5x"));
  // The value starts at column 11, after the quote.
  EXPECT_THAT(r.messages(), ElementsAre("1:" + std::to_string(11 + 4 + error.offset) + ": " + error.message));
}

// A loader that maps positions inside scalars its own way.
class FixedPositionReader : public Reader {
 public:
  using Reader::Reader;

 protected:
  Position position_in_scalar(const YAML::Node&, std::size_t) const override { return Position{42, 7}; }
};

TEST(YamlFieldReader, ReadersUseTheLoadersPositionsInScalars) {
  const std::string text = "every: 10 min\n";
  FixedPositionReader r(text);
  Fields fields = r.root_fields(YAML::Load(text));
  EXPECT_EQ(r.read_duration(*find(fields, "every")), std::nullopt);
  ASSERT_EQ(r.messages().size(), 1u);
  EXPECT_EQ(r.messages()[0].substr(0, 6), "42:7: ");
}

TEST(YamlFieldReader, ItemsOfAndItemField) {
  const std::string text = "list: [a, b, c]\none: a\n";
  const YAML::Node root = YAML::Load(text);
  EXPECT_EQ(Reader::items_of(root["list"]).size(), 3u);
  ASSERT_EQ(Reader::items_of(root["one"]).size(), 1u);
  EXPECT_EQ(Reader::items_of(root["one"])[0].Scalar(), "a");
  const Field f = Reader::item_field(root["list"], root["list"][1]);
  EXPECT_EQ(f.name, "");
  EXPECT_EQ(f.value.Scalar(), "b");
  EXPECT_EQ(f.key.Mark().pos, root["list"].Mark().pos);  // an empty item is reported at its list
}

}  // namespace
}  // namespace lookout
