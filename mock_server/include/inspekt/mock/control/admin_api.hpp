#pragma once
// The admin API (DESIGN.md, "Admin API"; the shapes in docs/admin-api.md): a Responder
// that answers /__admin/* itself, JSON in and out, and passes every other request to
// the set in use (MockRuntime::handler()), loaded once per request.
//
// Access: open when the mock listens on a loopback host and no token is set. With a
// token, every admin call needs "Authorization: Bearer TOKEN" (compared in constant
// time), else 401. On any other host without a token, 403. Disabled (--no-admin),
// /__admin/... is an unknown path like any other (the fixtures' 404). Admin calls go to
// the access log as answer "admin", never to the journal.

#include "inspekt/mock/auth_handler.hpp"
#include "inspekt/mock/control/mock_runtime.hpp"

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

  HandledRequest handle(const HttpRequest &request) const override;
  HttpResponse respond(Outcome outcome) const override;
  Journal *journal() const override { return &runtime_->journal(); }
  bool journals(std::string_view path) const override;

  MockRuntime &runtime() const { return *runtime_; }

private:
  HttpResponse answer_admin(const HttpRequest &request) const;
  std::optional<HttpResponse> refuse_access(const HttpRequest &request) const;

  class Worker;

  std::shared_ptr<MockRuntime> runtime_;
  AdminAccess access_;
  std::optional<KeyDigest> token_digest_;
  std::unique_ptr<Worker> worker_; // last: stopped before the rest goes
};

} // namespace inspekt::mock
