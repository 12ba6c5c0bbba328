#include "lookout/base/place.h"

namespace lookout {

std::string_view place_level_name(PlaceLevel level) {
  switch (level) {
    case PlaceLevel::kDistrict: return "district";
    case PlaceLevel::kSubdistrict: return "subdistrict";
    case PlaceLevel::kCommunity: return "community";
    case PlaceLevel::kGrid: return "grid";
    case PlaceLevel::kBuilding: return "building";
  }
  return "place";
}

bool PlacePath::is_valid_segment(std::string_view s) {
  if (s.empty() || s.size() > kMaxSegmentLength) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

namespace {
std::vector<std::string_view> split(std::string_view text) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    auto slash = text.find('/', start);
    parts.push_back(text.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return parts;
}
}  // namespace

StatusOr<PlacePath> PlacePath::parse(std::string_view text) {
  if (text.empty()) return Status::invalid_argument("a place path is empty; expected e.g. xc/hl/qy/g03/b12");
  auto parts = split(text);
  if (parts.size() > kMaxDepth) {
    return Status::invalid_argument("place path \"" + std::string(text) + "\" has " + std::to_string(parts.size()) +
                                    " levels; at most 5 (district/subdistrict/community/grid/building)");
  }
  PlacePath path;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (!is_valid_segment(parts[i])) {
      return Status::invalid_argument("place path \"" + std::string(text) + "\": segment " + std::to_string(i + 1) +
                                      (parts[i].empty() ? " is empty" : " \"" + std::string(parts[i]) + "\" is not") +
                                      "; expected 1 to 32 of a-z, 0-9, '_' or '-'");
    }
    path.segments_.emplace_back(parts[i]);
  }
  path.text_ = std::string(text);
  return path;
}

PlacePath PlacePath::parent() const { return truncated(depth() == 0 ? 0 : depth() - 1); }

PlacePath PlacePath::truncated(std::size_t d) const {
  if (d >= depth()) return *this;
  PlacePath p;
  for (std::size_t i = 0; i < d; ++i) {
    if (i) p.text_ += '/';
    p.text_ += segments_[i];
    p.segments_.push_back(segments_[i]);
  }
  return p;
}

bool PlacePath::is_within(const PlacePath& ancestor) const {
  if (ancestor.depth() > depth()) return false;
  for (std::size_t i = 0; i < ancestor.depth(); ++i) {
    if (segments_[i] != ancestor.segments_[i]) return false;
  }
  return true;
}

StatusOr<PlacePattern> PlacePattern::parse(std::string_view text) {
  if (text.empty()) return Status::invalid_argument("a place pattern is empty; expected e.g. xc/hl/qy/** or xc/hl/*/g03");
  auto parts = split(text);
  PlacePattern p;
  p.text_ = std::string(text);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    auto s = parts[i];
    if (s == "**") {
      if (i + 1 != parts.size()) {
        return Status::invalid_argument("place pattern \"" + p.text_ + "\": '**' may only be the last segment");
      }
      p.open_ended_ = true;
      break;
    }
    if (s != "*" && !PlacePath::is_valid_segment(s)) {
      return Status::invalid_argument("place pattern \"" + p.text_ + "\": segment " + std::to_string(i + 1) + " \"" +
                                      std::string(s) + "\" is not a place segment (a-z, 0-9, '_', '-'), '*' or '**'");
    }
    p.segments_.emplace_back(s);
  }
  if (p.segments_.size() > PlacePath::kMaxDepth) {
    return Status::invalid_argument("place pattern \"" + p.text_ + "\" has more than 5 levels");
  }
  return p;
}

bool PlacePattern::matches(const PlacePath& place) const {
  const auto& segs = place.segments();
  if (segs.size() < segments_.size()) return false;
  if (!open_ended_ && segs.size() != segments_.size()) return false;
  for (std::size_t i = 0; i < segments_.size(); ++i) {
    if (segments_[i] != "*" && segments_[i] != segs[i]) return false;
  }
  return true;
}

PlacePath PlacePattern::literal_prefix() const {
  std::string text;
  std::size_t i = 0;
  for (; i < segments_.size() && segments_[i] != "*"; ++i) {
    if (i) text += '/';
    text += segments_[i];
  }
  if (i == 0) return PlacePath();
  return PlacePath::parse(text).value();
}

}  // namespace lookout
