#include "case_table.hpp"
#include "results.hpp"
#include "target.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace inspekt::conformance;

TEST_CASE("case and request ids are unique and every case names known requests", "[conformance]") {
  std::set<std::string> case_ids;
  for (const auto &c : case_table()) {
    INFO(c.id);
    CHECK(case_ids.insert(c.id).second);
    CHECK_FALSE(c.spec.empty());
    CHECK_FALSE(c.requests.empty());
    for (const auto &id : c.requests) {
      CHECK_NOTHROW(request_spec(id));
      // A [doc] case may only send what is safe against the live service.
      CHECK((c.mock_only || !request_spec(id).mock_only));
    }
  }
  std::set<std::string> request_ids;
  for (const auto &spec : request_specs()) {
    CHECK(request_ids.insert(spec.id).second);
  }
}

TEST_CASE("a live run sends at most 30 requests", "[conformance]") {
  std::set<std::string> needed;
  for (const auto &c : case_table()) {
    if (!c.mock_only) {
      needed.insert(c.requests.begin(), c.requests.end());
    }
  }
  int requests = 0;
  for (const auto &id : needed) {
    requests += request_spec(id).repeat;
  }
  CHECK(requests <= 30);
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
  const Target target(options, {"k3y-DO-NOT-LEAK-1", "k3y-DO-NOT-LEAK-2", "k3y-DO-NOT-LEAK-3"});
  CHECK(target.redact("echo k3y-DO-NOT-LEAK-1 and k3y-DO-NOT-LEAK-3, k3y-DO-NOT-LEAK-2") ==
        "echo <valid-key> and <expired-key>, <invalid-key>");
}

TEST_CASE("the random invalid key is well-formed and different each time", "[conformance]") {
  const auto a = random_invalid_key();
  CHECK(a.size() > 24);
  CHECK(a != random_invalid_key());
}
