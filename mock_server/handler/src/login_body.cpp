#include "inspekt/mock/handler/login_body.hpp"

#include <nlohmann/json.hpp>

#include <array>

namespace inspekt::mock {
namespace {

// RFC 8259's whitespace, which is what nlohmann skips.
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// The bytes a string of a flat body may hold as they are: 0x20 to 0x7F but the quote
// and the backslash. Control characters are refused by JSON (and nlohmann); the others
// are left to nlohmann: escapes to decode, UTF-8 to validate.
constexpr auto plain_in_string = [] {
  std::array<bool, 256> plain{};
  for (int c = 0x20; c < 0x80; ++c) {
    plain[c] = c != '"' && c != '\\';
  }
  return plain;
}();

} // namespace

LoginBody::LoginBody(std::string_view body, Reader reader) {
  fast_ = reader == Reader::any && read_flat(body);
  if (!fast_) {
    read_general(body);
  }
}

// A flat object of strings without escapes, in printable ASCII (0x20 to 0x7F, which
// JSON takes as they are), with whitespace anywhere JSON allows it. Returns false for
// anything else, leaving the body to nlohmann; true only when nlohmann would read the
// same object: a member named twice is one nlohmann keeps the last of, so a second
// "key" or "client_id" is left to it rather than mirrored here.
bool LoginBody::read_flat(std::string_view body) {
  const char *p = body.data();
  const char *const end = p + body.size();
  const auto skip_space = [&p, end] {
    while (p != end && is_space(*p)) {
      ++p;
    }
  };
  // After an opening quote: the string up to its closing quote, which is passed.
  const auto read_string = [&p, end](std::string_view &text) {
    const char *const start = p;
    while (p != end && plain_in_string[static_cast<unsigned char>(*p)]) {
      ++p;
    }
    if (p == end || *p != '"') {
      return false;
    }
    text = std::string_view(start, static_cast<std::size_t>(p - start));
    ++p;
    return true;
  };
  skip_space();
  if (p == end || *p != '{') {
    return false;
  }
  ++p;
  skip_space();
  if (p != end && *p == '}') {
    ++p;
  } else {
    for (;;) {
      std::string_view name;
      std::string_view value;
      if (p == end || *p != '"') {
        return false;
      }
      ++p;
      if (!read_string(name)) {
        return false;
      }
      skip_space();
      if (p == end || *p != ':') {
        return false;
      }
      ++p;
      skip_space();
      if (p == end || *p != '"') {
        return false;
      }
      ++p;
      if (!read_string(value)) {
        return false;
      }
      Member *member = name == "key" ? &key_ : name == "client_id" ? &client_id_ : nullptr;
      if (member != nullptr) {
        if (member->kind != Member::Kind::absent) {
          return false;
        }
        *member = Member{Member::Kind::string, value};
      }
      skip_space();
      if (p == end) {
        return false;
      }
      if (*p == '}') {
        ++p;
        break;
      }
      if (*p != ',') {
        return false;
      }
      ++p;
      skip_space();
    }
  }
  skip_space();
  if (p != end) {
    return false;
  }
  shape_ = Shape::object;
  return true;
}

void LoginBody::read_general(std::string_view text) {
  using nlohmann::json;
  key_ = Member{};
  client_id_ = Member{};
  bool too_deep = false;
  const auto limit_depth = [&too_deep](int depth, json::parse_event_t, json &) {
    too_deep = too_deep || depth > max_depth;
    return !too_deep;
  };
  const json body = json::parse(text.begin(), text.end(), limit_depth, /*allow_exceptions=*/false);
  if (too_deep) {
    shape_ = Shape::too_deep;
    return;
  }
  if (body.is_discarded()) {
    shape_ = Shape::not_json;
    return;
  }
  if (!body.is_object()) {
    shape_ = Shape::not_object;
    return;
  }
  shape_ = Shape::object;
  const auto read = [&body](const char *name, Member &member, std::string &storage) {
    const auto found = body.find(name);
    if (found == body.end()) {
      return;
    }
    if (!found->is_string()) {
      member.kind = Member::Kind::other;
      return;
    }
    storage = found->get<std::string>();
    member = Member{Member::Kind::string, storage};
  };
  read("key", key_, key_storage_);
  read("client_id", client_id_, client_id_storage_);
}

} // namespace inspekt::mock
