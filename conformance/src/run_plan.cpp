#include "run_plan.hpp"

#include "explore_run.hpp"
#include "live_set.hpp"
#include "planted_bug.hpp"

#include "inspekt/core/closest_name.hpp"
#include "inspekt/mock/engine/mock_server.hpp"
#include "inspekt/mock/fixtures/fixture_patch.hpp"
#include "inspekt/mock/handler/auth_handler.hpp"

#include <nlohmann/json.hpp>

#include <fnmatch.h>

#include <algorithm>
#include <cstdlib>

namespace inspekt::conformance {
namespace {

std::vector<std::string> case_ids() {
  std::vector<std::string> ids;
  for (const auto &c : case_table()) {
    ids.push_back(c.id);
  }
  return ids;
}

std::string unknown_case(const std::string &id) {
  const auto near = closest_name(id, case_ids());
  return "no case \"" + id + "\"" + (near ? " (did you mean \"" + *near + "\"?)" : "") +
         "; --list shows every case id";
}

// A positional spec may be an id or a tag; CLI11 has dropped the brackets by then.
std::string unknown_spec(const std::string &spec) {
  auto names = case_ids();
  names.insert(names.end(), known_tags().begin(), known_tags().end());
  const auto near = closest_name(spec, names);
  return "no case or tag \"" + spec + "\"" + (near ? " (did you mean \"" + *near + "\"?)" : "") +
         "; --list shows every case id and tag";
}

std::string unknown_tag(const std::string &tag) {
  std::string tags;
  for (const auto &known : known_tags()) {
    tags += (tags.empty() ? "" : ", ") + known;
  }
  return "no tag \"" + tag + "\"; the tags are " + tags;
}

bool has_tag(const ConformanceCase &c, const std::string &tag) {
  const auto tags = tags_of(c);
  return std::find(tags.begin(), tags.end(), tag) != tags.end();
}

// One spec: "[tag]", an id, or a glob over ids. Fills `matched` (by table index);
// returns an error for a spec that names nothing.
std::string match_spec(const std::string &spec, std::vector<bool> &matched) {
  const auto &cases = case_table();
  bool any = false;
  const bool bracketed = spec.size() > 2 && spec.front() == '[' && spec.back() == ']';
  // CLI11 reads a positional "[doc]" as a list and passes "doc": a bare tag name is a
  // tag too (no case id is one).
  const bool is_tag =
      std::find(known_tags().begin(), known_tags().end(), spec) != known_tags().end();
  if (bracketed || is_tag) {
    const std::string tag = bracketed ? spec.substr(1, spec.size() - 2) : spec;
    if (std::find(known_tags().begin(), known_tags().end(), tag) == known_tags().end()) {
      return unknown_tag(tag);
    }
    for (std::size_t i = 0; i < cases.size(); ++i) {
      if (has_tag(cases[i], tag)) {
        matched[i] = any = true;
      }
    }
    return {};
  }
  const bool glob = spec.find_first_of("*?") != std::string::npos;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    if (glob ? ::fnmatch(spec.c_str(), cases[i].id.c_str(), 0) == 0 : cases[i].id == spec) {
      matched[i] = any = true;
    }
  }
  if (!any) {
    return glob ? "no case id matches \"" + spec + "\"; --list shows every case id"
                : unknown_spec(spec);
  }
  return {};
}

// The set in use: the embedded default or --fixtures, with --fixture-patch over it.
mock::FixtureSource fixture_source(const RunOptions &options) {
  return {options.fixtures_dir, options.fixture_patch};
}

// Starts the mock in this process and takes the keys from its fixtures.
std::string start_in_process(const RunOptions &options, RunPlan &plan) {
  auto fixtures = mock::load_fixtures(fixture_source(options));
  plan.keys = fixture_keys(fixtures);
  for (const auto &kind : key_kinds()) {
    if (kind.required && plan.keys.of(kind.name).empty()) {
      return "the fixture set has no " + kind.name + " key (no key answers \"" +
             *kind.fixture_answer + "\")";
    }
  }
  mock::ServerOptions server;
  server.port = 0;
  std::shared_ptr<const mock::Responder> handler =
      std::make_shared<const mock::AuthHandler>(std::move(fixtures));
  if (!options.fixture_patch.empty()) {
    if (auto bug = read_planted_bug(options.fixture_patch)) {
      handler = with_planted_bug(std::move(handler), std::move(*bug));
    }
  }
  plan.in_process = std::make_unique<mock::BackgroundMockServer>(std::move(handler), server);
  plan.target.client.base_url = plan.in_process->base_url();
  plan.target.inspekt_mock = true;
  return {};
}

std::string keys_from_environment(const RunOptions &options, const Environment &environment,
                                  RunPlan &plan) {
  for (const auto &kind : key_kinds()) {
    const auto key = environment(kind.variable);
    if (!key && kind.required) {
      return "set " + kind.variable + " to a " + kind.name + " key for " + options.base_url +
             " (it is read from the environment only)";
    }
    // A kind the fixtures supply at random needs no variable.
    plan.keys.by_kind[kind.name] = key                   ? *key
                                   : kind.fixture_answer ? std::string()
                                                         : random_invalid_key();
  }
  return {};
}

} // namespace

bool wants_drift(const RunOptions &options) {
  return options.drift || !options.write_fixture_patch.empty();
}

RunPlan::RunPlan() = default;
RunPlan::RunPlan(RunPlan &&) noexcept = default;
RunPlan &RunPlan::operator=(RunPlan &&) noexcept = default;
RunPlan::~RunPlan() = default;

Environment process_environment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char *value = std::getenv(std::string(name).c_str());
    return value && *value ? std::optional<std::string>(value) : std::nullopt;
  };
}

CaseSelection select_cases(const RunOptions &options, bool live) {
  const auto &cases = case_table();
  std::vector<bool> included(cases.size(), false);
  std::vector<bool> excluded(cases.size(), false);
  bool asked = false;
  for (const auto &id : options.case_ids) {
    asked = true;
    const auto it = std::find_if(cases.begin(), cases.end(),
                                 [&](const ConformanceCase &c) { return c.id == id; });
    if (it == cases.end()) {
      return {{}, unknown_case(id)};
    }
    included[static_cast<std::size_t>(it - cases.begin())] = true;
  }
  for (const auto &tag : options.tags) {
    asked = true;
    if (const auto error = match_spec("[" + tag + "]", included); !error.empty()) {
      return {{}, error};
    }
  }
  for (const auto &spec : options.specs) {
    const bool exclusion = !spec.empty() && spec.front() == '~';
    asked = asked || !exclusion;
    if (const auto error =
            match_spec(exclusion ? spec.substr(1) : spec, exclusion ? excluded : included);
        !error.empty()) {
      return {{}, error};
    }
  }
  CaseSelection selection;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    // Live: the cases the live set answers (live_set.hpp).
    const bool by_default = !asked && (!live || in_live_set(cases[i]));
    if ((included[i] || by_default) && !excluded[i]) {
      selection.cases.push_back(&cases[i]);
    }
  }
  if (selection.cases.empty()) {
    selection.error = "no case selected: the exclusions leave nothing to run";
  }
  return selection;
}

PlanResult plan_run(const RunOptions &options, const Environment &environment) {
  PlanResult result;
  RunPlan plan;
  auto &target = plan.target;
  target.client.connect_timeout = std::chrono::milliseconds(options.timeout_ms);
  target.client.read_timeout = std::chrono::milliseconds(options.timeout_ms);
  target.client.ca_file = options.ca_file;
  target.client.user_agent = "inspekt-conformance/0.1";

  if (wants_drift(options)) {
    // A set that does not load is refused before any request: a run against the live
    // service is not repeated lightly.
    try {
      plan.drift_fixtures = mock::fixture_files(fixture_source(options));
      mock::load_fixtures(fixture_source(options));
    } catch (const std::exception &e) {
      return {std::nullopt, e.what()};
    }
  }
  if (options.base_url.empty()) {
    if (options.live) {
      return {std::nullopt, "--live needs --base-url"};
    }
    try {
      if (auto error = start_in_process(options, plan); !error.empty()) {
        return {std::nullopt, error};
      }
    } catch (const std::exception &e) {
      return {std::nullopt, e.what()};
    }
  } else {
    if ((!options.fixtures_dir.empty() || !options.fixture_patch.empty()) &&
        !wants_drift(options)) {
      return {std::nullopt, "--fixtures and --fixture-patch are for the in-process mock, or "
                            "for --drift to compare with; leave out --base-url, or them"};
    }
    target.client.base_url = options.base_url;
    if (auto error = keys_from_environment(options, environment, plan); !error.empty()) {
      return {std::nullopt, error};
    }
  }

  const auto parsed = parse_base_url(target.client.base_url);
  if (!parsed) {
    return {std::nullopt, "--base-url: " + parsed.error};
  }
  target.live = options.live || !is_loopback_host(parsed.url->host);
  if (target.live) {
    target.max_requests = options.max_requests.value_or(live_max_requests);
    target.min_interval =
        std::max(live_min_interval, std::chrono::milliseconds(options.min_interval_ms.value_or(0)));
  } else {
    target.max_requests = options.max_requests;
    target.min_interval = std::chrono::milliseconds(options.min_interval_ms.value_or(0));
  }

  // Every request adds the endpoint path: a base URL ending in it would send all of them
  // to /api/authenticate/api/authenticate and spend a live budget on 404s.
  if (endpoint_in_base_url_hint(*parsed.url, authenticate_path)) {
    BaseUrl root = *parsed.url;
    root.path_prefix.resize(root.path_prefix.size() - authenticate_path.size());
    return {std::nullopt, "[target.endpoint-in-base-url] --base-url " + parsed.url->to_string() +
                              " ends in " + std::string(authenticate_path) +
                              ", which every request adds to it; no request was sent: use "
                              "--base-url " +
                              root.to_string()};
  }
  if (options.explore > 0) {
    if (auto refusal = explore_refusal(options.explore, target.live, options.explore_live,
                                       target.max_requests);
        !refusal.empty()) {
      return {std::nullopt, refusal};
    }
  }
  auto selection = select_cases(options, target.live);
  if (!selection.error.empty()) {
    return {std::nullopt, selection.error};
  }
  plan.cases = std::move(selection.cases);
  if (target.live) {
    plan.announcement += "live target " + target.client.base_url +
                         ": the live set's cases only, at most " +
                         std::to_string(*target.max_requests) + " requests, " +
                         std::to_string(target.min_interval.count()) + " ms apart";
  }
  result.plan = std::move(plan);
  return result;
}

} // namespace inspekt::conformance
