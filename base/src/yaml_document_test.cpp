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

}  // namespace
}  // namespace lookout
