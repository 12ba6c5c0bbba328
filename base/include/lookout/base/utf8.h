// UTF-8 well-formedness: every text the engine takes from outside (SenML, reports,
// registries, plans, scenarios) must be UTF-8, so that what is stored and published is.
#pragma once

#include <cstddef>
#include <string_view>

namespace lookout {

// Index of the first byte that does not belong to well-formed UTF-8 (overlong forms,
// surrogates and code points above U+10FFFF are ill-formed), or std::string_view::npos.
std::size_t find_invalid_utf8(std::string_view text);

inline bool is_valid_utf8(std::string_view text) { return find_invalid_utf8(text) == std::string_view::npos; }

}  // namespace lookout
