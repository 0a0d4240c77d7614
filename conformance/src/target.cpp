#include "target.hpp"

#include "inspekt/client/secrets.hpp"
#include "inspekt/client/text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <random>
#include <thread>

namespace inspekt::conformance {
namespace {} // namespace

std::string random_invalid_key() {
  std::random_device device;
  std::uniform_int_distribution<int> hex(0, 15);
  std::string key = "inspekt-conformance-not-a-key-";
  for (int i = 0; i < 24; ++i) {
    key += "0123456789abcdef"[hex(device)];
  }
  return key;
}

bool is_loopback_host(const std::string &host) {
  std::string bare = host;
  if (bare.size() > 2 && bare.front() == '[' && bare.back() == ']') {
    bare = bare.substr(1, bare.size() - 2);
  }
  if (bare == "localhost" || bare == "::1") {
    return true;
  }
  // 127.0.0.0/8, written as a dotted quad.
  unsigned a = 0, b = 0, c = 0, d = 0;
  char tail = 0;
  return std::sscanf(bare.c_str(), "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) == 4 && a == 127 &&
         b < 256 && c < 256 && d < 256;
}

Target::Target(TargetOptions options, Keys keys)
    : options_(std::move(options)), keys_(std::move(keys)), client_(options_.client) {}

std::optional<std::string> Target::client_error() const {
  if (client_.valid()) {
    return std::nullopt;
  }
  return client_.error()->description;
}

Keys fixture_keys(const mock::FixtureSet &fixtures) {
  Keys keys;
  const auto success = fixtures.find_answer(mock::Outcome::success);
  const auto expired = fixtures.find_answer(mock::Outcome::expired_key);
  for (const auto &entry : fixtures.keys) {
    if (entry.answer == success && keys.valid.empty()) {
      keys.valid = entry.key;
    } else if (entry.answer == expired && !keys.expired) {
      keys.expired = entry.key;
    }
  }
  return keys;
}

std::vector<std::pair<std::string, std::string>> key_placeholders(const Keys &keys) {
  // In redact()'s order: a key before any key it holds (the valid key before its prefix).
  std::vector<std::pair<std::string, std::string>> out{{"<valid-key>", keys.valid},
                                                       {"<invalid-key>", keys.invalid}};
  if (keys.expired) {
    out.emplace_back("<expired-key>", *keys.expired);
  }
  const std::string &valid = keys.valid;
  if (valid.size() >= 2) {
    std::string changed = valid;
    changed.back() = changed.back() == 'x' ? 'y' : 'x';
    out.emplace_back("<valid-key-last-char-changed>", changed);
    out.emplace_back("<valid-key-trailing-space>", valid + " ");
  }
  std::string other_case = valid;
  for (char &c : other_case) {
    const auto u = static_cast<unsigned char>(c);
    c = static_cast<char>(std::islower(u) ? std::toupper(u) : std::tolower(u));
  }
  if (other_case != valid) {
    out.emplace_back("<valid-key-other-case>", other_case);
  }
  if (valid.size() >= 2) {
    out.emplace_back("<valid-key-prefix>", valid.substr(0, valid.size() - 1));
  }
  return out;
}

std::optional<std::string> fill_keys(const std::string &body, const Keys &keys,
                                     std::string *missing) {
  std::string filled = body;
  for (const auto &[name, key] : key_placeholders(keys)) {
    replace_all(filled, name, nlohmann::json(key).dump());
  }
  const auto open = filled.find("<valid-key");
  const auto other = filled.find("<expired-key>");
  if (open != std::string::npos || other != std::string::npos) {
    if (missing) {
      const auto at = open != std::string::npos ? open : other;
      *missing = filled.substr(at, filled.find('>', at) + 1 - at);
    }
    return std::nullopt;
  }
  return filled;
}

std::string Target::redact(std::string text) const {
  for (const auto &[name, key] : key_placeholders(keys_)) {
    text = redacted(std::move(text), key, name);
  }
  return text;
}

const Answers &Target::answers(const RequestSpec &spec) {
  const auto known = answers_.find(spec.id);
  if (known != answers_.end()) {
    return known->second;
  }
  Answers &answers = answers_[spec.id];
  if (spec.mock_only && options_.live) {
    answers.not_sent = "refused: a mock-only request is never sent to a live target";
    return answers;
  }
  if (options_.max_requests && sent_ + spec.repeat > *options_.max_requests) {
    answers.not_sent =
        "request budget of " + std::to_string(*options_.max_requests) + " used up (--max-requests)";
    return answers;
  }
  std::string missing;
  const auto body = fill_keys(spec.body, keys_, &missing);
  if (!body) {
    answers.not_sent = "no key for " + missing +
                       " (see INSPEKT_EXPIRED_KEY; a key without "
                       "letters has no other case)";
    return answers;
  }
  RawRequest request;
  request.method = spec.method;
  request.content_type = spec.content_type;
  request.headers = spec.headers;
  if (!spec.body.empty() || spec.method == "POST") {
    request.body = *body;
  }
  for (int i = 0; i < spec.repeat; ++i) {
    if (options_.min_interval.count() > 0 && sent_ > 0) {
      std::this_thread::sleep_until(last_send_ + options_.min_interval);
    }
    last_send_ = std::chrono::steady_clock::now();
    ++sent_;
    auto result = client_.send(request);
    answers.connected = answers.connected || result.connected;
    if (!result.exchange) {
      answers.transport_error = redact(result.error ? result.error->description : "no answer");
      answers.exchanges.clear();
      return answers;
    }
    answers.exchanges.push_back(std::move(*result.exchange));
  }
  return answers;
}

} // namespace inspekt::conformance
