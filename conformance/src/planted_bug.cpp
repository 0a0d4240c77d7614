#include "planted_bug.hpp"

#include "inspekt/core/text.hpp"
#include "inspekt/mock/engine/wire.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>

namespace inspekt::conformance {
namespace {

[[noreturn]] void refuse(const std::filesystem::path &file, const std::string &where,
                         const std::string &problem) {
  throw std::runtime_error("[deviation.planted] " + file.string() + ": " + where + ": " + problem);
}

std::optional<std::string> text_of(const nlohmann::json &when, const char *name,
                                   const std::filesystem::path &file) {
  const auto it = when.find(name);
  if (it == when.end()) {
    return std::nullopt;
  }
  if (!it->is_string()) {
    refuse(file, std::string("/planted/when/") + name, "not a string");
  }
  return it->get<std::string>();
}

std::string bytes_of_hex(const std::string &hex, const std::filesystem::path &file) {
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int high = hex_digit_value(hex[i]);
    const int low = i + 1 < hex.size() ? hex_digit_value(hex[i + 1]) : -1;
    if (high < 0 || low < 0) {
      refuse(file, "/planted/when/body_contains_hex", "not pairs of hex digits");
    }
    out += static_cast<char>(high * 16 + low);
  }
  return out;
}

class BuggyResponder final : public mock::Responder {
public:
  BuggyResponder(std::shared_ptr<const mock::Responder> inner, PlantedBug bug)
      : inner_(std::move(inner)), bug_(std::move(bug)) {}

  std::unique_ptr<mock::AnswerNote> make_note() const override { return inner_->make_note(); }
  mock::HttpResponse answer(const mock::HttpRequest &request,
                            mock::AnswerNote *note) const override {
    return bug_applies(bug_.when, request) ? planted_answer() : inner_->answer(request, note);
  }
  mock::HttpResponse refuse(mock::Refusal refusal) const override {
    return bug_.when.refusal == refusal ? planted_answer() : inner_->refuse(refusal);
  }
  mock::DeliveryObserver *observer() const override { return inner_->observer(); }

private:
  mock::HttpResponse planted_answer() const {
    mock::HttpResponse response;
    response.status = bug_.status;
    response.headers = {{"Content-Type", "application/json"}};
    response.body = R"({"message":"Something went wrong"})";
    return response;
  }

  std::shared_ptr<const mock::Responder> inner_;
  PlantedBug bug_;
};

} // namespace

std::optional<PlantedBug> read_planted_bug(const std::filesystem::path &deviation_file) {
  std::ifstream in(deviation_file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  // read_fixture_patch has refused a file that is not JSON already.
  const auto root = nlohmann::json::parse(text.str(), nullptr, false);
  if (!root.is_object() || !root.contains("planted")) {
    return std::nullopt;
  }
  const auto &planted = root["planted"];
  if (!planted.is_object()) {
    refuse(deviation_file, "/planted", "not an object");
  }
  for (const auto &[name, value] : planted.items()) {
    if (name != "when" && name != "status") {
      refuse(deviation_file, "/planted/" + name, "not a member (when, status)");
    }
  }
  PlantedBug bug;
  if (const auto status = planted.find("status"); status != planted.end()) {
    if (!status->is_number_integer() || *status < 100 || *status > 599) {
      refuse(deviation_file, "/planted/status", "not an HTTP status (100 to 599)");
    }
    bug.status = status->get<int>();
  }
  const auto when = planted.find("when");
  if (when == planted.end() || !when->is_object() || when->empty()) {
    refuse(deviation_file, "/planted/when", "needs an object of conditions");
  }
  static const char *const known[] = {
      "refusal",          "method",        "content_type",      "framing",   "body",
      "body_starts_with", "body_contains", "body_contains_hex", "body_lacks"};
  for (const auto &[name, value] : when->items()) {
    if (std::find(std::begin(known), std::end(known), name) == std::end(known)) {
      refuse(deviation_file, "/planted/when/" + name,
             "not a condition (refusal, method, content_type, framing, body, body_starts_with, "
             "body_contains, body_contains_hex, body_lacks)");
    }
  }
  auto &c = bug.when;
  if (const auto refusal = text_of(*when, "refusal", deviation_file)) {
    if (*refusal != "invalid-request" || when->size() != 1) {
      refuse(deviation_file, "/planted/when/refusal",
             "only \"invalid-request\", and alone (a refused request has nothing else to "
             "look at)");
    }
    c.refusal = mock::Refusal::invalid_request;
  }
  c.method = text_of(*when, "method", deviation_file);
  if (const auto type = when->find("content_type"); type != when->end()) {
    c.content_type_given = true;
    if (!type->is_null()) {
      c.content_type = text_of(*when, "content_type", deviation_file);
    }
  }
  c.framing = text_of(*when, "framing", deviation_file);
  if (c.framing && *c.framing != "content-length" && *c.framing != "chunked" &&
      *c.framing != "chunk-extensions" && *c.framing != "expect-continue") {
    refuse(deviation_file, "/planted/when/framing",
           "\"" + *c.framing +
               "\" is not content-length, chunked, chunk-extensions or expect-continue");
  }
  c.body = text_of(*when, "body", deviation_file);
  c.body_starts_with = text_of(*when, "body_starts_with", deviation_file);
  c.body_contains = text_of(*when, "body_contains", deviation_file);
  c.body_lacks = text_of(*when, "body_lacks", deviation_file);
  if (const auto hex = text_of(*when, "body_contains_hex", deviation_file)) {
    c.body_contains = bytes_of_hex(*hex, deviation_file);
  }
  return bug;
}

bool bug_applies(const BugCondition &when, const mock::HttpRequest &request) {
  if (when.refusal) {
    return false; // applies to the engine's refusal only
  }
  if (when.method && request.method != *when.method) {
    return false;
  }
  if (when.content_type_given && request.content_type != when.content_type) {
    return false;
  }
  if (when.framing) {
    const bool framed = *when.framing == "content-length"
                            ? !request.chunked && !request.expected_continue
                        : *when.framing == "chunked"          ? request.chunked
                        : *when.framing == "chunk-extensions" ? request.chunk_extensions
                                                              : request.expected_continue;
    if (!framed) {
      return false;
    }
  }
  if (when.body && request.body != *when.body) {
    return false;
  }
  if (when.body_starts_with && request.body.rfind(*when.body_starts_with, 0) != 0) {
    return false;
  }
  if (when.body_lacks && request.body.find(*when.body_lacks) != std::string::npos) {
    return false;
  }
  return !when.body_contains || request.body.find(*when.body_contains) != std::string::npos;
}

std::shared_ptr<const mock::Responder>
with_planted_bug(std::shared_ptr<const mock::Responder> inner, PlantedBug bug) {
  return std::make_shared<const BuggyResponder>(std::move(inner), std::move(bug));
}

} // namespace inspekt::conformance
