// A problem found in a file a person wrote (a plan, a registry, a configuration):
// where it is and what was expected there. Lines and columns count from 1; 0 means
// "the whole file" or "the whole line".
#pragma once

#include <string>
#include <vector>

namespace lookout {

struct Diagnostic {
  std::string file;
  int line = 0;
  int column = 0;
  std::string message;  // what is wrong and what was expected, e.g.
                        // "expected a warning level (I, II, III or IV), found \"V\""

  // "plans/fire.yaml:12:7: expected ..." (the compiler convention editors understand).
  std::string to_string() const;
  bool operator==(const Diagnostic&) const = default;
};

using Diagnostics = std::vector<Diagnostic>;

// All diagnostics, one per line.
std::string to_string(const Diagnostics& diagnostics);

}  // namespace lookout
