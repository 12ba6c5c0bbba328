// CAP 1.2 (OASIS Common Alerting Protocol v1.2) alerts: the model, validation against
// the standard's required elements and enumerations, and the two renderings the
// contract names: JSON (one key per CAP element, CAP's own names and value formats)
// and XML (namespace urn:oasis:names:tc:emergency:cap:1.2, schema element order).
// Profile: docs/cap.md.
//
// Thread-safety: values and pure functions.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "lookout/base/clock.h"
#include "lookout/base/status.h"

namespace date { class time_zone; }

namespace lookout::cap {

struct Point {
  double lat = 0;
  double lon = 0;
};

struct Circle {
  Point center;
  double radius_km = 0;
};

using NameValue = std::pair<std::string, std::string>;  // CAP valueName / value

struct Area {
  std::string area_desc;                    // required
  std::vector<std::vector<Point>> polygons; // each a closed ring of >= 4 points
  std::vector<Circle> circles;
  std::vector<NameValue> geocodes;
};

struct Info {
  std::string language = "en-US";
  std::vector<std::string> categories;      // required, >= 1: Geo Met Safety Security Rescue Fire Health Env Transport Infra CBRNE Other
  std::string event;                        // required
  std::vector<std::string> response_types;  // Shelter Evacuate Prepare Execute Avoid Monitor Assess AllClear None
  std::string urgency;                      // required: Immediate Expected Future Past Unknown
  std::string severity;                     // required: Extreme Severe Moderate Minor Unknown
  std::string certainty;                    // required: Observed Likely Possible Unlikely Unknown
  std::string audience;
  std::optional<Time> effective;
  std::optional<Time> expires;
  std::string sender_name;
  std::string headline;
  std::string description;
  std::string instruction;
  std::string web;
  std::string contact;
  std::vector<NameValue> parameters;
  std::vector<Area> areas;
};

struct Alert {
  std::string identifier;                // required; no spaces, commas, '<' or '&'
  std::string sender;                    // required; same character rules
  Time sent;                             // required; rendered with the zone's offset
  std::string status;                    // required: Actual Exercise System Test Draft
  std::string msg_type;                  // required: Alert Update Cancel Ack Error
  std::string source;
  std::string scope = "Public";          // required: Public Restricted Private
  std::string restriction;               // required when scope is Restricted
  std::string addresses;                 // required when scope is Private
  std::string note;
  std::vector<std::string> references;   // each "sender,identifier,sent" (see reference())
  std::vector<std::string> incidents;    // incident ids
  std::vector<Info> infos;
};

// "sender,identifier,sent": one entry of CAP's references list.
std::string reference(const Alert& earlier, const date::time_zone* zone);

// OK, or kInvalidArgument naming the first element that breaks CAP 1.2 (missing
// required element, value outside an enumeration, identifier with a forbidden
// character, polygon not closed or with fewer than 4 points, latitude/longitude out
// of range, Update/Cancel without references, ...).
Status validate(const Alert& alert);

// JSON rendering: {"identifier":..,"sender":..,"sent":"2026-11-21T21:04:05+08:00",
// "status":..,"msgType":..,"scope":..,"note":..,"references":"a,b,c d,e,f",
// "incidents":"inc-1","info":[{"language":..,"category":[..],"event":..,
// "responseType":[..],"urgency":..,"severity":..,"certainty":..,"headline":..,
// "description":..,"instruction":..,"parameter":[{"valueName":..,"value":..}],
// "area":[{"areaDesc":..,"polygon":["lat,lon lat,lon .."],"circle":["lat,lon r"],
// "geocode":[{"valueName":..,"value":..}]}]}]}. Optional elements that are empty are
// left out. Times in `zone`.
std::string to_json(const Alert& alert, const date::time_zone* zone);

// The same alert as a CAP 1.2 XML document (UTF-8, with XML declaration).
std::string to_xml(const Alert& alert, const date::time_zone* zone);

}  // namespace lookout::cap
