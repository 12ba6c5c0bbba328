// The drill report, for coordinators after a drill: Markdown (for a chat or a ticket),
// JSON (for scripts and dashboards) and one self-contained HTML file with an SVG
// timeline — warning level over time, each alert, each assignment with its accept,
// arrive and done marks, escalations and unfilled roles in red — each expectation,
// passed or failed, with its evidence, and each assignment's response times (a live
// drill's are real people's). The HTML reads on a phone screen too.
//
// Every rendering is a pure function of the report: the same report gives the same
// bytes (drills are compared byte for byte across runs).
#pragma once

#include <string>

#include "lookout/drills/drill.h"

namespace date { class time_zone; }

namespace lookout::drills {

std::string to_markdown(const DrillReport& report);
std::string to_json(const DrillReport& report);   // pretty-printed, keys in a fixed order
std::string to_html(const DrillReport& report);

std::string to_markdown(const DrillSummary& summary);
std::string to_json(const DrillSummary& summary);

// "00:02:30": an offset from the drill's start (hours may exceed 24: "26:00:00").
std::string format_offset(Duration offset);

}  // namespace lookout::drills
