// Delays and faults as HttpSession puts them on the wire, without sockets and without
// waiting: time is handed to advance(). What the handler decides (which key, which
// Prefer header) is tested in handler_test.cpp; here a Responder sets the delay or the
// fault on every login, whatever the fixtures say.

#include "inspekt/mock/engine/http_session.hpp"
#include "test_support/timed_responder.hpp"

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <memory>
#include <thread>
#include <vector>

using namespace inspekt::mock;
using inspekt::testing::TimedResponder;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

namespace {

std::string post(const std::string &body) {
  return "POST /api/authenticate HTTP/1.1\r\nHost: mock\r\nContent-Type: application/json\r\n"
         "Content-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

const std::string login = R"({"key":"demo-valid-key","client_id":"app"})";

std::size_t content_length(const std::string &output) {
  const auto at = output.find("Content-Length: ");
  REQUIRE(at != std::string::npos);
  return std::stoul(output.substr(at + 16));
}

std::string body_after_head(const std::string &output) {
  const auto end = output.find("\r\n\r\n");
  REQUIRE(end != std::string::npos);
  return output.substr(end + 4);
}

} // namespace

TEST_CASE("a delayed answer leaves at its time, and pipelined ones wait behind it",
          "[session][timed]") {
  const TimedResponder responder(250ms, std::nullopt);
  HttpSession session(responder, {}, nullptr, "");
  const auto start = SteadyClock::now();
  session.receive(post(login) + post(login));
  CHECK(session.output().empty());
  CHECK(session.waiting());
  CHECK_FALSE(session.idle()); // a stop must not close it as idle
  const auto wake = session.wake_time();
  REQUIRE(wake);
  CHECK(*wake >= start + 250ms);
  CHECK(*wake <= SteadyClock::now() + 250ms);

  session.advance(*wake - 1ms); // early: nothing
  CHECK(session.output().empty());
  session.advance(*wake);
  // The first answer is out; the second request is read now and waits its own delay.
  CHECK(session.output().rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(session.output().find("HTTP/1.1", 10) == std::string::npos);
  const auto second = session.wake_time();
  REQUIRE(second);
  session.output().clear();
  session.advance(*second);
  CHECK(session.output().rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK_FALSE(session.waiting());
  CHECK_FALSE(session.finished());
  CHECK(session.requests_answered() == 2);
}

TEST_CASE("a connection that ends while an answer waits still gets it", "[session][timed]") {
  const TimedResponder responder(100ms, std::nullopt);
  HttpSession session(responder, {}, nullptr, "");
  session.receive(post(login));
  session.receive_end(); // the client half-closed after sending
  CHECK_FALSE(session.finished());
  session.advance(*session.wake_time());
  CHECK(session.output().rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(session.finished());
}

TEST_CASE("each fault on the wire, after its delay", "[session][timed][fault]") {
  const Fault fault = GENERATE(Fault::connection_reset_by_peer, Fault::empty_response,
                               Fault::malformed_response_chunk, Fault::random_data_then_close,
                               Fault::truncated_body);
  DYNAMIC_SECTION(to_string(fault)) {
    const TimedResponder responder(50ms, fault);
    HttpSession session(responder, {}, nullptr, "");
    session.receive(post(login) + post(login)); // the second is never answered
    CHECK(session.output().empty());
    session.advance(*session.wake_time());
    const std::string &out = session.output();
    CHECK(session.finished());
    CHECK(session.reset_requested() == (fault == Fault::connection_reset_by_peer));
    CHECK(session.requests_answered() == 1);
    switch (fault) {
    case Fault::connection_reset_by_peer:
    case Fault::empty_response:
      CHECK(out.empty());
      break;
    case Fault::malformed_response_chunk: {
      CHECK(out.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
      CHECK(out.find("Transfer-Encoding: chunked\r\n") != std::string::npos);
      CHECK(out.find("Content-Length") == std::string::npos);
      // A good chunk, then a size line that is not hexadecimal.
      const auto last_line = out.substr(out.rfind("\r\n", out.size() - 3) + 2);
      CHECK(last_line.find_first_not_of("0123456789abcdefABCDEF\r\n") != std::string::npos);
      break;
    }
    case Fault::random_data_then_close:
      CHECK(out.size() == 256);
      CHECK(out.rfind("HTTP/", 0) != 0);
      break;
    case Fault::truncated_body: {
      const auto promised = content_length(out);
      CHECK(body_after_head(out).size() == promised / 2);
      CHECK(promised > 0);
      break;
    }
    default:
      FAIL("not a closing fault");
    }
  }
}

TEST_CASE("SLOW_BODY: the head at once, the body in pieces over the delay", "[session][timed]") {
  const TimedResponder responder(1000ms, Fault::slow_body);
  HttpSession session(responder, {}, nullptr, "");
  const auto start = SteadyClock::now();
  session.receive(post(login));
  const std::string head = session.output();
  REQUIRE(head.size() > 4);
  CHECK(head.substr(head.size() - 4) == "\r\n\r\n"); // the head only
  const auto promised = content_length(head);
  std::string whole = head;
  session.output().clear();
  int pieces = 0;
  while (const auto wake = session.wake_time()) {
    CHECK(*wake <= start + 1000ms + 50ms);
    session.advance(*wake);
    CHECK_FALSE(session.output().empty());
    whole += session.output();
    session.output().clear();
    ++pieces;
    REQUIRE(pieces <= 10);
  }
  CHECK(pieces == 10);
  CHECK(body_after_head(whole).size() == promised);
  CHECK(nlohmann::json::parse(body_after_head(whole)).contains("refresh_token"));
  CHECK_FALSE(session.finished()); // a valid answer: the connection goes on
  session.receive(post(login));
  CHECK_FALSE(session.output().empty());
}

TEST_CASE("a fault without a delay happens at once", "[session][timed]") {
  const TimedResponder responder(0ms, Fault::empty_response);
  HttpSession session(responder, {}, nullptr, "");
  session.receive(post(login));
  CHECK(session.finished());
  CHECK(session.output().empty());
  CHECK_FALSE(session.wake_time());
}

TEST_CASE("a delayed answer that leaves after a stop began says Connection: close",
          "[session][timed]") {
  // A stop (close_after_next_answer) while an answer waits: the answer is the last on
  // the connection, so it must say so, or a client may send its next request into a
  // connection that is closing.
  const TimedResponder responder(100ms, std::nullopt);
  HttpSession session(responder, {}, nullptr, "");
  session.receive(post(login));
  session.close_after_next_answer();
  session.advance(*session.wake_time());
  CHECK(session.output().rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(session.output().find("Connection: close\r\n") != std::string::npos);
  CHECK(session.finished());
}

namespace {

// Defers every answer (as the admin API does on its own thread): the test gives each
// one when it likes, with the status it likes.
class DeferringResponder final : public Responder {
public:
  HttpResponse answer(const HttpRequest &, AnswerNote *) const override {
    HttpResponse response;
    response.deferred = std::make_shared<DeferredAnswer>();
    pending.push_back(response.deferred);
    return response;
  }
  HttpResponse refuse(Refusal) const override { return {}; }
  mutable std::vector<std::shared_ptr<DeferredAnswer>> pending;
};

HttpResponse answer_with(int status, const std::string &body) {
  HttpResponse response;
  response.status = status;
  response.headers.emplace_back("Content-Type", "application/json");
  response.body = body;
  return response;
}

} // namespace

TEST_CASE("a deferred answer leaves once another thread gives it, and pipelined ones wait",
          "[session][timed][deferred]") {
  const DeferringResponder responder;
  HttpSession session(responder, {}, nullptr, "");
  session.receive(post(login) + post(login));
  REQUIRE(responder.pending.size() == 1); // the second request is not read yet
  CHECK(session.output().empty());
  CHECK(session.waiting());
  CHECK_FALSE(session.idle()); // a stop must not close it as idle
  const auto now = SteadyClock::now();
  session.advance(now + 5ms); // not given yet: nothing, and the session looks again later
  CHECK(session.output().empty());
  const auto again = session.wake_time();
  REQUIRE(again);
  CHECK(*again == now + 5ms + deferred_poll_interval);

  std::thread([&] {
    responder.pending[0]->give(answer_with(422, R"({"message":"first"})"));
  }).join();
  session.advance(*again);
  CHECK(session.output().rfind("HTTP/1.1 422 Unprocessable Content\r\n", 0) == 0);
  CHECK(body_after_head(session.output()) == R"({"message":"first"})");
  // The second request is read now, and waits for its own answer.
  REQUIRE(responder.pending.size() == 2);
  CHECK(session.waiting());
  session.output().clear();
  responder.pending[1]->give(answer_with(200, R"({"message":"second"})"));
  responder.pending[1]->give(answer_with(500, "{}")); // only the first gift counts
  session.advance(*session.wake_time());
  CHECK(session.output().rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(body_after_head(session.output()) == R"({"message":"second"})");
  CHECK_FALSE(session.waiting());
  CHECK_FALSE(session.finished());
  CHECK(session.requests_answered() == 2);
}

TEST_CASE("a deferred answer given before the engine looks leaves at once",
          "[session][timed][deferred]") {
  class GivenAlready final : public Responder {
  public:
    HttpResponse answer(const HttpRequest &, AnswerNote *) const override {
      HttpResponse response;
      response.deferred = std::make_shared<DeferredAnswer>();
      response.deferred->give(answer_with(200, "{}"));
      return response;
    }
    HttpResponse refuse(Refusal) const override { return {}; }
  } responder;
  HttpSession session(responder, {}, nullptr, "");
  session.receive(post(login));
  CHECK(session.output().rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK_FALSE(session.waiting());
}

TEST_CASE("a deferred answer that leaves after a stop began says Connection: close",
          "[session][timed][deferred]") {
  const DeferringResponder responder;
  HttpSession session(responder, {}, nullptr, "");
  session.receive(post(login) + post(login));
  session.close_after_next_answer();
  responder.pending.at(0)->give(answer_with(200, "{}"));
  session.advance(*session.wake_time());
  CHECK(session.output().rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(session.output().find("Connection: close\r\n") != std::string::npos);
  CHECK(session.finished());
  CHECK(responder.pending.size() == 1); // the pipelined request is never answered
}
