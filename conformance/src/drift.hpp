#pragma once
// Drift (docs/conformance.md): how the target's answers differ from what the fixtures in
// use would answer to the same requests. It looks only at the exchanges the cases made
// (no request is sent for it) and keeps only what identifies no one: statuses,
// Content-Type and telling header values, error body field names and types, the public
// message texts, token algorithm, claim names and types, lifetimes, a few claim values
// that name a kind and not a person (iss, token_type, ...), and the session id's shape.
// Every other value is kept as its type only. Never a key, a token or a session id.
//
// compare_with_fixtures() is a pure function of the exchanges; measure_drift() gets the
// fixtures' answers from the mock's handler (no sockets), compares, builds the merge
// patch and checks it: the patched fixtures are compared again, and an aspect that
// still differs is marked as one the patch cannot express.

#include "target.hpp"

#include "inspekt/core/exchange.hpp"
#include "inspekt/mock/fixtures/fixture_loader.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <ostream>
#include <string>
#include <vector>

namespace inspekt::conformance {

enum class DriftVerdict {
  same,        // the target answers as the fixtures would
  drift,       // it differs, and the patch makes the fixtures answer like it
  unpatchable, // it differs in a way the fixture format cannot express
  unobserved,  // the run saw no answer for it (case skipped, budget, transport error)
};
std::string_view to_string(DriftVerdict verdict);

struct DriftRow {
  std::string aspect; // "unknown_key: body.message", "access_token: lifetime"
  std::string fixtures;
  std::string target;
  DriftVerdict verdict = DriftVerdict::same;
  nlohmann::json fragment; // the part of the patch this row needs; null when none
};

// One request the run sent, seen from both sides.
struct DriftSample {
  std::string request; // RequestSpec id
  std::string method;
  std::string answer;           // the fixtures' answer for it: a responses.json entry
  std::vector<Exchange> target; // the target's answers (empty: none came)
  Exchange fixtures;            // what the fixtures answer to the same request
};

struct DriftInput {
  std::vector<DriftSample> samples;
  // The fixture set in use, one member per file: {"responses.json": {...}, ...}.
  nlohmann::json fixture_files;
  // Every text taken from the target passes through this (Target::redact).
  std::function<std::string(std::string)> redact = [](std::string s) { return s; };
};

struct DriftReport {
  std::vector<DriftRow> rows;
  nlohmann::json patch = nlohmann::json::object(); // merge patch over the set, by file
  std::string problem;          // why no patch could be checked (the patched set did not load)
  std::size_t fault_probes = 0; // requests left out: they ask for a fault, not an answer

  std::size_t count(DriftVerdict verdict) const;
  bool differs() const { return count(DriftVerdict::drift) + count(DriftVerdict::unpatchable) > 0; }
  // [{"aspect", "fixtures", "target"}, ...] for the aspects that differ.
  nlohmann::json to_json() const;
  // The table, at most 100 columns wide: a long cell goes on over more lines.
  void print_table(std::ostream &out) const;
};

DriftReport compare_with_fixtures(const DriftInput &input);

// What the fixtures answer to each request `target` sent (with the fixtures' own keys),
// compared with what the target answered; the patch checked by a second comparison.
DriftReport measure_drift(const Target &target, const std::vector<mock::FixtureFile> &files);

// Merges `fragment` into `into`, keeping nulls (they delete in the merge patch).
void merge_fragment(nlohmann::json &into, const nlohmann::json &fragment);

} // namespace inspekt::conformance
