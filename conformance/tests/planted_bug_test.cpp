// The bugs deviations plant: each condition selects the requests it names and no other,
// and a planted member that is not one is refused with the place in the file.

#include "planted_bug.hpp"

#include "inspekt/mock/engine/wire.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

using inspekt::conformance::bug_applies;
using inspekt::conformance::BugCondition;
using inspekt::conformance::read_planted_bug;
using inspekt::mock::HttpRequest;

namespace {

HttpRequest login(std::string body = R"({"key":"k","client_id":42})") {
  HttpRequest request;
  request.method = "POST";
  request.path = "/api/authenticate";
  request.content_type = "application/json";
  request.body = std::move(body);
  return request;
}

// A deviation file holding `planted`, removed when done.
struct DeviationFile {
  explicit DeviationFile(const std::string &planted) {
    std::ofstream(path) << R"({"description": "d", "patch": {}, "planted": )" << planted << "}";
  }
  ~DeviationFile() { std::remove(path.c_str()); }
  std::string path = (std::filesystem::temp_directory_path() /
                      ("inspekt-planted-bug-test-" + std::to_string(::getpid()) + ".json"))
                         .string();
};

} // namespace

TEST_CASE("each condition of a planted bug selects what it names", "[planted]") {
  BugCondition when;
  CHECK(bug_applies(when, login())); // no condition: every request

  when = {};
  when.method = "PUT";
  CHECK_FALSE(bug_applies(when, login()));

  when = {};
  when.content_type_given = true; // null: no Content-Type
  CHECK_FALSE(bug_applies(when, login()));
  auto bare = login();
  bare.content_type.reset();
  CHECK(bug_applies(when, bare));

  when = {};
  when.framing = "content-length";
  auto chunked = login();
  chunked.chunked = true;
  auto expecting = login();
  expecting.expected_continue = true;
  CHECK(bug_applies(when, login()));
  CHECK_FALSE(bug_applies(when, chunked));
  CHECK_FALSE(bug_applies(when, expecting));
  when.framing = "chunk-extensions";
  CHECK_FALSE(bug_applies(when, chunked));
  chunked.chunk_extensions = true;
  CHECK(bug_applies(when, chunked));

  when = {};
  when.body_contains = R"("client_id":42)";
  when.body_lacks = R"("note")";
  CHECK(bug_applies(when, login()));
  CHECK_FALSE(bug_applies(when, login(R"({"key":"k","client_id":42,"note":1})")));
  CHECK_FALSE(bug_applies(when, login(R"({"key":"k","client_id":"42"})")));

  when = {};
  when.body = "";
  when.body_starts_with = "";
  CHECK(bug_applies(when, login("")));
  CHECK_FALSE(bug_applies(when, login(" ")));

  when = {};
  when.refusal = inspekt::mock::Refusal::invalid_request; // the engine's refusal only
  CHECK_FALSE(bug_applies(when, login()));
}

TEST_CASE("a planted member that is not a bug is refused, naming the place", "[planted]") {
  const auto problem = [](const std::string &planted) {
    DeviationFile file(planted);
    try {
      read_planted_bug(file.path);
    } catch (const std::exception &e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  CHECK(problem(R"({"when": {"framing": "chunked"}, "status": 500})") == "accepted");
  CHECK(problem(R"({"when": {"body_contains_hex": "FFfe"}})") == "accepted");
  CHECK(problem(R"({"when": {"framing": "gzip"}})").find("/planted/when/framing: \"gzip\"") !=
        std::string::npos);
  CHECK(problem(R"({"when": {"colour": "red"}})").find("/planted/when/colour: not a condition") !=
        std::string::npos);
  CHECK(problem(R"({"when": {}})").find("/planted/when: needs an object") != std::string::npos);
  CHECK(problem(R"({"when": {"method": 1}})").find("/planted/when/method: not a string") !=
        std::string::npos);
  CHECK(problem(R"({"when": {"body_contains_hex": "f"}})").find("not pairs of hex digits") !=
        std::string::npos);
  CHECK(problem(R"({"when": {"method": "GET"}, "status": 99})")
            .find("/planted/status: not an HTTP status") != std::string::npos);
  CHECK(problem(R"({"when": {"refusal": "invalid-request", "method": "GET"}})")
            .find("/planted/when/refusal: only") != std::string::npos);
  CHECK(problem(R"({"when": {"method": "GET"}, "then": 1})").find("/planted/then: not a member") !=
        std::string::npos);
  CHECK(problem("[]").find("/planted: not an object") != std::string::npos);
}
