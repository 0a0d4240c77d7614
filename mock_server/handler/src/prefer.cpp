#include "inspekt/mock/handler/prefer.hpp"

#include "inspekt/mock/fixtures/fixture_set.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace inspekt::mock {
namespace {

constexpr std::int64_t max_lifetime = max_token_lifetime.count();

std::string_view trimmed(std::string_view text) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t'; };
  while (!text.empty() && is_space(text.front())) {
    text.remove_prefix(1);
  }
  while (!text.empty() && is_space(text.back())) {
    text.remove_suffix(1);
  }
  return text;
}

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Client text in a message: cut, so that one header cannot make a huge answer.
std::string shown(std::string_view text) {
  return text.size() <= 64 ? std::string(text) : std::string(text.substr(0, 64)) + "...";
}

std::optional<std::int64_t> integer(std::string_view text) {
  std::int64_t value = 0;
  const auto *end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || stop != end) {
    return std::nullopt;
  }
  return value;
}

std::string known_list() {
  std::string list;
  for (const auto &known : preference_names) {
    list += (list.empty() ? "" : ", ") + std::string(known.name);
  }
  return list;
}

// The preferences RFC 7240 registers (section 4 and its IANA registry): not the mock's.
// RFC 7240 section 2: "A server that does not support a particular preference ... MUST
// ignore" it; the mock's own names stay strict, so that a typo is a 400, not a no-op.
constexpr std::array<std::string_view, 4> standard_preferences{"return", "respond-async", "wait",
                                                               "handling"};

// One preference, "name=value", into `preference`; the problem, if any.
std::string take(std::string_view element, Preference &preference) {
  const std::string own_name = lowercase(trimmed(element.substr(0, element.find_first_of("=;"))));
  if (std::find(standard_preferences.begin(), standard_preferences.end(), own_name) !=
      standard_preferences.end()) {
    return ""; // ignored, parameters and all
  }
  if (element.find(';') != std::string_view::npos) {
    return "Prefer: \"" + shown(element) + "\": parameters (after ';') are not supported";
  }
  const auto equals = element.find('=');
  const std::string name = lowercase(trimmed(element.substr(0, equals)));
  std::string_view value =
      equals == std::string_view::npos ? std::string_view() : trimmed(element.substr(equals + 1));
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    value = value.substr(1, value.size() - 2);
  }
  const auto known = std::find_if(preference_names.begin(), preference_names.end(),
                                  [&name](const PreferenceName &p) { return p.name == name; });
  if (known == preference_names.end()) {
    return "Prefer: unknown preference \"" + shown(name) + "\" (known: " + known_list() + ")";
  }
  if (value.empty()) {
    return "Prefer: " + name + " needs a value, like " + std::string(known->example);
  }
  const auto twice = "Prefer: " + name + " is given twice";
  const auto number = integer(value);
  const auto bad = "Prefer: " + name + "=" + shown(value) + ": ";
  if (name == "code") {
    if (preference.code) {
      return twice;
    }
    if (!number || *number < 100 || *number > 599) {
      return bad + "not an HTTP status code";
    }
    preference.code = static_cast<int>(*number);
  } else if (name == "answer") {
    if (preference.answer) {
      return twice;
    }
    preference.answer = std::string(value);
  } else if (name == "delay") {
    if (preference.delay) {
      return twice;
    }
    if (!number || *number < 0 || *number > max_delay.count()) {
      return bad + "not a delay in milliseconds from 0 to " + std::to_string(max_delay.count());
    }
    preference.delay = std::chrono::milliseconds(*number);
  } else if (name == "fault") {
    if (preference.fault) {
      return twice;
    }
    preference.fault = parse_fault(value);
    if (!preference.fault) {
      std::string faults;
      for (const auto &f : fault_names) {
        faults += (faults.empty() ? "" : ", ") + std::string(f.name);
      }
      return bad + "not one of " + faults;
    }
  } else if (name == "lifetime") {
    if (preference.lifetime) {
      return twice;
    }
    if (!number || *number < -max_lifetime || *number > max_lifetime) {
      return bad + "not a lifetime in seconds";
    }
    preference.lifetime = std::chrono::seconds(*number);
  }
  return "";
}

} // namespace

ParsedPreference parse_prefer(std::string_view header) {
  ParsedPreference parsed;
  std::size_t start = 0;
  while (start <= header.size()) {
    const auto comma = std::min(header.find(',', start), header.size());
    const auto element = trimmed(header.substr(start, comma - start));
    start = comma + 1;
    if (element.empty()) {
      continue; // RFC 9110 section 5.6.1: empty list elements do not count
    }
    parsed.problem = take(element, parsed.preference);
    if (!parsed.problem.empty()) {
      return parsed;
    }
  }
  if (parsed.preference.code && parsed.preference.answer) {
    parsed.problem = "Prefer: code and answer conflict; give one of them";
  } else if (parsed.preference.fault == Fault::slow_body && !parsed.preference.delay) {
    // The slowness is the point of the fault and the number a client's timeout is set
    // against: the request says it, rather than a default it cannot see.
    parsed.problem = "Prefer: fault=SLOW_BODY needs delay=MS, the time the body takes to "
                     "trickle out (like fault=SLOW_BODY, delay=2000)";
  }
  return parsed;
}

std::string applied_preferences(const Preference &preference, bool tokens_issued) {
  std::string list;
  const auto add = [&list](std::string_view name, const std::string &value) {
    list += (list.empty() ? "" : ", ") + std::string(name) + "=" + value;
  };
  if (preference.code) {
    add("code", std::to_string(*preference.code));
  }
  if (preference.answer) {
    add("answer", *preference.answer);
  }
  if (preference.delay) {
    add("delay", std::to_string(preference.delay->count()));
  }
  if (preference.fault) {
    add("fault", std::string(to_string(*preference.fault)));
  }
  if (preference.lifetime && tokens_issued) {
    add("lifetime", std::to_string(preference.lifetime->count()));
  }
  return list;
}

} // namespace inspekt::mock
