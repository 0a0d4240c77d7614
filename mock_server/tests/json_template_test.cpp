// JsonTemplate must print exactly what filling the tree and dumping it printed before:
// same bytes, so tokens and answers did not change when rendering got faster.

#include "inspekt/mock/fixtures/json_template.hpp"

#include <catch2/catch.hpp>

using inspekt::mock::JsonTemplate;
using nlohmann::json;

namespace {

// "<0>", "<1>", ... mark holes; the reference fills them in the tree and dumps it.
std::optional<JsonTemplate::Hole> marked(const json &node, std::string_view, int) {
  if (node.is_string()) {
    const auto &text = node.get_ref<const std::string &>();
    if (text.size() == 3 && text[0] == '<' && text[2] == '>') {
      return JsonTemplate::Hole{static_cast<std::size_t>(text[1] - '0'), true};
    }
  }
  return std::nullopt;
}

json filled(json node, const std::vector<std::optional<std::string>> &values) {
  if (marked(node, {}, 0)) {
    const auto &value = values[static_cast<std::size_t>(node.get<std::string>()[1] - '0')];
    return value ? json(*value) : json(nullptr);
  }
  if (node.is_structured()) {
    for (auto &member : node) {
      member = filled(member, values);
    }
  }
  return node;
}

struct Case {
  std::string name;
  std::string tree;
};

} // namespace

TEST_CASE("a template renders what the filled tree dumps", "[json-template]") {
  const auto row = GENERATE(values<Case>({
      {"the default 200", R"({"session":"<0>","access_token":"<1>","refresh_token":"<2>"})"},
      {"nested, with arrays and scalars",
       R"({"z":[1,-2.5,true,null,{"s":"<0>"}],"a":{"b":["<1>","<2>"],"é\n":"x"},"n":1e100})"},
      {"a hole at the root", R"("<0>")"},
      {"no holes", R"({"message":"API Key not valid"})"},
      {"names that need escaping", R"({"\"q\"":"<3>","\\":"<0>","\u0001":[]})"},
  }));
  const std::vector<std::optional<std::string>> values{"in123420250909153012", "eyJ.eyJ.sig",
                                                       "a \"quoted\"\\ value\n\x01", std::nullopt};
  DYNAMIC_SECTION(row.name) {
    const auto tree = json::parse(row.tree);
    const JsonTemplate compiled(tree, marked);
    const auto expected = filled(tree, values).dump(-1, ' ', false, json::error_handler_t::replace);
    CHECK(compiled.render({values[0], values[1], values[2], values[3]}) == expected);
  }
}

TEST_CASE("bytes that are not UTF-8 become U+FFFD, as dump() makes them", "[json-template]") {
  const JsonTemplate compiled(json::parse(R"({"id":"<0>"})"), marked);
  const std::string bad = "a\xff\xfe"
                          "b";
  CHECK(compiled.render({bad}) ==
        json{{"id", bad}}.dump(-1, ' ', false, json::error_handler_t::replace));
}

TEST_CASE("every byte, anywhere in a string, is printed as dump() prints it", "[json-template]") {
  // The check for text to copy as it is goes sixteen bytes a step, the last step
  // overlapping the one before, and a byte at a time in shorter text: each byte value at
  // each place, in text of the lengths around those steps.
  for (const std::size_t length : {1, 2, 7, 8, 9, 15, 16, 17, 18, 31, 32, 33, 47, 48, 49}) {
    for (std::size_t at = 0; at < length; ++at) {
      for (int byte = 0; byte < 256; ++byte) {
        std::string text(length, 'a');
        text[at] = static_cast<char>(byte);
        std::string out = "x";
        inspekt::mock::append_json_string(out, text);
        INFO("byte " << byte << " at " << at << " of " << length);
        REQUIRE(out == "x" + json(text).dump(-1, ' ', false, json::error_handler_t::replace));
      }
    }
  }
}
