#include "target.hpp"

#include "inspekt/client/secrets.hpp"
#include "inspekt/client/text.hpp"

#include <nlohmann/json.hpp>

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

std::string Target::fill_keys(const std::string &body) const {
  std::string filled = body;
  replace_all(filled, "<valid-key>", nlohmann::json(keys_.valid).dump());
  replace_all(filled, "<invalid-key>", nlohmann::json(keys_.invalid).dump());
  if (keys_.expired) {
    replace_all(filled, "<expired-key>", nlohmann::json(*keys_.expired).dump());
  }
  return filled;
}

std::string Target::redact(std::string text) const {
  text = redacted(std::move(text), keys_.valid, "<valid-key>");
  text = redacted(std::move(text), keys_.invalid, "<invalid-key>");
  if (keys_.expired) {
    text = redacted(std::move(text), *keys_.expired, "<expired-key>");
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
  RawRequest request;
  request.method = spec.method;
  request.content_type = spec.content_type;
  if (!spec.body.empty() || spec.method == "POST") {
    request.body = fill_keys(spec.body);
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
