#pragma once
// The programs' one front door for command-line mistakes (inspekt-mock,
// inspekt-conformance, inspekt-auth): the same ids, the same "did you mean", the same
// two lines on stderr and the same exit code. Free of CLI11 so that the installed client
// headers do not need it; each program hands its parser's findings in as strings.

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace inspekt {

// The exit code of every usage mistake, in every program.
inline constexpr int exit_bad_usage = 2;

// A flag's name as typed, before any "=value"; none when it does not look like a flag
// name (a secret passed as "--sk_live..." must not be echoed).
std::optional<std::string> shown_flag_name(std::string_view arg);

// "[usage.unknown-flag] unknown flag '--prot' (did you mean '--port'?)", for `arg` (a
// flag no option took); `where` (e.g. " for login") follows the name. The name is shown
// only when shown_flag_name() allows it. `flags` are the long names known there.
std::string unknown_flag_problem(std::string_view arg, const std::vector<std::string> &flags,
                                 std::string_view where = {});

// The first problem among the arguments no option took, for a program without
// subcommands: an unknown flag (named, with the nearest known one), else a stray
// argument (never shown: it could be a secret), said by `stray`. None when empty.
std::optional<std::string> extra_arguments_problem(const std::vector<std::string> &extras,
                                                   const std::vector<std::string> &flags,
                                                   std::string_view stray);

// A parse error of the command-line parser, `kind` its class (CLI11's get_name():
// "ValidationError", "ArgumentMismatch", ...) and `message` its text, with an id:
// [usage.bad-value], [usage.missing-value], [usage.conflict], [usage.required].
std::string parse_error_problem(std::string_view kind, std::string_view message);

// Value checks in the parser's convention: empty when `value` is fine, else what is
// wrong with it (the parser puts the flag's name in front).
std::string port_number_problem(const std::string &value);
std::string whole_number_problem(const std::string &value, long long lowest, long long highest);
// A seed: any 64-bit unsigned number (0 to 18446744073709551615), with no sign.
std::string seed_problem(const std::string &value);

// "PROGRAM: PROBLEM\nRun 'HELP' for its flags.\n" on `err`; returns exit_bad_usage.
// `help` is the command that shows the flags concerned ("inspekt-auth login --help").
int report_usage_problem(std::ostream &err, std::string_view program, std::string_view problem,
                         std::string_view help);

// The long names ("--port") of a parser's options; `App` is a CLI::App (a template, so
// that this header does not include CLI11).
template <class App> std::vector<std::string> long_flag_names(const App &app) {
  std::vector<std::string> names;
  for (const auto *option : app.get_options()) {
    for (const auto &name : option->get_lnames()) {
      names.push_back("--" + name);
    }
  }
  return names;
}

} // namespace inspekt
