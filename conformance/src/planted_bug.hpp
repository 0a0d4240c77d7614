#pragma once
// A bug planted in the in-process mock, for the deviations no fixture can express: one
// class of request answered wrong (a chunked body, a JSON array, client_id as a number
// answered 500), everything else as the mock answers. A deviation file
// (conformance/deviations/README.md) names it beside its fixture patch:
//   "planted": {"when": {"framing": "chunked"}, "status": 500}
// Only inspekt-conformance's own in-process mock reads it, when started with
// --fixture-patch; inspekt-mock ignores the member, so no server an app talks to can
// carry one.

#include "inspekt/mock/engine/responder.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace inspekt::conformance {

// What the buggy server looks at, each in its own terms (never the suite's model, so
// that a mistake in one is not the other's): every condition given must hold.
struct BugCondition {
  // A refusal the engine decides before any responder sees the request ("invalid-request":
  // bytes the HTTP parser refuses, an unknown method among them). Alone: a request the
  // engine refuses has no method or body to look at.
  std::optional<mock::Refusal> refusal;
  std::optional<std::string> method;
  bool content_type_given = false;
  std::optional<std::string> content_type; // none with content_type_given: no header
  // "content-length" (alone), "chunked", "chunk-extensions" (or trailers), "expect-continue"
  std::optional<std::string> framing;
  std::optional<std::string> body; // the whole body
  std::optional<std::string> body_starts_with;
  std::optional<std::string> body_contains; // bytes (from "body_contains" or "..._hex")
  std::optional<std::string> body_lacks;
};

struct PlantedBug {
  BugCondition when;
  int status = 500; // the answer, with a JSON body that says nothing of the request
};

// The "planted" member of a deviation file, when it has one. Throws std::runtime_error
// "[deviation.planted] FILE: /planted/...: ..." for a member that is not one.
std::optional<PlantedBug> read_planted_bug(const std::filesystem::path &deviation_file);

bool bug_applies(const BugCondition &when, const mock::HttpRequest &request);

// `inner` with the bug: requests the bug applies to get its answer, the rest `inner`'s.
std::shared_ptr<const mock::Responder>
with_planted_bug(std::shared_ptr<const mock::Responder> inner, PlantedBug bug);

} // namespace inspekt::conformance
