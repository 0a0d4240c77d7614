#include "inspekt/core/cli_errors.hpp"

#include "inspekt/core/closest_name.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ostream>

namespace inspekt {
namespace {

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// The option a parser's message names first ("--port: ..."), if it does.
std::string_view named_option(std::string_view message) {
  const auto colon = message.find(": ");
  if (colon == std::string_view::npos || !starts_with(message, "-")) {
    return {};
  }
  return message.substr(0, colon);
}

// The value quoted, when short and printable; a long one is cut, so that one line stays
// one line. Not named quoted: for a std::string argument std::quoted (<iomanip>, which
// nlohmann/json.hpp includes) is the better match by argument-dependent lookup.
std::string quoted_value(std::string_view value) {
  std::string out;
  for (const char c : value.substr(0, 40)) {
    out += std::isprint(static_cast<unsigned char>(c)) != 0 ? c : '?';
  }
  return "'" + out + (value.size() > 40 ? "...'" : "'");
}

} // namespace

std::optional<std::string> shown_flag_name(std::string_view arg) {
  const std::string_view name = arg.substr(0, arg.find('='));
  const bool plain = name.size() <= 32 && std::all_of(name.begin(), name.end(), [](char c) {
                       return c == '-' || std::islower(static_cast<unsigned char>(c)) != 0;
                     });
  return plain ? std::optional<std::string>(name) : std::nullopt;
}

std::string unknown_flag_problem(std::string_view arg, const std::vector<std::string> &flags,
                                 std::string_view where) {
  const auto name = shown_flag_name(arg);
  if (!name) {
    return "[usage.unknown-flag] unknown flag" + std::string(where) + " (not shown)";
  }
  const auto near = closest_name(*name, flags);
  return "[usage.unknown-flag] unknown flag '" + *name + "'" + std::string(where) +
         (near ? " (did you mean '" + *near + "'?)" : "");
}

std::optional<std::string> extra_arguments_problem(const std::vector<std::string> &extras,
                                                   const std::vector<std::string> &flags,
                                                   std::string_view stray) {
  for (const auto &arg : extras) {
    if (arg.size() > 1 && arg[0] == '-') {
      return unknown_flag_problem(arg, flags);
    }
  }
  if (!extras.empty()) {
    return "[usage.extra-argument] unexpected argument (not shown); " + std::string(stray);
  }
  return std::nullopt;
}

std::string parse_error_problem(std::string_view kind, std::string_view message) {
  const std::string_view option = named_option(message);
  if (kind == "ArgumentMismatch" && !option.empty()) {
    if (contains(message, "At Most")) {
      return "[usage.repeated] " + std::string(option) + " is given more than once";
    }
    if (contains(message, "missing") || contains(message, "At least")) {
      return "[usage.missing-value] " + std::string(option) + " needs a value";
    }
  }
  if (kind == "ValidationError" || kind == "ConversionError") {
    return "[usage.bad-value] " + std::string(message);
  }
  if (kind == "ExcludesError" || kind == "RequiresError") {
    return "[usage.conflict] " + std::string(message);
  }
  if (kind == "RequiredError") {
    return "[usage.required] " + std::string(message);
  }
  return "[usage.bad-flag] " + std::string(message);
}

std::string whole_number_problem(const std::string &value, long long lowest, long long highest) {
  long long number = 0;
  const char *end = value.data() + value.size();
  const auto [stop, error] = std::from_chars(value.data(), end, number);
  if (value.empty() || error != std::errc() || stop != end || number < lowest || number > highest) {
    return quoted_value(value) + " is not a whole number from " + std::to_string(lowest) + " to " +
           std::to_string(highest);
  }
  return {};
}

std::string seed_problem(const std::string &value) {
  unsigned long long number = 0;
  const char *end = value.data() + value.size();
  const auto [stop, error] = std::from_chars(value.data(), end, number);
  if (value.empty() || error != std::errc() || stop != end) {
    return quoted_value(value) + " is not a whole number from 0 to 18446744073709551615";
  }
  return {};
}

std::string port_number_problem(const std::string &value) {
  if (whole_number_problem(value, 0, 65535).empty()) {
    return {};
  }
  return quoted_value(value) + " is not a port number (0 to 65535; 0 picks a free port)";
}

int report_usage_problem(std::ostream &err, std::string_view program, std::string_view problem,
                         std::string_view help) {
  err << program << ": " << problem << "\nRun '" << help << "' for the flags.\n";
  return exit_bad_usage;
}

} // namespace inspekt
