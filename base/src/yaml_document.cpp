#include "lookout/base/yaml_document.h"

#include <yaml-cpp/eventhandler.h>

#include <sstream>
#include <vector>

namespace lookout {

namespace {

// Records where each document starts, and nothing else.
class DocumentStarts final : public YAML::EventHandler {
 public:
  std::vector<YAML::Mark> marks;
  void OnDocumentStart(const YAML::Mark& mark) override { marks.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
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
  doc.root = YAML::Load(text);  // the first document only
  return doc;
}

}  // namespace lookout
