#include "key_kinds.hpp"

#include "case_table.hpp"

#include "inspekt/core/text.hpp"
#include "inspekt/mock/fixtures/fixture_set.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <random>
#include <stdexcept>

namespace inspekt::conformance {
namespace {

// Variants of the valid key that a server lenient in comparing keys would accept.
struct Variant {
  std::string_view placeholder;
  std::optional<std::string> (*make)(const std::string &valid);
};

constexpr Variant valid_key_variants[] = {
    {"<valid-key-last-char-changed>",
     [](const std::string &valid) -> std::optional<std::string> {
       if (valid.size() < 2) {
         return std::nullopt;
       }
       std::string changed = valid;
       changed.back() = changed.back() == 'x' ? 'y' : 'x';
       return changed;
     }},
    {"<valid-key-trailing-space>",
     [](const std::string &valid) -> std::optional<std::string> {
       return valid.size() < 2 ? std::nullopt : std::optional<std::string>(valid + " ");
     }},
    {"<valid-key-other-case>",
     [](const std::string &valid) -> std::optional<std::string> {
       std::string other = valid;
       for (char &c : other) {
         const auto u = static_cast<unsigned char>(c);
         c = static_cast<char>(std::islower(u) ? std::toupper(u) : std::tolower(u));
       }
       return other == valid ? std::nullopt : std::optional<std::string>(other);
     }},
    // Last: redact() replaces a key before any key it holds (the valid key before its prefix).
    {"<valid-key-prefix>",
     [](const std::string &valid) -> std::optional<std::string> {
       return valid.size() < 2 ? std::nullopt
                               : std::optional<std::string>(valid.substr(0, valid.size() - 1));
     }},
};

constexpr std::string_view answer_key_prefix = "<key:";

} // namespace

void add_answer_kinds(std::string_view text, std::vector<KeyKind> &kinds) {
  for (auto at = text.find(answer_key_prefix); at != std::string_view::npos;
       at = text.find(answer_key_prefix, at + 1)) {
    const auto end = text.find('>', at);
    if (end == std::string_view::npos) {
      break;
    }
    const std::string answer(
        text.substr(at + answer_key_prefix.size(), end - at - answer_key_prefix.size()));
    const std::string placeholder(text.substr(at, end + 1 - at));
    if (answer.empty() || std::any_of(kinds.begin(), kinds.end(), [&](const KeyKind &kind) {
          return kind.placeholder == placeholder;
        })) {
      continue;
    }
    std::string variable = "INSPEKT_KEY_";
    for (const char c : answer) {
      const auto u = static_cast<unsigned char>(c);
      variable += std::isalnum(u) ? static_cast<char>(std::toupper(u)) : '_';
    }
    for (const KeyKind &kind : kinds) {
      if (kind.variable == variable) {
        // Two answers spelt alike but for punctuation would read one variable's key.
        throw std::invalid_argument(placeholder + " and " + kind.placeholder + " would both read " +
                                    variable + ": name one of the answers otherwise");
      }
    }
    kinds.push_back({
        answer,
        placeholder,
        variable,
        answer,
        false,
        "no key that gets \"" + answer + "\": set " + variable,
    });
  }
}

const std::string &Keys::of(std::string_view kind) const {
  static const std::string none;
  const auto found = by_kind.find(kind);
  return found == by_kind.end() ? none : found->second;
}

const std::vector<KeyKind> &key_kinds() {
  static const std::vector<KeyKind> kinds = [] {
    std::vector<KeyKind> out{
        {"valid", "<valid-key>", "INSPEKT_API_KEY", std::string("success"), true,
         "no valid key: set INSPEKT_API_KEY"},
        {"invalid", "<invalid-key>", "INSPEKT_INVALID_KEY", std::nullopt, false,
         "no invalid key: set INSPEKT_INVALID_KEY"},
        {"expired", "<expired-key>", "INSPEKT_EXPIRED_KEY", std::string("expired_key"), false,
         "no expired key to try: set INSPEKT_EXPIRED_KEY"},
    };
    for (const auto &spec : request_specs()) {
      add_answer_kinds(spec.body, out);
    }
    return out;
  }();
  return kinds;
}

const KeyKind &valid_key_kind() {
  return key_kinds().front();
}

std::string random_invalid_key() {
  std::random_device device;
  std::uniform_int_distribution<int> hex(0, 15);
  std::string key = "inspekt-conformance-not-a-key-";
  for (int i = 0; i < 24; ++i) {
    key += "0123456789abcdef"[hex(device)];
  }
  return key;
}

Keys fixture_keys(const mock::FixtureSet &fixtures) {
  Keys keys;
  for (const auto &kind : key_kinds()) {
    if (!kind.fixture_answer) {
      keys.by_kind[kind.name] = random_invalid_key();
      continue;
    }
    const auto answer = fixtures.find_answer(*kind.fixture_answer);
    const auto entry = std::find_if(fixtures.keys.begin(), fixtures.keys.end(),
                                    [&](const auto &e) { return answer && e.answer == answer; });
    if (entry != fixtures.keys.end()) {
      keys.by_kind[kind.name] = entry->key;
    }
  }
  return keys;
}

std::string key_variables_text() {
  std::string out;
  for (const auto &kind : key_kinds()) {
    if (kind.fixture_answer != kind.name) { // the documented kinds; ANSWER kinds follow
      out += (out.empty() ? "" : ", ") + kind.variable + " (" + kind.name + ")";
    }
  }
  return out + ", INSPEKT_KEY_ANSWER (a key that gets ANSWER, for a case naming <key:ANSWER>)";
}

std::vector<std::pair<std::string, std::string>> key_placeholders(const Keys &keys) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto &kind : key_kinds()) {
    if (const auto &key = keys.of(kind.name); !key.empty()) {
      out.emplace_back(kind.placeholder, key);
    }
  }
  for (const auto &variant : valid_key_variants) {
    if (keys.valid().empty()) {
      break;
    }
    if (auto key = variant.make(keys.valid())) {
      out.emplace_back(variant.placeholder, std::move(*key));
    }
  }
  return out;
}

const std::vector<std::string> &placeholder_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto &kind : key_kinds()) {
      out.emplace_back(kind.placeholder);
    }
    for (const auto &variant : valid_key_variants) {
      out.emplace_back(variant.placeholder);
    }
    return out;
  }();
  return names;
}

std::vector<const KeyKind *> kinds_named(std::string_view body) {
  std::vector<const KeyKind *> out;
  for (const auto &kind : key_kinds()) {
    bool named = body.find(kind.placeholder) != std::string_view::npos;
    if (&kind == &valid_key_kind()) {
      for (const auto &variant : valid_key_variants) {
        named = named || body.find(variant.placeholder) != std::string_view::npos;
      }
    }
    if (named) {
      out.push_back(&kind);
    }
  }
  return out;
}

std::optional<std::string> fill_keys(const std::string &body, const Keys &keys,
                                     std::string *missing) {
  std::string filled = body;
  for (const auto &[name, key] : key_placeholders(keys)) {
    replace_all(filled, name, nlohmann::json(key).dump());
  }
  for (const auto &name : placeholder_names()) {
    if (filled.find(name) != std::string::npos) {
      if (missing) {
        *missing = name;
      }
      return std::nullopt;
    }
  }
  return filled;
}

} // namespace inspekt::conformance
