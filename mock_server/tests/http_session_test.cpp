// HttpSession without sockets: bytes in, answers out. The transport-level behaviours
// (framing, pipelining, limits, keep-alive, refusals) are pinned here; the event loop
// around it is tested over loopback in server_test.cpp.

#include "inspekt/mock/control/access_log.hpp"
#include "inspekt/mock/engine/http_session.hpp"
#include "inspekt/mock/fixtures/fixture_loader.hpp"
#include "inspekt/mock/handler/auth_handler.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <sstream>

using namespace inspekt::mock;
using nlohmann::json;

namespace {

const AuthHandler &handler() {
  static const AuthHandler pinned(load_embedded_fixtures(), {7, 1764000000});
  return pinned;
}

struct Answer {
  int status = 0;
  std::map<std::string, std::string> headers; // names lower-cased
  std::string body;
};

std::string lower(std::string text) {
  for (auto &c : text) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return text;
}

// Splits what a session wrote into answers, reading each body by its Content-Length.
// `head_answers` answers (in order, from the first) are to HEAD requests: no body.
std::vector<Answer> answers_in(const std::string &output, std::size_t head_answers = 0) {
  std::vector<Answer> all;
  std::size_t at = 0;
  while (at < output.size()) {
    const auto end = output.find("\r\n\r\n", at);
    REQUIRE(end != std::string::npos);
    std::istringstream head(output.substr(at, end - at));
    std::string line;
    std::getline(head, line);
    REQUIRE(line.rfind("HTTP/1.1 ", 0) == 0);
    Answer answer;
    answer.status = std::stoi(line.substr(9, 3));
    while (std::getline(head, line)) {
      if (!line.empty() && line.back() == '\r') {
        line.pop_back();
      }
      const auto colon = line.find(": ");
      REQUIRE(colon != std::string::npos);
      answer.headers[lower(line.substr(0, colon))] = line.substr(colon + 2);
    }
    at = end + 4;
    if (answer.status != 100) {
      const auto length = std::stoul(answer.headers.at("content-length"));
      if (head_answers > 0) {
        --head_answers;
      } else {
        REQUIRE(at + length <= output.size());
        answer.body = output.substr(at, length);
        at += length;
      }
    }
    all.push_back(answer);
  }
  return all;
}

std::string post(const std::string &body, const std::string &extra = "",
                 const std::string &target = "/api/authenticate") {
  return "POST " + target + " HTTP/1.1\r\nHost: mock\r\nContent-Type: application/json\r\n" +
         extra + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

const std::string login = R"({"key":"demo-valid-key","client_id":"app"})";

// 2^64 + n in decimal (n < 1000): a Content-Length that wraps to n in 64 bits.
std::string two_to_the_64_plus(std::size_t n) {
  std::string digits = "18446744073709551616";
  for (auto at = digits.rbegin(); n != 0 && at != digits.rend(); ++at) {
    const std::size_t sum = static_cast<std::size_t>(*at - '0') + n % 10;
    *at = static_cast<char>('0' + sum % 10);
    n = n / 10 + sum / 10;
  }
  return digits;
}

HttpLimits limits_with_body(std::size_t max_body) {
  HttpLimits limits;
  limits.max_body_bytes = max_body;
  limits.max_drained_body_bytes = max_body * 16;
  return limits;
}

} // namespace

TEST_CASE("a login in one piece and byte by byte gets the same answer", "[session]") {
  const AuthHandler first(load_embedded_fixtures(), {7, 1764000000});
  const AuthHandler second(load_embedded_fixtures(), {7, 1764000000});
  HttpSession whole(first, {}, nullptr, "");
  HttpSession bytes(second, {}, nullptr, "");
  const std::string request = post(login);
  whole.receive(request);
  for (char c : request) {
    bytes.receive(std::string_view(&c, 1));
  }
  CHECK(whole.output() == bytes.output());
  const auto answers = answers_in(whole.output());
  REQUIRE(answers.size() == 1);
  CHECK(answers[0].status == 200);
  CHECK(answers[0].headers.at("content-type") == "application/json");
  CHECK(answers[0].headers.count("connection") == 0); // keep-alive is HTTP/1.1's default
  CHECK(json::parse(answers[0].body).contains("refresh_token"));
  CHECK(whole.idle());
  CHECK_FALSE(whole.finished());
}

TEST_CASE("pipelined requests are answered in order", "[session]") {
  HttpSession session(handler(), {}, nullptr, "");
  session.receive(post(login) + post(R"({"client_id":"no key"})") +
                  "GET /api/authenticate HTTP/1.1\r\nHost: mock\r\n\r\n" + post(login));
  const auto answers = answers_in(session.output());
  REQUIRE(answers.size() == 4);
  CHECK(answers[0].status == 200);
  CHECK(answers[1].status == 400);
  CHECK(answers[2].status == 405);
  CHECK(answers[2].headers.at("allow") == "POST");
  CHECK(answers[3].status == 200);
  CHECK(json::parse(answers[0].body)["session"] != json::parse(answers[3].body)["session"]);
}

TEST_CASE("a chunked body arriving in pieces is read whole", "[session]") {
  HttpSession session(handler(), {}, nullptr, "");
  session.receive("POST /api/authenticate HTTP/1.1\r\nHost: mock\r\nContent-Type: "
                  "application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
  session.receive("a\r\n" + login.substr(0, 10) + "\r\n");
  CHECK(session.output().empty());
  CHECK_FALSE(session.idle());
  char size[16];
  std::snprintf(size, sizeof size, "%zx", login.size() - 10);
  session.receive(std::string(size) + "\r\n" + login.substr(10) + "\r\n0\r\n\r\n");
  const auto answers = answers_in(session.output());
  REQUIRE(answers.size() == 1);
  CHECK(answers[0].status == 200);
}

TEST_CASE("a POST without Content-Length has an empty body", "[session]") {
  HttpSession session(handler(), {}, nullptr, "");
  session.receive("POST /api/authenticate HTTP/1.1\r\nHost: mock\r\n"
                  "Content-Type: application/json\r\n\r\n");
  const auto answers = answers_in(session.output());
  REQUIRE(answers.size() == 1);
  CHECK(answers[0].status == 400);
}

TEST_CASE("Expect: 100-continue gets an interim answer, or 413 at once", "[session]") {
  SECTION("a body within the limit") {
    HttpSession session(handler(), {}, nullptr, "");
    const std::string request = post(login, "Expect: 100-continue\r\n");
    const auto head_end = request.find("\r\n\r\n") + 4;
    session.receive(request.substr(0, head_end));
    CHECK(session.output() == "HTTP/1.1 100 Continue\r\n\r\n");
    session.receive(request.substr(head_end));
    const auto answers = answers_in(session.output());
    REQUIRE(answers.size() == 2);
    CHECK(answers[1].status == 200);
  }
  SECTION("a body over the limit is refused before it is sent") {
    HttpSession session(handler(), limits_with_body(100), nullptr, "");
    const std::string request = post(std::string(150, 'x'), "Expect: 100-continue\r\n");
    session.receive(request.substr(0, request.find("\r\n\r\n") + 4));
    const auto answers = answers_in(session.output());
    REQUIRE(answers.size() == 1);
    CHECK(answers[0].status == 413);
    CHECK(answers[0].headers.at("connection") == "close");
    CHECK(json::parse(answers[0].body) == json{{"message", "Payload too large"}});
    CHECK(session.finished());
  }
}

TEST_CASE("a body over the limit gets 413, and within the drain limit the connection stays",
          "[session]") {
  HttpSession session(handler(), limits_with_body(100), nullptr, "");
  session.receive(post(std::string(500, 'x')) + post(login));
  const auto answers = answers_in(session.output());
  REQUIRE(answers.size() == 2);
  CHECK(answers[0].status == 413);
  CHECK(answers[0].headers.count("connection") == 0);
  CHECK(answers[1].status == 200);
  CHECK_FALSE(session.finished());
}

TEST_CASE("a body past the drain limit gets 413 at once and the connection ends", "[session]") {
  SECTION("announced by Content-Length") {
    HttpSession session(handler(), limits_with_body(100), nullptr, "");
    const std::string request = post(std::string(1601, 'x'));
    session.receive(request.substr(0, request.find("\r\n\r\n") + 4));
    const auto answers = answers_in(session.output());
    REQUIRE(answers.size() == 1);
    CHECK(answers[0].status == 413);
    CHECK(session.finished());
  }
  SECTION("chunked") {
    HttpSession session(handler(), limits_with_body(100), nullptr, "");
    session.receive("POST /api/authenticate HTTP/1.1\r\nHost: mock\r\nTransfer-Encoding: "
                    "chunked\r\n\r\n");
    for (int i = 0; i < 20 && !session.finished(); ++i) {
      session.receive("64\r\n" + std::string(100, 'x') + "\r\n");
    }
    const auto answers = answers_in(session.output());
    REQUIRE(answers.size() == 1);
    CHECK(answers[0].status == 413);
    CHECK(answers[0].headers.at("connection") == "close");
    CHECK(session.finished());
  }
}

TEST_CASE("HEAD gets the headers of its answer and no body", "[session]") {
  HttpSession session(handler(), {}, nullptr, "");
  session.receive("HEAD /api/authenticate HTTP/1.1\r\nHost: mock\r\n\r\n" + post(login));
  const auto answers = answers_in(session.output(), 1);
  REQUIRE(answers.size() == 2);
  CHECK(answers[0].status == 405);
  CHECK(std::stoul(answers[0].headers.at("content-length")) > 0);
  CHECK(answers[0].body.empty());
  CHECK(answers[1].status == 200);
}

TEST_CASE("the connection ends when the client asks, or after the most requests", "[session]") {
  SECTION("Connection: close") {
    HttpSession session(handler(), {}, nullptr, "");
    session.receive(post(login, "Connection: close\r\n") + post(login));
    const auto answers = answers_in(session.output());
    REQUIRE(answers.size() == 1); // nothing after the answer that closes
    CHECK(answers[0].headers.at("connection") == "close");
    CHECK(session.finished());
  }
  SECTION("HTTP/1.0 without keep-alive") {
    HttpSession session(handler(), {}, nullptr, "");
    session.receive("POST /api/authenticate HTTP/1.0\r\nContent-Type: application/json\r\n"
                    "Content-Length: " +
                    std::to_string(login.size()) + "\r\n\r\n" + login);
    const auto answers = answers_in(session.output());
    REQUIRE(answers.size() == 1);
    CHECK(answers[0].status == 200);
    CHECK(session.finished());
  }
  SECTION("keep_alive_max_requests") {
    HttpLimits limits;
    limits.keep_alive_max_requests = 3;
    HttpSession session(handler(), limits, nullptr, "");
    session.receive(post(login) + post(login) + post(login) + post(login));
    const auto answers = answers_in(session.output());
    REQUIRE(answers.size() == 3);
    CHECK(answers[1].headers.count("connection") == 0);
    CHECK(answers[2].headers.at("connection") == "close");
    CHECK(session.finished());
  }
}

TEST_CASE("requests the parser refuses get a JSON answer and end the connection",
          "[session][hostile]") {
  struct Refused {
    const char *name;
    std::string bytes;
    int status;
  };
  const auto refused = GENERATE(values<Refused>({
      {"a broken request line", "NOT AN HTTP REQUEST\r\n\r\n", 400},
      {"an unknown method", "FROB /api/authenticate HTTP/1.1\r\nHost: m\r\n\r\n", 400},
      {"a target over 8 KiB", "POST /" + std::string(9000, 'a') + " HTTP/1.1\r\nHost: m\r\n\r\n",
       414},
      {"headers over 16 KiB",
       "POST /api/authenticate HTTP/1.1\r\nX-Big: " + std::string(17000, 'b') + "\r\n\r\n", 431},
      {"Content-Length and Transfer-Encoding together (smuggling)",
       "POST /api/authenticate HTTP/1.1\r\nHost: m\r\nContent-Length: 4\r\n"
       "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
       400},
      {"two different Content-Lengths",
       "POST /api/authenticate HTTP/1.1\r\nHost: m\r\nContent-Length: 4\r\n"
       "Content-Length: 5\r\n\r\n{}{}",
       400},
      {"a broken chunk size",
       "POST /api/authenticate HTTP/1.1\r\nHost: m\r\nTransfer-Encoding: chunked\r\n\r\n"
       "zz\r\n",
       400},
      // A length past 2^64 is no length (nginx answers 400; http-parser stops with
      // HPE_INVALID_CONTENT_LENGTH). Read modulo 2^64, 2^64 plus the login's size would
      // frame the login after it as this request's body, answered 200 on a connection
      // that stays open; 2^64 plus 2 would take "{}" for a body.
      {"a Content-Length of 2^64 plus the body's size",
       "POST /api/authenticate HTTP/1.1\r\nHost: m\r\nContent-Type: application/json\r\n"
       "Content-Length: " +
           two_to_the_64_plus(login.size()) + "\r\n\r\n" + login,
       400},
      {"a Content-Length of 2^64 plus 2 and a 2-byte body",
       "POST /api/authenticate HTTP/1.1\r\nHost: m\r\nContent-Type: application/json\r\n"
       "Content-Length: " +
           two_to_the_64_plus(2) + "\r\n\r\n{}",
       400},
  }));
  DYNAMIC_SECTION(refused.name) {
    HttpSession session(handler(), {}, nullptr, "");
    session.receive(refused.bytes);
    const auto answers = answers_in(session.output());
    REQUIRE(answers.size() == 1);
    CHECK(answers[0].status == refused.status);
    CHECK(answers[0].headers.at("content-type") == "application/json");
    CHECK(answers[0].headers.at("connection") == "close");
    CHECK(json::parse(answers[0].body).contains("message"));
    CHECK(session.finished());
    session.receive(post(login)); // ignored: the connection is over
    CHECK(answers_in(session.output()).size() == 1);
  }
}

TEST_CASE("every status the mock sends by itself has its RFC 9110 reason phrase", "[session]") {
  // The default fixtures' answers, the admin API's (201, 308 for GET /__admin, 422) and
  // the engine's own refusals: "Unknown" on the status line would be a mock's mistake a
  // client might report.
  const auto status =
      GENERATE(200, 201, 308, 400, 401, 403, 404, 405, 413, 414, 422, 429, 431, 500, 501, 503);
  CAPTURE(status);
  CHECK(reason_phrase(status) != "Unknown");
}

TEST_CASE("targets are routed by their decoded path", "[session]") {
  const auto target =
      GENERATE(as<std::string>{}, "/api/authenticate?debug=1", "/api/%61uthenticate",
               "http://mock.example/api/authenticate", "/api/authenticate#top");
  HttpSession session(handler(), {}, nullptr, "");
  session.receive(post(login, "", target));
  const auto answers = answers_in(session.output());
  REQUIRE(answers.size() == 1);
  CHECK(answers[0].status == 200);
}

// Answers 200 and keeps every request it was given, as the engine passed it.
class RecordingResponder final : public Responder {
public:
  HttpResponse answer(const HttpRequest &request, AnswerNote *) const override {
    seen.push_back(request);
    HttpResponse response;
    response.body = "{}";
    return response;
  }
  HttpResponse refuse(Refusal) const override { return {}; }
  mutable std::vector<HttpRequest> seen;
};

TEST_CASE("each pipelined request is given its own path, query and body", "[session]") {
  // The session keeps its buffers from one request to the next: nothing of a longer
  // request before may show in a shorter one after it.
  RecordingResponder recorder;
  HttpSession session(recorder, {}, nullptr, "");
  session.receive(post(R"({"key":"a-much-longer-key-than-the-next-one"})", "Prefer: code=401\r\n",
                       "/api/authenticate/with/a/long/tail?first=1") +
                  post("{}", "", "/a%2Fb%") + post("", "", "/%41%4?x") +
                  post("x", "", "http://mock.example/%7e%zz#frag?no"));
  REQUIRE(recorder.seen.size() == 4);
  CHECK(recorder.seen[0].path == "/api/authenticate/with/a/long/tail");
  CHECK(recorder.seen[0].query == "first=1");
  CHECK(recorder.seen[0].prefer == "code=401");
  CHECK(recorder.seen[1].path == "/a/b%");
  CHECK(recorder.seen[1].query.empty());
  CHECK(recorder.seen[1].body == "{}");
  CHECK_FALSE(recorder.seen[1].prefer);
  CHECK(recorder.seen[2].path == "/A%4");
  CHECK(recorder.seen[2].query == "x");
  CHECK(recorder.seen[2].body.empty());
  CHECK(recorder.seen[3].path == "/~%zz");
  CHECK(recorder.seen[3].query.empty());
  CHECK(recorder.seen[3].body == "x");
  for (const auto &request : recorder.seen) {
    CHECK(request.method == "POST");
    CHECK(request.content_type == "application/json");
    CHECK_FALSE(request.body_too_large);
  }
}

TEST_CASE("Java's h2c upgrade is ignored: HTTP/1.1 answers and continues", "[session]") {
  HttpSession session(handler(), {}, nullptr, "");
  session.receive(post(login, "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
                              "HTTP2-Settings: AAEAAEAAAAIAAAAB\r\n") +
                  post(login));
  const auto answers = answers_in(session.output());
  REQUIRE(answers.size() == 2);
  CHECK(answers[0].status == 200);
  CHECK(answers[1].status == 200);
  CHECK_FALSE(session.finished());
}

TEST_CASE("CONNECT is answered and ends the connection", "[session]") {
  HttpSession session(handler(), {}, nullptr, "");
  session.receive("CONNECT mock.example:443 HTTP/1.1\r\nHost: mock.example:443\r\n\r\n" +
                  post(login));
  const auto answers = answers_in(session.output());
  REQUIRE(answers.size() == 1);
  CHECK(answers[0].status == 404);
  CHECK(session.finished());
}

TEST_CASE("parsing pauses while a client leaves its answers unread", "[session]") {
  HttpLimits limits;
  limits.max_pending_output = 1000; // an answer with two tokens is about 700 bytes
  HttpSession session(handler(), limits, nullptr, "");
  std::string requests;
  for (int i = 0; i < 6; ++i) {
    requests += post(login);
  }
  session.receive(requests);
  CHECK(session.paused());
  const auto first = answers_in(session.output()).size();
  CHECK(first < 6);
  CHECK(session.output().size() <= limits.max_pending_output + 1024);
  session.receive(post(login)); // kept while paused, answered later in order
  std::size_t total = first;
  for (int rounds = 0; rounds < 10 && total < 7; ++rounds) {
    session.output().clear(); // the transport wrote it
    session.resume();
    total += answers_in(session.output()).size();
  }
  CHECK(total == 7);
  CHECK_FALSE(session.paused());
}

TEST_CASE("a request cut short by the client gets no answer", "[session]") {
  HttpSession session(handler(), {}, nullptr, "");
  session.receive(post(login).substr(0, 60));
  CHECK_FALSE(session.idle());
  session.receive_end();
  CHECK(session.output().empty());
  CHECK(session.finished());
}

TEST_CASE("close_after_next_answer ends the connection after the request in progress",
          "[session]") {
  HttpSession session(handler(), {}, nullptr, "");
  const std::string request = post(login);
  session.receive(request.substr(0, 50));
  session.close_after_next_answer();
  CHECK_FALSE(session.finished());
  session.receive(request.substr(50) + post(login));
  const auto answers = answers_in(session.output());
  REQUIRE(answers.size() == 1);
  CHECK(answers[0].status == 200);
  CHECK(answers[0].headers.at("connection") == "close");
  CHECK(session.finished());
}

TEST_CASE("the session logs each answer with the client address, never the key",
          "[session][secrets]") {
  std::ostringstream lines;
  AccessLog log(&lines, LogFormat::json);
  HttpSession session(handler(), {}, &log, "127.0.0.1:50000");
  session.receive(post(R"({"key":"zq-distinctive-9f3k2","client_id":"app"})") + "NOT HTTP\r\n\r\n");
  REQUIRE(log.flush());
  std::istringstream in(lines.str());
  std::string line;
  std::vector<json> entries;
  while (std::getline(in, line)) {
    entries.push_back(json::parse(line));
  }
  REQUIRE(entries.size() == 2);
  CHECK(entries[0]["status"] == 401);
  CHECK(entries[0]["remote"] == "127.0.0.1:50000");
  CHECK(entries[0]["method"] == "POST");
  CHECK(entries[0]["path"] == "/api/authenticate");
  CHECK(entries[0].contains("duration_ms"));
  CHECK(entries[1]["status"] == 400);
  CHECK(lines.str().find("zq-distinctive-9f3k2") == std::string::npos);
  CHECK(lines.str().find("distinctive") == std::string::npos);
}

TEST_CASE("trailers after a chunked body are not request headers", "[session]") {
  HttpSession session(handler(), {}, nullptr, "");
  char size[16];
  std::snprintf(size, sizeof size, "%zx", login.size());
  // No Content-Type among the headers: a 400, whatever the trailer says.
  session.receive("POST /api/authenticate HTTP/1.1\r\nHost: mock\r\nTransfer-Encoding: "
                  "chunked\r\n\r\n" +
                  std::string(size) + "\r\n" + login +
                  "\r\n0\r\nContent-Type: application/json\r\nX-Trailer: 1\r\n\r\n");
  const auto answers = answers_in(session.output());
  REQUIRE(answers.size() == 1);
  CHECK(answers[0].status == 400);
}

TEST_CASE("requests received before the client closed are answered after a pause", "[session]") {
  HttpLimits limits;
  limits.max_pending_output = 1000;
  HttpSession session(handler(), limits, nullptr, "");
  std::string requests;
  for (int i = 0; i < 6; ++i) {
    requests += post(login);
  }
  session.receive(requests);
  REQUIRE(session.paused());
  session.receive_end(); // the client sent all six and closed its side
  CHECK_FALSE(session.finished());
  std::size_t total = answers_in(session.output()).size();
  for (int rounds = 0; rounds < 10 && !session.finished(); ++rounds) {
    session.output().clear();
    session.resume();
    total += answers_in(session.output()).size();
  }
  CHECK(total == 6);
  CHECK(session.finished());
}

TEST_CASE("a HEAD request refused for its body size gets no body either", "[session]") {
  HttpSession session(handler(), limits_with_body(100), nullptr, "");
  session.receive("HEAD /api/authenticate HTTP/1.1\r\nHost: m\r\nContent-Length: 5000\r\n\r\n");
  const auto &output = session.output();
  REQUIRE(output.rfind("HTTP/1.1 413 ", 0) == 0);
  CHECK(output.size() == output.find("\r\n\r\n") + 4); // nothing after the headers
  CHECK(session.finished());
}

TEST_CASE("HTTP/1.0 keep-alive is said in the answer, and Expect means nothing", "[session]") {
  HttpSession session(handler(), limits_with_body(100), nullptr, "");
  const std::string body(500, 'x'); // over the limit, within the drain limit
  session.receive("POST /api/authenticate HTTP/1.0\r\nConnection: keep-alive\r\n"
                  "Expect: 100-continue\r\nContent-Type: application/json\r\n"
                  "Content-Length: 500\r\n\r\n" +
                  body);
  const auto answers = answers_in(session.output());
  REQUIRE(answers.size() == 1); // no 100 Continue, and the 413 after the whole body
  CHECK(answers[0].status == 413);
  CHECK(answers[0].headers.at("connection") == "keep-alive");
  CHECK_FALSE(session.finished());
}

TEST_CASE("requests RFC 9112 forbids are refused as nginx refuses them, however they arrive",
          "[session][hostile]") {
  struct Refused {
    const char *name;
    std::string bytes;
    int status;
  };
  const std::string head = "POST /api/authenticate HTTP/1.1\r\n";
  const std::string tail =
      "Content-Type: application/json\r\nContent-Length: " + std::to_string(login.size()) +
      "\r\n\r\n" + login;
  const auto refused = GENERATE_COPY(values<Refused>({
      // RFC 9112 section 3.2: a server MUST respond with 400 to an HTTP/1.1 request
      // that lacks a Host header field or has more than one.
      {"no Host", head + tail, 400},
      {"two Hosts", head + "Host: a\r\nHost: b\r\n" + tail, 400},
      // Section 5.1: no whitespace is allowed between the field name and colon; a
      // server MUST reject it with 400 (two parsers reading two names is smuggling).
      {"a space before the colon", head + "Host: m\r\nContent-Type : text/plain\r\n" + tail, 400},
      {"a space before Host's colon", head + "Host : m\r\n" + tail, 400},
      // Section 5.2: obs-fold is rejected with 400 outside message/http.
      {"an obs-fold line", head + "Host: m\r\nX-Note: one\r\n two\r\n" + tail, 400},
      {"an obs-fold line with a tab", head + "Host: m\r\nX-Note: one\r\n\ttwo\r\n" + tail, 400},
      {"an obs-fold after an empty value", head + "Host: m\r\nX-Note:\r\n two\r\n" + tail, 400},
      {"an obs-fold of blanks only", head + "Host: m\r\nX-Note: one\r\n  \r\n" + tail, 400},
      {"an obs-fold with bare LFs", head + "Host: m\nX-Note: one\n two\n" + tail, 400},
      {"whitespace before the first header", head + " X-Note: one\r\nHost: m\r\n" + tail, 400},
      // Section 6.1: a transfer coding the server does not understand SHOULD get 501;
      // reading "gzip, chunked" as plain chunked would hand the handler gzip bytes.
      {"gzip, chunked",
       head + "Host: m\r\nContent-Type: application/json\r\n"
              "Transfer-Encoding: gzip, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
       501},
      {"gzip then chunked on two lines",
       head + "Host: m\r\nContent-Type: application/json\r\nTransfer-Encoding: gzip\r\n"
              "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
       501},
      // Section 2.2: a bare CR is invalid. http-parser takes CR and whatever byte follows
      // it for a line end after an empty value and at the end of the head, so the byte
      // after the CR vanished: "X-Note:\rXContent-Length: 2" gave the mock a body that a
      // parser replacing the CR with SP (as 2.2 allows) does not see.
      {"a bare CR ending an empty value",
       head + "Host: m\r\nContent-Type: application/json\r\nX-Note:\rXContent-Length: " +
           std::to_string(login.size()) + "\r\n\r\n" + login,
       400},
      {"a bare CR ending the head",
       head + "Host: m\r\n" + tail.substr(0, tail.size() - login.size() - 1) + "X" + login, 400},
      // Section 7.1: chunk-size and chunk-data end in CRLF. http-parser takes any two bytes
      // after a chunk's data and any byte after a CR for its LF; a proxy that reads the
      // bare LF after "{}" as the line end (section 2.2 allows it) reads the next chunk's
      // size as 0x1a where the mock read 0xa: the two frame the stream differently.
      {"a chunk's data not followed by CRLF",
       head + "Host: m\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
              "2\r\n{}\n1a\r\n0123456789\r\n0\r\n\r\n",
       400},
      {"two other bytes after a chunk's data",
       head + "Host: m\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
              "2\r\n{}XX0\r\n\r\n",
       400},
      {"a bare CR after a chunk size",
       head + "Host: m\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
              "2\rX{}\r\n0\r\n\r\n",
       400},
      {"a bare CR after the last chunk",
       head + "Host: m\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
              "2\r\n{}\r\n0\rX\r\n",
       400},
      {"a bare CR ending the trailers",
       head + "Host: m\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
              "2\r\n{}\r\n0\r\nX-Sum: 1\r\n\rX",
       400},
      // Section 6.1: "A server or client that receives an HTTP/1.0 message containing a
      // Transfer-Encoding header field MUST treat the message as if the framing is faulty
      // ... and close the connection after processing the message."
      {"chunked in HTTP/1.0",
       "POST /api/authenticate HTTP/1.0\r\nConnection: keep-alive\r\nContent-Type: "
       "application/json\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
       400},
  }));
  DYNAMIC_SECTION(refused.name) {
    std::ostringstream lines;
    AccessLog log(&lines, LogFormat::json);
    HttpSession whole(handler(), {}, &log, "127.0.0.1:50000");
    HttpSession bytes(handler(), {}, nullptr, "");
    whole.receive(refused.bytes);
    for (char c : refused.bytes) {
      bytes.receive(std::string_view(&c, 1));
    }
    const auto answers = answers_in(whole.output());
    REQUIRE(answers.size() == 1);
    CHECK(answers[0].status == refused.status);
    CHECK(answers[0].headers.at("connection") == "close");
    CHECK(json::parse(answers[0].body).contains("message"));
    CHECK(whole.finished());
    const auto byte_answers = answers_in(bytes.output());
    REQUIRE(byte_answers.size() == 1);
    CHECK(byte_answers[0].status == refused.status);
    CHECK(bytes.finished());
    // Logged as every refusal of the engine: its status and path.
    REQUIRE(log.flush());
    const json entry = json::parse(lines.str());
    CHECK(entry["status"] == refused.status);
    CHECK(entry["path"] == "/api/authenticate");
  }
}

TEST_CASE("chunked bodies with extensions, trailers and bare-LF trailer lines are read, "
          "pipelined and byte by byte",
          "[session]") {
  std::ostringstream size;
  size << std::hex << login.size();
  const std::string head = "POST /api/authenticate HTTP/1.1\r\nHost: m\r\nContent-Type: "
                           "application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
  // The login in two chunks, so that one chunk's CRLF is followed by another's size.
  const std::string split = "3;note=\"a b\"\r\n" + login.substr(0, 3) + "\r\n" +
                            [&] {
                              std::ostringstream rest;
                              rest << std::hex << login.size() - 3;
                              return rest.str();
                            }() +
                            "\r\n" + login.substr(3) + "\r\n0\r\n";
  const std::string stream = head + split + "X-Sum: 1\r\n\r\n" + head + size.str() + "\r\n" +
                             login + "\r\n0\r\nX-Sum: 1\nX-Other: 2\n\n" + head + split + "\r\n";
  HttpSession whole(handler(), {}, nullptr, "");
  HttpSession bytes(handler(), {}, nullptr, "");
  whole.receive(stream);
  for (char c : stream) {
    bytes.receive(std::string_view(&c, 1));
  }
  for (HttpSession *session : {&whole, &bytes}) {
    const auto answers = answers_in(session->output());
    REQUIRE(answers.size() == 3);
    for (const auto &answer : answers) {
      CHECK(answer.status == 200);
    }
    CHECK_FALSE(session->finished());
  }
}

TEST_CASE("what RFC 9112 allows near those refusals is still answered", "[session]") {
  const auto request = GENERATE(as<std::string>{},
                                // Host is required of HTTP/1.1 only (RFC 9112 section 3.2).
                                "POST /api/authenticate HTTP/1.0\r\n",
                                // Whitespace after the colon and around the value is OWS.
                                "POST /api/authenticate HTTP/1.1\r\nHost:m \r\nX-Note: \t a b \r\n",
                                "POST /api/authenticate HTTP/1.1\r\nhost: m\r\n");
  HttpSession session(handler(), {}, nullptr, "");
  session.receive(request + "Content-Type: application/json\r\nContent-Length: " +
                  std::to_string(login.size()) + "\r\n\r\n" + login);
  const auto answers = answers_in(session.output());
  REQUIRE(answers.size() == 1);
  CHECK(answers[0].status == 200);
  // A chunked body (the only transfer coding the mock reads) is still read.
  HttpSession chunked(handler(), {}, nullptr, "");
  chunked.receive("POST /api/authenticate HTTP/1.1\r\nHost: m\r\nContent-Type: "
                  "application/json\r\nTransfer-Encoding: Chunked\r\n\r\n" +
                  [] {
                    std::ostringstream size;
                    size << std::hex << login.size();
                    return size.str();
                  }() +
                  "\r\n" + login + "\r\n0\r\n\r\n");
  const auto chunked_answers = answers_in(chunked.output());
  REQUIRE(chunked_answers.size() == 1);
  CHECK(chunked_answers[0].status == 200);
}

TEST_CASE("each request is told how its body came: chunked, with extensions or trailers, "
          "after Expect: 100-continue",
          "[session]") {
  const std::string head = "POST /api/authenticate HTTP/1.1\r\nHost: mock\r\n"
                           "Content-Type: application/json\r\n";
  RecordingResponder recorder;
  HttpSession session(recorder, {}, nullptr, "");
  session.receive(head + "Content-Length: 2\r\n\r\n{}" +                            // plain
                  head + "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n" + // chunked
                  head + "Transfer-Encoding: chunked\r\n\r\n2;x=1\r\n{}\r\n0\r\n\r\n" + head +
                  "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\nX-T: 1\r\n\r\n" + head +
                  "Expect: 100-continue\r\nContent-Length: 2\r\n\r\n{}");
  REQUIRE(recorder.seen.size() == 5);
  const auto facts = [&](std::size_t i) {
    const auto &r = recorder.seen[i];
    return std::vector<bool>{r.chunked, r.chunk_extensions, r.expected_continue};
  };
  CHECK(facts(0) == std::vector<bool>{false, false, false});
  CHECK(facts(1) == std::vector<bool>{true, false, false});
  CHECK(facts(2) == std::vector<bool>{true, true, false});
  CHECK(facts(3) == std::vector<bool>{true, true, false});
  CHECK(facts(4) == std::vector<bool>{false, false, true});
  for (const auto &request : recorder.seen) {
    CHECK(request.body == "{}");
  }
}
