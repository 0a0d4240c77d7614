#pragma once
// The server under test, seen through the client library: sends each request the
// cases need once (answers are shared between cases), and keeps a live service safe:
// a request budget, a pause between requests, and keys that never reach the output.

#include "case_table.hpp"

#include "inspekt/client/auth_client.hpp"
#include "inspekt/mock/fixtures/fixture_set.hpp"

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace inspekt::conformance {

struct Keys {
  std::string valid;
  std::string invalid;
  std::optional<std::string> expired;
};

// The keys a fixture set gives for the probes: its first key that logs in and its first
// expired one (invalid stays empty: no fixture key is one).
Keys fixture_keys(const mock::FixtureSet &fixtures);

// The placeholders a RequestSpec body may hold and the keys they stand for: <valid-key>,
// <invalid-key>, <expired-key>, and variants of the valid key that a server lenient in
// how it compares keys would accept (the 401 probes): <valid-key-last-char-changed>,
// <valid-key-prefix> (all but the last character), <valid-key-other-case>,
// <valid-key-trailing-space>. A placeholder whose key is missing (no expired key, a key
// without letters has no other case) has no entry.
std::vector<std::pair<std::string, std::string>> key_placeholders(const Keys &keys);

// `body` with each placeholder replaced by its key as a JSON string; nullopt when the body
// names a placeholder that has no key (the reason in `missing`).
std::optional<std::string> fill_keys(const std::string &body, const Keys &keys,
                                     std::string *missing = nullptr);

struct TargetOptions {
  ClientOptions client;
  bool live = false;
  std::optional<int> max_requests; // none: no budget. The live numbers: run_plan.hpp
  std::chrono::milliseconds min_interval{0};
};

struct Answers {
  std::vector<Exchange> exchanges;
  std::string not_sent; // why nothing was sent (budget, refused); empty when sent
  std::string transport_error;
  bool connected = false; // the server was reached (and, over https, trusted)
};

class Target {
public:
  Target(TargetOptions options, Keys keys);

  const Answers &answers(const RequestSpec &spec);
  bool live() const { return options_.live; }
  bool has_expired_key() const { return keys_.expired.has_value(); }
  int requests_sent() const { return sent_; }
  const std::string &base_url() const { return options_.client.base_url; }
  // Why the client refused its options (bad URL, unreadable CA file), if it did.
  std::optional<std::string> client_error() const;

  // Replaces every key with its placeholder, so that no report can show one.
  std::string redact(std::string text) const;

  // Every request sent so far and its answers, by RequestSpec id (for drift).
  const std::map<std::string, Answers> &sent() const { return answers_; }
  const Keys &keys() const { return keys_; }

private:
  TargetOptions options_;
  Keys keys_;
  AuthClient client_;
  std::map<std::string, Answers> answers_;
  int sent_ = 0;
  std::chrono::steady_clock::time_point last_send_{};
};

// "a random, well-formed key that cannot be valid"
std::string random_invalid_key();

// 127.0.0.0/8, ::1 and localhost: anything else is treated as the live service.
bool is_loopback_host(const std::string &host);

} // namespace inspekt::conformance
