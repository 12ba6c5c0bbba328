// Fuzz target: the SenML decoder (sensors/senml.h), as it gets what a sensor publishes on
// lookout/v1/sensors/<id>. Any input must give records or an error, never a crash, and
// accepted records must keep the promises of decode_senml(); the common-shape scanner
// and the general decoder must agree on it.
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "fuzz_support.h"
#include "lookout/base/time_format.h"
#include "lookout/sensors/senml.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace lookout;
  static const Time kNow = from_epoch_seconds(1.8e9);  // as senml_test.cpp
  const sensors::SenmlLimits limits;
  auto decoded = sensors::decode_senml(fuzz::as_text(data, size), kNow, limits);
  // The common-shape scanner and the general decoder agree on every input.
  auto general = sensors::internal::decode_senml_general(fuzz::as_text(data, size), kNow, limits);
  fuzz::check(decoded.is_ok() == general.is_ok(), "the scanner and the general decoder accept the same inputs",
              decoded.status().to_string() + " / " + general.status().to_string());
  if (decoded.is_ok()) {
    fuzz::check(decoded.value() == general.value(), "the scanner and the general decoder give the same records");
  } else {
    fuzz::check(decoded.status().to_string() == general.status().to_string(),
                "the scanner and the general decoder give the same error",
                decoded.status().to_string() + " / " + general.status().to_string());
  }
  if (!decoded.is_ok()) {
    fuzz::check(decoded.status().code() == Status::Code::kInvalidArgument, "a rejection is kInvalidArgument",
                decoded.status().to_string());
    fuzz::check(!decoded.status().message().empty(), "a rejection says why");
    return 0;
  }
  const auto& records = decoded.value();
  fuzz::check(!records.empty() && records.size() <= limits.max_records, "1..max_records records");
  for (const auto& r : records) {
    fuzz::check(!r.name.empty(), "a resolved name is never empty");
    const int values = int{r.value.has_value()} + int{r.bool_value.has_value()} + int{r.string_value.has_value()} +
                       int{r.data_value.has_value()};
    fuzz::check(values <= 1, "at most one of v, vb, vs, vd");
    fuzz::check(values == 1 || r.sum.has_value(), "a value or a sum");
    fuzz::check(!r.value || std::isfinite(*r.value), "values are finite");
    fuzz::check(!r.sum || std::isfinite(*r.sum), "sums are finite");
    fuzz::check(r.time >= kNow - limits.max_past && r.time <= kNow + limits.max_future, "time within the limits");
    fuzz::check(r.name.size() <= limits.max_string_bytes, "the resolved name within the string limit");
    fuzz::check(!r.string_value || r.string_value->size() <= limits.max_string_bytes, "vs within the string limit");
  }
  return 0;
}
