#pragma once
// The server under test, seen through the client library: sends each request the
// cases need once (answers are shared between cases), and keeps a live service safe:
// a request budget, a pause between requests, and keys that never reach the output.

#include "case_table.hpp"
#include "key_kinds.hpp"

#include "inspekt/client/auth_client.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace inspekt::conformance {
namespace model {
class WireClient;
struct WireOptions;
struct WireResult;
struct Point;
} // namespace model

struct TargetOptions {
  ClientOptions client;
  bool live = false;
  std::optional<int> max_requests; // none: no budget. The live numbers: run_plan.hpp
  std::chrono::milliseconds min_interval{0};
  // Whether the target is inspekt-mock: known for the in-process mock; otherwise asked
  // once, of GET /__admin/health, when a case needs to know (never of a live target).
  std::optional<bool> inspekt_mock;
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
  ~Target();
  Target(const Target &) = delete;
  Target &operator=(const Target &) = delete;

  const Answers &answers(const RequestSpec &spec);
  // One request of the model, sent now and not kept (--explore), within the budget.
  model::WireResult send_model(const model::Point &point);
  bool live() const { return options_.live; }
  // Whether the mock's own features may be checked here: the in-process mock, or a
  // loopback target whose GET /__admin/health answers with the mock's fields.
  bool is_inspekt_mock();
  bool has_key(const KeyKind &kind) const { return !keys_.of(kind.name).empty(); }
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
  void pace(); // waits out the pause between requests, and counts one
  const Answers &send_point(const RequestSpec &spec, Answers &answers);
  model::WireOptions wire_options() const;
  bool open_wire(std::string &error);

  TargetOptions options_;
  Keys keys_;
  AuthClient client_;
  std::map<std::string, Answers> answers_;
  std::unique_ptr<model::WireClient> wire_; // for the model's requests, made when first needed
  int sent_ = 0;
  std::chrono::steady_clock::time_point last_send_{};
};

// 127.0.0.0/8, ::1 and localhost: anything else is treated as the live service.
bool is_loopback_host(const std::string &host);

} // namespace inspekt::conformance
