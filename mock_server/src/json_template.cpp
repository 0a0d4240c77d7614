#include "inspekt/mock/json_template.hpp"

#include <algorithm>

namespace inspekt::mock {
namespace {

using nlohmann::json;

std::string dump(const json &value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

} // namespace

JsonTemplate::JsonTemplate(const json &tree, const HoleOf &hole_of) {
  pieces_.push_back({});
  compile(tree, {}, 0, hole_of);
  for (const auto &piece : pieces_) {
    size_hint_ += piece.text.size() + (piece.hole ? 48 : 0);
  }
}

// Mirrors dump() with no indent: objects in key order (nlohmann keeps them sorted),
// "," between members and elements, ":" after names, nothing else.
void JsonTemplate::compile(const json &node, std::string_view member, int depth,
                           const HoleOf &hole_of) {
  if (const auto hole = hole_of(node, member, depth)) {
    pieces_.back().hole = hole;
    pieces_.push_back({});
    return;
  }
  if (node.is_object()) {
    pieces_.back().text += '{';
    bool first = true;
    for (const auto &[name, value] : node.items()) {
      pieces_.back().text += first ? "" : ",";
      first = false;
      append_json_string(pieces_.back().text, name);
      pieces_.back().text += ':';
      compile(value, name, depth + 1, hole_of);
    }
    pieces_.back().text += '}';
  } else if (node.is_array()) {
    pieces_.back().text += '[';
    for (std::size_t i = 0; i < node.size(); ++i) {
      pieces_.back().text += i == 0 ? "" : ",";
      compile(node[i], {}, depth + 1, hole_of);
    }
    pieces_.back().text += ']';
  } else {
    pieces_.back().text += dump(node);
  }
}

std::string
JsonTemplate::render(std::initializer_list<std::optional<std::string_view>> values) const {
  std::string out;
  out.reserve(size_hint_);
  for (const auto &piece : pieces_) {
    out += piece.text;
    if (!piece.hole) {
      continue;
    }
    const auto &value = values.begin()[piece.hole->index];
    if (!value) {
      out += "null";
    } else if (piece.hole->is_string) {
      append_json_string(out, *value);
    } else {
      out += *value;
    }
  }
  return out;
}

void append_json_string(std::string &out, std::string_view text) {
  // Tokens, ids and most names are printable ASCII with nothing to escape: copied as
  // they are. Anything else goes through nlohmann, as dump() would.
  const bool plain = std::all_of(text.begin(), text.end(), [](char c) {
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
  });
  if (plain) {
    out += '"';
    out += text;
    out += '"';
  } else {
    out += dump(json(std::string(text)));
  }
}

} // namespace inspekt::mock
