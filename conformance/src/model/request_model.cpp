#include "request_model.hpp"

#include <nlohmann/json.hpp>

namespace inspekt::conformance::model {
namespace {

std::vector<std::uint8_t> all_of(std::size_t n) {
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(static_cast<std::uint8_t>(i));
  }
  return out;
}

const std::vector<std::string_view> text_names{"plain",
                                               "valid-key",
                                               "valid-key-escaped",
                                               "last-char-changed",
                                               "prefix",
                                               "other-case",
                                               "trailing-space",
                                               "leading-space",
                                               "appended-char",
                                               "nul-suffix",
                                               "inner-char-dropped",
                                               "empty",
                                               "blank",
                                               "long",
                                               "utf8-2",
                                               "utf8-3",
                                               "utf8-4",
                                               "escaped-utf8",
                                               "invalid-utf8",
                                               "control-byte",
                                               "escaped-nul"};
const std::vector<std::string_view> type_names{"absent", "string", "number", "boolean",
                                               "null",   "object", "array"};

// The texts that mean something in client_id and the extra member.
std::vector<std::uint8_t> generic_texts() {
  std::vector<std::uint8_t> out{static_cast<std::uint8_t>(Text::plain)};
  for (auto t = static_cast<std::uint8_t>(Text::empty);
       t <= static_cast<std::uint8_t>(Text::escaped_nul); ++t) {
    out.push_back(t);
  }
  return out;
}

// The text of a string member as a JSON string literal, quotes included. `keys` null:
// placeholders instead of keys.
std::string text_literal(Role role, Text text, std::size_t long_length, const Keys *keys) {
  const auto shown = [&](std::string_view placeholder) {
    return "\"" + std::string(placeholder) + "\"";
  };
  const std::string valid = keys ? keys->valid() : std::string();
  const auto quoted = [](const std::string &s) { return nlohmann::json(s).dump(); };
  switch (text) {
  case Text::plain:
    if (role == Role::key) {
      return keys ? quoted(keys->invalid()) : shown("<invalid-key>");
    }
    return "\"inspekt-conformance\"";
  case Text::valid_key:
    return keys ? quoted(valid) : shown("<valid-key>");
  case Text::valid_key_escaped: {
    if (!keys) {
      return shown("<valid-key, first character as a \\\\u escape>");
    }
    char escape[8];
    std::snprintf(escape, sizeof escape, "\\u%04x", static_cast<unsigned char>(valid.at(0)));
    return "\"" + std::string(escape) + quoted(valid.substr(1)).substr(1);
  }
  case Text::last_char_changed: {
    if (!keys) {
      return shown("<valid-key-last-char-changed>");
    }
    std::string v = valid;
    v.back() = v.back() == 'x' ? 'y' : 'x';
    return quoted(v);
  }
  case Text::prefix:
    return keys ? quoted(valid.substr(0, valid.size() - 1)) : shown("<valid-key-prefix>");
  case Text::other_case: {
    if (!keys) {
      return shown("<valid-key-other-case>");
    }
    std::string v = valid;
    for (char &c : v) {
      c = c >= 'a' && c <= 'z'   ? static_cast<char>(c - 32)
          : c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32)
                                 : c;
    }
    // A key without letters has no other case: a key that differs some other way.
    return quoted(v == valid ? v + "X" : v);
  }
  case Text::trailing_space:
    return keys ? quoted(valid + " ") : shown("<valid-key-trailing-space>");
  case Text::leading_space:
    return keys ? quoted(" " + valid) : shown("<valid-key-leading-space>");
  case Text::appended_char:
    return keys ? quoted(valid + "x") : shown("<valid-key-appended-char>");
  case Text::nul_suffix:
    return keys ? "\"" + quoted(valid).substr(1, valid.size()) + "\\u0000\""
                : shown("<valid-key-nul-suffix>");
  case Text::inner_char_dropped: {
    if (!keys) {
      return shown("<valid-key-inner-char-dropped>");
    }
    std::string v = valid;
    v.erase(v.size() / 2, 1);
    return quoted(v);
  }
  case Text::empty:
    return "\"\"";
  case Text::blank:
    return "\"   \"";
  case Text::long_text:
    return "\"" + std::string(long_length, 'k') + "\"";
  case Text::utf8_2:
    return "\"cl\xc3\xa9\"";
  case Text::utf8_3:
    return "\"\xe2\x82\xac-\xe9\x8d\xb5\"";
  case Text::utf8_4:
    return "\"\xf0\x9f\x94\x91\"";
  case Text::escaped_non_ascii:
    return "\"cl\\u00e9 \\u20ac \\ud83d\\udd11\"";
  case Text::invalid_utf8:
    return "\"\xff\xfe-not-utf8\"";
  case Text::control_byte:
    return "\"a\x01z\"";
  case Text::escaped_nul:
    return "\"a\\u0000z\"";
  }
  return "\"\"";
}

std::string value_literal(Role role, const Member &m, std::size_t long_length, const Keys *keys) {
  switch (m.type) {
  case JsonType::absent:
    return {};
  case JsonType::string:
    return text_literal(role, m.text, long_length, keys);
  case JsonType::number:
    return role == Role::key ? "12345" : "42";
  case JsonType::boolean:
    return "true";
  case JsonType::null:
    return "null";
  case JsonType::object:
    // The key's object holds the valid key: a server that digs it out is lenient.
    return role == Role::key ? "{\"value\":" + text_literal(role, Text::valid_key, 0, keys) + "}"
                             : "{}";
  case JsonType::array:
    return role == Role::key ? "[" + text_literal(role, Text::valid_key, 0, keys) + "]" : "[]";
  }
  return {};
}

std::string members_text(const Point &p, const Keys *keys) {
  std::string out;
  for (const Role role : roles) {
    const Member m = p.member(role);
    if (m.type == JsonType::absent) {
      continue;
    }
    out += (out.empty() ? "\"" : ",\"") + std::string(role_name(role)) +
           "\":" + value_literal(role, m, p.long_length, keys);
  }
  return out;
}

// A form body when every member is a string; the JSON text otherwise.
std::optional<std::string> form_text(const Point &p, const Keys *keys) {
  std::string out;
  for (const Role role : roles) {
    const Member m = p.member(role);
    if (m.type == JsonType::absent) {
      continue;
    }
    if (m.type != JsonType::string) {
      return std::nullopt;
    }
    const auto value =
        nlohmann::json::parse(text_literal(role, m.text, p.long_length, keys), nullptr, false);
    if (!value.is_string()) {
      return std::nullopt;
    }
    std::string encoded;
    for (const unsigned char c : value.get<std::string>()) {
      if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '<' || c == '>') {
        encoded += static_cast<char>(c);
      } else {
        char escape[4];
        std::snprintf(escape, sizeof escape, "%%%02X", c);
        encoded += escape;
      }
    }
    out += (out.empty() ? "" : "&") + std::string(role_name(role)) + "=" + encoded;
  }
  return out;
}

std::string body_text(const Point &p, const Keys *keys) {
  const std::string members = members_text(p, keys);
  const std::string object = "{" + members + "}";
  const Member key = p.member(Role::key);
  const std::string key_value = key.type == JsonType::absent
                                    ? text_literal(Role::key, Text::valid_key, 0, keys)
                                    : value_literal(Role::key, key, p.long_length, keys);
  if (p.media() == MediaType::form && p.shape() == Shape::object) {
    if (auto form = form_text(p, keys)) {
      return *form;
    }
  }
  switch (p.shape()) {
  case Shape::object:
    return object;
  case Shape::array_of_object:
    return "[" + object + "]";
  case Shape::array:
    return "[" + key_value + "]";
  case Shape::string:
    return key.type == JsonType::string ? key_value
                                        : text_literal(Role::key, Text::valid_key, 0, keys);
  case Shape::number:
    return "12345";
  case Shape::boolean:
    return "true";
  case Shape::null:
    return "null";
  case Shape::empty:
    return "";
  case Shape::whitespace:
    return " \t\r\n ";
  case Shape::bom:
    return "\xef\xbb\xbf" + object;
  case Shape::trailing_bytes:
    return object + " x";
  case Shape::deep_nesting:
    return "{" + members + (members.empty() ? "" : ",") + "\"nest\":" + std::string(64, '[') +
           std::string(64, ']') + "}";
  case Shape::member_twice:
    // "key" twice: first a key that is not valid, then the member as the point has it.
    return "{\"key\":" + text_literal(Role::key, Text::plain, 0, keys) +
           (members.empty() ? "" : ",") + members + "}";
  }
  return object;
}

const char *method_token(Method m) {
  switch (m) {
  case Method::post:
    return "POST";
  case Method::get:
    return "GET";
  case Method::head:
    return "HEAD";
  case Method::put:
    return "PUT";
  case Method::patch:
    return "PATCH";
  case Method::delete_:
    return "DELETE";
  case Method::options:
    return "OPTIONS";
  case Method::unknown:
    return "INSPEKT"; // a token no server knows (RFC 9110 section 9.1)
  }
  return "POST";
}

const char *media_value(MediaType m) {
  switch (m) {
  case MediaType::json:
    return "application/json";
  case MediaType::json_charset:
    return "application/json; charset=utf-8";
  case MediaType::json_other_case:
    return "Application/JSON";
  case MediaType::missing:
    return nullptr;
  case MediaType::text_plain:
    return "text/plain";
  case MediaType::form:
    return "application/x-www-form-urlencoded";
  }
  return nullptr;
}

WireRequest render_with(const Point &p, const Keys *keys) {
  WireRequest request;
  request.method = method_token(p.method());
  if (const char *type = media_value(p.media())) {
    request.headers.emplace_back("Content-Type", type);
  }
  request.body = body_text(p, keys);
  request.framing = p.framing();
  return request;
}

// Single quotes for a POSIX shell: ' becomes '\''; bytes that a terminal would eat are
// written with $'...' escapes instead.
std::string shell_quoted(const std::string &text) {
  bool plain = true;
  for (const unsigned char c : text) {
    plain = plain && c >= 0x20 && c < 0x7f;
  }
  std::string out;
  if (plain) {
    out = "'";
    for (const char c : text) {
      out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    }
    return out + "'";
  }
  out = "$'";
  for (const unsigned char c : text) {
    if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\x%02x", c);
      out += escape;
    }
  }
  return out + "'";
}

} // namespace

std::string_view role_name(Role role) {
  switch (role) {
  case Role::key:
    return "key";
  case Role::client_id:
    return "client_id";
  case Role::extra:
    return "note";
  }
  return "?";
}

Dim type_dim(Role role) {
  return static_cast<Dim>(static_cast<std::uint8_t>(Dim::key_type) +
                          2 * static_cast<std::uint8_t>(role));
}
Dim text_dim(Role role) {
  return static_cast<Dim>(static_cast<std::uint8_t>(type_dim(role)) + 1);
}

Member Point::member(Role role) const {
  return {static_cast<JsonType>((*this)[type_dim(role)]),
          static_cast<Text>((*this)[text_dim(role)])};
}

void Point::set(Role role, Member m) {
  (*this)[type_dim(role)] = static_cast<std::uint8_t>(m.type);
  (*this)[text_dim(role)] = static_cast<std::uint8_t>(m.text);
}

Point valid_login() {
  Point p;
  p.set(Role::key, {JsonType::string, Text::valid_key});
  return p;
}

const std::array<DimensionInfo, dim_count> &dimensions() {
  static const std::array<DimensionInfo, dim_count> table = [] {
    std::array<DimensionInfo, dim_count> t{{
        {Dim::method,
         "method",
         {"POST", "GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS", "unknown-token"},
         {}},
        {Dim::framing,
         "framing",
         {"content-length", "chunked", "chunked-ext", "expect-continue"},
         {}},
        {Dim::media,
         "media",
         {"json", "json-charset", "json-other-case", "missing", "text-plain", "form-urlencoded"},
         {}},
        {Dim::shape,
         "shape",
         {"object", "array-of-object", "array", "string", "number", "boolean", "null", "empty",
          "whitespace", "bom", "trailing-bytes", "deep-nesting", "member-twice"},
         {}},
        {Dim::key_type, "key.type", type_names, {}},
        {Dim::key_text, "key.text", text_names, {}},
        {Dim::client_id_type, "client_id.type", type_names, {}},
        {Dim::client_id_text, "client_id.text", text_names, {}},
        {Dim::extra_type, "note.type", type_names, {}},
        {Dim::extra_text, "note.text", text_names, {}},
    }};
    for (auto &d : t) {
      d.used = all_of(d.values.size());
    }
    t[static_cast<std::size_t>(Dim::client_id_text)].used = generic_texts();
    t[static_cast<std::size_t>(Dim::extra_text)].used = generic_texts();
    return t;
  }();
  return table;
}

const DimensionInfo &dimension(Dim d) {
  return dimensions()[static_cast<std::size_t>(d)];
}

std::string ModelClass::name() const {
  return std::string(dimension(dim).name) + "=" + std::string(dimension(dim).values.at(value));
}

const std::vector<ModelClass> &model_classes() {
  static const std::vector<ModelClass> classes = [] {
    std::vector<ModelClass> out;
    for (const auto &d : dimensions()) {
      for (const auto v : d.used) {
        out.push_back({d.dim, v});
      }
    }
    return out;
  }();
  return classes;
}

namespace {

bool is_member_dim(Dim d) {
  return static_cast<std::uint8_t>(d) >= static_cast<std::uint8_t>(Dim::key_type);
}

// The point has the class's value (a text class: its member is a string), whatever the
// body's shape.
bool has_class_value(const Point &p, const ModelClass &c) {
  if (p[c.dim] != c.value) {
    return false;
  }
  if (!is_member_dim(c.dim)) {
    return true;
  }
  const auto d = static_cast<std::uint8_t>(c.dim) - static_cast<std::uint8_t>(Dim::key_type);
  const auto role = static_cast<Role>(d / 2);
  return d % 2 == 0 || p.member(role).type == JsonType::string;
}

} // namespace

bool in_class(const Point &p, const ModelClass &c) {
  return has_class_value(p, c) && (!is_member_dim(c.dim) || p.shape() == Shape::object);
}

bool carries_class(const Point &p, const ModelClass &c) {
  if (!has_class_value(p, c) || !is_member_dim(c.dim)) {
    return has_class_value(p, c);
  }
  if (p.media() == MediaType::form) {
    return false; // a form body holds the members, but not as JSON values
  }
  switch (p.shape()) {
  case Shape::object:
  case Shape::array_of_object:
  case Shape::bom:
  case Shape::trailing_bytes:
  case Shape::deep_nesting:
  case Shape::member_twice:
    return true;
  default:
    return false; // body_text() renders no members
  }
}

std::string describe(const Point &p) {
  const Point base = valid_login();
  std::string out;
  for (const auto &d : dimensions()) {
    const bool text =
        d.dim == Dim::key_text || d.dim == Dim::client_id_text || d.dim == Dim::extra_text;
    const Dim type = static_cast<Dim>(static_cast<std::uint8_t>(d.dim) - 1);
    if (text && static_cast<JsonType>(p[type]) != JsonType::string) {
      continue;
    }
    if (p[d.dim] != base[d.dim] ||
        (text && static_cast<JsonType>(base[type]) != JsonType::string)) {
      out +=
          (out.empty() ? "" : " ") + std::string(d.name) + "=" + std::string(d.values.at(p[d.dim]));
      if (text && static_cast<Text>(p[d.dim]) == Text::long_text) {
        out += "(" + std::to_string(p.long_length) + ")";
      }
    }
  }
  return out.empty() ? "a plain valid login" : out;
}

WireRequest render(const Point &p, const Keys &keys) {
  return render_with(p, &keys);
}

WireRequest render_shown(const Point &p) {
  return render_with(p, nullptr);
}

std::string curl_line(const Point &p, const std::string &url) {
  const WireRequest r = render_shown(p);
  std::string line = "curl -sS -i -X " + r.method;
  for (const auto &[name, value] : r.headers) {
    line += " -H " + shell_quoted(name + ": " + value);
  }
  switch (r.framing) {
  case Framing::content_length:
    break;
  case Framing::chunked:
    line += " -H 'Transfer-Encoding: chunked'";
    break;
  case Framing::chunked_extensions_trailers:
    // curl sends no chunk extensions or trailers: the nearest it can say.
    line += " -H 'Transfer-Encoding: chunked' -H 'Trailer: X-Inspekt-Trailer'";
    break;
  case Framing::expect_continue:
    line += " -H 'Expect: 100-continue'";
    break;
  }
  if (r.method != "POST" && r.body.empty()) {
    // nothing to send
  } else {
    line += " --data-binary " + shell_quoted(r.body);
  }
  return line + " " + shell_quoted(url + std::string(authenticate_path));
}

} // namespace inspekt::conformance::model
