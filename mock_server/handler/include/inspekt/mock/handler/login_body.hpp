#pragma once
// What a login's body says, as far as the handler asks: whether it is a JSON object
// (and if not, why), and its "key" and "client_id" members. Nothing else of the body is
// used, so nothing else is kept.
//
// Almost every login is a flat object of plain strings, {"key":"...","client_id":"..."}.
// Building a JSON document for it (nlohmann) was the larger part of a login's decision
// (allocations, the lexer, the tree's destruction): such bodies are read in one pass
// over the text, the members as views into it. Whatever that pass is not sure of
// (escapes, non-ASCII bytes, numbers, nesting, a member named twice, a byte-order mark,
// anything malformed) goes to nlohmann as before, so every body reads as nlohmann reads
// it; the unit tests compare both readers on many bodies.

#include <string>
#include <string_view>

namespace inspekt::mock {

class LoginBody {
public:
  enum class Shape {
    object,     // a JSON object: key() and client_id() say what it holds
    not_json,   // not JSON text
    too_deep,   // nested deeper than the handler builds
    not_object, // JSON, but not an object
  };
  struct Member {
    enum class Kind { absent, string, other } kind = Kind::absent;
    std::string_view text; // the string's value (decoded), when kind is string
  };
  enum class Reader { any, general_only };

  // `body` must outlive this value: the members may view into it.
  explicit LoginBody(std::string_view body, Reader reader = Reader::any);
  // Not copyable: the members may view into this value's own storage.
  LoginBody(const LoginBody &) = delete;
  LoginBody &operator=(const LoginBody &) = delete;

  Shape shape() const { return shape_; }
  const Member &key() const { return key_; }
  const Member &client_id() const { return client_id_; }
  // Whether the one-pass reader read the body (for the tests; the result is the same).
  bool read_fast() const { return fast_; }

  // Deeper JSON than this is refused before it is built: no real payload comes close,
  // and it bounds the work a hostile body can cause.
  static constexpr int max_depth = 32;

private:
  bool read_flat(std::string_view body);
  void read_general(std::string_view body);

  Shape shape_ = Shape::not_json;
  Member key_;
  Member client_id_;
  bool fast_ = false;
  std::string key_storage_; // the members' decoded text, when nlohmann read the body
  std::string client_id_storage_;
};

} // namespace inspekt::mock
