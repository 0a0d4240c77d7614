#pragma once
// A login request as a point in a space of classes (docs/conformance.md, "The request
// model"): method x framing x media type x body shape x, for each member (key,
// client_id, an unknown extra), its JSON type and, for a string, the kind of text. Each
// dimension is a row of one table; a class is one value of one dimension.

#include "../key_kinds.hpp"
#include "raw_http.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace inspekt::conformance::model {

enum class Method : std::uint8_t { post, get, head, put, patch, delete_, options, unknown };
enum class MediaType : std::uint8_t {
  json,
  json_charset,
  json_other_case,
  missing,
  text_plain,
  form
};
enum class Shape : std::uint8_t {
  object,
  array_of_object,
  array,
  string,
  number,
  boolean,
  null,
  empty,
  whitespace,
  bom,
  trailing_bytes,
  deep_nesting,
  member_twice,
};
enum class JsonType : std::uint8_t { absent, string, number, boolean, null, object, array };
// The text of a string member. The key's near misses are edits of the valid key that a
// server lenient in comparing keys would still accept.
enum class Text : std::uint8_t {
  plain, // key: a well-formed key that is not valid; others: "inspekt-conformance"
  valid_key,
  valid_key_escaped, // the valid key with its first character as a \u escape
  last_char_changed,
  prefix,
  other_case,
  trailing_space,
  leading_space,
  appended_char,
  nul_suffix, // the valid key, then \u0000
  inner_char_dropped,
  empty,
  blank,
  long_text, // 4 KiB
  utf8_2,    // 2-byte UTF-8
  utf8_3,
  utf8_4,
  escaped_non_ascii, // the same as \u escapes (a surrogate pair for the 4-byte one)
  invalid_utf8,
  control_byte, // a raw 0x01, which JSON refuses unescaped
  escaped_nul,  // \u0000 inside
};

enum class Dim : std::uint8_t {
  method,
  framing,
  media,
  shape,
  key_type,
  key_text,
  client_id_type,
  client_id_text,
  extra_type,
  extra_text,
};
inline constexpr std::size_t dim_count = 10;

enum class Role : std::uint8_t { key, client_id, extra };
inline constexpr std::array<Role, 3> roles{Role::key, Role::client_id, Role::extra};

struct Member {
  JsonType type;
  Text text;
};

// A point: one value per dimension (value 0 is the simplest: a plain valid login), and
// the length of a long text.
struct Point {
  std::array<std::uint8_t, dim_count> at{};
  std::uint16_t long_length = 4096;

  std::uint8_t &operator[](Dim d) { return at[static_cast<std::size_t>(d)]; }
  std::uint8_t operator[](Dim d) const { return at[static_cast<std::size_t>(d)]; }
  Method method() const { return static_cast<Method>((*this)[Dim::method]); }
  Framing framing() const { return static_cast<Framing>((*this)[Dim::framing]); }
  MediaType media() const { return static_cast<MediaType>((*this)[Dim::media]); }
  Shape shape() const { return static_cast<Shape>((*this)[Dim::shape]); }
  Member member(Role role) const;
  void set(Role role, Member member);
  bool operator==(const Point &other) const {
    return at == other.at && long_length == other.long_length;
  }
};

Dim type_dim(Role role);
Dim text_dim(Role role);
std::string_view role_name(Role role); // "key", "client_id", "note"

// The baseline: POST, Content-Length, application/json, {"key": <the valid key>}.
Point valid_login();

struct DimensionInfo {
  Dim dim;
  std::string_view name; // "framing", "key.text"
  std::vector<std::string_view> values;
  // The values a random or covering point may take (the text of client_id and of the
  // extra member: not the key's near misses, which mean nothing there).
  std::vector<std::uint8_t> used;
};
const std::array<DimensionInfo, dim_count> &dimensions();
const DimensionInfo &dimension(Dim d);

// A class: one value of one dimension, named "framing=chunked".
struct ModelClass {
  Dim dim;
  std::uint8_t value;
  std::string name() const;
};
// Every class of the model, in table order.
const std::vector<ModelClass> &model_classes();
// Whether `point` is in `c` (a text class needs the member to be a string; a member
// class needs a body that is an object holding it).
bool in_class(const Point &point, const ModelClass &c);
// Whether the request of `point` carries `c`: as in_class, but a member class counts in
// any body that holds the members (an object after a byte order mark, followed by
// bytes, nested, in an array, with key twice). What a server broken in `c` alone sees.
bool carries_class(const Point &point, const ModelClass &c);

// "key.type=string key.text=prefix framing=chunked", the dimensions off the baseline.
std::string describe(const Point &point);

// The request on the wire: keys filled in from `keys`.
WireRequest render(const Point &point, const Keys &keys);
// The same with every key (and text derived from one) as a placeholder, for reports:
// "<valid-key-prefix>". Never sendable, never secret.
WireRequest render_shown(const Point &point);

// A copy-paste curl line for `point` against `url`; keys are placeholders.
std::string curl_line(const Point &point, const std::string &url);

} // namespace inspekt::conformance::model
