// The request model, its oracle and the raw sender: every class has a covering case;
// the oracle answers what the page documents; chunked framing reaches the mock intact.

#include "case_table.hpp"
#include "model/explore.hpp"
#include "model/model_cases.hpp"
#include "model/oracle.hpp"
#include "model/raw_http.hpp"
#include "model/request_model.hpp"
#include "runner.hpp"
#include "target.hpp"

#include "inspekt/mock/engine/mock_server.hpp"
#include "inspekt/mock/fixtures/fixture_patch.hpp"
#include "inspekt/mock/handler/auth_handler.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <set>

using namespace inspekt::conformance;
using namespace inspekt::conformance::model;

namespace {

Point with(Point p, Dim d, std::uint8_t v) {
  p[d] = v;
  return p;
}

template <typename E> std::uint8_t v(E e) {
  return static_cast<std::uint8_t>(e);
}

} // namespace

TEST_CASE("every class of the model has a case that covers it", "[model]") {
  const auto rows = coverage(case_table());
  REQUIRE(rows.size() == model_classes().size());
  for (const auto &row : rows) {
    INFO(row.model_class.name());
    CHECK_FALSE(row.case_id.empty());
  }
  // A class whose point leaves the class would not count: a text class needs a string.
  Point p = valid_login();
  p[Dim::key_type] = v(JsonType::number);
  CHECK_FALSE(in_class(p, {Dim::key_text, v(Text::valid_key)}));
  CHECK(in_class(covering_point({Dim::client_id_text, v(Text::utf8_4)}),
                 {Dim::client_id_text, v(Text::utf8_4)}));
}

TEST_CASE("the oracle: status, level and the sentence, in the contract's order", "[model]") {
  const Point login = valid_login();
  CHECK(expect(login).status == 200);
  // Method first: a GET with a malformed body is still a 405.
  const auto get =
      expect(with(with(login, Dim::method, v(Method::get)), Dim::shape, v(Shape::empty)));
  CHECK(get.status == 405);
  CHECK(get.spec == spec_405);
  CHECK(expect(with(login, Dim::method, v(Method::unknown))).tolerated ==
        std::vector<int>{400, 501});
  // A missing key: 400, MUST; a near miss: 401, MUST and nothing else passes.
  const auto missing = expect(with(login, Dim::key_type, v(JsonType::absent)));
  CHECK((missing.status == 400 && missing.level == Level::must && missing.tolerated.empty()));
  const auto prefix = expect(with(login, Dim::key_text, v(Text::prefix)));
  CHECK((prefix.status == 401 && prefix.tolerated.empty() && prefix.lenient.empty()));
  // The valid key written with an escape is the valid key.
  CHECK(expect(with(login, Dim::key_text, v(Text::valid_key_escaped))).status == 200);
  // The page is silent on a member twice: SHOULD, and either reading passes.
  const auto twice = expect(with(login, Dim::shape, v(Shape::member_twice)));
  CHECK(twice.level == Level::should);
  CHECK(twice.tolerated == std::vector<int>{400, 401});
  // Without the JSON media type: 400, and a server that reads it anyway fails a SHOULD.
  const auto plain = expect(with(login, Dim::media, v(MediaType::text_plain)));
  CHECK(plain.status == 400);
  CHECK(plain.lenient == std::vector<int>{200, 415});
  // Chunked: the same answer as Content-Length, or 411.
  const auto chunked = expect(with(login, Dim::framing, v(Framing::chunked_extensions_trailers)));
  CHECK((chunked.status == 200 && chunked.tolerated == std::vector<int>{411}));
}

TEST_CASE("the judge: a 5xx is a MUST failure everywhere, a lenient answer a SHOULD one",
          "[model]") {
  inspekt::Exchange answer;
  const Point twice = with(valid_login(), Dim::shape, v(Shape::member_twice));
  answer.status = 500;
  auto j = judge(expect(twice), twice, answer);
  CHECK((!j.pass && j.level == Level::must));
  const Point plain = with(valid_login(), Dim::media, v(MediaType::text_plain));
  answer.status = 200;
  answer.body = R"({"session":"s","access_token":"a","refresh_token":"r"})";
  j = judge(expect(plain), plain, answer);
  CHECK((!j.pass && j.level == Level::should));
  // A 405 without Allow: POST is a SHOULD failure.
  const Point get = with(valid_login(), Dim::method, v(Method::get));
  answer.status = 405;
  answer.body = R"({"message":"Method not allowed"})";
  j = judge(expect(get), get, answer);
  CHECK((!j.pass && j.level == Level::should));
  answer.headers.emplace("Allow", "POST");
  CHECK(judge(expect(get), get, answer).pass);
  // A 200 that is not a login is a MUST failure.
  answer.status = 200;
  answer.body = "{}";
  j = judge(expect(valid_login()), valid_login(), answer);
  CHECK((!j.pass && j.level == Level::must));
}

TEST_CASE("chunked framing: two chunks, an extension and a trailer, as RFC 9112 writes them",
          "[model]") {
  WireRequest r;
  r.body = "abcdef";
  r.framing = Framing::chunked_extensions_trailers;
  CHECK(wire_body(r) == "3;inspekt=\"ext\"\r\nabc\r\n3;inspekt=\"ext\"\r\ndef\r\n0;last\r\nX-"
                        "Inspekt-Trailer: 1\r\n\r\n");
  CHECK(wire_head(r, "h", "/api/authenticate") ==
        "POST /api/authenticate HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n");
  r.framing = Framing::expect_continue;
  CHECK(wire_head(r, "h", "/p").find("Content-Length: 6\r\nExpect: 100-continue\r\n") !=
        std::string::npos);
}

TEST_CASE("reports show a model request with placeholders, never a key", "[model][secrets]") {
  const Keys keys{{{"valid", "demo-valid-key"},
                   {"invalid", "not-a-key-0123"},
                   {"expired", "demo-expired-key"}}};
  for (const auto &c : model_classes()) {
    const Point p = covering_point(c);
    INFO(c.name());
    const auto shown = render_shown(p);
    CHECK(shown.body.find("demo-valid") == std::string::npos);
    CHECK(curl_line(p, "http://127.0.0.1:8080").find("demo-valid") == std::string::npos);
    CHECK(render(p, keys).body.find('<') == std::string::npos);
  }
  const Point prefix = with(valid_login(), Dim::key_text, v(Text::prefix));
  CHECK(curl_line(prefix, "http://127.0.0.1:8080") ==
        "curl -sS -i -X POST -H 'Content-Type: application/json' --data-binary "
        "'{\"key\":\"<valid-key-prefix>\"}' 'http://127.0.0.1:8080/api/authenticate'");
}

TEST_CASE("the raw sender reaches the mock with every framing, over one kept connection",
          "[model]") {
  inspekt::mock::ServerOptions server;
  server.port = 0;
  inspekt::mock::BackgroundMockServer mock(
      std::make_shared<const inspekt::mock::AuthHandler>(
          inspekt::mock::load_fixtures(inspekt::mock::FixtureSource{})),
      server);
  WireClient client(*inspekt::parse_base_url(mock.base_url()).url, WireOptions{});
  const Keys keys{{{"valid", "demo-valid-key"}, {"invalid", "not-a-key-0123"}}};
  for (const auto framing : {Framing::content_length, Framing::chunked,
                             Framing::chunked_extensions_trailers, Framing::expect_continue}) {
    const Point p = with(valid_login(), Dim::framing, v(framing));
    const auto result = client.send(render(p, keys));
    REQUIRE(result.exchange);
    CHECK(result.exchange->status == 200);
    CHECK(result.interim_continue == (framing == Framing::expect_continue));
    const auto wrong = client.send(render(with(p, Dim::key_text, v(Text::prefix)), keys));
    REQUIRE(wrong.exchange);
    CHECK(wrong.exchange->status == 401);
  }
  const auto head = client.send(render(with(valid_login(), Dim::method, v(Method::head)), keys));
  REQUIRE(head.exchange);
  CHECK((head.exchange->status == 405 && head.exchange->body.empty()));
}

namespace {

// A server with one bug no fixed case touches: client_id of any JSON type is accepted
// when the body also holds a member the contract does not name.
class ClientIdUncheckedBesideExtras final : public inspekt::mock::Responder {
public:
  explicit ClientIdUncheckedBesideExtras(std::shared_ptr<const inspekt::mock::AuthHandler> inner)
      : inner_(std::move(inner)) {}
  std::unique_ptr<inspekt::mock::AnswerNote> make_note() const override {
    return inner_->make_note();
  }
  inspekt::mock::HttpResponse answer(const inspekt::mock::HttpRequest &request,
                                     inspekt::mock::AnswerNote *note) const override {
    auto body = nlohmann::json::parse(request.body, nullptr, false);
    if (body.is_object() && body.contains("note") && body.contains("client_id") &&
        !body["client_id"].is_string()) {
      auto copy = request;
      body.erase("client_id");
      copy.body = body.dump();
      return inner_->answer(copy, note);
    }
    return inner_->answer(request, note);
  }
  inspekt::mock::HttpResponse refuse(inspekt::mock::Refusal refusal) const override {
    return inner_->refuse(refusal);
  }

private:
  std::shared_ptr<const inspekt::mock::AuthHandler> inner_;
};

} // namespace

TEST_CASE("exploring finds a bug no fixed case catches, and shrinks it to one line", "[model]") {
  auto fixtures = inspekt::mock::load_fixtures(inspekt::mock::FixtureSource{});
  Keys keys = fixture_keys(fixtures);
  inspekt::mock::ServerOptions server;
  server.port = 0;
  inspekt::mock::BackgroundMockServer planted(
      std::make_shared<const ClientIdUncheckedBesideExtras>(
          std::make_shared<const inspekt::mock::AuthHandler>(std::move(fixtures))),
      server);

  // Every fixed case passes against it.
  TargetOptions options;
  options.client.base_url = planted.base_url();
  Target target(options, keys);
  Results results;
  for (const auto &c : case_table()) {
    run_case(target, c, results);
  }
  for (const auto &r : results.cases()) {
    INFO(r.test_case->id << ": " << r.observed);
    CHECK(r.verdict != Verdict::fail);
  }

  // Exploration finds it, and shrinks it to the three members that make it.
  const auto explored = explore(
      10000, 1, [&target](const Point &p) { return target.send_model(p); }, nullptr);
  for (const auto &f : explored.findings) {
    UNSCOPED_INFO(describe(f.found)
                  << " -> " << describe(f.shrunk) << ": " << f.judgement.observed);
  }
  // One finding per way it shows (200 for a valid key, 401 for another; MUST, or SHOULD
  // for a null client_id), each shrunk to the members that make it.
  REQUIRE_FALSE(explored.findings.empty());
  for (const auto &f : explored.findings) {
    CHECK(f.shrunk.member(Role::extra).type == JsonType::string);
    CHECK(f.shrunk.member(Role::client_id).type != JsonType::string);
    CHECK(f.shrunk.member(Role::client_id).type != JsonType::absent);
  }
  const auto &finding = explored.findings.front();
  CHECK(describe(finding.shrunk) == "client_id.type=number note.type=string note.text=plain");
  CHECK(finding.judgement.level == Level::must);
  CHECK(finding.judgement.observed.rfind("status 200, expected 400 (client_id is not a string)",
                                         0) == 0);
  const auto line = curl_line(finding.shrunk, planted.base_url());
  CHECK(line.find('\n') == std::string::npos);
  CHECK(line.find(R"('{"key":"<valid-key>","client_id":42,"note":"inspekt-conformance"}')") !=
        std::string::npos);
  // The same seed, the same points.
  CHECK(explore(
            10000, 1, [&target](const Point &p) { return target.send_model(p); }, nullptr)
            .disagreements == explored.disagreements);
}
