// Places in the community hierarchy (see shared/contract.md, "Places"):
//   district / subdistrict / community / grid / building     e.g. xc/hl/qy/g03/b12
// A path may stop early (xc/hl/qy is a whole community). Segments are [a-z0-9_-]{1,32}.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lookout/base/status.h"

namespace lookout {

enum class PlaceLevel { kDistrict = 1, kSubdistrict = 2, kCommunity = 3, kGrid = 4, kBuilding = 5 };
std::string_view place_level_name(PlaceLevel level);  // "district", ..., "building"

class PlacePath {
 public:
  static constexpr std::size_t kMaxDepth = 5;
  static constexpr std::size_t kMaxSegmentLength = 32;

  PlacePath() = default;  // the root: the whole area the engine serves
  // Rejects empty segments, bad characters, more than five levels, a leading or
  // trailing '/'. The message says which segment is wrong and why.
  static StatusOr<PlacePath> parse(std::string_view text);
  static bool is_valid_segment(std::string_view segment);

  const std::string& str() const { return text_; }
  std::size_t depth() const { return segments_.size(); }
  bool is_root() const { return segments_.empty(); }
  const std::vector<std::string>& segments() const { return segments_; }
  PlaceLevel level() const { return static_cast<PlaceLevel>(depth()); }  // not for the root
  // The place one level up (the root stays the root).
  PlacePath parent() const;
  // This path cut to at most `depth` levels.
  PlacePath truncated(std::size_t depth) const;
  // True when `ancestor` is this place or contains it.
  bool is_within(const PlacePath& ancestor) const;

  bool operator==(const PlacePath& other) const { return text_ == other.text_; }
  auto operator<=>(const PlacePath& other) const { return text_ <=> other.text_; }

 private:
  std::vector<std::string> segments_;
  std::string text_;
};

// A pattern over place paths, as plans write them:
//   xc/hl/qy          exactly that place
//   xc/hl/qy/**       that place and everything inside it
//   xc/hl/*/g03       '*' stands for exactly one segment
//   **                everywhere
// '**' may only be the last segment.
class PlacePattern {
 public:
  static StatusOr<PlacePattern> parse(std::string_view text);
  bool matches(const PlacePath& place) const;
  const std::string& str() const { return text_; }
  // The longest leading part without wildcards (for indexing): "xc/hl" for "xc/hl/*/g03".
  PlacePath literal_prefix() const;

 private:
  std::vector<std::string> segments_;
  bool open_ended_ = false;  // ends in "**"
  std::string text_;
};

}  // namespace lookout

template <>
struct std::hash<lookout::PlacePath> {
  std::size_t operator()(const lookout::PlacePath& p) const noexcept { return std::hash<std::string>()(p.str()); }
};
