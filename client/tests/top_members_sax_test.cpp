#include "inspekt/core/top_members_sax.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace {

// Writes down the depth each event came at: "k:name@1", "s@1", "i@2", "o@0" (other).
class Recorder : public inspekt::TopMembersSax<Recorder> {
public:
  std::vector<std::string> events;

  bool key(string_t &name) override { return note("k:" + name); }
  bool string(string_t &) override { return note("s"); }
  bool number_integer(number_integer_t) override { return note("i"); }
  bool number_unsigned(number_unsigned_t) override { return note("i"); }
  bool other_value() { return note("o"); }

private:
  bool note(const std::string &what) {
    events.push_back(what + "@" + std::to_string(depth()));
    return true;
  }
};

std::vector<std::string> events_of(const std::string &text, bool *object = nullptr) {
  Recorder recorder;
  REQUIRE(nlohmann::json::sax_parse(text, &recorder));
  if (object != nullptr) {
    *object = recorder.top_is_object();
  }
  return recorder.events;
}

} // namespace

TEST_CASE("TopMembersSax counts the depth down again after every object and array",
          "[top-members-sax]") {
  // Each value's depth: a reader that forgot to leave a level would see "b" at 2.
  CHECK(events_of(R"({"a": [1, {"x": null}], "b": "t"})") ==
        std::vector<std::string>{"o@0", "k:a@1", "o@1", "i@2", "o@2", "k:x@3", "o@3", "k:b@1",
                                 "s@1"});
}

TEST_CASE("TopMembersSax hands null, booleans, floats and nested starts to other_value",
          "[top-members-sax]") {
  CHECK(events_of(R"([null, true, 1.5, [], {}, 7, "s"])") ==
        std::vector<std::string>{"o@0", "o@1", "o@1", "o@1", "o@1", "o@1", "i@1", "s@1"});
}

TEST_CASE("TopMembersSax: only a document that opens with an object is one", "[top-members-sax]") {
  bool object = false;
  events_of(R"({"a": 1})", &object);
  CHECK(object);
  events_of(R"([{"a": 1}])", &object);
  CHECK_FALSE(object); // an object inside an array is not the document
  events_of(R"("text")", &object);
  CHECK_FALSE(object);
}

TEST_CASE("TopMembersSax stops at a parse error", "[top-members-sax]") {
  Recorder recorder;
  CHECK_FALSE(nlohmann::json::sax_parse(R"({"a": })", &recorder));
  // A reader that went on after the error would have been told of more.
  CHECK(recorder.events == std::vector<std::string>{"o@0", "k:a@1"});
}
