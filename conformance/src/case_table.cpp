#include "case_table.hpp"

#include "live_set.hpp"
#include "model/model_cases.hpp"
#include "spec_text.hpp"

#include "inspekt/core/base64url.hpp"
#include "inspekt/core/jwt.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <set>
#include <sstream>

namespace inspekt::conformance {
namespace {

using nlohmann::json;

// The page's sentences, quoted where a case cites them.
constexpr const char *spec_200 = spec_text::status_200;
constexpr const char *spec_fields = "Response {\"session\": ..., \"access_token\": ..., "
                                    "\"refresh_token\": ...}; each field | string";
constexpr const char *spec_jwt =
    "access_token(JWT) ... refresh_token | A JWT token to be included in the Authorization "
    "header";
constexpr const char *spec_session = "session | string | A temporary session ID assigned for "
                                     "this login";
constexpr const char *spec_params = spec_text::params;
constexpr const char *spec_400 = spec_text::status_400;
constexpr const char *spec_401 = spec_text::status_401;
constexpr const char *spec_405 = spec_text::status_405;
// The page's promise, read as a security reviewer reads tokens (RFC 8725, JSON Web Token
// Best Current Practices).
constexpr const char *spec_secure =
    "The Authentication API is used to generate secure tokens (RFC 8725 3.1: no alg none; 3.2 "
    "and 3.6: no secrets in a token's readable parts)";
// The page says each call "returns three important credentials"; it promises a new
// session per login, not new tokens, so fresh tokens are a SHOULD.
constexpr const char *spec_fresh = "When you call this endpoint successfully, the API returns "
                                   "three important credentials (each login its own)";
// The page documents no 429 or 503; a client that meets one needs to know when to come
// back (RFC 9110, section 10.2.3), as the vendor's rate-limited feedback API implies.
constexpr const char *spec_retry_after =
    "RFC 9110 10.2.3 Retry-After (the page documents no 429 or 503)";
constexpr const char *spec_example = "headers = {\"Content-Type\": \"application/json\"} ... "
                                     "print(response.json())";

std::string status_text(const Exchange &answer) {
  return "status " + std::to_string(answer.status);
}

CheckResult pass(std::string observed = "") {
  return {true, std::move(observed)};
}
CheckResult fail(std::string observed) {
  return {false, std::move(observed)};
}

CheckResult expect_status(const Exchange &answer, int status) {
  if (answer.status == status) {
    return pass(status_text(answer));
  }
  return fail(status_text(answer) + ", expected " + std::to_string(status));
}

std::function<CheckResult(const Observation &)> status_is(int status) {
  return [status](const Observation &seen) { return expect_status(seen.first(), status); };
}

std::optional<json> json_object(const Exchange &answer) {
  auto body = json::parse(answer.body, nullptr, false);
  if (!body.is_object()) {
    return std::nullopt;
  }
  return body;
}

std::string describe_body(const Exchange &answer) {
  const auto body = json::parse(answer.body, nullptr, false);
  if (body.is_discarded()) {
    return "body is not JSON (" + std::to_string(answer.body.size()) + " bytes)";
  }
  if (!body.is_object()) {
    return std::string("body is a JSON ") + body.type_name() + ", not an object";
  }
  std::string fields;
  for (const auto &[name, value] : body.items()) {
    fields += (fields.empty() ? "" : ", ") + name + ":" + value.type_name();
  }
  return "body fields {" + fields + "}";
}

const char *const login_fields[] = {"session", "access_token", "refresh_token"};

CheckResult check_fields(const Exchange &answer) {
  if (answer.status != 200) {
    return fail(status_text(answer) + ", expected a 200 to inspect");
  }
  const auto body = json_object(answer);
  if (!body) {
    return fail(describe_body(answer));
  }
  for (const char *field : login_fields) {
    const auto it = body->find(field);
    if (it == body->end()) {
      return fail(std::string(field) + " missing; " + describe_body(answer));
    }
    if (!it->is_string()) {
      return fail(std::string(field) + " is a " + it->type_name() + ", not a string");
    }
    if (it->get_ref<const std::string &>().empty()) {
      return fail(std::string(field) + " is an empty string");
    }
  }
  return pass("session, access_token, refresh_token: non-empty strings");
}

std::optional<std::string> field(const Exchange &answer, const char *name) {
  const auto body = json_object(answer);
  if (!body || !body->contains(name) || !(*body)[name].is_string()) {
    return std::nullopt;
  }
  return (*body)[name].get<std::string>();
}

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// RFC 7519 section 7.2's shape checks, without the signature (we hold no secret).
CheckResult check_jwt(const std::string &name, const std::string &token) {
  const auto decoded = decode_jwt(token);
  if (!decoded) {
    return fail(name + ": " + std::string(to_string(decoded.error)));
  }
  return pass();
}

// The times as a client computing expiry reads them: NumericDates (RFC 7519 section 2,
// seconds since the epoch), exp after iat and not past, iat not in the future.
CheckResult check_times(const std::string &name, const std::string &token) {
  const auto decoded = decode_jwt(token);
  if (!decoded) {
    return fail(name + ": not a JWT (" + std::string(to_string(decoded.error)) + ")");
  }
  const auto &claims = decoded.jwt->claims;
  // Year 2286 in seconds: a larger value is milliseconds (or nonsense).
  constexpr double max_seconds = 1e10;
  constexpr double skew_seconds = 300;
  const double now = static_cast<double>(now_seconds());
  for (const char *claim : {"iat", "exp"}) {
    if (!claims.contains(claim)) {
      continue;
    }
    const auto &value = claims[claim];
    if (!value.is_number()) {
      return fail(name + ": " + claim + " is a " + value.type_name() +
                  ", not a NumericDate (a number of seconds)");
    }
    if (value.get<double>() >= max_seconds) {
      return fail(name + ": " + claim + " " + value.dump() +
                  " is not in seconds (milliseconds?): a client would read year > 2286");
    }
  }
  const auto iat = claims.find("iat");
  const auto exp = claims.find("exp");
  if (iat != claims.end() && iat->get<double>() > now + skew_seconds) {
    return fail(name + ": iat " + iat->dump() + " is in the future");
  }
  if (iat != claims.end() && exp != claims.end() && exp->get<double>() <= iat->get<double>()) {
    return fail(name + ": exp " + exp->dump() + " is not after iat " + iat->dump());
  }
  if (exp != claims.end() && exp->get<double>() <= now) {
    return fail(name + ": exp " + exp->dump() + " is already past");
  }
  return pass();
}

// A check of each token of a login's answer, the first failure or `passed`.
std::function<CheckResult(const Observation &)>
for_both_tokens(CheckResult (*check)(const std::string &, const std::string &),
                std::string passed) {
  return [check, passed](const Observation &seen) {
    const auto &answer = seen.first();
    const auto fields = check_fields(answer);
    if (!fields.pass) {
      return fields;
    }
    for (const char *name : {"access_token", "refresh_token"}) {
      const auto result = check(name, *field(answer, name));
      if (!result.pass) {
        return result;
      }
    }
    return pass(passed);
  };
}

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// The error's text may sit in any field ("message", "error", ...) and may say more
// than the page (the sister endpoint's 401 adds "Refresh the page and try again...").
CheckResult check_message(const Exchange &answer, const std::string &text) {
  if (lowercase(answer.body).find(lowercase(text)) != std::string::npos) {
    return pass("body says \"" + text + "\"");
  }
  return fail(status_text(answer) + ", body does not say \"" + text + "\"; " +
              describe_body(answer));
}

// A [mock-only] case: the mock, asked for a fault with Prefer, breaks the answer on the
// wire, and the client says what it met (what an app's error handling would show).
ConformanceCase fault_case(std::string id, std::string fault, std::string request,
                           std::string says) {
  ConformanceCase made{
      std::move(id),
      "Prefer: fault=" + fault + " reaches the client, which says \"" + says + "\"",
      "README, Testing your app's error handling: Prefer: fault= (the mock's own, no vendor "
      "promise)",
      Level::should,
      Reach::inspekt_mock,
      {std::move(request)},
      [says](const Observation &seen) {
        const std::string &error = seen.transport_errors.at(0);
        if (error.empty()) {
          return fail("an HTTP answer came: " + status_text(seen.first()));
        }
        return error.find(says) != std::string::npos ? pass(error)
                                                     : fail("the client said: " + error);
      }};
  made.expects = Expects::transport_error;
  return made;
}

// JWS algorithms that sign (RFC 7518 section 3.1, RFC 8037): never "none".
bool signing_algorithm(const json &alg) {
  static const std::set<std::string> known{"HS256", "HS384", "HS512", "RS256", "RS384",
                                           "RS512", "ES256", "ES384", "ES512", "PS256",
                                           "PS384", "PS512", "EdDSA"};
  return alg.is_string() && known.count(alg.get<std::string>()) != 0;
}

CheckResult check_signed(const std::string &name, const std::string &token) {
  const auto decoded = decode_jwt(token);
  if (!decoded) {
    return fail(name + ": not a JWT (" + std::string(to_string(decoded.error)) + ")");
  }
  const auto &alg = decoded.jwt->header["alg"];
  if (!signing_algorithm(alg)) {
    return fail(name + ": alg " + alg.dump() + " is not a signing algorithm");
  }
  if (decoded.jwt->signature.empty()) {
    return fail(name + ": alg " + alg.dump() + " but an empty signature");
  }
  return pass();
}

std::string hex_of(const std::string &bytes, const char *digits) {
  std::string out;
  for (const unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

// The key, and the encodings of it that a reader undoes at a glance. Keys under 8
// characters are not looked for: too short to tell from chance.
std::vector<std::string> revealing_forms(const std::string &key) {
  if (key.size() < 8) {
    return {};
  }
  std::string padded = base64url_encode(key);
  std::replace(padded.begin(), padded.end(), '-', '+');
  std::replace(padded.begin(), padded.end(), '_', '/');
  return {key, base64url_encode(key), padded, hex_of(key, "0123456789abcdef"),
          hex_of(key, "0123456789ABCDEF")};
}

// Where a 200 shows text: each header, the session, each token whole and decoded.
std::vector<std::pair<std::string, std::string>> readable_parts(const Exchange &answer) {
  std::vector<std::pair<std::string, std::string>> parts;
  for (const auto &[name, value] : answer.headers) {
    parts.emplace_back("header " + name, value);
  }
  parts.emplace_back("the body", answer.body);
  for (const char *name : {"access_token", "refresh_token"}) {
    if (const auto token = field(answer, name)) {
      if (const auto decoded = decode_jwt(*token)) {
        parts.emplace_back(std::string(name) + "'s header", decoded.jwt->header.dump());
        parts.emplace_back(std::string(name) + "'s claims", decoded.jwt->claims.dump());
      }
    }
  }
  return parts;
}

std::vector<std::string> error_request_ids() {
  return {"missing-key", "unknown-key", "get"};
}

} // namespace

std::string_view to_string(Level level) {
  switch (level) {
  case Level::must:
    return "MUST";
  case Level::should:
    return "SHOULD";
  case Level::info:
    return "INFO";
  }
  return "?";
}

std::ostream &operator<<(std::ostream &os, Level level) {
  return os << to_string(level);
}

std::vector<std::string> tags_of(const ConformanceCase &test_case) {
  std::vector<std::string> tags{test_case.mock_only() ? "mock-only" : "doc",
                                lowercase(std::string(to_string(test_case.level)))};
  if (test_case.origin == Origin::model) {
    tags.emplace_back("model");
  }
  if (in_live_set(test_case)) {
    tags.emplace_back("live");
  }
  return tags;
}

const std::vector<std::string> &known_tags() {
  static const std::vector<std::string> tags{"doc",  "mock-only", "must", "should",
                                             "info", "model",     "live"};
  return tags;
}

const std::vector<RequestSpec> &request_specs() {
  static const std::vector<RequestSpec> specs = [] {
    std::vector<RequestSpec> written{
        {"login-with-client-id", "POST", "application/json",
         R"({"key":<valid-key>,"client_id":"inspekt-conformance"})"},
        {"login-key-only", "POST", "application/json", R"({"key":<valid-key>})"},
        {"missing-key", "POST", "application/json", R"({"client_id":"inspekt-conformance"})"},
        {"empty-body", "POST", "application/json", ""},
        {"malformed-json", "POST", "application/json", R"({"key":<valid-key>,)"},
        {"array-body", "POST", "application/json", R"([<valid-key>])"},
        {"key-number", "POST", "application/json", R"({"key":12345})"},
        {"key-empty", "POST", "application/json", R"({"key":""})"},
        {"client-id-number", "POST", "application/json", R"({"key":<valid-key>,"client_id":42})"},
        {"unknown-key", "POST", "application/json", R"({"key":<invalid-key>})"},
        // The valid key, changed as a server lenient in comparing keys would still accept.
        {"key-last-char-changed", "POST", "application/json",
         R"({"key":<valid-key-last-char-changed>})"},
        {"key-prefix", "POST", "application/json", R"({"key":<valid-key-prefix>})"},
        {"key-other-case", "POST", "application/json", R"({"key":<valid-key-other-case>})"},
        {"key-trailing-space", "POST", "application/json", R"({"key":<valid-key-trailing-space>})"},
        // Malformed variants of a login that would otherwise succeed.
        {"key-field-misnamed", "POST", "application/json", R"({"Key":<valid-key>})"},
        {"key-in-array", "POST", "application/json", R"({"key":[<valid-key>]})"},
        {"trailing-garbage", "POST", "application/json", R"({"key":<valid-key>} x)"},
        {"expired-key", "POST", "application/json", R"({"key":<expired-key>})"},
        {"get", "GET", std::nullopt, ""},
        {"put", "PUT", "application/json", R"({"key":<invalid-key>})"},
        {"delete", "DELETE", std::nullopt, ""},
        {"patch", "PATCH", "application/json", R"({"key":<invalid-key>})"},
        // Not for the live service: odd methods, hostile bodies, load.
        {"head", "HEAD", std::nullopt, "", Reach::mock_only},
        {"options", "OPTIONS", std::nullopt, "", Reach::mock_only},
        {"no-content-type", "POST", std::nullopt, R"({"key":<valid-key>})", Reach::mock_only},
        {"huge-body", "POST", "application/json",
         R"({"key":<valid-key>,"padding":")" + std::string(2 * 1024 * 1024, 'x') + "\"}",
         Reach::mock_only},
        {"deep-nesting", "POST", "application/json", std::string(100000, '['), Reach::mock_only},
        {"invalid-utf8", "POST", "application/json", "{\"key\":\"\xff\xfe-not-utf8\"}",
         Reach::mock_only},
        {"burst", "POST", "application/json", R"({"key":<valid-key>})", Reach::mock_only, 20},
        // The mock's faults, asked for with Prefer (README, "Testing your app's error handling").
        {"fault-reset",
         "POST",
         "application/json",
         R"({"key":<valid-key>})",
         Reach::inspekt_mock,
         1,
         {{"Prefer", "fault=CONNECTION_RESET_BY_PEER"}}},
        {"fault-empty",
         "POST",
         "application/json",
         R"({"key":<valid-key>})",
         Reach::inspekt_mock,
         1,
         {{"Prefer", "fault=EMPTY_RESPONSE"}}},
        {"fault-malformed-chunk",
         "POST",
         "application/json",
         R"({"key":<valid-key>})",
         Reach::inspekt_mock,
         1,
         {{"Prefer", "fault=MALFORMED_RESPONSE_CHUNK"}}},
        {"fault-random-data",
         "POST",
         "application/json",
         R"({"key":<valid-key>})",
         Reach::inspekt_mock,
         1,
         {{"Prefer", "fault=RANDOM_DATA_THEN_CLOSE"}}},
        {"fault-truncated-body",
         "POST",
         "application/json",
         R"({"key":<valid-key>})",
         Reach::inspekt_mock,
         1,
         {{"Prefer", "fault=TRUNCATED_BODY"}}},
    };
    for (auto &spec : model::model_request_specs()) {
      written.push_back(std::move(spec));
    }
    return written;
  }();
  return specs;
}

const RequestSpec &request_spec(const std::string &id) {
  const auto &specs = request_specs();
  const auto it = std::find_if(specs.begin(), specs.end(),
                               [&](const RequestSpec &spec) { return spec.id == id; });
  if (it == specs.end()) {
    throw std::logic_error("no request spec " + id);
  }
  return *it;
}

const std::vector<ConformanceCase> &case_table() {
  static const std::vector<ConformanceCase> cases = [] {
    std::vector<ConformanceCase> written{
        // --- MUST: what the page documents ----------------------------------------
        {"login-key-and-client-id",
         "a valid key with client_id gets 200",
         spec_200,
         Level::must,
         Reach::doc,
         {"login-with-client-id"},
         status_is(200)},
        {"login-key-only",
         "a valid key alone gets 200 (client_id is optional)",
         spec_params,
         Level::must,
         Reach::doc,
         {"login-key-only"},
         status_is(200)},
        {"login-fields",
         "the 200 body holds session, access_token, refresh_token as non-empty strings",
         spec_fields,
         Level::must,
         Reach::doc,
         {"login-with-client-id"},
         [](const Observation &seen) { return check_fields(seen.first()); }},
        {"login-fields-without-client-id",
         "the fields are there without client_id too",
         spec_fields,
         Level::must,
         Reach::doc,
         {"login-key-only"},
         [](const Observation &seen) { return check_fields(seen.first()); }},
        {"tokens-are-jwts",
         "both tokens are well-formed JWTs",
         spec_jwt,
         Level::must,
         Reach::doc,
         {"login-with-client-id"},
         for_both_tokens(
             check_jwt,
             "both tokens: three base64url segments, JSON header with alg, JSON claims")},
        {"token-times",
         "both tokens' iat and exp are NumericDates in seconds: exp after iat and not past, iat "
         "not in the future",
         spec_jwt,
         Level::must,
         Reach::doc,
         {"login-with-client-id"},
         for_both_tokens(check_times,
                         "iat and exp in seconds, iat not ahead, exp after iat and not past")},
        {"tokens-differ",
         "access_token and refresh_token are different tokens",
         spec_jwt,
         Level::must,
         Reach::doc,
         {"login-with-client-id"},
         [](const Observation &seen) {
           const auto access = field(seen.first(), "access_token");
           const auto refresh = field(seen.first(), "refresh_token");
           if (!access || !refresh) {
             return fail("no tokens to compare; " + describe_body(seen.first()));
           }
           return *access != *refresh ? pass("different") : fail("the two tokens are identical");
         }},
        {"token-signed",
         "both tokens are signed: alg a signing algorithm (never none), a signature present",
         spec_secure,
         Level::must,
         Reach::doc,
         {"login-with-client-id"},
         for_both_tokens(check_signed, "both tokens: a signing alg and a signature")},
        {"no-key-in-answer",
         "no token, session or header of a 200 holds the API key, nor its base64 or hex",
         spec_secure,
         Level::must,
         Reach::doc,
         {"login-with-client-id"},
         [](const Observation &seen) {
           const auto &answer = seen.first();
           if (answer.status != 200) {
             return fail(status_text(answer) + ", expected a 200 to inspect");
           }
           for (const auto &key : seen.keys) {
             for (const auto &form : revealing_forms(key)) {
               for (const auto &[where, text] : readable_parts(answer)) {
                 // The body holds the tokens in their encoded form; a claim in it is
                 // looked for decoded.
                 if (text.find(form) != std::string::npos) {
                   return fail(where + " holds a key" +
                               (form == key ? std::string() : std::string(" (encoded)")));
                 }
               }
             }
           }
           return pass("no key in headers, session, tokens or their claims");
         }},
        {"tokens-fresh-per-login",
         "two logins get four different tokens",
         spec_fresh,
         Level::should,
         Reach::doc,
         {"login-with-client-id", "login-key-only"},
         [](const Observation &seen) {
           std::set<std::string> tokens;
           for (std::size_t login = 0; login < 2; ++login) {
             for (const char *name : {"access_token", "refresh_token"}) {
               const auto token = field(seen.first(login), name);
               if (!token) {
                 return fail("login " + std::to_string(login + 1) + " gave no " + name);
               }
               tokens.insert(*token);
             }
           }
           return tokens.size() == 4
                      ? pass("two logins, four tokens")
                      : fail(std::to_string(tokens.size()) +
                             " different tokens in two logins: one was issued again");
         }},
        {"new-session-per-login",
         "each login gets a new session",
         spec_session,
         Level::must,
         Reach::doc,
         {"login-with-client-id", "login-key-only"},
         [](const Observation &seen) {
           const auto a = field(seen.first(0), "session");
           const auto b = field(seen.first(1), "session");
           if (!a || !b) {
             return fail("two logins did not both give a session");
           }
           return *a != *b ? pass("two logins, two sessions")
                           : fail("two logins got the same session");
         }},
        {"400-missing-key",
         "a body without key gets 400",
         spec_400,
         Level::must,
         Reach::doc,
         {"missing-key"},
         status_is(400)},
        {"400-empty-body",
         "an empty body gets 400",
         spec_400,
         Level::must,
         Reach::doc,
         {"empty-body"},
         status_is(400)},
        {"400-malformed-json",
         "malformed JSON gets 400",
         spec_400,
         Level::must,
         Reach::doc,
         {"malformed-json"},
         status_is(400)},
        {"400-non-object-body",
         "a JSON body that is not an object gets 400",
         spec_400,
         Level::must,
         Reach::doc,
         {"array-body"},
         status_is(400)},
        {"400-key-wrong-type",
         "a key that is not a string gets 400",
         spec_400,
         Level::must,
         Reach::doc,
         {"key-number"},
         status_is(400)},
        {"400-empty-key",
         "an empty key gets 400",
         spec_400,
         Level::must,
         Reach::doc,
         {"key-empty"},
         status_is(400)},
        {"400-client-id-wrong-type",
         "a client_id that is not a string gets 400",
         spec_400,
         Level::must,
         Reach::doc,
         {"client-id-number"},
         status_is(400)},
        {"400-key-field-misnamed",
         "a body naming the valid key \"Key\" (not \"key\") gets 400",
         spec_params,
         Level::must,
         Reach::doc,
         {"key-field-misnamed"},
         status_is(400)},
        {"400-key-in-array",
         "the valid key inside an array gets 400",
         spec_400,
         Level::must,
         Reach::doc,
         {"key-in-array"},
         status_is(400)},
        {"400-trailing-garbage",
         "a valid login followed by garbage after the JSON gets 400",
         spec_400,
         Level::must,
         Reach::doc,
         {"trailing-garbage"},
         status_is(400)},
        {"401-unknown-key",
         "a key that is not valid gets 401",
         spec_401,
         Level::must,
         Reach::doc,
         {"unknown-key"},
         status_is(401)},
        {"401-expired-key",
         "an expired key gets 401",
         spec_401,
         Level::must,
         Reach::doc,
         {"expired-key"},
         status_is(401)},
        {"401-key-last-char-changed",
         "the valid key with its last character changed gets 401",
         spec_401,
         Level::must,
         Reach::doc,
         {"key-last-char-changed"},
         status_is(401)},
        {"401-key-prefix",
         "the valid key without its last character gets 401",
         spec_401,
         Level::must,
         Reach::doc,
         {"key-prefix"},
         status_is(401)},
        {"401-key-other-case",
         "the valid key in the other letter case gets 401",
         spec_401,
         Level::must,
         Reach::doc,
         {"key-other-case"},
         status_is(401)},
        {"401-key-trailing-space",
         "the valid key with a trailing space gets 401",
         spec_401,
         Level::must,
         Reach::doc,
         {"key-trailing-space"},
         status_is(401)},
        {"405-get", "GET gets 405", spec_405, Level::must, Reach::doc, {"get"}, status_is(405)},
        {"405-put", "PUT gets 405", spec_405, Level::must, Reach::doc, {"put"}, status_is(405)},
        {"405-delete",
         "DELETE gets 405",
         spec_405,
         Level::must,
         Reach::doc,
         {"delete"},
         status_is(405)},
        {"405-patch",
         "PATCH gets 405",
         spec_405,
         Level::must,
         Reach::doc,
         {"patch"},
         status_is(405)},

        // --- SHOULD: sound HTTP the page implies ----------------------------------
        {"json-content-type",
         "the 200 answer says Content-Type: application/json",
         spec_example,
         Level::should,
         Reach::doc,
         {"login-with-client-id"},
         [](const Observation &seen) {
           const auto type = seen.first().header("Content-Type");
           return is_json_media_type(type) ? pass("Content-Type: " + type)
                                           : fail("Content-Type: \"" + type + "\"");
         }},
        {"allow-on-405",
         "405 answers name the allowed method: Allow: POST",
         spec_405,
         Level::should,
         Reach::doc,
         {"get"},
         [](const Observation &seen) {
           const auto allow = seen.first().header("Allow");
           return allow == "POST"
                      ? pass("Allow: POST")
                      : fail("Allow: \"" + allow + "\" (" + status_text(seen.first()) + ")");
         }},
        {"retry-after-on-429-503",
         "a 429 or a 503 says when to try again (Retry-After)",
         spec_retry_after,
         Level::should,
         Reach::doc,
         {"login-with-client-id", "login-key-only", "missing-key", "unknown-key"},
         [](const Observation &seen) {
           int throttled = 0;
           for (const auto &answers : seen.answers) {
             for (const Exchange *answer : answers) {
               if (answer->status != 429 && answer->status != 503) {
                 continue;
               }
               ++throttled;
               if (answer->header("Retry-After").empty()) {
                 return fail(status_text(*answer) + " without Retry-After");
               }
             }
           }
           return pass(throttled == 0 ? "no 429 or 503 seen"
                                      : std::to_string(throttled) +
                                            " answers 429 or 503, each with Retry-After");
         }},
        {"json-error-bodies", "error answers (400, 401, 405) have JSON object bodies", spec_400,
         Level::should, Reach::doc, error_request_ids(),
         [](const Observation &seen) {
           for (std::size_t i = 0; i < seen.answers.size(); ++i) {
             if (!json_object(seen.first(i))) {
               return fail(status_text(seen.first(i)) + ": " + describe_body(seen.first(i)));
             }
           }
           return pass("400, 401 and 405 bodies are JSON objects");
         }},
        {"message-400",
         "the 400 answer says \"Invalid API key\"",
         spec_400,
         Level::should,
         Reach::doc,
         {"missing-key"},
         [](const Observation &seen) { return check_message(seen.first(), "Invalid API key"); }},
        {"message-401",
         "the 401 answer says \"API Key not valid\"",
         spec_401,
         Level::should,
         Reach::doc,
         {"unknown-key"},
         [](const Observation &seen) { return check_message(seen.first(), "API Key not valid"); }},
        {"message-405",
         "the 405 answer says \"Method not allowed\"",
         spec_405,
         Level::should,
         Reach::doc,
         {"get"},
         [](const Observation &seen) { return check_message(seen.first(), "Method not allowed"); }},

        // --- INFO: observed, never failing ----------------------------------------
        {"token-algorithm-and-claims",
         "token algorithm and claim names",
         spec_jwt,
         Level::info,
         Reach::doc,
         {"login-with-client-id"},
         [](const Observation &seen) {
           std::string out;
           for (const char *name : {"access_token", "refresh_token"}) {
             const auto token = field(seen.first(), name);
             const auto decoded = token ? decode_jwt(*token) : JwtDecodeResult{};
             if (!decoded) {
               out += std::string(name) + ": not a JWT; ";
               continue;
             }
             std::string claims;
             for (const auto &[claim, value] : decoded.jwt->claims.items()) {
               claims += (claims.empty() ? "" : ",") + claim;
             }
             const auto &claim_set = decoded.jwt->claims;
             std::string lifetime;
             if (claim_set.contains("exp") && claim_set.contains("iat") &&
                 claim_set["exp"].is_number() && claim_set["iat"].is_number()) {
               lifetime = " lifetime " +
                          std::to_string(claim_set["exp"].get<std::int64_t>() -
                                         claim_set["iat"].get<std::int64_t>()) +
                          "s";
             }
             out += std::string(name) + ": alg " + decoded.jwt->header["alg"].dump() + " claims {" +
                    claims + "}" + lifetime + "; ";
           }
           return pass(out);
         }},
        {"response-headers",
         "headers of the 200 answer",
         spec_200,
         Level::info,
         Reach::doc,
         {"login-with-client-id"},
         [](const Observation &seen) {
           std::string names;
           for (const auto &[name, value] : seen.first().headers) {
             names += (names.empty() ? "" : ", ") + name;
           }
           return pass(names);
         }},
        {"latency",
         "time to answer a login",
         spec_200,
         Level::info,
         Reach::doc,
         {"login-with-client-id", "login-key-only"},
         [](const Observation &seen) {
           std::ostringstream out;
           const auto ms = [](const Exchange &answer) {
             return std::chrono::duration<double, std::milli>(answer.elapsed).count();
           };
           out << "logins took " << ms(seen.first(0)) << " ms and " << ms(seen.first(1)) << " ms";
           return pass(out.str());
         }},

        // --- mock-only: not for a live service ------------------------------------
        {"405-head",
         "HEAD gets 405",
         spec_405,
         Level::must,
         Reach::mock_only,
         {"head"},
         status_is(405)},
        {"405-options",
         "OPTIONS gets 405",
         spec_405,
         Level::must,
         Reach::mock_only,
         {"options"},
         status_is(405)},
        {"400-no-content-type",
         "a body without Content-Type: application/json gets 400",
         spec_example,
         Level::should,
         Reach::mock_only,
         {"no-content-type"},
         status_is(400)},
        {"huge-body-refused",
         "a 2 MiB body gets 413, not a crash or a 5xx",
         spec_400,
         Level::should,
         Reach::mock_only,
         {"huge-body"},
         status_is(413)},
        {"deep-nesting-refused",
         "100,000 nested [ get 4xx, never 5xx",
         spec_400,
         Level::should,
         Reach::mock_only,
         {"deep-nesting"},
         [](const Observation &seen) {
           const int status = seen.first().status;
           return status >= 400 && status < 500
                      ? pass(status_text(seen.first()))
                      : fail(status_text(seen.first()) + ", expected 4xx");
         }},
        {"invalid-utf8-refused",
         "invalid UTF-8 in the key gets 400 or 401",
         spec_400,
         Level::should,
         Reach::mock_only,
         {"invalid-utf8"},
         [](const Observation &seen) {
           const int status = seen.first().status;
           return status == 400 || status == 401
                      ? pass(status_text(seen.first()))
                      : fail(status_text(seen.first()) + ", expected 400 or 401");
         }},
        {"burst-of-logins",
         "20 logins in a row all get 200 and 20 different sessions",
         spec_session,
         Level::should,
         Reach::mock_only,
         {"burst"},
         [](const Observation &seen) {
           std::set<std::string> sessions;
           for (const Exchange *answer : seen.answers.at(0)) {
             if (answer->status != 200) {
               return fail("a login in the burst got " + status_text(*answer));
             }
             if (const auto session = field(*answer, "session")) {
               sessions.insert(*session);
             }
           }
           return sessions.size() == seen.answers.at(0).size()
                      ? pass("20 logins, 20 sessions")
                      : fail(std::to_string(sessions.size()) + " different sessions in 20 logins");
         }},
        fault_case("fault-reset-named", "CONNECTION_RESET_BY_PEER", "fault-reset",
                   "reset the connection"),
        fault_case("fault-empty-named", "EMPTY_RESPONSE", "fault-empty", "without an HTTP answer"),
        fault_case("fault-malformed-chunk-named", "MALFORMED_RESPONSE_CHUNK",
                   "fault-malformed-chunk", "chunked body is broken"),
        fault_case("fault-random-data-named", "RANDOM_DATA_THEN_CLOSE", "fault-random-data",
                   "without an HTTP answer"),
        fault_case("fault-truncated-body-named", "TRUNCATED_BODY", "fault-truncated-body",
                   "truncated body"),
    };
    // The request model's cases: one per class (docs/conformance.md, "The request model").
    for (auto &generated : model::model_cases()) {
      written.push_back(std::move(generated));
    }
    return written;
  }();
  return cases;
}

} // namespace inspekt::conformance
