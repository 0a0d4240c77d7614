#pragma once
// A Responder for engine and client tests (header-only: link inspekt::mock): the embedded fixtures'
// answers, with the same delay and fault on every request whose body contains `marker` (every
// request when it is empty), whatever the fixtures say.

#include "inspekt/mock/fixtures/fixture_loader.hpp"
#include "inspekt/mock/handler/auth_handler.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace inspekt::testing {

// The embedded fixtures' answers, with this delay and fault on every handled request.
class TimedResponder final : public mock::Responder {
public:
  TimedResponder(std::chrono::milliseconds delay, std::optional<mock::Fault> fault,
                 std::string marker = "")
      : handler_(mock::load_embedded_fixtures(), {7, 1764000000}), delay_(delay), fault_(fault),
        marker_(std::move(marker)) {}

  std::unique_ptr<mock::AnswerNote> make_note() const override { return handler_.make_note(); }
  mock::HttpResponse answer(const mock::HttpRequest &request,
                            mock::AnswerNote *note) const override {
    auto response = handler_.answer(request, note);
    if (request.body.find(marker_) == std::string::npos) {
      return response;
    }
    response.delay = delay_;
    response.fault = fault_;
    return response;
  }
  mock::HttpResponse refuse(mock::Refusal refusal) const override {
    return handler_.refuse(refusal);
  }

private:
  mock::AuthHandler handler_;
  std::chrono::milliseconds delay_;
  std::optional<mock::Fault> fault_;
  std::string marker_;
};

} // namespace inspekt::testing
