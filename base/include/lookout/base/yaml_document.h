// Loading exactly one YAML document, safely. yaml-cpp 0.7 (Debian bookworm) has
// YAML::LoadAll loop forever on some invalid input, e.g. a stray ',' at the top of a
// file (jbeder/yaml-cpp#1040): one bad plan or registry file would hang the engine.
// Every loader calls this instead: it walks the documents with the event parser,
// noticing when the parser stops making progress, and loads only the first.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

namespace lookout {

struct YamlDocument {
  enum class Outcome {
    kOne,             // exactly one document: `root`
    kEmpty,           // no document at all (empty file, only comments)
    kSecondDocument,  // more than one: `root` is the first, `where` the second's start
    kStuck,           // the parser stopped making progress at `where`: not valid YAML
  };
  Outcome outcome = Outcome::kEmpty;
  YAML::Node root;
  YAML::Mark where;
};

// Throws YAML::Exception (ParserException with its mark) on a syntax error, as
// YAML::Load does, so callers keep their own messages for those; also on text that is
// not UTF-8 (raw bytes, or yaml-cpp's escapes \N and \_, which give single bytes).
YamlDocument load_yaml_document(const std::string& text);

}  // namespace lookout
