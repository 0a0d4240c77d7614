// The token gate in the request path (docs/token-gate.md), without sockets but through
// the admin API's runtime, as the program answers: a login's refresh token and session
// pass a guarded route; every refusal reason is reached, with its answer and RFC 6750's
// challenge; revocations by key and by session, what a reset and a reload do to them;
// the journal's reason and parts.

#include "inspekt/core/base64url.hpp"
#include "inspekt/mock/control/access_log.hpp"
#include "inspekt/mock/control/admin_api.hpp"
#include "inspekt/mock/engine/http_session.hpp"
#include "inspekt/mock/tokens/token_issuer.hpp"
#include "test_support/fixture_dir.hpp"

#include <catch2/catch.hpp>

#include <functional>
#include <sstream>

using namespace inspekt::mock;
using nlohmann::json;

namespace {

using inspekt::testing::FixtureDir;

constexpr std::int64_t start = 1764000000;

struct Gated {
  explicit Gated(std::uint64_t max_upload = UploadLimits{}.max_bytes) {
    RuntimeOptions options;
    options.source.directory = dir.path();
    options.determinism = {7, start};
    options.uploads.max_bytes = max_upload;
    runtime = std::make_shared<MockRuntime>(options);
    api = std::make_unique<AdminApi>(runtime, AdminAccess{});
  }
  FixtureDir dir{INSPEKT_DEFAULT_FIXTURES};
  std::shared_ptr<MockRuntime> runtime;
  std::unique_ptr<AdminApi> api;
};

struct Login {
  std::string session;
  std::string access_token;
  std::string refresh_token;
};

Login log_in(const AdminApi &api, const std::string &key = "demo-valid-key") {
  HttpRequest r;
  r.method = "POST";
  r.path = "/api/authenticate";
  r.content_type = "application/json";
  r.body = json{{"key", key}}.dump();
  const auto body = json::parse(api.handle(r).response.body);
  return {body.at("session"), body.at("access_token"), body.at("refresh_token")};
}

// POST /api/upload with the login's token and session as a form.
HttpRequest upload(const Login &login) {
  HttpRequest r;
  r.method = "POST";
  r.path = "/api/upload";
  r.content_type = "application/x-www-form-urlencoded";
  r.body = "session=" + login.session + "&note=car";
  r.authorization = "Bearer " + login.refresh_token;
  return r;
}

std::string multipart(const std::string &session, const std::string &content) {
  return "--XyZ\r\nContent-Disposition: form-data; name=\"session\"\r\n\r\n" + session +
         "\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"car.jpg\"\r\n"
         "Content-Type: image/jpeg\r\n\r\n" +
         content + "\r\n--XyZ--\r\n";
}

std::string header(const HttpResponse &response, const std::string &name) {
  for (const auto &[n, v] : response.headers) {
    if (n == name) {
      return v;
    }
  }
  return "";
}

// The token with its header replaced: same claims, same signature.
std::string with_header(const std::string &token, const json &jose) {
  return inspekt::base64url_encode(jose.dump()) + token.substr(token.find('.'));
}

// A refresh token for the same session signed with another secret.
std::string signed_elsewhere(const Gated &gated, const std::string &session) {
  TokenSettings settings = gated.runtime->handler()->fixtures().tokens;
  settings.secret = "another-fixture-set-s-secret-0123456789";
  Entropy entropy{3};
  return TokenIssuer(settings).issue(session, std::nullopt, start, entropy).refresh_token;
}

struct Row {
  std::string name;
  std::function<void(HttpRequest &, Gated &, const Login &)> change;
  int status;
  std::string answer;
  std::optional<Reason> reason;
  std::string challenge; // WWW-Authenticate, when the answer carries one
};

const std::string invalid_token = "Bearer error=\"invalid_token\"";

} // namespace

TEST_CASE("the token gate: a login's token passes, every refusal reason is reached",
          "[handler][gate]") {
  const auto row = GENERATE(values<Row>({
      {"passes: a form's session", [](HttpRequest &, Gated &, const Login &) {}, 200,
       "upload_accepted", std::nullopt, ""},
      {"passes: a multipart field",
       [](HttpRequest &r, Gated &, const Login &l) {
         r.content_type = "multipart/form-data; boundary=XyZ";
         r.body = multipart(l.session, "JPEG bytes");
       },
       200, "upload_accepted", std::nullopt, ""},
      {"passes: a JSON member",
       [](HttpRequest &r, Gated &, const Login &l) {
         r.content_type = "application/json";
         r.body = json{{"session", l.session}, {"n", 1}}.dump();
       },
       200, "upload_accepted", std::nullopt, ""},
      {"passes: a query parameter",
       [](HttpRequest &r, Gated &, const Login &l) {
         r.content_type.reset();
         r.body.clear();
         r.query = "a=1&session=" + l.session;
       },
       200, "upload_accepted", std::nullopt, ""},
      {"passes: the scheme in other letter case",
       [](HttpRequest &r, Gated &, const Login &l) { r.authorization = "bEaReR " + l.refresh_token; },
       200, "upload_accepted", std::nullopt, ""},
      {"token_missing: no Authorization", [](HttpRequest &r, Gated &, const Login &) { r.authorization.reset(); },
       401, "token_missing", Reason::token_missing, "Bearer"},
      {"token_missing: another scheme",
       [](HttpRequest &r, Gated &, const Login &) { r.authorization = "Basic dXNlcjpwYXNz"; }, 401,
       "token_missing", Reason::token_missing, "Bearer"},
      {"token_invalid: not a JWT",
       [](HttpRequest &r, Gated &, const Login &) { r.authorization = "Bearer not-a-jwt"; }, 401,
       "token_invalid", Reason::token_invalid, invalid_token},
      {"token_invalid: the access_token",
       [](HttpRequest &r, Gated &, const Login &l) { r.authorization = "Bearer " + l.access_token; },
       401, "token_invalid", Reason::token_invalid, invalid_token},
      {"token_invalid: truncated",
       [](HttpRequest &r, Gated &, const Login &l) {
         r.authorization = "Bearer " + l.refresh_token.substr(0, l.refresh_token.size() - 4);
       },
       401, "token_invalid", Reason::token_invalid, invalid_token},
      {"token_invalid: alg changed to none",
       [](HttpRequest &r, Gated &, const Login &l) {
         r.authorization = "Bearer " + with_header(l.refresh_token, {{"alg", "none"}, {"typ", "JWT"}});
       },
       401, "token_invalid", Reason::token_invalid, invalid_token},
      {"token_invalid: alg changed to HS384",
       [](HttpRequest &r, Gated &, const Login &l) {
         r.authorization = "Bearer " + with_header(l.refresh_token, {{"alg", "HS384"}, {"typ", "JWT"}});
       },
       401, "token_invalid", Reason::token_invalid, invalid_token},
      {"token_invalid: signed by another fixture set",
       [](HttpRequest &r, Gated &g, const Login &l) {
         r.authorization = "Bearer " + signed_elsewhere(g, l.session);
       },
       401, "token_invalid", Reason::token_invalid, invalid_token},
      {"token_expired: the clock past exp",
       [](HttpRequest &, Gated &g, const Login &) { g.runtime->clock().advance(std::chrono::hours(24 * 7)); },
       401, "token_expired", Reason::token_expired, invalid_token},
      {"token_revoked: the key revoked",
       [](HttpRequest &, Gated &g, const Login &) { REQUIRE(g.runtime->revoke("demo-valid-key")); },
       401, "token_revoked", Reason::token_revoked, invalid_token},
      {"token_revoked: the session revoked",
       [](HttpRequest &, Gated &g, const Login &l) {
         REQUIRE(g.runtime->revoke_session(l.session) == TokenRevocations::Revoked::now);
       },
       401, "token_revoked", Reason::token_revoked, invalid_token},
      {"session_missing: no session anywhere",
       [](HttpRequest &r, Gated &, const Login &) { r.body = "note=car"; }, 400, "session_missing",
       Reason::session_missing, ""},
      {"session_missing: an empty session",
       [](HttpRequest &r, Gated &, const Login &) { r.body = "session=&note=car"; }, 400,
       "session_missing", Reason::session_missing, ""},
      {"session_mismatch: another login's session",
       [](HttpRequest &r, Gated &g, const Login &) { r.body = "session=" + log_in(*g.api).session; },
       401, "session_mismatch", Reason::session_mismatch, ""},
      {"upload_body: a broken multipart body",
       [](HttpRequest &r, Gated &, const Login &l) {
         r.content_type = "multipart/form-data; boundary=XyZ";
         r.body = multipart(l.session, "x").substr(0, 60);
       },
       400, "invalid_request", Reason::upload_body, ""},
      {"413: over --max-upload",
       [](HttpRequest &r, Gated &, const Login &l) {
         r.content_type = "multipart/form-data; boundary=XyZ";
         r.body = multipart(l.session, std::string(5000, 'j'));
       },
       413, "payload_too_large", std::nullopt, ""},
      {"Prefer: code=503 over a pass",
       [](HttpRequest &r, Gated &, const Login &) { r.prefer = "code=503"; }, 503, "unavailable",
       Reason::prefer, ""},
      {"Prefer: code=503 over a refusal",
       [](HttpRequest &r, Gated &, const Login &) {
         r.prefer = "code=503";
         r.authorization.reset();
       },
       503, "unavailable", Reason::prefer, ""},
      {"Prefer the mock cannot meet",
       [](HttpRequest &r, Gated &, const Login &) { r.prefer = "code=299"; }, 400,
       "invalid_request", Reason::prefer_invalid, ""},
  }));
  DYNAMIC_SECTION(row.name) {
    Gated gated(4096);
    const Login login = log_in(*gated.api);
    HttpRequest request = upload(login);
    row.change(request, gated, login);
    const auto handled = gated.api->handle(request);
    CHECK(handled.response.status == row.status);
    CHECK(handled.facts.answer == row.answer);
    CHECK(handled.facts.reason == row.reason);
    CHECK(header(handled.response, "WWW-Authenticate") == row.challenge);
    if (row.reason == Reason::upload_body) {
      CHECK(json::parse(handled.response.body) ==
            json{{"message", "the body ends before the closing --boundary-- line"}});
    }
  }
}

TEST_CASE("the token gate: another method on a guarded path is a 405 with Allow",
          "[handler][gate]") {
  Gated gated;
  HttpRequest request = upload(log_in(*gated.api));
  request.method = "GET";
  const auto handled = gated.api->handle(request);
  CHECK(handled.response.status == 405);
  CHECK(header(handled.response, "Allow") == "POST");
  request.path = "/api/uploads";
  CHECK(gated.api->handle(request).response.status == 404);
}

TEST_CASE("the token gate: Prefer's delay and fault work on a guarded route", "[handler][gate]") {
  Gated gated;
  HttpRequest request = upload(log_in(*gated.api));
  request.prefer = "delay=250, fault=CONNECTION_RESET_BY_PEER";
  const auto handled = gated.api->handle(request);
  CHECK(handled.response.delay == std::chrono::milliseconds(250));
  CHECK(handled.response.fault == Fault::connection_reset_by_peer);
  CHECK(handled.facts.answer == "upload_accepted");
}

TEST_CASE("the token gate: revocations reach only what they name, a reset forgets them, a "
          "reload keeps them",
          "[handler][gate]") {
  Gated gated;
  const Login valid = log_in(*gated.api);
  const Login other = log_in(*gated.api, "demo-short-lived-key");
  const auto status = [&gated](const Login &login) {
    return gated.api->handle(upload(login)).response.status;
  };
  REQUIRE(status(valid) == 200);
  REQUIRE(status(other) == 200);

  REQUIRE(gated.runtime->revoke("demo-valid-key"));
  CHECK(status(valid) == 401);
  CHECK(status(other) == 200); // another key's token

  REQUIRE(gated.runtime->revoke_session(other.session) == TokenRevocations::Revoked::now);
  CHECK(gated.runtime->revoke_session(other.session) == TokenRevocations::Revoked::already);
  CHECK(status(other) == 401);

  REQUIRE(gated.runtime->reload());
  CHECK(status(valid) == 401);
  CHECK(status(other) == 401);

  gated.runtime->reset();
  CHECK(status(valid) == 200); // the clock is back at the start: not expired either
  CHECK(status(other) == 200);
  const Login again = log_in(*gated.api);
  CHECK(status(again) == 200); // a reset also unrevoked the key's logins
}

TEST_CASE("the token gate: a key revoked, then logged in with again (fixture key re-added) "
          "gets fresh tokens refused at login, old tokens at the gate",
          "[handler][gate]") {
  Gated gated;
  const Login before = log_in(*gated.api);
  REQUIRE(gated.runtime->revoke("demo-valid-key"));
  HttpRequest r;
  r.method = "POST";
  r.path = "/api/authenticate";
  r.content_type = "application/json";
  r.body = json{{"key", "demo-valid-key"}}.dump();
  CHECK(gated.api->handle(r).facts.answer == "revoked_key");
  CHECK(gated.api->handle(upload(before)).facts.reason == Reason::token_revoked);
}

TEST_CASE("the journal of a guarded request: its reason and parts, never the token",
          "[handler][gate][journal]") {
  Gated gated;
  const Login login = log_in(*gated.api);
  std::ostringstream text;
  AccessLog log(&text, LogFormat::text);
  HttpSession session(*gated.api, {}, &log, "t");
  const auto send = [&session](const std::string &headers, const std::string &body) {
    session.output().clear();
    session.receive("POST /api/upload HTTP/1.1\r\nHost: x\r\n" + headers +
                    "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
    return session.output();
  };
  const std::string body = multipart(login.session, std::string(3000, 'j'));
  CHECK(send("Authorization: Bearer " + login.refresh_token +
                 "\r\nContent-Type: multipart/form-data; boundary=XyZ\r\n",
             body)
            .rfind("HTTP/1.1 200", 0) == 0);
  CHECK(send("Authorization: Bearer " + login.access_token +
                 "\r\nContent-Type: multipart/form-data; boundary=XyZ\r\n",
             body)
            .rfind("HTTP/1.1 401", 0) == 0);
  CHECK(send("Authorization: Bearer " + login.refresh_token +
                 "\r\nContent-Type: application/x-www-form-urlencoded\r\n",
             "session=" + login.session)
            .rfind("HTTP/1.1 200", 0) == 0);

  const auto page = gated.runtime->journal().newest();
  REQUIRE(page.entries.size() == 3); // the login went around the engine
  const auto &form = page.entries[0];
  CHECK_FALSE(form.parts); // not multipart
  CHECK_FALSE(form.reason);
  const auto &refused = page.entries[1];
  CHECK(refused.reason == Reason::token_invalid);
  CHECK(refused.answer == "token_invalid");
  const auto &passed = page.entries[2];
  CHECK_FALSE(passed.reason);
  REQUIRE(passed.parts);
  const std::vector<UploadPart> parts{{"session", std::nullopt, std::nullopt, login.session.size()},
                                      {"file", "car.jpg", "image/jpeg", 3000}};
  CHECK(*passed.parts == parts);
  CHECK(passed.parts_omitted == 0);

  log.flush();
  const std::string logged = text.str();
  CHECK(logged.find("reason=token_invalid") != std::string::npos);
  const auto signature = [](const std::string &token) {
    return token.substr(token.rfind('.') + 1);
  };
  CHECK(logged.find(signature(login.refresh_token)) == std::string::npos);
  CHECK(logged.find(signature(login.access_token)) == std::string::npos);
}

TEST_CASE("the journal keeps as many parts as fit and counts the others", "[journal][gate]") {
  Journal journal(4);
  std::vector<UploadPart> parts;
  for (int i = 0; i < 40; ++i) {
    parts.push_back({"field-" + std::to_string(i), std::string(100, 'f'), "text/plain",
                     static_cast<std::uint64_t>(i)});
  }
  JournalRecord record;
  record.method = "POST";
  record.path = "/api/upload";
  record.parts = &parts;
  journal.record(record);
  const auto entry = journal.newest().entries.at(0);
  REQUIRE(entry.parts);
  REQUIRE_FALSE(entry.parts->empty());
  CHECK(entry.parts->size() + entry.parts_omitted == parts.size());
  CHECK(entry.parts->front().name == "field-0");
  CHECK(entry.parts->front().filename->size() == JournalClip::part_text);
  CHECK(entry.parts->front().filename->substr(JournalClip::part_text - 3) == "...");
  CHECK(entry.parts->back().size == entry.parts->size() - 1);
  CHECK(journal.bytes_held() <= Journal::max_entry_bytes() * journal.capacity());
}

TEST_CASE("a guarded route's body streams through the engine to the upload reader, up to "
          "--max-upload",
          "[handler][gate][engine]") {
  Gated gated(8 << 20); // above the engine's whole-body limit (--max-body, 64 KiB)
  const Login login = log_in(*gated.api);
  HttpSession session(*gated.api, {}, nullptr, "t");
  const auto head = [&login](std::size_t length, const std::string &type) {
    return "POST /api/upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + login.refresh_token +
           "\r\nContent-Type: " + type + "\r\nContent-Length: " + std::to_string(length) +
           "\r\n\r\n";
  };
  // The body in 64 KiB pieces, as a socket gives it.
  const auto send = [&session](const std::string &head_bytes, const std::string &body) {
    session.output().clear();
    session.receive(head_bytes);
    for (std::size_t at = 0; at < body.size() && !session.finished(); at += 65536) {
      session.receive(std::string_view(body).substr(at, 65536));
    }
    return session.output();
  };

  SECTION("6 MiB of file passes, counted, not kept") {
    const std::string body = multipart(login.session, std::string(6 << 20, 'j'));
    CHECK(send(head(body.size(), "multipart/form-data; boundary=XyZ"), body)
              .rfind("HTTP/1.1 200", 0) == 0);
    CHECK_FALSE(session.finished()); // kept alive for the next request
  }
  SECTION("a broken multipart body is a 400 naming the problem, read to its end") {
    std::string body = multipart(login.session, std::string(1 << 20, 'j'));
    body.resize(body.size() - 8); // no closing delimiter
    const auto output = send(head(body.size(), "multipart/form-data; boundary=XyZ"), body);
    CHECK(output.rfind("HTTP/1.1 400", 0) == 0);
    CHECK(output.find("the body ends before the closing --boundary-- line") != std::string::npos);
    CHECK_FALSE(session.finished());
  }
  SECTION("an announced length over the limit is a 413 at once, and the connection closes") {
    const auto output =
        send(head((8 << 20) + 1, "multipart/form-data; boundary=XyZ"), std::string(100, 'x'));
    CHECK(output.rfind("HTTP/1.1 413", 0) == 0);
    CHECK(session.finished());
  }
  SECTION("a chunked body over the limit is a 413 once it passes it") {
    session.output().clear();
    session.receive("POST /api/upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                    "Content-Type: application/octet-stream\r\n\r\n");
    const std::string chunk = "10000\r\n" + std::string(65536, 'c') + "\r\n";
    std::size_t sent = 0;
    while (!session.finished() && sent < (9u << 20)) {
      session.receive(chunk);
      sent += 65536;
    }
    CHECK(session.output().rfind("HTTP/1.1 413", 0) == 0);
    CHECK(session.finished());
    CHECK(sent <= (8u << 20) + 65536); // refused as soon as it was over
  }
}

TEST_CASE("an upload announced over a --max-upload below the drain size is a 413 at once",
          "[handler][gate][engine]") {
  // Below the engine's drain size (16 x --max-body), a login body over its limit is read
  // and dropped to keep the connection; an upload never is.
  Gated gated(4096);
  const Login login = log_in(*gated.api);
  HttpSession session(*gated.api, {}, nullptr, "t");
  session.receive("POST /api/upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                  login.refresh_token +
                  "\r\nContent-Type: application/octet-stream\r\nContent-Length: 5000\r\n\r\n");
  CHECK(session.output().rfind("HTTP/1.1 413", 0) == 0);
  CHECK(session.finished());
}
