#include "inspekt/mock/control/mock_program.hpp"

#include "inspekt/mock/control/access_log.hpp"
#include "inspekt/mock/control/admin_api.hpp"
#include "inspekt/mock/control/fixture_watch.hpp"
#include "inspekt/mock/control/hangup_reloader.hpp"
#include "inspekt/mock/control/lifecycle.hpp"
#include "inspekt/mock/control/mock_runtime.hpp"
#include "inspekt/mock/fixtures/fixture_error.hpp"
#include "inspekt/mock/fixtures/fixture_loader.hpp"
#include "inspekt/mock/fixtures/fixture_patch.hpp"
#include "inspekt/mock/tokens/entropy.hpp"

#include <malloc.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace inspekt::mock {

std::optional<std::string> admin_token(const MockProgramOptions &options) {
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

namespace {

// "; guards POST /api/upload (upload_accepted)", or "; guards no route".
std::string describe_gate(const FixtureSet &fixtures) {
  if (fixtures.gate.empty()) {
    return "; guards no route";
  }
  std::string routes;
  for (const auto &route : fixtures.gate.routes) {
    routes += (routes.empty() ? "" : ", ") + route.method + " " + route.path + " (" +
              fixtures.name_of(route.answer) + ")";
  }
  return "; guards " + routes;
}

// The line to say when the patch file plants a bug this mock does not serve; empty
// otherwise (and when the file cannot be read again: the load has said why).
std::string planted_bug_note(const std::string &patch_file) {
  if (patch_file.empty()) {
    return {};
  }
  try {
    if (read_fixture_patch(patch_file).plants_bug) {
      return patch_file +
             ": its \"planted\" bug is not served here: only inspekt-conformance's "
             "in-process mock plants it; this mock answers as the patched fixtures say";
    }
  } catch (const FixtureError &) {
  }
  return {};
}

} // namespace

int check_fixtures(const std::string &directory, const std::string &patch) {
  try {
    const FixtureSet fixtures = load_fixtures(FixtureSource{directory, patch});
    std::cout << "fixtures OK: " << directory
              << (patch.empty() ? std::string() : " with the patch " + patch) << ": "
              << describe_keys(fixtures) << describe_gate(fixtures) << "\n";
    if (const auto note = planted_bug_note(patch); !note.empty()) {
      std::cout << "note: " << note << "\n";
    }
    return exit_ok;
  } catch (const FixtureError &e) {
    std::cerr << "inspekt-mock: " << e.what() << "\n";
    return exit_usage;
  }
}

namespace {

// The runtime the options ask for, or nullptr when the fixture set is refused (said on
// stderr).
std::shared_ptr<MockRuntime> start_runtime(const MockProgramOptions &options) {
  RuntimeOptions runtime_options;
  runtime_options.source = FixtureSource{options.fixtures_dir, options.fixture_patch};
  runtime_options.determinism =
      DeterminismOptions{seed_for_instance(options.seed, options.instance), options.now};
  runtime_options.prefer = options.ignore_prefer ? PreferHeader::ignored : PreferHeader::honoured;
  runtime_options.journal_size = options.journal_size;
  runtime_options.uploads.max_bytes = options.max_upload;
  try {
    return std::make_shared<MockRuntime>(runtime_options);
  } catch (const FixtureError &e) {
    std::cerr << "inspekt-mock: " << e.what() << "\n";
    return nullptr;
  }
}

// The start-up lines after the bind: the set in use, a born-expired warning, TLS names.
void note_start(AccessLog &log, const MockProgramOptions &options,
                const ServerOptions &server_options, const FixtureSet &fixtures) {
  log.note("fixtures", fixtures.origin + ": " + describe_keys(fixtures) + describe_gate(fixtures));
  if (const auto note = planted_bug_note(options.fixture_patch); !note.empty()) {
    log.note("warning", note);
  }
  if (options.now) {
    if (const auto warning =
            born_expired_warning(*options.now, system_epoch_seconds(), fixtures.tokens)) {
      log.note("warning", *warning);
    }
  }
  if (server_options.tls) {
    std::string names;
    for (const auto &name : server_options.tls->names) {
      names += (names.empty() ? "" : ", ") + name;
    }
    log.note("tls",
             (options.tls_self_signed ? "self-signed certificate for " : "certificate for ") +
                 (names.empty() ? std::string("(no subjectAltName)") : names));
  }
}

} // namespace

int serve(const MockProgramOptions &options) {
  std::optional<std::string> token;
  try {
    token = admin_token(options);
  } catch (const std::invalid_argument &e) {
    std::cerr << "inspekt-mock: " << e.what() << "\n";
    return exit_usage;
  }
  const std::shared_ptr<MockRuntime> runtime = start_runtime(options);
  if (!runtime) {
    return exit_usage;
  }
  // Held until serving starts (an admin call may swap the set meanwhile), then let go:
  // a reload frees the set it replaces.
  auto initial = runtime->handler();
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
  note_start(*log, options, server_options, initial->fixtures());
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
    if (token || is_loopback_host(server_options.host)) {
      log->note("dashboard", server.base_url() + "/__admin/ (docs/dashboard.md)");
    }
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

} // namespace inspekt::mock
