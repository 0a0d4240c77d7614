#pragma once
// The admin API (the shapes in docs/admin-api.md): a Responder
// that answers /__admin/* itself, JSON in and out, and passes every other request to
// the set in use (MockRuntime::handler()), loaded once per request.
//
// Access: open when the mock listens on a loopback host and no token is set. With a
// token, every admin call needs "Authorization: Bearer TOKEN" (compared in constant
// time), else 401. On any other host without a token, 403. Disabled (--no-admin),
// /__admin/... is an unknown path like any other (the fixtures' 404). Admin calls go to
// the access log as answer "admin", never to the journal. The journal hears of every
// other answer as the engine delivered it (observer()).
//
// The dashboard page (GET /__admin/ and /__admin/ui, dashboard_page.hpp) is served
// under the same rules but one: with a token, the page itself is served without it (a
// browser cannot send a header when it opens a link). The page is the same bytes for
// everyone and holds no data; every call it makes is an admin call, checked as above.

#include "inspekt/mock/control/mock_runtime.hpp"
#include "inspekt/mock/engine/delivery.hpp"
#include "inspekt/mock/handler/auth_handler.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace inspekt::mock {

inline constexpr std::string_view admin_prefix = "/__admin/";

struct AdminAccess {
  bool enabled = true;              // false: --no-admin
  bool loopback_host = true;        // the mock listens on 127.0.0.0/8, ::1 or localhost
  std::optional<std::string> token; // --admin-token, --admin-token-file, INSPEKT_ADMIN_TOKEN
};

// 127.0.0.0/8, ::1 (also as [::1] or ::ffff:127.x.y.z) or "localhost".
bool is_loopback_host(std::string_view host);

// Where admin calls run. `caller`: on the thread that calls handle() (tests). `own`: on
// a thread of the admin API's own, one call at a time in the order they came, the
// answer deferred (HttpResponse::deferred): an event loop never waits while a reload
// reads 100,000 keys, or a runtime key copies them, and serves its other connections.
enum class AdminThread { caller, own };

class AdminApi final : public Responder {
public:
  AdminApi(std::shared_ptr<MockRuntime> runtime, AdminAccess access,
           AdminThread thread = AdminThread::caller);
  ~AdminApi() override;
  AdminApi(const AdminApi &) = delete;
  AdminApi &operator=(const AdminApi &) = delete;

  std::unique_ptr<AnswerNote> make_note() const override { return std::make_unique<FactsNote>(); }
  HttpResponse answer(const HttpRequest &request, AnswerNote *note) const override;
  // The set in use's, for the vendor's paths (guarded routes stream their bodies).
  std::shared_ptr<BodySink> open_body(const HttpRequest &head) const override;
  HttpResponse refuse(Refusal refusal) const override;
  // The journal's subscription: each delivered answer that belongs in it.
  DeliveryObserver *observer() const override { return &recorder_; }
  // The answer and its facts together (tests, the fuzzer).
  HandledRequest handle(const HttpRequest &request) const;
  HttpResponse respond(Outcome outcome) const;
  // Whether an answer the engine refused itself, to a request for `path`, goes to the
  // journal: not when the path is the admin API's own.
  bool journals(std::string_view path) const;

  MockRuntime &runtime() const { return *runtime_; }

private:
  // One endpoint: the member that answers `method` on `path` (admin_api.cpp's table).
  enum class Body { none, json };
  using Endpoint = HttpResponse (AdminApi::*)(const HttpRequest &request,
                                              const nlohmann::json &fields) const;
  struct Route {
    std::string_view method;
    std::string_view path;
    Body body; // json: the body is parsed (a JSON object) and given as `fields`
    Endpoint answer;
  };
  static const std::array<Route, 15> routes;

  HttpResponse answer_admin(const HttpRequest &request) const;
  HttpResponse page(const HttpRequest &request, const nlohmann::json &fields) const;
  // GET /__admin: a permanent redirect to the page at /__admin/ (RFC 9110, 15.4.9).
  HttpResponse to_page(const HttpRequest &request, const nlohmann::json &fields) const;
  HttpResponse health(const HttpRequest &request, const nlohmann::json &fields) const;
  HttpResponse list_keys(const HttpRequest &request, const nlohmann::json &fields) const;
  HttpResponse list_requests(const HttpRequest &request, const nlohmann::json &fields) const;
  HttpResponse clear_requests(const HttpRequest &request, const nlohmann::json &fields) const;
  HttpResponse count_requests(const HttpRequest &request, const nlohmann::json &fields) const;
  HttpResponse add_key(const HttpRequest &request, const nlohmann::json &fields) const;
  HttpResponse revoke_key(const HttpRequest &request, const nlohmann::json &fields) const;
  HttpResponse revoke_tokens(const HttpRequest &request, const nlohmann::json &fields) const;
  HttpResponse get_clock(const HttpRequest &request, const nlohmann::json &fields) const;
  HttpResponse set_clock(const HttpRequest &request, const nlohmann::json &fields) const;
  HttpResponse reset(const HttpRequest &request, const nlohmann::json &fields) const;
  HttpResponse reload(const HttpRequest &request, const nlohmann::json &fields) const;
  std::optional<HttpResponse> refuse_access(const HttpRequest &request) const;

  class Worker;
  class Recorder final : public DeliveryObserver {
  public:
    explicit Recorder(const AdminApi &api) : api_(api) {}
    void delivered(const Delivery &delivery) override;

  private:
    const AdminApi &api_;
  };

  std::shared_ptr<MockRuntime> runtime_;
  AdminAccess access_;
  std::optional<KeyDigest> token_digest_;
  mutable Recorder recorder_{*this};
  std::unique_ptr<Worker> worker_; // last: stopped before the rest goes
};

} // namespace inspekt::mock
