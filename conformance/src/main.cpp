// inspekt-conformance: the documented contract of POST /api/authenticate, checked
// against the mock (default: one started in this process) or any URL.

#define CATCH_CONFIG_RUNNER
#include "drift_run.hpp"
#include "run_context.hpp"

#include "inspekt/mock/fixtures/fixture_error.hpp"
#include "inspekt/mock/fixtures/fixture_loader.hpp"
#include "inspekt/mock/fixtures/fixture_patch.hpp"
#include "inspekt/mock/mock_server.hpp"
#include "inspekt/mock/whole_file.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace {

using namespace inspekt;
using namespace inspekt::conformance;

constexpr int exit_usage = 2;

struct Flags {
  std::string base_url;
  bool live = false;
  bool strict = false;
  int max_requests = 0;
  int min_interval_ms = -1;
  std::string ca_file;
  int timeout_ms = 10000;
  std::string fixtures_dir;
  std::string fixture_patch;
  std::string summary_json;
  bool drift = false;
  std::string write_fixture_patch;
};

std::optional<std::string> env(const char *name) {
  const char *value = std::getenv(name);
  return value && *value ? std::optional<std::string>(value) : std::nullopt;
}

} // namespace

int main(int argc, char **argv) {
  // A target that closes before reading the request must not kill the run: cpp-httplib
  // 0.11 writes without MSG_NOSIGNAL.
  std::signal(SIGPIPE, SIG_IGN);
  Catch::Session session;
  Flags flags;
  using namespace Catch::clara;
  auto cli =
      session.cli() |
      Opt(flags.base_url, "url")["--base-url"](
          "server to check; without it, a mock with the embedded fixtures is started in this "
          "process. Keys: INSPEKT_API_KEY (valid), INSPEKT_INVALID_KEY, INSPEKT_EXPIRED_KEY") |
      Opt(flags.live)["--live"]("treat the target as the live service even on loopback: [doc] "
                                "cases only, a request budget and a pause between requests") |
      Opt(flags.max_requests, "n")["--max-requests"]("most requests to send (live default 30)") |
      Opt(flags.min_interval_ms,
          "ms")["--min-interval-ms"]("least time between requests (live default 250)") |
      Opt(flags.strict)["--strict"]("SHOULD failures fail the run too") |
      Opt(flags.ca_file, "file")["--ca-file"]("PEM file of the CA to trust for https") |
      Opt(flags.timeout_ms, "ms")["--timeout-ms"]("connect and read timeout per request") |
      Opt(flags.fixtures_dir, "dir")["--fixtures"]("fixture set for the in-process mock") |
      Opt(flags.fixture_patch, "file")["--fixture-patch"](
          "deviation (merge patch over the default fixtures) for the in-process mock") |
      Opt(flags.summary_json, "file")["--summary-json"]("write the verdicts as JSON") |
      Opt(flags.drift)["--drift"]("compare the target's answers with the fixtures in use "
                                  "(docs/conformance.md#drift); no extra requests") |
      Opt(flags.write_fixture_patch, "file")["--write-fixture-patch"](
          "with --drift: write the fixture patch that makes the mock answer like the target");
  session.cli(cli);
  if (const int rc = session.applyCommandLine(argc, argv); rc != 0) {
    return exit_usage;
  }
  if (session.configData().showHelp) {
    return 0;
  }

  auto &context = run_context();
  context.strict = flags.strict;
  TargetOptions target;
  target.client.connect_timeout = std::chrono::milliseconds(flags.timeout_ms);
  target.client.read_timeout = std::chrono::milliseconds(flags.timeout_ms);
  target.client.ca_file = flags.ca_file;
  target.client.user_agent = "inspekt-conformance/0.1";
  Keys keys;
  std::unique_ptr<mock::BackgroundMockServer> in_process;

  flags.drift = flags.drift || !flags.write_fixture_patch.empty();
  const mock::FixtureSource fixture_source{flags.fixtures_dir, flags.fixture_patch};
  if (flags.drift) {
    try {
      drift_run().enabled = true;
      drift_run().fixture_files = mock::fixture_files(fixture_source);
      mock::load_fixtures(fixture_source); // a set that does not load is refused now
    } catch (const std::exception &e) {
      std::cerr << "inspekt-conformance: " << e.what() << "\n";
      return exit_usage;
    }
    // Before any request: a run against the live service is not repeated lightly.
    if (!flags.write_fixture_patch.empty()) {
      const auto folder = std::filesystem::absolute(flags.write_fixture_patch).parent_path();
      if (::access(folder.c_str(), W_OK) != 0) {
        std::cerr << "inspekt-conformance: --write-fixture-patch: cannot write \""
                  << flags.write_fixture_patch << "\": " << folder.string()
                  << " is not a writable directory\n";
        return exit_usage;
      }
    }
    select_drift_case(session.configData().testsOrTags);
    session.configData().runOrder = Catch::RunTests::InDeclarationOrder;
  }

  if (flags.base_url.empty()) {
    if (flags.live) {
      std::cerr << "inspekt-conformance: --live needs --base-url\n";
      return exit_usage;
    }
    try {
      auto fixtures = mock::load_fixtures(fixture_source);
      keys = fixture_keys(fixtures);
      if (keys.valid.empty()) {
        std::cerr << "inspekt-conformance: the fixture set has no valid key to log in with\n";
        return exit_usage;
      }
      mock::ServerOptions server;
      server.port = 0;
      in_process = std::make_unique<mock::BackgroundMockServer>(
          std::make_shared<const mock::AuthHandler>(std::move(fixtures)), server);
      target.client.base_url = in_process->base_url();
    } catch (const std::exception &e) {
      std::cerr << "inspekt-conformance: " << e.what() << "\n";
      return exit_usage;
    }
    keys.invalid = random_invalid_key();
  } else {
    target.client.base_url = flags.base_url;
    const auto valid = env("INSPEKT_API_KEY");
    if (!valid) {
      std::cerr << "inspekt-conformance: set INSPEKT_API_KEY to a valid key for " << flags.base_url
                << " (it is read from the environment only)\n";
      return exit_usage;
    }
    keys.valid = *valid;
    keys.invalid = env("INSPEKT_INVALID_KEY").value_or(random_invalid_key());
    keys.expired = env("INSPEKT_EXPIRED_KEY");
  }

  const auto parsed = parse_base_url(target.client.base_url);
  if (!parsed) {
    std::cerr << "inspekt-conformance: --base-url: " << parsed.error << "\n";
    return exit_usage;
  }
  target.live = flags.live || !is_loopback_host(parsed.url->host);
  if (flags.max_requests > 0) {
    target.max_requests = flags.max_requests;
  }
  target.min_interval = std::chrono::milliseconds(
      flags.min_interval_ms >= 0 ? flags.min_interval_ms : (target.live ? 250 : 0));
  if (target.live) {
    target.min_interval = std::max(target.min_interval, std::chrono::milliseconds(250));
    auto &specs = session.configData().testsOrTags;
    if (specs.empty()) {
      specs.push_back("[doc]");
    }
    std::cerr << "inspekt-conformance: live target " << target.client.base_url
              << ": [doc] cases only, at most " << (target.max_requests ? *target.max_requests : 30)
              << " requests, " << target.min_interval.count() << " ms apart\n";
  }
  context.target = std::make_unique<Target>(target, keys);
  if (const auto &problem = context.target->client_error()) {
    std::cerr << "inspekt-conformance: " << *problem << "\n";
    return exit_usage;
  }

  const int catch_failures = session.run();

  context.results.print_table(std::cout);
  std::cout << "target " << context.target->base_url() << ", " << context.target->requests_sent()
            << " requests sent\n";
  auto summary = context.results.to_json();
  if (flags.drift) {
    const auto &drift = drift_report();
    drift.print_table(std::cout);
    summary["drift"] = drift.to_json();
    summary["drift_aspects_compared"] = drift.rows.size();
    if (!flags.write_fixture_patch.empty()) {
      try {
        // Over the base set (embedded or --fixtures), so that it carries the
        // --fixture-patch in use too: one patch reproduces what the target answers.
        auto patch = drift.patch;
        if (!flags.fixture_patch.empty()) {
          patch = mock::read_fixture_patch(flags.fixture_patch).patch;
          merge_fragment(patch, drift.patch);
        }
        const std::string description =
            "drift of " + context.target->base_url() + " from " +
            (flags.fixtures_dir.empty() ? "the embedded default set" : flags.fixtures_dir);
        const nlohmann::json file{{"description", description}, {"patch", patch}};
        mock::write_whole_file(flags.write_fixture_patch, file.dump(2) + "\n");
        std::cout << "drift: fixture patch written to " << flags.write_fixture_patch
                  << " (apply it with: inspekt-mock --fixture-patch " << flags.write_fixture_patch
                  << ")\n";
      } catch (const mock::WriteError &e) {
        std::cerr << "inspekt-conformance: --write-fixture-patch: " << e.what() << "\n";
        return exit_usage;
      }
    }
  }
  if (!flags.summary_json.empty()) {
    std::ofstream(flags.summary_json) << summary.dump(2) << "\n";
  }
  if (context.results.empty()) {
    // A mistyped test spec selects nothing; "no case failed" must not read as a pass.
    std::cerr << "inspekt-conformance: no case ran (check the test spec or tags)\n";
    return exit_usage;
  }
  // Catch2 counts what our verdicts cannot: an exception escaping a check.
  const int code = std::max(context.results.exit_code(flags.strict), catch_failures > 0 ? 1 : 0);
  context.target.reset();
  return code;
}
