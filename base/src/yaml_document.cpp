#include "lookout/base/yaml_document.h"

#include <yaml-cpp/eventhandler.h>

#include <optional>
#include <sstream>
#include <vector>

#include "lookout/base/utf8.h"

namespace lookout {

namespace {

// Records where each document starts, and the first scalar (key or value) of the first
// document that is not UTF-8. Raw bytes in the file are caught there, and so are
// yaml-cpp 0.7's escapes \N and \_ in double-quoted text, which it turns into the single
// bytes 0x85 and 0xA0: stored as JSON, such a text would change (to U+FFFD) after a
// restart. (Checked on the events, not on the loaded tree: an alias is one event, while
// walking the tree would follow aliases, and a recursive or nested alias never ends.)
class DocumentStarts final : public YAML::EventHandler {
 public:
  std::vector<YAML::Mark> marks;
  std::optional<YAML::Mark> not_utf8;
  void OnDocumentStart(const YAML::Mark& mark) override { marks.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t, const std::string& value) override {
    if (marks.size() == 1 && !not_utf8 && (!is_valid_utf8(value) || !is_valid_utf8(tag))) not_utf8 = mark;
  }
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

}  // namespace

YamlDocument load_yaml_document(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentStarts starts;
  // At most two documents are looked at: one is what we want, two is already wrong.
  while (starts.marks.size() < 2 && parser.HandleNextDocument(starts)) {
  }
  YamlDocument doc;
  if (starts.marks.empty()) return doc;
  if (starts.marks.size() == 2) {
    doc.where = starts.marks[1];
    if (starts.marks[1].pos <= starts.marks[0].pos) {  // no progress: stuck on a token
      doc.outcome = YamlDocument::Outcome::kStuck;
      return doc;
    }
    doc.outcome = YamlDocument::Outcome::kSecondDocument;
  } else {
    doc.outcome = YamlDocument::Outcome::kOne;
  }
  if (starts.not_utf8) {
    throw YAML::ParserException(*starts.not_utf8,
                                "expected UTF-8 text, found bytes that are not UTF-8 (the escapes \\N and \\_ "
                                "give such bytes here: write the character itself)");
  }
  doc.root = YAML::Load(text);  // the first document only
  return doc;
}

}  // namespace lookout
