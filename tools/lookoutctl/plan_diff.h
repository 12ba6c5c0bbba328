// What changed between two versions of a plan: a summary a coordinator reads (levels
// added or removed, conditions, alerts, places) and a unified diff of the text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lookout::ctl {

// A unified diff (3 lines of context) of `before` and `after`, line by line, with
// the given labels; empty when the texts are equal.
std::string unified_diff(std::string_view before, std::string_view after, const std::string& before_label,
                         const std::string& after_label);

// One line per meaningful change between two plan sources ("level II: condition
// smoke >= 0.15 / -> smoke >= 0.1 /"); empty when they mean the same. Sources that do
// not load give one line saying so.
std::vector<std::string> plan_changes(std::string_view before, std::string_view after);

}  // namespace lookout::ctl
