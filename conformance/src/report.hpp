#pragma once
// The reports of a run, each made from Results alone: the console table (people), JUnit
// XML (CI viewers), a plain XML document and JSON (--summary-json; the deviation
// meta-test reads it). Files are written with write_file_whole (file_output.hpp).

#include "drift.hpp"
#include "results.hpp"

#include "inspekt/core/file_output.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace inspekt::conformance {

struct RunSummary {
  std::string target; // base URL
  int requests_sent = 0;
  bool live = false;
  bool strict = false;
  std::chrono::system_clock::time_point started;
  std::chrono::microseconds elapsed{0};
  std::optional<DriftReport> drift; // with --drift: every report shows it
};

struct ConsoleStyle {
  bool compact = false;        // only the cases that did not pass, and the totals
  bool show_successes = false; // what was seen for passing cases too
  bool durations = false;
};

std::string console_report(const Results &results, const RunSummary &run, ConsoleStyle style);

// JUnit XML as CI viewers read it (Jenkins, GitLab, GitHub actions' test reporters):
// one <testsuite> whose counts add up to its <testcase>s; classname
// "inspekt-conformance.<LEVEL>"; a skip is <skipped message=...>; a failed MUST or
// SHOULD case is a <failure> whose type is its level, --strict or not (the exit code,
// not the report, says whether SHOULD failures count). With --drift, one testcase per
// aspect (classname "inspekt-conformance.drift"): one that differs or was not observed
// is <skipped> with both values, since drift never fails a run.
std::string junit_report(const Results &results, const RunSummary &run);
std::string xml_report(const Results &results, const RunSummary &run);
// {"target", "requests_sent", "strict", "totals": {...}, "cases": [...]}, and with
// --drift "drift" (the aspects that differ, [] when none) and "drift_aspects_compared".
std::string json_report(const Results &results, const RunSummary &run);

} // namespace inspekt::conformance
