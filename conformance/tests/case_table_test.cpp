#include "case_table.hpp"
#include "live_set.hpp"
#include "model/model_cases.hpp"
#include "report.hpp"
#include "results.hpp"
#include "run_plan.hpp"
#include "runner.hpp"
#include "target.hpp"

#include "inspekt/core/closest_name.hpp"
#include "inspekt/mock/engine/mock_server.hpp"
#include "inspekt/mock/fixtures/fixture_patch.hpp"
#include "inspekt/mock/handler/auth_handler.hpp"

#include <catch2/catch.hpp>

#include <cctype>
#include <map>
#include <set>

using namespace inspekt::conformance;
using inspekt::check_writable;
using inspekt::write_file_whole;

TEST_CASE("case and request ids are unique and every case names known requests", "[conformance]") {
  std::set<std::string> case_ids;
  for (const auto &c : case_table()) {
    INFO(c.id);
    CHECK(case_ids.insert(c.id).second);
    // Typed on command lines (--case ID): short, kebab-case.
    CHECK(c.id.size() <= 32);
    CHECK(std::all_of(c.id.begin(), c.id.end(), [](char ch) {
      return ch == '-' || std::isdigit(static_cast<unsigned char>(ch)) ||
             std::islower(static_cast<unsigned char>(ch));
    }));
    CHECK_FALSE(c.spec.empty());
    CHECK_FALSE(c.requests.empty());
    for (const auto &id : c.requests) {
      CHECK_NOTHROW(request_spec(id));
      // A [doc] case may only send what is safe against the live service.
      CHECK((c.mock_only() || request_spec(id).reach == Reach::doc));
    }
  }
  std::set<std::string> request_ids;
  for (const auto &spec : request_specs()) {
    CHECK(request_ids.insert(spec.id).second);
  }
}

TEST_CASE("a live run of the [doc] cases fits the live request budget", "[conformance]") {
  std::set<std::string> needed;
  for (const auto &c : case_table()) {
    if (!c.mock_only()) {
      needed.insert(c.requests.begin(), c.requests.end());
    }
  }
  int requests = 0;
  for (const auto &id : needed) {
    requests += request_spec(id).repeat;
  }
  CHECK(requests <= live_max_requests);
}

TEST_CASE("only loopback targets count as not live", "[conformance]") {
  CHECK(is_loopback_host("127.0.0.1"));
  CHECK(is_loopback_host("127.255.3.4"));
  CHECK(is_loopback_host("localhost"));
  CHECK(is_loopback_host("::1"));
  CHECK(is_loopback_host("[::1]"));
  CHECK_FALSE(is_loopback_host("reports.inspektlabs.com"));
  CHECK_FALSE(is_loopback_host("128.0.0.1"));
  CHECK_FALSE(is_loopback_host("127.0.0.1.example.com"));
  CHECK_FALSE(is_loopback_host("10.0.0.1"));
  CHECK_FALSE(is_loopback_host("localhost.example.com"));
}

TEST_CASE("the exit code follows MUST failures, and SHOULD ones under --strict", "[conformance]") {
  const auto &cases = case_table();
  // A reference into the table: Results keeps a pointer to the case it is given, and a
  // copy returned by value died at the end of each record() line (ASan:
  // stack-use-after-scope in Results::failed).
  const auto find = [&](Level level) -> const ConformanceCase & {
    return *std::find_if(cases.begin(), cases.end(),
                         [level](const ConformanceCase &c) { return c.level == level; });
  };
  Results only_should;
  only_should.record(find(Level::must), Verdict::pass, "");
  only_should.record(find(Level::should), Verdict::fail, "x");
  CHECK(only_should.exit_code(false) == 0);
  CHECK(only_should.exit_code(true) == 1);
  Results must;
  must.record(find(Level::must), Verdict::fail, "x");
  CHECK(must.exit_code(false) == 1);
  Results skipped;
  skipped.record(find(Level::must), Verdict::skip, "no key");
  CHECK(skipped.exit_code(true) == 0);
}

TEST_CASE("reports show key placeholders, never keys", "[conformance][secrets]") {
  TargetOptions options;
  options.client.base_url = "http://127.0.0.1:9";
  const Target target(options, Keys{{{"valid", "k3y-DO-NOT-LEAK-1"},
                                     {"invalid", "k3y-DO-NOT-LEAK-2"},
                                     {"expired", "k3y-DO-NOT-LEAK-3"}}});
  CHECK(target.redact("echo k3y-DO-NOT-LEAK-1 and k3y-DO-NOT-LEAK-3, k3y-DO-NOT-LEAK-2") ==
        "echo <valid-key> and <expired-key>, <invalid-key>");
}

TEST_CASE("the random invalid key is well-formed and different each time", "[conformance]") {
  const auto a = random_invalid_key();
  CHECK(a.size() > 24);
  CHECK(a != random_invalid_key());
}

// --- The run's plan (one place owns the live-safety numbers) ---

namespace {

std::vector<std::string> ids(const CaseSelection &selection) {
  std::vector<std::string> out;
  for (const auto *c : selection.cases) {
    out.push_back(c->id);
  }
  return out;
}

Environment environment_with(std::map<std::string, std::string> values) {
  return [values](std::string_view name) -> std::optional<std::string> {
    const auto it = values.find(std::string(name));
    return it == values.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}

} // namespace

TEST_CASE("every case answers to --case by its id and to --tag by its tags", "[conformance]") {
  for (const auto &c : case_table()) {
    INFO(c.id);
    RunOptions by_id;
    by_id.case_ids = {c.id};
    CHECK(ids(select_cases(by_id, false)) == std::vector<std::string>{c.id});
    for (const auto &tag : tags_of(c)) {
      CHECK(std::find(known_tags().begin(), known_tags().end(), tag) != known_tags().end());
      RunOptions by_tag;
      by_tag.tags = {tag};
      const auto selected = ids(select_cases(by_tag, false));
      CHECK(std::find(selected.begin(), selected.end(), c.id) != selected.end());
    }
  }
}

TEST_CASE("case selection: ids, globs, tags, exclusions and what a slip gets", "[conformance]") {
  RunOptions options;
  options.specs = {"400-*", "~400-empty-*"};
  CHECK(ids(select_cases(options, false)) ==
        std::vector<std::string>{"400-missing-key", "400-malformed-json", "400-non-object-body",
                                 "400-key-wrong-type", "400-client-id-wrong-type",
                                 "400-key-field-misnamed", "400-key-in-array",
                                 "400-trailing-garbage", "400-no-content-type"});
  // Counted from the table, so that a new case (docs/adding-a-behaviour.md) needs no edit.
  const auto count = [](auto predicate) {
    return static_cast<std::size_t>(
        std::count_if(case_table().begin(), case_table().end(), predicate));
  };
  const auto mock_only = count([](const ConformanceCase &c) { return c.mock_only(); });
  const auto model_cases = model::model_classes().size() + model::probes().size();
  REQUIRE(model_cases > 0);
  options.specs = {"[mock-only]"};
  CHECK(select_cases(options, false).cases.size() == mock_only);
  options.specs = {"[mock-only]", "~[model]"};
  CHECK(select_cases(options, false).cases.size() == mock_only - model_cases);
  CHECK(mock_only - model_cases >= 12); // the hand-written hostile cases are all tagged
  options.specs = {"doc"};              // CLI11 drops the brackets of a positional "[doc]"
  CHECK(select_cases(options, false).cases.size() ==
        count([](const ConformanceCase &c) { return c.reach == Reach::doc; }));
  CHECK(select_cases(options, false).cases.size() >= 41);

  RunOptions slip;
  slip.case_ids = {"401-unknwon-key"};
  const auto unknown = select_cases(slip, false);
  CHECK(unknown.cases.empty());
  CHECK(unknown.error == "no case \"401-unknwon-key\" (did you mean \"401-unknown-key\"?); --list "
                         "shows every case id");
  slip.case_ids = {"nothing-like-any-case-at-all"};
  CHECK(select_cases(slip, false).error.find("did you mean") == std::string::npos);

  RunOptions none;
  none.specs = {"~[doc]", "~[mock-only]"};
  CHECK_FALSE(select_cases(none, false).error.empty());
}

TEST_CASE("by default a live run selects the live set's cases, and when asked mock-only ones stay",
          "[conformance]") {
  const RunOptions all;
  const auto live = select_cases(all, true);
  CHECK_FALSE(live.cases.empty());
  CHECK(std::all_of(live.cases.begin(), live.cases.end(),
                    [](const ConformanceCase *c) { return in_live_set(*c) && live_eligible(*c); }));
  CHECK(select_cases(all, false).cases.size() == case_table().size());
  RunOptions asked;
  asked.tags = {"mock-only"};
  // Selected, so that the run shows them refused rather than silently left out.
  CHECK(select_cases(asked, true).cases.size() ==
        static_cast<std::size_t>(
            std::count_if(case_table().begin(), case_table().end(),
                          [](const ConformanceCase &c) { return c.mock_only(); })));
}

TEST_CASE("the plan owns the live-safety numbers: budget and pacing", "[conformance]") {
  const auto env = environment_with({{"INSPEKT_API_KEY", "k"}});
  RunOptions options;
  options.base_url = "https://reports.example.com";
  auto live = plan_run(options, env);
  REQUIRE(live.plan);
  CHECK(live.plan->target.live);
  CHECK(live.plan->target.max_requests == live_max_requests);
  CHECK(live.plan->target.min_interval == live_min_interval);
  CHECK(live.plan->announcement.find("at most 64 requests, 250 ms apart") != std::string::npos);

  options.min_interval_ms = 10; // a pause may grow, never shrink, against the live service
  options.max_requests = 5;
  live = plan_run(options, env);
  REQUIRE(live.plan);
  CHECK(live.plan->target.min_interval == live_min_interval);
  CHECK(live.plan->target.max_requests == 5);

  RunOptions loopback;
  loopback.base_url = "http://127.0.0.1:9";
  const auto local = plan_run(loopback, env);
  REQUIRE(local.plan);
  CHECK_FALSE(local.plan->target.live);
  CHECK_FALSE(local.plan->target.max_requests);
  CHECK(local.plan->target.min_interval.count() == 0);
  CHECK(local.plan->announcement.empty());
  loopback.live = true;
  CHECK(plan_run(loopback, env).plan->target.live);

  CHECK(plan_run(loopback, environment_with({})).error.find("set INSPEKT_API_KEY") == 0);
  RunOptions no_url;
  no_url.live = true;
  CHECK(plan_run(no_url, env).error == "--live needs --base-url");
}

// --- Reports ---

TEST_CASE("JUnit: skips are <skipped>, SHOULD failures are failures, counts add up",
          "[conformance][report]") {
  const auto &cases = case_table();
  const auto find = [&](const std::string &id) -> const ConformanceCase & {
    return *std::find_if(cases.begin(), cases.end(),
                         [&](const ConformanceCase &c) { return c.id == id; });
  };
  Results results;
  results.record(find("401-unknown-key"), Verdict::pass, "status 401");
  results.record(find("401-expired-key"), Verdict::skip, "no expired key: set <it> & \"go\"");
  results.record(find("allow-on-405"), Verdict::fail, "Allow: \"\" \xff");
  results.record(find("latency"), Verdict::info, "1 ms");
  RunSummary run;
  run.target = "http://127.0.0.1:9";
  const auto xml = junit_report(results, run);
  CHECK_THAT(xml, Catch::Contains("tests=\"4\" failures=\"1\" errors=\"0\" skipped=\"1\""));
  CHECK_THAT(xml,
             Catch::Contains(
                 "<skipped message=\"no expired key: set &lt;it&gt; &amp; &quot;go&quot;\"/>"));
  CHECK_THAT(xml, Catch::Contains("classname=\"inspekt-conformance.SHOULD\" name=\"allow-on-405"));
  CHECK_THAT(xml, Catch::Contains("<failure type=\"SHOULD\" message=\"SHOULD not met: Allow: "
                                  "&quot;&quot; \xef\xbf\xbd\""));
  CHECK_THAT(xml, !Catch::Contains("hostname=\"tbd\""));
  CHECK(results.count(Verdict::fail) == 1);
  CHECK(results.count(Verdict::pass, Level::should) == 0);
}

TEST_CASE("a report path that cannot be written is said, and leaves nothing", "[conformance]") {
  CHECK(check_writable("/nonexistent/x.xml").value_or("").find("cannot write") == 0);
  CHECK(write_file_whole("/nonexistent/x.xml", "x").value_or("").find("cannot write") == 0);
}

TEST_CASE("did you mean: the nearest name, only when it is near", "[conformance]") {
  const std::vector<std::string> names{"login", "decode"};
  CHECK(inspekt::closest_name("lgoin", names) == "login");
  CHECK(inspekt::closest_name("decod", names) == "decode");
  CHECK_FALSE(inspekt::closest_name("sk-live-0123456789", names));
  CHECK_FALSE(inspekt::closest_name("x", names));
  CHECK(inspekt::closest_name("--base-ur", {"--base-url", "--ca-file"}) == "--base-url");
}

TEST_CASE("key kinds: one table gives placeholders, variables, fixture keys and skips",
          "[conformance][keys]") {
  const auto fixtures = inspekt::mock::load_fixtures(inspekt::mock::FixtureSource{});
  const Keys keys = fixture_keys(fixtures);
  CHECK(keys.valid() == "demo-valid-key");
  CHECK(keys.expired() == "demo-expired-key");
  CHECK(keys.invalid().rfind("inspekt-conformance-not-a-key-", 0) == 0);
  CHECK(key_variables_text() ==
        "INSPEKT_API_KEY (valid), INSPEKT_INVALID_KEY (invalid), INSPEKT_EXPIRED_KEY (expired), "
        "INSPEKT_KEY_ANSWER (a key that gets ANSWER, for a case naming <key:ANSWER>)");
  const auto named = kinds_named(R"({"key":<valid-key-prefix>,"x":<expired-key>})");
  REQUIRE(named.size() == 2);
  CHECK(named[0]->name == "valid");
  CHECK(named[1]->name == "expired");

  // A case whose request names a kind the run lacks is skipped with the kind's text.
  TargetOptions options;
  options.client.base_url = "http://127.0.0.1:9";
  Target without_expired(options, Keys{{{"valid", "k-valid"}, {"invalid", "k-invalid"}}});
  const auto &cases = case_table();
  const auto expired = std::find_if(cases.begin(), cases.end(), [](const ConformanceCase &c) {
    return c.id == "401-expired-key";
  });
  REQUIRE(expired != cases.end());
  CHECK(reason_to_skip(without_expired, *expired) ==
        "no expired key to try: set INSPEKT_EXPIRED_KEY");
  Target with_expired(options, keys);
  CHECK(reason_to_skip(with_expired, *expired).empty());
}

TEST_CASE("key kinds: a request naming <key:ANSWER> needs a key that gets ANSWER",
          "[conformance][keys]") {
  std::vector<KeyKind> kinds;
  add_answer_kinds(R"({"key":<key:server_error>,"again":<key:server_error>,"x":<key:>})", kinds);
  REQUIRE(kinds.size() == 1); // once, and an empty name is no kind
  CHECK(kinds[0].name == "server_error");
  CHECK(kinds[0].placeholder == "<key:server_error>");
  CHECK(kinds[0].variable == "INSPEKT_KEY_SERVER_ERROR");
  CHECK(kinds[0].fixture_answer == "server_error");
  CHECK_FALSE(kinds[0].required);
  CHECK(kinds[0].when_missing == "no key that gets \"server_error\": set INSPEKT_KEY_SERVER_ERROR");
  // Two answers whose variables are one: refused, not one key read for both.
  CHECK_THROWS_WITH(add_answer_kinds("<key:server-error>", kinds),
                    "<key:server-error> and <key:server_error> would both read "
                    "INSPEKT_KEY_SERVER_ERROR: name one of the answers otherwise");
}

TEST_CASE("the mock's own features are checked on inspekt-mock only, and skipped elsewhere",
          "[conformance]") {
  // A server that answers logins as the mock does but has no admin API: not inspekt-mock
  // (what Prism serving the vendor's contract looks like to the suite).
  auto fixtures = inspekt::mock::load_fixtures(inspekt::mock::FixtureSource{});
  const Keys keys = fixture_keys(fixtures);
  inspekt::mock::ServerOptions server;
  server.port = 0;
  inspekt::mock::BackgroundMockServer bare(
      std::make_shared<const inspekt::mock::AuthHandler>(std::move(fixtures)), server);
  TargetOptions options;
  options.client.base_url = bare.base_url();
  Target other(options, keys);
  Results results;
  for (const auto &c : case_table()) {
    if (c.reach == Reach::inspekt_mock) {
      run_case(other, c, results);
    }
  }
  REQUIRE(results.cases().size() == 5);
  for (const auto &r : results.cases()) {
    INFO(r.test_case->id);
    CHECK(r.verdict == Verdict::skip);
    CHECK(r.observed.find("not inspekt-mock") != std::string::npos);
  }
  // Nothing was sent for them: no drift rows can come from them.
  CHECK(other.sent().empty());
  CHECK(other.requests_sent() == 1); // the one question to /__admin/health

  // The in-process mock is known to be one, without asking.
  options.inspekt_mock = true;
  Target mock(options, keys);
  CHECK(mock.is_inspekt_mock());
  CHECK(mock.requests_sent() == 0);
}
