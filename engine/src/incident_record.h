// An incident's storage form: the JSON object in the incidents table (one per incident,
// keyed by its id). The engine reads every stored incident when it starts, so reading
// is on the restart's critical path (docs/benchmarks.md, "Store, restart and memory").
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string_view>

#include "lookout/base/status.h"
#include "lookout/engine/core.h"

namespace lookout::engine::detail {

// The record of `in`: an object with one member per field, written with dump().
nlohmann::json incident_to_store(const Incident& in);

// Reads a record, including records from older engines that lack the optional fields
// (their defaults: watch = place, level_since = updated, nothing acknowledged...).
// A record that is not valid JSON, lacks a required field, has a field of the wrong type
// or an unknown level or place: kCorruption saying what.
//
// Two readers, one result: the plain reader below takes the records as
// incident_to_store writes them (members in any order) without building a JSON
// document; anything else (an unknown or repeated member, a \u escape, a number or
// type it does not take, a corrupt record) goes to the full nlohmann::json reader,
// which decides, with the errors it always gave.
StatusOr<Incident> incident_from_store(std::string_view text);

// The plain reader alone: the incident, or nullopt when the record is not in the plain
// form (which says nothing about whether it is valid). What it returns is what the full
// reader returns for the same record (incident_record_test.cpp checks it).
std::optional<Incident> incident_from_plain_record(std::string_view text);

}  // namespace lookout::engine::detail
