#include "inspekt/mock/fixture_loader.hpp"

#include "inspekt/client/secrets.hpp"
#include "inspekt/mock/fixture_error.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <regex>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

namespace inspekt::mock {
namespace {

using nlohmann::json;

// Where in which file a value sits, for error messages: "keys.json" + "/keys/3/status".
struct Place {
  const std::string &file;
  std::string pointer;

  Place at(std::string_view field) const { return {file, pointer + "/" + std::string(field)}; }
  Place at(std::size_t index) const { return {file, pointer + "/" + std::to_string(index)}; }

  [[noreturn]] void fail(const char *id, const std::string &reason) const {
    throw FixtureError(id, file, pointer.empty() ? "/" : pointer, reason);
  }
};

std::string type_name(const json &value) {
  if (value.is_number_integer()) {
    return "integer";
  }
  if (value.is_number()) {
    return "number";
  }
  return value.type_name();
}

// Position of byte `offset` (1-based, as nlohmann reports it) as "line L, column C".
std::string line_and_column(const std::string &text, std::size_t offset) {
  const auto end = std::min(offset == 0 ? 0 : offset - 1, text.size());
  const auto line = 1 + std::count(text.begin(), text.begin() + static_cast<long>(end), '\n');
  const auto line_start = text.rfind('\n', end == 0 ? 0 : end - 1);
  const auto column = end - (line_start == std::string::npos || end == 0 ? 0 : line_start + 1) + 1;
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

// Deeper nesting is refused: no fixture needs it, and what follows the (iterative)
// parser recurses once per level: 100,000 levels overflowed the stack.
constexpr int max_fixture_depth = 64;

// 1-based offset of the bracket that opens level `limit + 1`, outside strings.
std::size_t nesting_offset(const std::string &text, int limit) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      i += c == '\\' ? 1 : 0;
      in_string = c != '"';
    } else if (c == '"') {
      in_string = true;
    } else if ((c == '[' || c == '{') && ++depth > limit) {
      return i + 1;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return 0;
}

// Parses a file in one pass and finds what the parser alone would not say: a member
// name twice in one object (nlohmann keeps the last silently) and nesting deeper than
// max_fixture_depth; and it places every JSON error, also the ones nlohmann throws
// without a position (1e999 is out_of_range, not parse_error). The tree is built by
// nlohmann's own DOM builder, fed these events. Not the parser's callback: nlohmann's
// callback parser rescans the parent container after each object, quadratic in an
// array's length (100,000 keys took 2 s to load).
class ScreeningParser : public json::json_sax_t {
public:
  explicit ScreeningParser(json &root) : dom_(root, /*allow_exceptions=*/false) {}

  bool too_deep = false;
  std::string duplicate;
  std::optional<std::pair<std::size_t, std::string>> error; // 1-based offset, reason

  bool start_object(std::size_t size) override {
    open_objects_.emplace_back();
    return open() && dom_.start_object(size);
  }
  bool end_object() override {
    open_objects_.pop_back();
    --depth_;
    return dom_.end_object();
  }
  bool start_array(std::size_t size) override { return open() && dom_.start_array(size); }
  bool end_array() override {
    --depth_;
    return dom_.end_array();
  }
  bool key(string_t &name) override {
    if (!open_objects_.back().insert(name).second && duplicate.empty()) {
      duplicate = name;
    }
    return dom_.key(name);
  }
  bool null() override { return dom_.null(); }
  bool boolean(bool value) override { return dom_.boolean(value); }
  bool number_integer(number_integer_t value) override { return dom_.number_integer(value); }
  bool number_unsigned(number_unsigned_t value) override { return dom_.number_unsigned(value); }
  bool number_float(number_float_t value, const string_t &text) override {
    return dom_.number_float(value, text);
  }
  bool string(string_t &value) override { return dom_.string(value); }
  bool binary(binary_t &value) override { return dom_.binary(value); }
  bool parse_error(std::size_t position, const std::string &token,
                   const json::exception &e) override {
    std::string reason = e.what();
    if (const auto *syntax = dynamic_cast<const json::parse_error *>(&e)) {
      // Keep nlohmann's reason, drop its own id and position: ours come first.
      const auto column = reason.find("column ");
      const auto colon = column == std::string::npos ? column : reason.find(": ", column);
      if (colon != std::string::npos) {
        reason = reason.substr(colon + 2);
      }
      // Nor what it "last read": in keys.json that is the start of an API key.
      const auto last_read = reason.find("; last read: ");
      if (last_read != std::string::npos) {
        const auto expected = reason.find("; expected ", last_read);
        reason.erase(last_read,
                     (expected == std::string::npos ? reason.size() : expected) - last_read);
      }
      error.emplace(syntax->byte, reason);
    } else {
      // `position` is then the token's last byte: point at its first. Drop the id
      // ("[json.exception.out_of_range.406] ").
      const auto end_of_id = reason.find("] ");
      error.emplace(position >= token.size() ? position - token.size() + 1 : position,
                    end_of_id == std::string::npos ? reason : reason.substr(end_of_id + 2));
    }
    return false;
  }

private:
  bool open() {
    too_deep = ++depth_ > max_fixture_depth;
    return !too_deep;
  }

  nlohmann::detail::json_sax_dom_parser<json> dom_;
  std::vector<std::unordered_set<std::string>> open_objects_;
  int depth_ = 0;
};

json parse_file(const FixtureFile &file) {
  json root;
  ScreeningParser parser(root);
  json::sax_parse(file.text, &parser);
  if (parser.too_deep) {
    throw FixtureError("fixture.parse", file.name,
                       line_and_column(file.text, nesting_offset(file.text, max_fixture_depth)),
                       "nested deeper than " + std::to_string(max_fixture_depth) + " levels");
  }
  if (parser.error) {
    throw FixtureError("fixture.parse", file.name, line_and_column(file.text, parser.error->first),
                       parser.error->second);
  }
  if (!parser.duplicate.empty()) {
    throw FixtureError("fixture.parse", file.name, "field \"" + parser.duplicate + "\"",
                       "the same field appears twice in one object");
  }
  return root;
}

const json &field(const json &object, const Place &place, std::string_view name) {
  const auto it = object.find(name);
  if (it == object.end()) {
    place.at(name).fail("fixture.missing-field", "required field is missing");
  }
  return *it;
}

void expect_type(const json &value, const Place &place, bool ok, const char *expected) {
  if (!ok) {
    place.fail("fixture.type", std::string("expected ") + expected + ", got " + type_name(value));
  }
}

const json &object_with(const json &value, const Place &place,
                        std::initializer_list<std::string_view> known) {
  expect_type(value, place, value.is_object(), "object");
  for (const auto &[name, member] : value.items()) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      std::string list;
      for (const auto k : known) {
        list += (list.empty() ? "" : ", ") + std::string(k);
      }
      place.at(name).fail("fixture.unknown-field", "unknown field (known here: " + list + ")");
    }
  }
  return value;
}

std::string string_field(const json &object, const Place &place, std::string_view name) {
  const json &value = field(object, place, name);
  if (!value.is_string()) { // the place is spelt out only for the message
    expect_type(value, place.at(name), false, "string");
  }
  return value.get<std::string>();
}

std::string optional_string(const json &object, const Place &place, std::string_view name) {
  return object.contains(name) ? string_field(object, place, name) : std::string();
}

std::int64_t integer_field(const json &object, const Place &place, std::string_view name,
                           std::int64_t low, std::int64_t high) {
  const json &value = field(object, place, name);
  if (!value.is_number_integer()) {
    expect_type(value, place.at(name), false, "integer");
  }
  const auto number = value.get<std::int64_t>();
  if (number < low || number > high) {
    place.at(name).fail("fixture.value", std::to_string(number) + " is outside " +
                                             std::to_string(low) + ".." + std::to_string(high));
  }
  return number;
}

// --- keys.json ---------------------------------------------------------------------

std::vector<ApiKeyEntry> read_keys(const json &root, const std::string &file) {
  const Place top{file, ""};
  object_with(root, top, {"keys"});
  const json &keys = field(root, top, "keys");
  expect_type(keys, top.at("keys"), keys.is_array(), "array");

  std::vector<ApiKeyEntry> entries;
  entries.reserve(keys.size());
  std::unordered_map<std::string_view, std::size_t> seen; // views into `root`
  seen.reserve(keys.size());
  const Place list = top.at("keys");
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const Place place = list.at(i);
    object_with(keys[i], place, {"key", "status", "label"});
    ApiKeyEntry entry;
    entry.key = string_field(keys[i], place, "key");
    if (entry.key.empty()) {
      place.at("key").fail("fixture.value", "an API key cannot be empty");
    }
    const std::string status = string_field(keys[i], place, "status");
    if (status == "valid") {
      entry.status = KeyStatus::valid;
    } else if (status == "expired") {
      entry.status = KeyStatus::expired;
    } else if (status == "revoked") {
      entry.status = KeyStatus::revoked;
    } else {
      place.at("status").fail("fixture.value",
                              "\"" + status + "\" is not one of valid, expired, revoked");
    }
    entry.label = optional_string(keys[i], place, "label");
    const auto [it, fresh] = seen.emplace(keys[i]["key"].get_ref<const std::string &>(), i);
    if (!fresh) {
      place.at("key").fail("fixture.duplicate-key", "the key \"" + key_hint(entry.key) + "\"" +
                                                        " is already listed at /keys/" +
                                                        std::to_string(it->second));
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

// --- responses.json ----------------------------------------------------------------

constexpr std::array<std::string_view, 4> placeholder_names{"session", "access_token",
                                                            "refresh_token", "client_id"};

// The name in "{{name}}" (letters and '_'), or nothing. Not std::regex: libstdc++'s
// matcher recurses once per character and overflowed the stack on a 30,000-character
// "{{aaa...}}".
std::optional<std::string> placeholder_in(const std::string &text) {
  if (text.size() < 5 || text.compare(0, 2, "{{") != 0 ||
      text.compare(text.size() - 2, 2, "}}") != 0) {
    return std::nullopt;
  }
  const auto name = text.substr(2, text.size() - 4);
  const bool letters = std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
  });
  return letters ? std::optional<std::string>(name) : std::nullopt;
}

// Walks a body template: every "{{name}}" must name a known placeholder.
void check_template(const json &value, const Place &place, bool &needs_credentials) {
  if (value.is_string()) {
    const auto &text = value.get_ref<const std::string &>();
    if (const auto name = placeholder_in(text)) {
      if (std::find(placeholder_names.begin(), placeholder_names.end(), *name) ==
          placeholder_names.end()) {
        const auto shown = name->size() <= 32 ? *name : name->substr(0, 32) + "...";
        place.fail("fixture.value", "unknown placeholder {{" + shown +
                                        "}} (known: session, access_token, refresh_token, "
                                        "client_id)");
      }
      needs_credentials = needs_credentials || *name != "client_id";
    } else if (text.find("{{") != std::string::npos) {
      place.fail("fixture.value", "a placeholder must be a whole string value, like "
                                  "\"{{session}}\"");
    }
  } else if (value.is_object()) {
    for (const auto &[name, member] : value.items()) {
      check_template(member, place.at(name), needs_credentials);
    }
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      check_template(value[i], place.at(i), needs_credentials);
    }
  }
}

bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

HeaderList read_headers(const json &headers, const Place &place) {
  expect_type(headers, place, headers.is_object(), "object");
  HeaderList list;
  for (const auto &[name, value] : headers.items()) {
    const Place here = place.at(name);
    if (name.empty() || !std::all_of(name.begin(), name.end(), is_token_char)) {
      here.fail("fixture.value", "not a valid HTTP header name");
    }
    expect_type(value, here, value.is_string(), "string");
    const auto &text = value.get_ref<const std::string &>();
    if (text.find_first_of("\r\n") != std::string::npos || text.find('\0') != std::string::npos) {
      here.fail("fixture.value", "a header value cannot hold CR, LF or NUL");
    }
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == "content-length" || lower == "transfer-encoding" || lower == "connection" ||
        lower == "keep-alive") {
      here.fail("fixture.value", "this header belongs to the HTTP layer and is set by the mock");
    }
    list.emplace_back(name, text);
  }
  return list;
}

ResponseTemplate read_response(const json &value, const Place &place) {
  object_with(value, place, {"status", "headers", "body", "raw_body"});
  ResponseTemplate response;
  response.status = static_cast<int>(integer_field(value, place, "status", 100, 599));
  if (response.status < 200 || response.status == 204 || response.status == 304) {
    // RFC 9110 sections 15.2, 15.3.5 and 15.4.5: these answers have no body, and a
    // mock answer always has one (a client would read it as the next answer).
    place.at("status").fail("fixture.value", "status " + std::to_string(response.status) +
                                                 " cannot carry a body; every answer here has one");
  }
  if (value.contains("headers")) {
    response.headers = read_headers(value["headers"], place.at("headers"));
  }
  if (value.contains("body") && value.contains("raw_body")) {
    place.at("raw_body").fail("fixture.value", "give either body or raw_body, not both");
  }
  if (value.contains("body")) {
    check_template(value["body"], place.at("body"), response.needs_credentials);
    response.json_body = value["body"];
    const bool has_type =
        std::any_of(response.headers.begin(), response.headers.end(), [](const auto &h) {
          return h.first.size() == 12 && ::strncasecmp(h.first.c_str(), "content-type", 12) == 0;
        });
    if (!has_type) {
      response.headers.emplace_back("Content-Type", "application/json");
    }
  } else if (value.contains("raw_body")) {
    response.raw_body = string_field(value, place, "raw_body");
  }
  return response;
}

std::array<ResponseTemplate, all_outcomes.size()> read_responses(const json &root,
                                                                 const std::string &file) {
  const Place top{file, ""};
  expect_type(root, top, root.is_object(), "object");
  std::vector<std::string_view> names;
  for (const auto outcome : all_outcomes) {
    names.push_back(to_string(outcome));
  }
  for (const auto &[name, member] : root.items()) {
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      top.at(name).fail("fixture.unknown-field",
                        "unknown outcome (known: success, invalid_request, unknown_key, "
                        "expired_key, revoked_key, method_not_allowed, not_found, "
                        "payload_too_large)");
    }
  }
  std::array<ResponseTemplate, all_outcomes.size()> responses;
  for (const auto outcome : all_outcomes) {
    const auto name = to_string(outcome);
    responses[static_cast<std::size_t>(outcome)] =
        read_response(field(root, top, name), top.at(name));
  }
  return responses;
}

// --- tokens.json -------------------------------------------------------------------

constexpr std::array<std::string_view, 8> reserved_claims{"iss", "sub", "iat", "nbf",
                                                          "exp", "sid", "jti", "token_type"};

TokenKindSettings read_token_kind(const json &value, const Place &place) {
  object_with(value, place, {"type", "lifetime_seconds", "claims"});
  TokenKindSettings kind;
  kind.type = string_field(value, place, "type");
  if (kind.type.empty()) {
    place.at("type").fail("fixture.value", "the token type cannot be empty");
  }
  // Zero or negative lifetimes are allowed on purpose: they issue tokens that are
  // already expired, for testing a client's renewal path.
  constexpr std::int64_t ten_years = 10LL * 366 * 24 * 3600;
  kind.lifetime =
      std::chrono::seconds(integer_field(value, place, "lifetime_seconds", -ten_years, ten_years));
  if (value.contains("claims")) {
    const json &claims = value["claims"];
    expect_type(claims, place.at("claims"), claims.is_object(), "object");
    for (const auto &[name, claim] : claims.items()) {
      if (std::find(reserved_claims.begin(), reserved_claims.end(), name) !=
          reserved_claims.end()) {
        place.at("claims").at(name).fail("fixture.value",
                                         "this claim is set by the mock and cannot be overridden");
      }
    }
    kind.claims = claims;
  }
  return kind;
}

TokenSettings read_tokens(const json &root, const std::string &file) {
  const Place top{file, ""};
  object_with(root, top, {"algorithm", "secret", "issuer", "access_token", "refresh_token"});
  TokenSettings tokens;
  const std::string algorithm = string_field(root, top, "algorithm");
  const auto parsed = parse_jwt_algorithm(algorithm);
  if (!parsed) {
    top.at("algorithm")
        .fail("fixture.value", "\"" + algorithm + "\" is not one of HS256, HS384, HS512");
  }
  tokens.algorithm = *parsed;
  tokens.secret = string_field(root, top, "secret");
  if (tokens.secret.empty()) {
    top.at("secret").fail("fixture.value", "the signing secret cannot be empty");
  }
  tokens.issuer = string_field(root, top, "issuer");
  tokens.access = read_token_kind(field(root, top, "access_token"), top.at("access_token"));
  tokens.refresh = read_token_kind(field(root, top, "refresh_token"), top.at("refresh_token"));
  return tokens;
}

// --- session.json ------------------------------------------------------------------

SessionIdFormat read_session(const json &root, const std::string &file) {
  const Place top{file, ""};
  object_with(root, top, {"format"});
  const std::string pattern = string_field(root, top, "format");
  try {
    return parse_session_id_format(pattern);
  } catch (const std::invalid_argument &e) {
    top.at("format").fail("fixture.value", e.what());
  }
}

const FixtureFile &find_file(const std::vector<FixtureFile> &files, const std::string &name) {
  const auto it = std::find_if(files.begin(), files.end(),
                               [&](const FixtureFile &f) { return f.name == name; });
  if (it == files.end()) {
    throw FixtureError("fixture.io", name, "", "file is missing from the fixture set");
  }
  return *it;
}

} // namespace

std::string_view to_string(KeyStatus status) {
  switch (status) {
  case KeyStatus::valid:
    return "valid";
  case KeyStatus::expired:
    return "expired";
  case KeyStatus::revoked:
    return "revoked";
  }
  return "?";
}

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
  case Outcome::success:
    return "success";
  case Outcome::invalid_request:
    return "invalid_request";
  case Outcome::unknown_key:
    return "unknown_key";
  case Outcome::expired_key:
    return "expired_key";
  case Outcome::revoked_key:
    return "revoked_key";
  case Outcome::method_not_allowed:
    return "method_not_allowed";
  case Outcome::not_found:
    return "not_found";
  case Outcome::payload_too_large:
    return "payload_too_large";
  }
  return "?";
}

SessionIdFormat parse_session_id_format(const std::string &pattern) {
  // std::regex_search below recurses once per character of a long "{aaa...": the
  // vendor's ids are 20 characters, so a format this long is a mistake anyway.
  constexpr std::size_t max_length = 256;
  if (pattern.size() > max_length) {
    throw std::invalid_argument("the format is longer than " + std::to_string(max_length) +
                                " characters");
  }
  SessionIdFormat format{pattern, {}};
  static const std::regex placeholder(R"(\{([a-z]+)(?::([0-9]+))?\})");
  auto begin = pattern.cbegin();
  std::smatch match;
  while (std::regex_search(begin, pattern.cend(), match, placeholder)) {
    if (match.prefix().length() > 0) {
      format.parts.push_back({SessionIdPart::Kind::literal, match.prefix().str(), 0});
    }
    const std::string name = match[1];
    const bool has_width = match[2].matched;
    const int width = has_width ? std::stoi(match[2].str().substr(0, 3)) : 0;
    if (name == "digits" || name == "hex") {
      if (!has_width || width < 1 || width > 64) {
        throw std::invalid_argument("{" + name + ":N} needs a width N from 1 to 64");
      }
      format.parts.push_back(
          {name == "digits" ? SessionIdPart::Kind::digits : SessionIdPart::Kind::hex, "", width});
    } else if ((name == "timestamp" || name == "uuid") && !has_width) {
      format.parts.push_back(
          {name == "timestamp" ? SessionIdPart::Kind::timestamp : SessionIdPart::Kind::uuid, "",
           0});
    } else {
      throw std::invalid_argument("unknown placeholder " + match.str() +
                                  " (known: {digits:N}, {hex:N}, {timestamp}, {uuid})");
    }
    begin = match.suffix().first;
  }
  const std::string rest(begin, pattern.cend());
  if (rest.find_first_of("{}") != std::string::npos ||
      std::any_of(format.parts.begin(), format.parts.end(), [](const SessionIdPart &p) {
        return p.text.find_first_of("{}") != std::string::npos;
      })) {
    throw std::invalid_argument("unbalanced brace in \"" + pattern + "\"");
  }
  if (!rest.empty()) {
    format.parts.push_back({SessionIdPart::Kind::literal, rest, 0});
  }
  if (format.parts.empty()) {
    throw std::invalid_argument("the format cannot be empty");
  }
  return format;
}

FixtureSet load_fixtures(const std::vector<FixtureFile> &files, std::string origin) {
  FixtureSet set;
  set.origin = std::move(origin);
  const auto &keys = find_file(files, "keys.json");
  set.keys = read_keys(parse_file(keys), keys.name);
  const auto &responses = find_file(files, "responses.json");
  set.responses = read_responses(parse_file(responses), responses.name);
  const auto &tokens = find_file(files, "tokens.json");
  set.tokens = read_tokens(parse_file(tokens), tokens.name);
  const auto &session = find_file(files, "session.json");
  set.session = read_session(parse_file(session), session.name);
  return set;
}

FixtureSet load_fixtures_from_directory(const std::filesystem::path &directory) {
  std::error_code error;
  if (!std::filesystem::is_directory(directory, error)) {
    throw FixtureError("fixture.io", directory.string(), "",
                       "not a directory (a fixture set is a directory holding keys.json, "
                       "responses.json, tokens.json and session.json)");
  }
  std::vector<FixtureFile> files;
  for (const char *name : fixture_file_names) {
    const auto path = directory / name;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      throw FixtureError("fixture.io", path.string(), "",
                         std::string("cannot read: ") + std::strerror(errno));
    }
    std::ostringstream text;
    text << in.rdbuf();
    files.push_back({name, text.str()});
  }
  try {
    return load_fixtures(files, directory.string());
  } catch (const FixtureError &e) {
    // Name the file by its full path, so the message points at something to open.
    throw FixtureError(e.id(), (directory / e.file()).string(), e.where(), e.reason());
  }
}

FixtureSet load_embedded_fixtures() {
  return load_fixtures(embedded_fixture_files(), "embedded default");
}

} // namespace inspekt::mock
