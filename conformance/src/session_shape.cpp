#include "session_shape.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <regex>

namespace inspekt::conformance {
namespace {

// Constant text longer than this is shown as a placeholder, never kept: a constant
// part of a session id is a prefix like "in", not something that may name a person.
constexpr std::size_t max_literal = 4;

enum class Kind { uuid, digits, hex, letters, other };

struct Token {
  Kind kind;
  std::string text;
};

bool is_digit(char c) {
  return std::isdigit(static_cast<unsigned char>(c)) != 0;
}
bool is_lower_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f');
}

const std::regex &uuid_regex() {
  static const std::regex re("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                             "[0-9a-fA-F]{12}");
  return re;
}

void split_alnum(const std::string &run, std::vector<Token> &out) {
  const bool all_digits = std::all_of(run.begin(), run.end(), is_digit);
  const bool hexish = std::all_of(run.begin(), run.end(), is_lower_hex) &&
                      std::any_of(run.begin(), run.end(), is_digit) && run.size() >= 6;
  if (all_digits) {
    out.push_back({Kind::digits, run});
    return;
  }
  if (hexish) {
    out.push_back({Kind::hex, run});
    return;
  }
  std::size_t i = 0;
  while (i < run.size()) {
    std::size_t j = i;
    const bool digits = is_digit(run[i]);
    while (j < run.size() && is_digit(run[j]) == digits) {
      ++j;
    }
    out.push_back({digits ? Kind::digits : Kind::letters, run.substr(i, j - i)});
    i = j;
  }
}

std::vector<Token> tokenize(const std::string &id) {
  std::vector<Token> out;
  std::string rest = id;
  std::smatch match;
  while (!rest.empty()) {
    std::string head = rest;
    std::string uuid;
    std::string tail;
    if (std::regex_search(rest, match, uuid_regex())) {
      head = match.prefix();
      uuid = match.str();
      tail = match.suffix();
    }
    std::size_t i = 0;
    while (i < head.size()) {
      if (std::isalnum(static_cast<unsigned char>(head[i]))) {
        std::size_t j = i;
        while (j < head.size() && std::isalnum(static_cast<unsigned char>(head[j]))) {
          ++j;
        }
        split_alnum(head.substr(i, j - i), out);
        i = j;
      } else {
        out.push_back({Kind::other, std::string(1, head[i])});
        ++i;
      }
    }
    if (!uuid.empty()) {
      out.push_back({Kind::uuid, uuid});
    }
    rest = uuid.empty() ? std::string() : tail;
  }
  return out;
}

// YYYYMMDDhhmmss of this century, as the mock's {timestamp} writes it.
bool is_timestamp(std::string_view digits) {
  if (digits.size() != 14) {
    return false;
  }
  const auto n = [&](std::size_t at, std::size_t len) {
    return std::stoi(std::string(digits.substr(at, len)));
  };
  return n(0, 2) == 20 && n(4, 2) >= 1 && n(4, 2) <= 12 && n(6, 2) >= 1 && n(6, 2) <= 31 &&
         n(8, 2) < 24 && n(10, 2) < 60 && n(12, 2) < 61;
}

// Where in digit runs of this length every id has a timestamp: at the end, at the start.
std::optional<std::string> digits_pattern(const std::vector<std::string> &runs) {
  const std::size_t size = runs.front().size();
  const auto all = [&](auto predicate) { return std::all_of(runs.begin(), runs.end(), predicate); };
  if (size >= 14 && all([&](const std::string &r) { return is_timestamp(r.substr(size - 14)); })) {
    return (size > 14 ? "{digits:" + std::to_string(size - 14) + "}" : std::string()) +
           "{timestamp}";
  }
  if (size > 14 && all([](const std::string &r) { return is_timestamp(r.substr(0, 14)); })) {
    return "{timestamp}{digits:" + std::to_string(size - 14) + "}";
  }
  return std::nullopt;
}

} // namespace

SessionShape infer_session_shape(const std::vector<std::string> &ids) {
  SessionShape shape;
  if (ids.empty()) {
    return {"", false};
  }
  std::vector<std::vector<Token>> tokens;
  for (const auto &id : ids) {
    tokens.push_back(tokenize(id));
  }
  for (const auto &t : tokens) {
    if (t.size() != tokens.front().size()) {
      return {"", false};
    }
  }
  for (std::size_t i = 0; i < tokens.front().size(); ++i) {
    const Kind kind = tokens.front()[i].kind;
    std::vector<std::string> texts;
    for (const auto &t : tokens) {
      if (t[i].kind != kind || t[i].text.size() != tokens.front()[i].text.size()) {
        return {"", false};
      }
      texts.push_back(t[i].text);
    }
    const bool constant = std::all_of(texts.begin(), texts.end(),
                                      [&](const std::string &s) { return s == texts.front(); });
    const std::string width = std::to_string(texts.front().size());
    switch (kind) {
    case Kind::uuid:
      shape.pattern += "{uuid}";
      break;
    case Kind::digits:
      if (const auto pattern = digits_pattern(texts)) {
        shape.pattern += *pattern;
      } else if (constant && ids.size() > 1 && texts.front().size() <= 2) {
        shape.pattern += texts.front();
      } else {
        shape.pattern += "{digits:" + width + "}";
      }
      break;
    case Kind::hex:
      shape.pattern += "{hex:" + width + "}";
      break;
    case Kind::letters:
    case Kind::other:
      if (constant && texts.front().size() <= max_literal && texts.front() != "{" &&
          texts.front() != "}") {
        shape.pattern += texts.front();
      } else {
        shape.pattern += (kind == Kind::letters ? "{letters:" : "{chars:") + width + "}";
        shape.expressible = false;
      }
      break;
    }
  }
  return shape;
}

bool matches_session_format(std::string_view id, const mock::SessionIdFormat &format) {
  std::string re;
  for (const auto &part : format.parts) {
    using K = mock::SessionIdPart::Kind;
    switch (part.kind) {
    case K::literal:
      for (const char c : part.text) {
        re +=
            std::isalnum(static_cast<unsigned char>(c)) ? std::string(1, c) : std::string("\\") + c;
      }
      break;
    case K::digits:
      re += "[0-9]{" + std::to_string(part.width) + "}";
      break;
    case K::hex:
      re += "[0-9a-f]{" + std::to_string(part.width) + "}";
      break;
    case K::timestamp:
      re += "[0-9]{14}";
      break;
    case K::uuid:
      re += "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";
      break;
    }
  }
  return std::regex_match(id.begin(), id.end(), std::regex(re));
}

} // namespace inspekt::conformance
