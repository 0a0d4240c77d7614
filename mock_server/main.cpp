// inspekt-mock: parses the command line and runs the mock (control/mock_program.hpp).
// Everything else lives in the library (docs/architecture.md).

#include "inspekt/core/cli_errors.hpp"
#include "inspekt/core/version.hpp"
#include "inspekt/mock/control/mock_program.hpp"
#include "inspekt/mock/tokens/clock.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

using namespace inspekt::mock;

namespace {

// Every flag, its help and its checks, into `options`.
void add_options(CLI::App &app, MockProgramOptions &options) {
  app.set_version_flag("--version", "inspekt-mock " + std::string(inspekt::version()));
  // Extras are collected, not refused by CLI11: its message repeats them (one may be the
  // admin token) and cannot tell a misspelt flag from a stray value.
  app.allow_extras();
  app.add_option("--host", options.server.host, "Address to listen on")->capture_default_str();
  app.add_option("--port", options.server.port, "Port; 0 picks a free one")
      ->check(CLI::Validator(inspekt::port_number_problem, "INT in [0 - 65535]"))
      ->capture_default_str();
  auto *fixtures_flag =
      app.add_option("--fixtures", options.fixtures_dir,
                     "Fixture set directory (default: the embedded set from fixtures/default)");
  app.add_flag("--watch", options.watch,
               "Reload the fixture set when its files in the --fixtures directory change "
               "(editors' rename-on-save and Kubernetes ConfigMap updates included); a broken "
               "change is refused and the set in use keeps serving")
      ->needs(fixtures_flag);
  app.add_option("--fixture-patch", options.fixture_patch,
                 "Apply this fixture patch (a JSON merge patch per file, as written by "
                 "inspekt-conformance --write-fixture-patch) to the set in use");
  app.add_option("--check-fixtures", options.check_fixtures_dir,
                 "Validate a fixture set directory, print a summary, exit 0 (good) or 2 (bad)");
  app.add_option("--loops", options.server.event_loops,
                 "How many event loops (threads) serve connections, HTTP and HTTPS alike; 0 is "
                 "half the CPUs, at least one")
      ->check(CLI::Range(0, 64))
      ->capture_default_str();
  app.add_option("--max-body", options.server.max_body_bytes,
                 "Largest request body in bytes; larger ones get 413")
      ->check(CLI::Range(1, 64 * 1024 * 1024))
      ->capture_default_str();
  app.add_option("--max-upload", options.max_upload,
                 "Largest body in bytes of a request to a route the token gate guards "
                 "(gate.json), read as a stream and not kept; larger ones get 413")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40))
      ->capture_default_str();
  app.add_option("--log-format", options.log_format, "Access log format on stderr")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  app.add_flag("--quiet", options.quiet, "No access log or start/stop lines on stderr");
  app.add_flag("--ignore-prefer", options.ignore_prefer,
               "Answer logins as if they had no Prefer header (code=, answer=, delay=, fault=, "
               "lifetime=)");
  app.add_option("--seed", options.seed,
                 "Seed for session ids, token ids and chaos: same requests, same answers")
      ->check(CLI::Validator(inspekt::seed_problem, "UINT64"));
  app.add_option("--instance", options.instance,
                 "This replica's name (also $INSPEKT_INSTANCE), mixed into --seed: replicas "
                 "with the same seed issue distinct session and token ids")
      ->envname("INSPEKT_INSTANCE");
  app.add_option("--now", options.now,
                 "Fixed clock (Unix seconds) for iat/exp, session timestamps and quota windows; a "
                 "time further back than the tokens live warns that they are born expired")
      ->check(CLI::Range(std::int64_t{0}, max_clock_seconds));
  auto *tls_cert = app.add_option("--tls-cert", options.tls_cert,
                                  "Serve HTTPS with this PEM certificate (chain); needs --tls-key");
  auto *tls_key = app.add_option("--tls-key", options.tls_key,
                                 "The PEM private key of --tls-cert (unencrypted)");
  auto *tls_self_signed =
      app.add_flag("--tls-self-signed", options.tls_self_signed,
                   "Serve HTTPS with a key and certificate made at start for --host (IP or DNS "
                   "name), localhost, 127.0.0.1 and ::1");
  auto *tls_write_ca =
      app.add_option("--tls-write-ca", options.tls_write_ca,
                     "Write the self-signed certificate in PEM to FILE before the ready line, "
                     "for clients to trust (--ca-file, --cacert)");
  app.add_option("--journal-size", options.journal_size,
                 "Requests the journal holds for GET /__admin/requests (the oldest are dropped "
                 "and counted); 0 turns it off")
      ->check(CLI::Range(0, 10'000'000))
      ->capture_default_str();
  auto *token_option = app.add_option(
      "--admin-token", options.admin_token,
      "Admin API token: every /__admin/ call then needs 'Authorization: Bearer TOKEN'. Visible "
      "to other users in the process list: prefer --admin-token-file or the environment "
      "variable INSPEKT_ADMIN_TOKEN");
  auto *token_file_option = app.add_option(
      "--admin-token-file", options.admin_token_file,
      "Read the admin API token from FILE (trailing newline ignored); without a token the admin "
      "API is open on a loopback --host and refused (403) on any other");
  token_option->excludes(token_file_option);
  app.add_flag("--no-admin", options.no_admin,
               "No admin API and no dashboard: /__admin/... answers 404 like any unknown path");
  tls_cert->needs(tls_key);
  tls_key->needs(tls_cert);
  tls_self_signed->excludes(tls_cert)->excludes(tls_key);
  tls_write_ca->needs(tls_self_signed);
}

} // namespace

int main(int argc, char **argv) {
  MockProgramOptions options;
  CLI::App app{"inspekt-mock: a mock of the Inspektlabs Authentication API "
               "(POST /api/authenticate), with its default fixtures built in.\n\n"
               "SIGHUP reloads the fixtures (as POST /__admin/fixtures/reload); the admin API "
               "lives under /__admin/ (docs/admin-api.md).\n\n"
               "Exit codes: 0 stopped by SIGINT/SIGTERM or fixtures OK; 1 server failure; "
               "2 bad flag, bad fixture set or bad TLS certificate/key; 3 cannot listen (port in "
               "use, bad host).",
               "inspekt-mock"};
  add_options(app, options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success &e) { // --help, --version
    return app.exit(e);
  } catch (const CLI::ParseError &e) {
    return inspekt::report_usage_problem(std::cerr, "inspekt-mock",
                                         inspekt::parse_error_problem(e.get_name(), e.what()),
                                         "inspekt-mock --help");
  }
  if (const auto problem = inspekt::extra_arguments_problem(
          app.remaining(), inspekt::long_flag_names(app), "inspekt-mock takes flags only")) {
    return inspekt::report_usage_problem(std::cerr, "inspekt-mock", *problem,
                                         "inspekt-mock --help");
  }
  if (!options.check_fixtures_dir.empty()) {
    return check_fixtures(options.check_fixtures_dir, options.fixture_patch);
  }
  try {
    return serve(options);
  } catch (const std::exception &e) {
    std::cerr << "inspekt-mock: " << e.what() << "\n";
    return exit_failed;
  }
}
