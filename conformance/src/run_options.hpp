#pragma once
// Everything a run of inspekt-conformance is asked to do, as one value, and the one
// place that registers its flags (add_run_options): a new flag is a member here and a
// line there.

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace CLI {
class App;
}

namespace inspekt::conformance {

// One exit code per outcome of a run; exit_code_table() prints them for --help.
inline constexpr int exit_pass = 0;
inline constexpr int exit_failed = 1;      // a MUST case failed (or a SHOULD one, with --strict)
inline constexpr int exit_usage = 2;       // bad flag, case id or tag; no key; unwritable report
inline constexpr int exit_unreachable = 3; // the target could not be reached or trusted
std::string exit_code_table();

enum class Reporter { console, compact, junit, xml, json };
std::string_view to_string(Reporter reporter);
// The names --reporter accepts, in the order --help lists them.
const std::vector<std::string> &reporter_names();

struct RunOptions {
  // The target.
  std::string base_url; // empty: a mock started in this process
  bool live = false;
  std::optional<int> max_requests;    // live default: live_max_requests (run_plan.hpp)
  std::optional<int> min_interval_ms; // live default and floor: live_min_interval
  std::string ca_file;
  int timeout_ms = 10000;
  std::string fixtures_dir;  // for the in-process mock, and what --drift compares with
  std::string fixture_patch; // a patch over that set (a deviation, or one drift wrote)
  // What runs.
  std::vector<std::string> case_ids; // --case
  std::vector<std::string> tags;     // --tag
  std::vector<std::string> specs;    // positional: ids, globs, [tag], ~exclusions
  bool list = false;
  bool coverage = false; // with --list: the model's classes and the case covering each
  bool strict = false;
  // --explore N: N seeded points of the request model instead of the cases.
  std::uint64_t explore = 0;
  std::uint64_t seed = 1;
  bool explore_live = false; // allows --explore against a live target, within the budget
  // What is written.
  Reporter reporter = Reporter::console;
  std::string out_file; // -o: the report goes here, the console table to stdout
  std::string summary_json;
  bool show_successes = false; // -s: what was seen for passing cases too
  bool durations = false;      // -d yes
  // Drift (docs/conformance.md): the target beside the fixtures in use.
  bool drift = false;
  std::string write_fixture_patch; // implies drift
};

// Registers every flag of inspekt-conformance on `app`, writing into `options`.
void add_run_options(CLI::App &app, RunOptions &options);

} // namespace inspekt::conformance
