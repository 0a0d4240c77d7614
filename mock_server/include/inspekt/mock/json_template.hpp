#pragma once
// JSON text with holes, compiled once from a tree: the bytes dump() prints, split where
// per-request values go. A login's answer and its token claims are then a handful of
// appends, not a copy, a fill and a dump of a tree (a third of the work per login).

#include <nlohmann/json.hpp>

#include <cstddef>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace inspekt::mock {

class JsonTemplate {
public:
  struct Hole {
    std::size_t index; // which of render()'s values fills it
    bool is_string;    // the value is quoted and escaped; otherwise it is JSON text already
  };
  // Which nodes are holes. `member` is the node's name in its parent object (empty in
  // arrays and for the root), `depth` is 0 for the root, 1 for its members.
  using HoleOf = std::function<std::optional<Hole>(const nlohmann::json &node,
                                                   std::string_view member, int depth)>;

  JsonTemplate() = default;
  JsonTemplate(const nlohmann::json &tree, const HoleOf &hole_of);

  // The tree's dump() with each hole replaced by its value; an absent value is null.
  std::string render(std::initializer_list<std::optional<std::string_view>> values) const;

private:
  struct Piece {
    std::string text; // printed before the hole
    std::optional<Hole> hole;
  };
  void compile(const nlohmann::json &node, std::string_view member, int depth,
               const HoleOf &hole_of);

  std::vector<Piece> pieces_;
  std::size_t size_hint_ = 0;
};

// Appends `text` as a JSON string literal, escaped as nlohmann's dump() escapes it
// (bytes that are not UTF-8 become U+FFFD).
void append_json_string(std::string &out, std::string_view text);

} // namespace inspekt::mock
