// SenML (RFC 8428) JSON decoding. The rules followed are cited by section number.
#include "lookout/sensors/senml.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <exception>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "lookout/base/time_format.h"
#include "json_util.h"
#include "text_util.h"

namespace lookout::sensors {

namespace {

using internal::describe;
using internal::quote;
using nlohmann::json;

// 4.5.3: a resolved time below 2^28 seconds is relative to the time of reception.
constexpr double kRelativeTimeBound = 268435456.0;
// 4.1: the version this decoder implements; a pack with a larger bver is refused.
constexpr double kSupportedVersion = 10;
// An update time (ut) beyond ten years is no real reporting period; the bound also
// keeps the conversion to Duration (int64 nanoseconds) from overflowing.
constexpr double kMaxUpdateTimeSeconds = 10.0 * 365 * 24 * 3600;

std::string record_prefix(std::size_t index) { return "record " + std::to_string(index) + ": "; }

Status record_error(std::size_t index, const std::string& what) {
  return Status::invalid_argument(record_prefix(index) + what);
}

// `field` may be an unknown label from the payload: quote() keeps it short.
Status field_error(std::size_t index, std::string_view field, const std::string& what) {
  return record_error(index, "field " + quote(field) + " " + what);
}

Status wrong_type(std::size_t index, std::string_view field, std::string_view expected, const json& found) {
  return field_error(index, field, "must be " + std::string(expected) + ", found " + describe(found));
}

double seconds_of(Duration d) { return std::chrono::duration<double>(d).count(); }

// Seconds to a Duration. Whole seconds and the fraction are converted apart: one
// multiplication of an epoch-sized value by 1e9 would round it by up to ~128 ns.
// `seconds` must be finite and within the range of Duration.
Duration to_duration(double seconds) {
  const double whole = std::floor(seconds);
  return std::chrono::seconds(static_cast<std::int64_t>(whole)) +
         std::chrono::duration_cast<Duration>(std::chrono::duration<double>(seconds - whole));
}

// A record's fields as written, before base-field resolution.
struct RawRecord {
  std::optional<std::string> bn, bu, n, u, vs, vd;
  std::optional<double> bt, bv, bs, v, s, t, ut;
  std::optional<bool> vb;
};

// Reads the fields of the record `index` (1-based) into `out`, checking types.
Status read_fields(const json& record, std::size_t index, const SenmlLimits& limits, RawRecord& out) {
  for (const auto& item : record.items()) {
    // Named references, not a structured binding: the lambdas below use them, and
    // clang before 16 cannot capture structured bindings.
    const std::string& key = item.key();
    const json& value = item.value();
    auto string_field = [&](std::optional<std::string>& slot) -> Status {
      if (!value.is_string()) return wrong_type(index, key, "a string", value);
      const auto& s = value.get_ref<const std::string&>();
      if (s.size() > limits.max_string_bytes) {
        return field_error(index, key,
                           "is " + std::to_string(s.size()) + " bytes long; at most " +
                               std::to_string(limits.max_string_bytes) + " are accepted");
      }
      slot = s;
      return Status::ok();
    };
    auto number_field = [&](std::optional<double>& slot) -> Status {
      if (!value.is_number()) return wrong_type(index, key, "a number", value);
      double d = value.get<double>();
      if (!std::isfinite(d)) return field_error(index, key, "must be a finite number");
      slot = d;
      return Status::ok();
    };

    Status st;
    if (key == "bn") {
      st = string_field(out.bn);
    } else if (key == "bu") {
      st = string_field(out.bu);
    } else if (key == "n") {
      st = string_field(out.n);
    } else if (key == "u") {
      st = string_field(out.u);
    } else if (key == "vs") {
      st = string_field(out.vs);
    } else if (key == "vd") {
      st = string_field(out.vd);
    } else if (key == "bt") {
      st = number_field(out.bt);
    } else if (key == "bv") {
      st = number_field(out.bv);
    } else if (key == "bs") {
      st = number_field(out.bs);
    } else if (key == "v") {
      st = number_field(out.v);
    } else if (key == "s") {
      st = number_field(out.s);
    } else if (key == "t") {
      st = number_field(out.t);
    } else if (key == "ut") {
      st = number_field(out.ut);
    } else if (key == "vb") {
      if (!value.is_boolean()) return wrong_type(index, key, "a boolean (true or false)", value);
      out.vb = value.get<bool>();
    } else if (key == "bver") {
      // 4.1: bver is a positive integer; a reader must not use a pack of a later version.
      if (!value.is_number()) return wrong_type(index, key, "a positive integer", value);
      double version = value.get<double>();
      if (!std::isfinite(version) || version < 1 || version != std::floor(version)) {
        return field_error(index, key, "must be a positive integer, found " + value.dump());
      }
      if (version > kSupportedVersion) {
        return field_error(index, key, "is " + value.dump() + "; this decoder understands SenML versions up to 10");
      }
    } else if (!key.empty() && key.back() == '_') {
      // 4.4: labels ending in '_' must be understood; refuse the whole pack.
      return field_error(index, key, "ends in '_' and so must be understood (RFC 8428 4.4), but is not supported");
    }
    // Any other label is an extension this decoder may ignore (4.4).
    if (!st) return st;
  }
  return Status::ok();
}

// base64url (RFC 4648 section 5) without padding, as RFC 8428 section 5 requires for vd.
bool is_base64url(std::string_view s) {
  if (s.size() % 4 == 1) return false;  // no unpadded base64 text has this length
  for (char c : s) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

// The base fields in force (4.1: each persists until a later record replaces it).
struct BaseFields {
  std::string name;
  std::string unit;
  double time = 0;
  double value = 0;
  double sum = 0;
};

// Resolves `raw` into `rec`, every field of which it sets (so a record reused from an
// earlier payload keeps nothing of it, only its strings' capacity). `Raw` is RawRecord
// (the general decoder's fields, copied out of the document) or RawView (the scanner's,
// views into the payload).
template <typename Raw>
Status resolve(const Raw& raw, const BaseFields& base, std::size_t index, Time now, const SenmlLimits& limits,
               SenmlRecord& rec) {

  // 4.5.1: name = bn + n; the result must be non-empty and use the restricted set.
  if (raw.n) {
    rec.local_name.assign(raw.n->data(), raw.n->size());
  } else {
    rec.local_name.clear();
  }
  rec.name.assign(base.name).append(rec.local_name);
  if (rec.name.empty()) {
    return record_error(index, "has no name; expected \"n\", or \"bn\" in this or an earlier record");
  }
  if (rec.name.size() > limits.max_string_bytes) {
    return record_error(index, "the name (bn + n) is " + std::to_string(rec.name.size()) + " bytes long; at most " +
                                   std::to_string(limits.max_string_bytes) + " are accepted");
  }
  if (auto bad = internal::find_bad_senml_name_char(rec.name); bad != internal::kNoPosition) {
    std::string what =
        bad == 0 ? "must start with a letter or a digit"
                 : "has " + internal::describe_char(rec.name[bad]) + " at position " + std::to_string(bad + 1);
    return record_error(index, "the name (bn + n) " + quote(rec.name) + " " + what +
                                   "; names use only A-Z a-z 0-9 - : . / _ (RFC 8428 4.5.1)");
  }

  // 4.2: exactly one value field, unless there is a sum, which may stand alone.
  std::string_view values[4];
  std::size_t value_count = 0;
  if (raw.v) values[value_count++] = "v";
  if (raw.vb) values[value_count++] = "vb";
  if (raw.vs) values[value_count++] = "vs";
  if (raw.vd) values[value_count++] = "vd";
  if (value_count > 1) {
    return record_error(index, "has both \"" + std::string(values[0]) + "\" and \"" + std::string(values[1]) +
                                   "\"; expected exactly one of v, vb, vs, vd");
  }
  if (value_count == 0 && !raw.s) return record_error(index, "has no value; expected one of v, vb, vs, vd, or a sum s");

  rec.value.reset();
  rec.sum.reset();
  rec.data_value.reset();
  rec.update_time.reset();
  if (raw.v) {
    double v = base.value + *raw.v;  // 4.1: bv is added to v
    if (!std::isfinite(v)) return field_error(index, "v", "plus the base value bv is not a finite number");
    rec.value = v;
  }
  if (raw.s) {
    double s = base.sum + *raw.s;  // 4.1: bs is added to s
    if (!std::isfinite(s)) return field_error(index, "s", "plus the base sum bs is not a finite number");
    rec.sum = s;
  }
  rec.bool_value = raw.vb;
  if (raw.vs) {
    rec.string_value.emplace(*raw.vs);
  } else {
    rec.string_value.reset();
  }
  if (raw.vd) {
    if (!is_base64url(*raw.vd)) {
      return field_error(index, "vd",
                         "must be base64url text without padding (A-Z a-z 0-9 - _), found " + quote(*raw.vd));
    }
    rec.data_value.emplace(*raw.vd);
  }

  if (raw.u) {  // 4.1: u, if present, overrides bu
    rec.unit.assign(raw.u->data(), raw.u->size());
  } else {
    rec.unit.assign(base.unit);
  }

  // 4.5.3: time = bt + t (t defaults to 0, so no time at all means "now"); below 2^28
  // it counts from now, and may be negative (in the past).
  double t = base.time + raw.t.value_or(0);
  if (!std::isfinite(t)) return field_error(index, "t", "plus the base time bt is not a finite number");
  const bool relative = t < kRelativeTimeBound;
  const double now_s = to_epoch_seconds(now);
  const double offset = relative ? t : t - now_s;  // seconds after now
  const double max_future = seconds_of(limits.max_future);
  const double max_past = seconds_of(limits.max_past);
  if (offset > max_future || offset < -max_past) {
    std::string where = offset > 0 ? internal::format_number(offset) + " s after now; at most " +
                                         internal::format_number(max_future) + " s after now is accepted"
                                   : internal::format_number(-offset) + " s before now; at most " +
                                         internal::format_number(max_past) + " s before now is accepted";
    return record_error(index, std::string("the time (bt + t = ") + internal::format_number(t) +
                                   (relative ? ", relative to now" : "") + ") is " + where);
  }
  rec.time = relative ? now + to_duration(t) : Time(to_duration(t));

  if (raw.ut) {
    if (*raw.ut < 0 || *raw.ut > kMaxUpdateTimeSeconds) {
      return field_error(index, "ut",
                         "must be a number of seconds from 0 to " + internal::format_number(kMaxUpdateTimeSeconds) +
                             ", found " + internal::format_number(*raw.ut));
    }
    rec.update_time = to_duration(*raw.ut);
  }
  return Status::ok();
}

// 4.1: the record's base fields apply to it and to the ones after it, until replaced;
// then the record is resolved into out[count], reusing that element if there is one,
// and `count` grows by one.
template <typename Raw>
Status apply_record(const Raw& raw, BaseFields& base, std::size_t index, Time now, const SenmlLimits& limits,
                    std::vector<SenmlRecord>& out, std::size_t& count) {
  if (raw.bn) base.name.assign(raw.bn->data(), raw.bn->size());
  if (raw.bu) base.unit.assign(raw.bu->data(), raw.bu->size());
  if (raw.bt) base.time = *raw.bt;
  if (raw.bv) base.value = *raw.bv;
  if (raw.bs) base.sum = *raw.bs;
  if (count == out.size()) out.emplace_back();
  if (Status st = resolve(raw, base, index, now, limits, out[count]); !st) return st;
  ++count;
  return Status::ok();
}

// ---------------------------------------------------------------- the common shapes
//
// What sensors send nearly always: a pack (or one record) of flat records whose labels
// are the known ones, each once, with printable-ASCII strings without escapes, numbers
// and booleans. For that shape, scan_common() reads the fields straight from the text
// into RawRecords, without building a JSON document (which was about three quarters of
// the engine's cost per reading: docs/benchmarks.md). Anything else, including every
// input that is wrong in any way, makes it give up, and the general decoder below
// decides, with its exact errors; so both give the same result for every input
// (senml_test.cpp and the SenML fuzz target compare them).

// A record's fields as written, viewed in the payload (no escapes to undo).
struct RawView {
  std::optional<std::string_view> bn, bu, n, u, vs, vd;
  std::optional<double> bt, bv, bs, v, s, t, ut;
  std::optional<bool> vb;
};

class CommonShapeScanner {
 public:
  CommonShapeScanner(std::string_view text, const SenmlLimits& limits)
      : p_(text.data()), end_(text.data() + text.size()), limits_(limits) {}

  // Calls on_record(const RawView&) for each record as it is read, and returns true if
  // the whole text is in the common shape and every call returned true.
  template <typename OnRecord>
  bool scan(OnRecord&& on_record) {
    skip_ws();
    if (p_ == end_) return false;
    std::size_t records = 0;
    if (*p_ == '{') {
      RawView raw;
      if (!record(raw) || !on_record(raw)) return false;
    } else if (*p_ == '[') {
      ++p_;
      skip_ws();
      if (p_ == end_ || *p_ == ']') return false;  // empty or cut short: the general path says which
      for (;;) {
        if (records++ == limits_.max_records) return false;
        skip_ws();
        RawView raw;
        if (!record(raw) || !on_record(raw)) return false;
        skip_ws();
        if (p_ == end_) return false;
        if (*p_ == ']') {
          ++p_;
          break;
        }
        if (*p_ != ',') return false;
        ++p_;
      }
    } else {
      return false;
    }
    skip_ws();
    return p_ == end_;
  }

 private:
  enum Field : unsigned {
    kBn, kBu, kN, kU, kVs, kVd, kBt, kBv, kBs, kV, kS, kT, kUt, kVb, kUnknown
  };

  static Field field_of(std::string_view key) {
    switch (key.size()) {
      case 1:
        switch (key[0]) {
          case 'n': return kN;
          case 'u': return kU;
          case 'v': return kV;
          case 's': return kS;
          case 't': return kT;
          default: return kUnknown;
        }
      case 2:
        if (key == "bn") return kBn;
        if (key == "bu") return kBu;
        if (key == "vs") return kVs;
        if (key == "vd") return kVd;
        if (key == "bt") return kBt;
        if (key == "bv") return kBv;
        if (key == "bs") return kBs;
        if (key == "ut") return kUt;
        if (key == "vb") return kVb;
        return kUnknown;
      default:
        return kUnknown;  // bver, extensions, must-understand labels: the general path
    }
  }

  void skip_ws() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  // A string of printable ASCII without escapes, within the string limit.
  bool string(std::string_view& out) {
    if (p_ == end_ || *p_ != '"') return false;
    const char* start = ++p_;
    while (p_ != end_ && *p_ != '"') {
      const auto c = static_cast<unsigned char>(*p_);
      if (c < 0x20 || c > 0x7e || c == '\\') return false;
      ++p_;
    }
    if (p_ == end_) return false;
    out = std::string_view(start, static_cast<std::size_t>(p_ - start));
    ++p_;
    return out.size() <= limits_.max_string_bytes;
  }

  // A JSON number (RFC 8259 grammar), read as nlohmann reads it: an integer token as a
  // 64-bit integer converted to double, anything else as a correctly rounded double.
  // Out of range: the general path (it rejects what is not finite).
  bool number(double& out) {
    const char* start = p_;
    if (p_ != end_ && *p_ == '-') ++p_;
    if (p_ == end_) return false;
    if (*p_ == '0') {
      ++p_;
    } else if (*p_ >= '1' && *p_ <= '9') {
      while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    } else {
      return false;
    }
    bool integer = true;
    if (p_ != end_ && *p_ == '.') {
      integer = false;
      ++p_;
      if (p_ == end_ || *p_ < '0' || *p_ > '9') return false;
      while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      integer = false;
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || *p_ < '0' || *p_ > '9') return false;
      while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    }
    if (integer) {
      if (*start == '-') {
        std::int64_t i = 0;
        auto [q, ec] = std::from_chars(start, p_, i);
        if (ec != std::errc() || q != p_) return false;
        out = static_cast<double>(i);
      } else {
        std::uint64_t u = 0;
        auto [q, ec] = std::from_chars(start, p_, u);
        if (ec != std::errc() || q != p_) return false;
        out = static_cast<double>(u);
      }
      return true;
    }
    auto [q, ec] = std::from_chars(start, p_, out);
    return ec == std::errc() && q == p_ && std::isfinite(out);
  }

  bool literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) return false;
    p_ += word.size();
    return true;
  }

  bool record(RawView& raw) {
    if (p_ == end_ || *p_ != '{') return false;
    ++p_;
    skip_ws();
    if (p_ != end_ && *p_ == '}') {
      ++p_;
      return true;
    }
    unsigned seen = 0;
    for (;;) {
      skip_ws();
      std::string_view key;
      if (!string(key)) return false;
      const Field field = field_of(key);
      if (field == kUnknown || (seen & (1u << field)) != 0) return false;
      seen |= 1u << field;
      skip_ws();
      if (p_ == end_ || *p_ != ':') return false;
      ++p_;
      skip_ws();
      if (!value(field, raw)) return false;
      skip_ws();
      if (p_ == end_) return false;
      if (*p_ == '}') {
        ++p_;
        return true;
      }
      if (*p_ != ',') return false;
      ++p_;
    }
  }

  bool value(Field field, RawView& raw) {
    auto text = [&](std::optional<std::string_view>& slot) {
      std::string_view s;
      if (!string(s)) return false;
      slot = s;
      return true;
    };
    auto num = [&](std::optional<double>& slot) {
      double d = 0;
      if (!number(d)) return false;
      slot = d;
      return true;
    };
    switch (field) {
      case kBn: return text(raw.bn);
      case kBu: return text(raw.bu);
      case kN: return text(raw.n);
      case kU: return text(raw.u);
      case kVs: return text(raw.vs);
      case kVd: return text(raw.vd);
      case kBt: return num(raw.bt);
      case kBv: return num(raw.bv);
      case kBs: return num(raw.bs);
      case kV: return num(raw.v);
      case kS: return num(raw.s);
      case kT: return num(raw.t);
      case kUt: return num(raw.ut);
      case kVb:
        if (literal("true")) {
          raw.vb = true;
        } else if (literal("false")) {
          raw.vb = false;
        } else {
          return false;
        }
        return true;
      case kUnknown: break;
    }
    return false;
  }

  const char* p_;
  const char* end_;
  const SenmlLimits& limits_;
};

// Decodes a payload of the common shape into `out` and returns true; false when the
// general decoder must decide (another shape, or anything wrong with it: the general
// decoder then finds the error, and finds it where it would have without this path).
bool decode_common(std::string_view payload, Time now, const SenmlLimits& limits, std::vector<SenmlRecord>& out) {
  if (payload.size() > limits.max_payload_bytes) return false;
  BaseFields base;
  std::size_t count = 0;
  const bool ok = CommonShapeScanner(payload, limits).scan([&](const RawView& raw) {
    return apply_record(raw, base, count + 1, now, limits, out, count).is_ok();
  });
  if (!ok) return false;
  out.resize(count);
  return true;
}

// Finds the first field that appears twice within one record while parsing; the
// parsed document keeps only one of them, and a record whose "v" could mean either of
// two values must not be guessed at.
class DuplicateFieldFinder {
 public:
  bool on_event(int depth, json::parse_event_t event, const json& parsed) {
    using E = json::parse_event_t;
    if (depth == 0 && event == E::array_start) {
      record_depth_ = 1;
      return true;
    }
    if (depth == record_depth_ && (event == E::object_start || event == E::array_start || event == E::value)) {
      ++record_index_;  // every element counts, so the numbers match the records'
      seen_.clear();
    } else if (event == E::key && depth == record_depth_ + 1 && !duplicate_ && parsed.is_string()) {
      const auto& key = parsed.get_ref<const std::string&>();
      if (!seen_.insert(key).second) duplicate_ = std::make_pair(record_index_, key);
    }
    return true;  // keep everything
  }
  const std::optional<std::pair<std::size_t, std::string>>& duplicate() const { return duplicate_; }

 private:
  int record_depth_ = 0;  // 0 for a lone record, 1 for records in a pack
  std::size_t record_index_ = 0;
  std::set<std::string> seen_;
  std::optional<std::pair<std::size_t, std::string>> duplicate_;
};

// nlohmann's what() starts with "[json.exception.parse_error.101] "; drop that.
std::string parse_error_text(const std::exception& e) {
  std::string text = e.what();
  if (!text.empty() && text[0] == '[') {
    if (auto close = text.find("] "); close != std::string::npos) text.erase(0, close + 2);
  }
  return text;
}

StatusOr<std::vector<SenmlRecord>> decode(std::string_view payload, Time now, const SenmlLimits& limits) {
  if (payload.size() > limits.max_payload_bytes) {
    return Status::invalid_argument("the payload is " + std::to_string(payload.size()) + " bytes; at most " +
                                    std::to_string(limits.max_payload_bytes) + " are accepted");
  }

  json doc;
  DuplicateFieldFinder duplicates;
  try {
    doc =
        json::parse(payload.begin(), payload.end(), [&duplicates](int depth, json::parse_event_t event, json& parsed) {
          return duplicates.on_event(depth, event, parsed);
        });
  } catch (const json::exception& e) {
    // Also covers ill-formed UTF-8 in strings and numbers too large for a double.
    return Status::invalid_argument("the payload is not valid UTF-8 JSON: " + parse_error_text(e));
  }

  std::vector<const json*> records;
  if (doc.is_object()) {
    records.push_back(&doc);
  } else if (doc.is_array()) {
    for (const auto& element : doc) records.push_back(&element);
  } else {
    return Status::invalid_argument(
        "expected a SenML pack (a JSON array of records) or one record (a JSON object), found " + describe(doc));
  }
  if (records.empty()) return Status::invalid_argument("the SenML pack is empty; expected at least one record");
  if (records.size() > limits.max_records) {
    return Status::invalid_argument("the SenML pack has " + std::to_string(records.size()) + " records; at most " +
                                    std::to_string(limits.max_records) + " are accepted");
  }

  std::vector<SenmlRecord> out;
  out.reserve(records.size());
  std::size_t count = 0;
  BaseFields base;
  for (std::size_t i = 0; i < records.size(); ++i) {
    const std::size_t index = i + 1;
    const json& record = *records[i];
    if (!record.is_object()) {
      return record_error(index, "expected an object (a SenML record), found " + describe(record));
    }
    if (duplicates.duplicate() && duplicates.duplicate()->first == index) {
      return field_error(index, duplicates.duplicate()->second, "appears more than once; expected it at most once");
    }
    RawRecord raw;
    if (Status st = read_fields(record, index, limits, raw); !st) return st;
    if (Status st = apply_record(raw, base, index, now, limits, out, count); !st) return st;
  }
  return out;
}

}  // namespace

StatusOr<std::vector<SenmlRecord>> decode_senml(std::string_view payload, Time now, const SenmlLimits& limits) {
  std::vector<SenmlRecord> out;
  if (Status st = decode_senml_into(payload, now, out, limits); !st) return st;
  return out;
}

Status decode_senml_into(std::string_view payload, Time now, std::vector<SenmlRecord>& out,
                         const SenmlLimits& limits) {
  try {
    if (decode_common(payload, now, limits, out)) return Status::ok();
    auto general = decode(payload, now, limits);
    if (!general) {
      out.clear();
      return general.status();
    }
    out = std::move(general).value();
    return Status::ok();
  } catch (const std::exception& e) {
    // Not expected (types are checked before every access); never let it escape.
    out.clear();
    return Status::internal(std::string("decoding SenML: ") + e.what());
  }
}

namespace internal {

StatusOr<std::vector<SenmlRecord>> decode_senml_general(std::string_view payload, Time now, const SenmlLimits& limits) {
  try {
    return decode(payload, now, limits);
  } catch (const std::exception& e) {
    return Status::internal(std::string("decoding SenML: ") + e.what());
  }
}

bool senml_common_shape(std::string_view payload, const SenmlLimits& limits) {
  if (payload.size() > limits.max_payload_bytes) return false;
  return CommonShapeScanner(payload, limits).scan([](const RawView&) { return true; });
}

}  // namespace internal

}  // namespace lookout::sensors
