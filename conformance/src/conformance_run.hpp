#pragma once
// The whole of a conformance run, from parsed options to the reports written, as a
// library call: the program's main parses the command line and calls it, and tests can
// call it with their own streams. See docs/architecture.md ("a conformance case from the
// table to a report").

#include "run_options.hpp"

#include <ostream>

namespace inspekt::conformance {

struct RunStreams {
  std::ostream &out;            // the report (or the table beside a machine report)
  std::ostream &err;            // announcements, problems, the table beside a report on stdout
  bool err_is_terminal = false; // progress lines for --explore
};

// --list, --list --coverage, --list --live: prints and returns the exit code.
int run_listing(const RunOptions &options, std::ostream &out);
// Plans, runs and reports; returns the exit code (run_options.hpp).
int run_conformance(const RunOptions &options, const RunStreams &streams);

} // namespace inspekt::conformance
