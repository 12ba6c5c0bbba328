#include "lookout/base/yaml_document.h"

#include <gtest/gtest.h>

namespace lookout {
namespace {

using Outcome = YamlDocument::Outcome;

TEST(YamlDocument, OneEmptyAndSecondDocument) {
  auto one = load_yaml_document("id: fire\ntitle: Fire\n");
  EXPECT_EQ(one.outcome, Outcome::kOne);
  EXPECT_EQ(one.root["id"].as<std::string>(), "fire");
  EXPECT_EQ(load_yaml_document("# only a comment\n").outcome, Outcome::kEmpty);
  EXPECT_EQ(load_yaml_document("").outcome, Outcome::kEmpty);
  auto two = load_yaml_document("a: 1\n---\nb: 2\n");
  EXPECT_EQ(two.outcome, Outcome::kSecondDocument);
  EXPECT_EQ(two.where.line, 1);  // 0-based: the "---" line
  EXPECT_EQ(two.root["a"].as<int>(), 1);
}

// Regression: yaml-cpp 0.7's LoadAll never returns on these (jbeder/yaml-cpp#1040).
// The test finishing at all is the assertion that matters.
TEST(YamlDocument, InputThatHangsLoadAllIsReportedNotLoopedOn) {
  for (const char* text : {",", ",\nid: x\n", "a: 1\n,\n"}) {
    try {
      auto doc = load_yaml_document(text);
      EXPECT_NE(doc.outcome, Outcome::kOne) << text;
    } catch (const YAML::Exception&) {
      SUCCEED();  // a syntax error reported by yaml-cpp is fine too
    }
  }
}

TEST(YamlDocument, SyntaxErrorsThrowWithAMark) {
  try {
    (void)load_yaml_document("a: [1, 2\n");
    FAIL() << "expected a YAML::Exception";
  } catch (const YAML::Exception& e) {
    EXPECT_GE(e.mark.line, 0);
  }
}

// yaml-cpp 0.7 turns the escapes \N (U+0085) and \_ (U+00A0) into the single bytes 0x85
// and 0xA0, which are not UTF-8; raw bytes that are not UTF-8 are refused too, in keys
// and values, with the mark of the text.
TEST(YamlDocument, TextThatIsNotUtf8IsRefusedWithItsMark) {
  for (const char* text : {"id: x\nname: \"a\\_b\"\n", "id: x\nname: \"line\\Nnext\"\n", "id: x\nname: caf\xe9\n",
                           "id: x\n\xff: 1\n", "id: x\nlist: [a, \"b\\_\"]\n"}) {
    try {
      (void)load_yaml_document(text);
      FAIL() << "accepted: " << text;
    } catch (const YAML::Exception& e) {
      EXPECT_EQ(e.mark.line, 1) << text;
      EXPECT_NE(e.msg.find("expected UTF-8 text"), std::string::npos) << e.msg;
    }
  }
  auto ok = load_yaml_document("name: \"青园社区 Qingyuan\\tcommunity \\u00A0\"\n");
  EXPECT_EQ(ok.outcome, Outcome::kOne);
  EXPECT_EQ(ok.root["name"].as<std::string>(), "青园社区 Qingyuan\tcommunity \u00A0");
}

}  // namespace
}  // namespace lookout
