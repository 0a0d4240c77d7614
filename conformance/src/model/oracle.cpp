#include "oracle.hpp"

#include "../spec_text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace inspekt::conformance::model {

const char *const spec_200 = spec_text::status_200;
const char *const spec_400 = spec_text::status_400;
const char *const spec_401 = spec_text::status_401;
const char *const spec_405 = spec_text::status_405;
const char *const spec_media = "headers = {\"Content-Type\": \"application/json\"} (every example "
                               "of the page; a body without it is not the documented request)";
namespace {

constexpr const char *spec_params = spec_text::params;
// RFC 8259 section 8.1: JSON text exchanged between systems MUST be encoded in UTF-8;
// section 7: control characters MUST be escaped. Such a body is malformed.
constexpr const char *spec_utf8 = "400 | ... malformed (RFC 8259 8.1 and 7: UTF-8, control "
                                  "characters escaped)";
constexpr const char *spec_duplicate = "RFC 8259 4: names within an object SHOULD be unique (the "
                                       "page is silent)";
constexpr const char *spec_bom = "RFC 8259 8.1: a parser MAY ignore a byte order mark";
constexpr const char *spec_unknown_method =
    "405 | only POST is allowed (RFC 9110 15.6.2: 501 for a "
    "method the server does not recognise)";

std::string_view message_for(int status) {
  switch (status) {
  case 400:
    return "Invalid API key";
  case 401:
    return "API Key not valid";
  case 405:
    return "Method not allowed";
  default:
    return {};
  }
}

bool is_malformed_text(const Member &m) {
  return m.type == JsonType::string &&
         (m.text == Text::invalid_utf8 || m.text == Text::control_byte);
}

void add_all(std::vector<int> &into, const Expectation &e) {
  into.push_back(e.status);
  into.insert(into.end(), e.tolerated.begin(), e.tolerated.end());
  into.insert(into.end(), e.lenient.begin(), e.lenient.end());
}

Expectation decided(int status, std::string_view spec, std::string reason) {
  Expectation e;
  e.status = status;
  e.spec = spec;
  e.reason = std::move(reason);
  return e;
}

// The members of an object body, in the contract's order.
Expectation expect_members(const Point &p) {
  const Member key = p.member(Role::key);
  const Member client_id = p.member(Role::client_id);
  // Malformed JSON text anywhere refuses the whole body.
  for (const Role role : roles) {
    if (!is_malformed_text(p.member(role))) {
      continue;
    }
    auto e =
        decided(400, spec_utf8,
                std::string(role_name(role)) + " holds text that is not JSON (invalid UTF-8 or "
                                               "a raw control byte)");
    Point fixed = p;
    fixed.set(role, {JsonType::string, role == Role::key ? Text::blank : Text::plain});
    if (role == Role::key) {
      e.tolerated.push_back(401); // the key read anyway, and not valid
    } else {
      add_all(e.lenient, expect_members(fixed)); // the member read anyway
    }
    return e;
  }
  if (key.type == JsonType::absent) {
    return decided(400, spec_400, "key absent");
  }
  if (key.type != JsonType::string) {
    return decided(400, spec_params, "key is not a string");
  }
  if (key.text == Text::empty) {
    return decided(400, spec_400, "key is empty");
  }
  if (client_id.type != JsonType::absent && client_id.type != JsonType::string) {
    auto e = decided(400, spec_params, "client_id is not a string");
    if (client_id.type == JsonType::null) {
      Point fixed = p;
      fixed.set(Role::client_id, {JsonType::absent, Text::plain});
      add_all(e.lenient, expect_members(fixed)); // null read as absent (the page is silent)
    }
    return e;
  }
  switch (key.text) {
  case Text::valid_key:
  case Text::valid_key_escaped: // the same string once the escape is decoded
    return decided(200, spec_200, "the valid key");
  case Text::blank:
  case Text::long_text:
  case Text::utf8_2:
  case Text::utf8_3:
  case Text::utf8_4:
  case Text::escaped_non_ascii:
  case Text::escaped_nul: {
    // No one holds such a key: "invalid" (401), or an invalid value (400).
    auto e = decided(401, spec_401, "a key no one holds");
    e.tolerated.push_back(400);
    return e;
  }
  default:
    return decided(
        401, spec_401,
        "a key that is not valid (" +
            std::string(dimension(Dim::key_text).values.at(static_cast<std::size_t>(key.text))) +
            ")");
  }
}

Expectation expect_body(const Point &p) {
  Point as_object = p;
  as_object[Dim::shape] = static_cast<std::uint8_t>(Shape::object);
  switch (p.shape()) {
  case Shape::object:
    return expect_members(p);
  case Shape::array_of_object:
  case Shape::array:
  case Shape::string:
  case Shape::number:
  case Shape::boolean:
  case Shape::null:
    return decided(400, spec_400, "the body is not a JSON object");
  case Shape::empty:
  case Shape::whitespace:
    return decided(400, spec_400, "the body is empty");
  case Shape::trailing_bytes:
    return decided(400, spec_400, "bytes after the JSON object");
  case Shape::bom: {
    auto e = expect_members(as_object);
    e.tolerated.push_back(400);
    e.spec = spec_bom;
    e.reason = "a byte order mark, then " + e.reason;
    return e;
  }
  case Shape::deep_nesting: {
    // The mock refuses nesting past its depth limit; reading it all is sound too.
    auto e = decided(400, spec_400, "an extra member nested 64 deep");
    add_all(e.tolerated, expect_members(as_object));
    return e;
  }
  case Shape::member_twice: {
    Point first = as_object;
    first.set(Role::key, {JsonType::string, Text::plain});
    auto e = p.member(Role::key).type == JsonType::absent ? expect_members(first)
                                                          : expect_members(as_object);
    add_all(e.tolerated, expect_members(first));
    e.tolerated.push_back(400);
    e.level = Level::should;
    e.spec = spec_duplicate;
    e.reason = "key twice (the last one read), " + e.reason;
    return e;
  }
  }
  return expect_members(p);
}

} // namespace

Expectation expect(const Point &p) {
  Expectation e;
  if (p.method() != Method::post) {
    e = decided(405, p.method() == Method::unknown ? spec_unknown_method : spec_405,
                "method " + std::string(dimension(Dim::method).values.at(p[Dim::method])));
    if (p.method() == Method::unknown) {
      e.tolerated = {400, 501};
    }
  } else if (p.media() == MediaType::missing || p.media() == MediaType::text_plain ||
             p.media() == MediaType::form) {
    e = decided(400, spec_media, "no application/json media type");
    Point as_json = p;
    as_json[Dim::media] = static_cast<std::uint8_t>(MediaType::json);
    add_all(e.lenient, expect_body(as_json)); // read as JSON anyway
    e.lenient.push_back(415);
  } else {
    e = expect_body(p);
  }
  // RFC 9112 6.3: a server MAY refuse a chunked body with 411; RFC 9110 10.1.1: an
  // expectation it cannot meet gets 417.
  if (p.framing() == Framing::chunked || p.framing() == Framing::chunked_extensions_trailers) {
    e.tolerated.push_back(411);
  } else if (p.framing() == Framing::expect_continue) {
    e.tolerated.push_back(417);
  }
  e.message = message_for(e.status);
  std::sort(e.tolerated.begin(), e.tolerated.end());
  e.tolerated.erase(std::unique(e.tolerated.begin(), e.tolerated.end()), e.tolerated.end());
  e.tolerated.erase(std::remove(e.tolerated.begin(), e.tolerated.end(), e.status),
                    e.tolerated.end());
  std::sort(e.lenient.begin(), e.lenient.end());
  e.lenient.erase(std::unique(e.lenient.begin(), e.lenient.end()), e.lenient.end());
  e.lenient.erase(std::remove_if(e.lenient.begin(), e.lenient.end(),
                                 [&](int s) {
                                   return s == e.status ||
                                          std::find(e.tolerated.begin(), e.tolerated.end(), s) !=
                                              e.tolerated.end();
                                 }),
                  e.lenient.end());
  return e;
}

namespace {

std::string statuses(const Expectation &e) {
  std::string out = std::to_string(e.status);
  for (const int s : e.tolerated) {
    out += " or " + std::to_string(s);
  }
  return out;
}

bool contains(const std::vector<int> &v, int x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

std::string lower(std::string text) {
  for (char &c : text) {
    c = c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
  }
  return text;
}

} // namespace

Judgement judge(const Expectation &e, const Point &p, const Exchange &answer) {
  const int got = answer.status;
  const std::string seen = "status " + std::to_string(got);
  const std::string wanted = ", expected " + statuses(e) + " (" + e.reason + ")";
  if (got >= 500) {
    return {false, Level::must, seen + wanted + "; the page documents no 5xx for any request"};
  }
  if (got != e.status && !contains(e.tolerated, got)) {
    if (contains(e.lenient, got)) {
      return {false, Level::should, seen + wanted + ": lenient where the page is silent"};
    }
    return {false, e.level, seen + wanted};
  }
  if (got == 200) {
    const auto body = nlohmann::json::parse(answer.body, nullptr, false);
    for (const char *field : {"session", "access_token", "refresh_token"}) {
      if (!body.is_object() || !body.contains(field) || !body[field].is_string()) {
        return {false, Level::must, seen + " without " + field + " as a string"};
      }
    }
  }
  if (got == 405 && answer.header("Allow") != "POST") {
    return {false, Level::should, seen + " with Allow: \"" + answer.header("Allow") + "\""};
  }
  const auto message = message_for(got);
  if (!message.empty() && p.method() != Method::head &&
      lower(answer.body).find(lower(std::string(message))) == std::string::npos) {
    return {false, Level::should, seen + ", body does not say \"" + std::string(message) + "\""};
  }
  return {true, e.level, seen};
}

} // namespace inspekt::conformance::model
