#pragma once
// The conformance cases: one table, each row tied to a sentence of the vendor's page
// (shared/spec/authentication-api.txt), with a level and tags.
//   MUST   the page documents it: status codes, fields, JWT shape
//   SHOULD sound HTTP the page implies: JSON errors, Allow on 405, the message texts
//   INFO   observations, never failing
// Tags: [doc] is safe against the live service; [mock-only] is not (hostile bodies,
// load) and is refused when the target is live.

#include "inspekt/client/auth_client.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace inspekt::conformance {
namespace model {
struct Point;
}

enum class Level { must, should, info };

// Where a request or a case may go.
enum class Reach {
  doc,       // the live service too: what the page documents, gently
  mock_only, // never a live target: odd methods, hostile bodies, load
  // The mock's own features (faults asked for with Prefer), which no other server
  // promises: only an inspekt-mock target (in process, or one whose GET /__admin/health
  // answers as the mock's does).
  inspekt_mock,
};

// Where a case comes from: written in the table, or generated from the request model.
enum class Origin { table, model };

// What a case expects to meet.
enum class Expects {
  answer,          // an HTTP answer: a transport error fails the case
  transport_error, // no HTTP answer is the point (a fault the mock was asked for)
};
std::string_view to_string(Level level);
std::ostream &operator<<(std::ostream &os, Level level);

// A request the suite sends. The body may name keys by their placeholders (key_kinds.hpp);
// they are filled in just before sending and never shown.
struct RequestSpec {
  std::string id;
  std::string method = "POST";
  std::optional<std::string> content_type = "application/json";
  std::string body;
  Reach reach = Reach::doc;
  // How many times to send it (a burst); answers are kept in order.
  int repeat = 1;
  // Extra request headers (the mock's Prefer, for the [mock-only] fault cases).
  std::vector<std::pair<std::string, std::string>> headers = {};
  // A request of the model (model/request_model.hpp), sent as the model renders it on
  // the wire; method and body then hold what reports show, keys as placeholders.
  std::shared_ptr<const model::Point> point = nullptr;
};

const std::vector<RequestSpec> &request_specs();
const RequestSpec &request_spec(const std::string &id);

// What a check sees: the answers to the requests the case names, in order.
struct Observation {
  // One entry per request the case names; each holds `repeat` answers.
  std::vector<std::vector<const Exchange *>> answers;
  // Per request, what the client said when no answer came (cases that expect that only).
  std::vector<std::string> transport_errors;
  // The keys sent, for checks that look for them where they must not be; never shown.
  std::vector<std::string> keys;

  const Exchange &first(std::size_t request = 0) const { return *answers.at(request).at(0); }
};

struct CheckResult {
  bool pass = true;
  std::string observed; // what was seen: status, header or field; never a key or signature
  // A failure graver than the case's level: a SHOULD case (a body without the JSON
  // media type) answered 500 fails as MUST, for the page documents no 5xx at all.
  std::optional<Level> failed_at = std::nullopt;
};

struct ConformanceCase {
  std::string id;   // stable, kebab-case: "login-key-and-client-id"
  std::string name; // a sentence
  std::string spec; // the sentence of the page it checks
  Level level;
  Reach reach;
  std::vector<std::string> requests; // ids of RequestSpec; the keys they name are needed
  std::function<CheckResult(const Observation &)> check;
  // With transport_error, the client's transport error goes to the check.
  Expects expects = Expects::answer;
  Origin origin = Origin::table;

  bool mock_only() const { return reach != Reach::doc; }
};

const std::vector<ConformanceCase> &case_table();

// The tags a case answers to (--tag, "[tag]" specs): "doc" or "mock-only", then its
// level in lower case ("must", "should", "info").
std::vector<std::string> tags_of(const ConformanceCase &test_case);
// Every tag some case has, in a fixed order: for --help, --list and error messages.
const std::vector<std::string> &known_tags();

} // namespace inspekt::conformance
