// inspekt-mock: parses the command line and runs the mock. Everything else lives in the
// library (see include/inspekt/mock/).

#include "inspekt/client/cli_errors.hpp"
#include "inspekt/client/version.hpp"
#include "inspekt/mock/control/admin_api.hpp"
#include "inspekt/mock/control/fixture_watch.hpp"
#include "inspekt/mock/control/mock_runtime.hpp"
#include "inspekt/mock/fixtures/fixture_error.hpp"
#include "inspekt/mock/fixtures/fixture_loader.hpp"
#include "inspekt/mock/fixtures/fixture_patch.hpp"
#include "inspekt/mock/lifecycle.hpp"
#include "inspekt/mock/access_log.hpp"
#include "inspekt/mock/engine/mock_server.hpp"
#include "inspekt/mock/tokens/entropy.hpp"

#include <CLI/CLI.hpp>

#include <malloc.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <mutex>
#include <sstream>
#include <thread>

namespace {

using namespace inspekt::mock;

// Exit codes, documented in --help.
constexpr int exit_ok = 0;
constexpr int exit_usage = 2; // bad flag or bad fixture set
constexpr int exit_cannot_bind = 3;
constexpr int exit_failed = 1;

struct Options {
  ServerOptions server;
  std::string fixtures_dir;
  std::string fixture_patch;
  std::string check_fixtures_dir;
  std::string log_format = "text";
  bool quiet = false;
  bool ignore_prefer = false;
  std::optional<std::uint64_t> seed;
  std::string instance;
  bool watch = false;
  std::optional<std::int64_t> now;
  std::string tls_cert;
  std::string tls_key;
  bool tls_self_signed = false;
  std::string tls_write_ca;
  std::size_t journal_size = Journal::default_capacity;
  std::string admin_token; // never printed or logged
  std::string admin_token_file;
  bool no_admin = false;
};

// The admin token from --admin-token, --admin-token-file or INSPEKT_ADMIN_TOKEN, in that
// order; nothing when none is given. Throws std::invalid_argument naming the source.
std::optional<std::string> admin_token(const Options &options) {
  std::string token;
  std::string source;
  if (!options.admin_token.empty()) {
    token = options.admin_token;
    source = "--admin-token";
  } else if (!options.admin_token_file.empty()) {
    std::ifstream in(options.admin_token_file, std::ios::binary);
    std::error_code not_a_file;
    if (in) {
      token.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    if (!in.is_open() || in.bad() ||
        std::filesystem::is_directory(options.admin_token_file, not_a_file)) {
      throw std::invalid_argument("--admin-token-file: cannot read " + options.admin_token_file);
    }
    source = "--admin-token-file " + options.admin_token_file;
    if (token.empty()) {
      throw std::invalid_argument(source + ": the file is empty");
    }
  } else if (const char *env = std::getenv("INSPEKT_ADMIN_TOKEN"); env != nullptr && *env) {
    token = env;
    source = "INSPEKT_ADMIN_TOKEN";
  } else {
    return std::nullopt;
  }
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ' ||
                            token.back() == '\t')) {
    token.pop_back(); // a file written by echo ends in a newline
  }
  if (token.empty()) {
    throw std::invalid_argument(source + ": the admin token is empty");
  }
  return token;
}

// Reloads asked for by SIGHUP (or --watch) run on a thread of their own, so that the
// signal thread stays free for SIGTERM during a long reload; a burst of requests gives
// one reload, logged with the cause of the first ("on SIGHUP", "on a change in DIR").
class HangupReloader {
public:
  HangupReloader(MockRuntime &runtime, AccessLog &log)
      : runtime_(runtime), log_(log), thread_(start_background_thread([this] { run(); })) {}
  ~HangupReloader() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }
  void request(std::string cause) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!wanted_) {
        cause_ = std::move(cause);
      }
      wanted_ = true;
    }
    wake_.notify_one();
  }

private:
  void run() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (true) {
      wake_.wait(lock, [this] { return wanted_ || stopping_; });
      if (stopping_) {
        return;
      }
      wanted_ = false;
      const std::string cause = std::move(cause_);
      lock.unlock();
      const auto result = runtime_.reload();
      if (result) {
        std::ostringstream detail;
        detail.precision(1);
        detail << std::fixed << cause << ": " << result.value->origin << ": " << result.value->keys
               << " keys in " << result.value->load_ms << " ms";
        log_.note("reload ok", detail.str());
      } else {
        log_.note("reload refused", cause + ": " + result.refusal.message);
      }
      lock.lock();
    }
  }

  MockRuntime &runtime_;
  AccessLog &log_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool wanted_ = false;
  std::string cause_;
  bool stopping_ = false;
  std::thread thread_;
};

int check_fixtures(const std::string &directory, const std::string &patch) {
  try {
    const FixtureSet fixtures = load_fixtures(FixtureSource{directory, patch});
    std::cout << "fixtures OK: " << directory
              << (patch.empty() ? std::string() : " with the patch " + patch) << ": "
              << describe_keys(fixtures) << "\n";
    return exit_ok;
  } catch (const FixtureError &e) {
    std::cerr << "inspekt-mock: " << e.what() << "\n";
    return exit_usage;
  }
}

int serve(const Options &options) {
  std::optional<std::string> token;
  try {
    token = admin_token(options);
  } catch (const std::invalid_argument &e) {
    std::cerr << "inspekt-mock: " << e.what() << "\n";
    return exit_usage;
  }
  RuntimeOptions runtime_options;
  runtime_options.source = FixtureSource{options.fixtures_dir, options.fixture_patch};
  runtime_options.determinism =
      DeterminismOptions{seed_for_instance(options.seed, options.instance), options.now};
  runtime_options.prefer = options.ignore_prefer ? PreferHeader::ignored : PreferHeader::honoured;
  runtime_options.journal_size = options.journal_size;
  std::shared_ptr<MockRuntime> runtime;
  try {
    runtime = std::make_shared<MockRuntime>(runtime_options);
  } catch (const FixtureError &e) {
    std::cerr << "inspekt-mock: " << e.what() << "\n";
    return exit_usage;
  }
  // Held until serving starts (an admin call may swap the set meanwhile), then let go:
  // a reload frees the set it replaces.
  auto initial = runtime->handler();
  const std::string summary =
      initial->fixtures().origin + ": " + describe_keys(initial->fixtures());
  ServerOptions server_options = options.server;
  try {
    if (options.tls_self_signed) {
      server_options.tls = make_self_signed_identity(server_options.host);
    } else if (!options.tls_cert.empty()) {
      server_options.tls = load_tls_identity(options.tls_cert, options.tls_key);
    }
  } catch (const TlsError &e) {
    std::cerr << "inspekt-mock: " << e.what() << "\n";
    return exit_usage;
  }
  auto handler = std::make_shared<const AdminApi>(
      runtime, AdminAccess{!options.no_admin, is_loopback_host(server_options.host), token},
      AdminThread::own);
  // Parsing a large fixture set leaves tens of MiB of freed JSON tree in the heap (70
  // MiB resident for 100,000 keys); give it back before serving.
  malloc_trim(0);
  auto log =
      std::make_shared<AccessLog>(options.quiet ? -1 : STDERR_FILENO,
                                  options.log_format == "json" ? LogFormat::json : LogFormat::text);

  block_lifecycle_signals(); // before any thread starts and before the ready line
  MockServer server(handler, server_options, log);
  try {
    server.bind();
  } catch (const BindError &e) {
    std::cerr << "inspekt-mock: " << e.what() << "\n";
    return exit_cannot_bind;
  }
  log->note("fixtures", summary);
  if (options.now) {
    if (const auto warning = born_expired_warning(*options.now, system_epoch_seconds(),
                                                  initial->fixtures().tokens)) {
      log->note("warning", *warning);
    }
  }
  if (server_options.tls) {
    std::string names;
    for (const auto &name : server_options.tls->names) {
      names += (names.empty() ? "" : ", ") + name;
    }
    log->note("tls",
              (options.tls_self_signed ? "self-signed certificate for " : "certificate for ") +
                  (names.empty() ? std::string("(no subjectAltName)") : names));
  }
  if (!options.tls_write_ca.empty()) {
    // Before the ready line: a client that waits for it can trust the file at once.
    try {
      write_certificate_file(options.tls_write_ca, *server_options.tls);
    } catch (const TlsError &e) {
      std::cerr << "inspekt-mock: " << e.what() << "\n";
      return exit_usage;
    }
    log->note("tls", "certificate written to " + options.tls_write_ca +
                         " (trust it with: inspekt-auth login --ca-file " + options.tls_write_ca +
                         ", curl --cacert " + options.tls_write_ca + ")");
  }
  // The one line scripts wait for; the socket accepts connections already.
  std::cout << "listening on " << server.base_url() << std::endl;

  if (!options.no_admin) {
    log->note("admin", std::string("/__admin/ API ") +
                           (token ? "needs the Bearer token"
                            : is_loopback_host(server_options.host)
                                ? "open (loopback host)"
                                : "refuses every call (non-loopback host, no token)"));
  }
  initial.reset();
  HangupReloader reloader(*runtime, *log);
  std::unique_ptr<FixtureWatch> watch; // stopped before the reloader it calls
  if (options.watch) {
    try {
      watch = std::make_unique<FixtureWatch>(options.fixtures_dir, [&reloader, &options] {
        reloader.request("on a change in " + options.fixtures_dir);
      });
      log->note("watch", "reloading on changes in " + options.fixtures_dir);
    } catch (const WatchError &e) {
      std::cerr << "inspekt-mock: " << e.what() << "\n";
      return exit_usage;
    }
  }
  if (run_until_signal(server, *log, StopPolicy{},
                       [&reloader] { reloader.request("on SIGHUP"); }) == RunEnd::failed) {
    std::cerr << "inspekt-mock: the listening socket failed; stopping\n";
    return exit_failed;
  }
  return exit_ok;
}

} // namespace

int main(int argc, char **argv) {
  Options options;
  CLI::App app{"inspekt-mock: a mock of the Inspektlabs Authentication API "
               "(POST /api/authenticate), with its default fixtures built in.\n\n"
               "SIGHUP reloads the fixtures (as POST /__admin/fixtures/reload); the admin API "
               "lives under /__admin/ (docs/admin-api.md).\n\n"
               "Exit codes: 0 stopped by SIGINT/SIGTERM or fixtures OK; 1 server failure; "
               "2 bad flag, bad fixture set or bad TLS certificate/key; 3 cannot listen (port in "
               "use, bad host).",
               "inspekt-mock"};
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
  app.add_option("--log-format", options.log_format, "Access log format on stderr")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  app.add_flag("--quiet", options.quiet, "No access log or start/stop lines on stderr");
  app.add_flag("--ignore-prefer", options.ignore_prefer,
               "Answer logins as if they had no Prefer header (code=, answer=, delay=, fault=, "
               "lifetime=)");
  app.add_option("--seed", options.seed,
                 "Seed for session ids, token ids and chaos: same requests, same answers");
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
  auto *tls_self_signed = app.add_flag(
      "--tls-self-signed", options.tls_self_signed,
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
               "No admin API: /__admin/... answers 404 like any unknown path");
  tls_cert->needs(tls_key);
  tls_key->needs(tls_cert);
  tls_self_signed->excludes(tls_cert)->excludes(tls_key);
  tls_write_ca->needs(tls_self_signed);
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
