#include "target.hpp"

#include "live_set.hpp"

#include "model/raw_http.hpp"
#include "model/request_model.hpp"

#include "inspekt/core/secrets.hpp"
#include "inspekt/core/text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <random>
#include <thread>

namespace inspekt::conformance {
namespace {

// A placeholder whose kind the run lacks says how to supply it; a variant of a key the
// run has cannot be made from that key.
std::string why_missing(const std::string &placeholder, const Keys &keys) {
  for (const KeyKind *kind : kinds_named(placeholder)) {
    if (keys.of(kind->name).empty()) {
      return kind->when_missing;
    }
  }
  return "the valid key has no such variant (a key without letters has no other case)";
}

} // namespace
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

Target::~Target() = default;

bool Target::is_inspekt_mock() {
  if (!options_.inspekt_mock) {
    options_.inspekt_mock = false;
    if (!options_.live) {
      RawRequest probe;
      probe.method = "GET";
      probe.path = "/__admin/health";
      probe.content_type = std::nullopt;
      pace();
      const auto result = client_.send(probe);
      // docs/admin-api.md: 200 {"status": "ok", "version", "uptime_seconds", "keys", "fixtures"}
      if (result.exchange && result.exchange->status == 200) {
        const auto body = nlohmann::json::parse(result.exchange->body, nullptr, false);
        bool shaped = body.is_object() && body.value("status", "") == "ok";
        for (const char *field : {"version", "uptime_seconds", "keys", "fixtures"}) {
          shaped = shaped && body.contains(field);
        }
        options_.inspekt_mock = shaped;
      }
    }
  }
  return *options_.inspekt_mock;
}

std::optional<std::string> Target::client_error() const {
  if (client_.valid()) {
    return std::nullopt;
  }
  return client_.error()->description;
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
  if (spec.reach != Reach::doc && options_.live && !in_live_set(spec.id)) {
    answers.not_sent = "refused: a mock-only request is never sent to a live target";
    return answers;
  }
  if (options_.max_requests && sent_ + spec.repeat > *options_.max_requests) {
    answers.not_sent =
        "request budget of " + std::to_string(*options_.max_requests) + " used up (--max-requests)";
    return answers;
  }
  if (spec.point) {
    return send_point(spec, answers);
  }
  std::string missing;
  const auto body = fill_keys(spec.body, keys_, &missing);
  if (!body) {
    answers.not_sent = "no key for " + missing + ": " + why_missing(missing, keys_);
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
    pace();
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

void Target::pace() {
  if (options_.min_interval.count() > 0 && sent_ > 0) {
    std::this_thread::sleep_until(last_send_ + options_.min_interval);
  }
  last_send_ = std::chrono::steady_clock::now();
  ++sent_;
}

model::WireOptions Target::wire_options() const {
  model::WireOptions wire;
  wire.connect_timeout = options_.client.connect_timeout;
  wire.read_timeout = options_.client.read_timeout;
  wire.ca_file = options_.client.ca_file;
  wire.reset_on_close = !options_.live;
  return wire;
}

bool Target::open_wire(std::string &error) {
  if (!wire_) {
    const auto url = parse_base_url(options_.client.base_url);
    if (!url) {
      error = "--base-url: " + url.error;
      return false;
    }
    wire_ = std::make_unique<model::WireClient>(*url.url, wire_options());
  }
  return true;
}

model::WireResult Target::send_model(const model::Point &point) {
  model::WireResult result;
  if (options_.max_requests && sent_ >= *options_.max_requests) {
    result.error =
        "request budget of " + std::to_string(*options_.max_requests) + " used up (--max-requests)";
    return result;
  }
  if (!open_wire(result.error)) {
    return result;
  }
  pace();
  return wire_->send(model::render(point, keys_));
}

const Answers &Target::send_point(const RequestSpec &spec, Answers &answers) {
  if (!open_wire(answers.transport_error)) {
    return answers;
  }
  for (int i = 0; i < spec.repeat; ++i) {
    pace();
    auto result = wire_->send(model::render(*spec.point, keys_));
    answers.connected = answers.connected || result.exchange.has_value();
    if (!result.exchange) {
      answers.transport_error = redact(result.error);
      answers.exchanges.clear();
      return answers;
    }
    answers.exchanges.push_back(std::move(*result.exchange));
  }
  return answers;
}

} // namespace inspekt::conformance
