#pragma once
// inspekt-mock as a library call: what its command line chose, and the run it starts
// (fixtures, TLS, admin API, access log, ready line, SIGHUP and --watch, until SIGINT or
// SIGTERM). The program's main only parses options into MockProgramOptions.

#include "inspekt/mock/control/journal.hpp"
#include "inspekt/mock/engine/mock_server.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace inspekt::mock {

// Exit codes, documented in inspekt-mock --help.
inline constexpr int exit_ok = 0;
inline constexpr int exit_failed = 1;
inline constexpr int exit_usage = 2; // bad flag or bad fixture set
inline constexpr int exit_cannot_bind = 3;

struct MockProgramOptions {
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
  std::uint64_t max_upload = UploadLimits{}.max_bytes; // a guarded route's body
  std::string admin_token;                             // never printed or logged
  std::string admin_token_file;
  bool no_admin = false;
};

// The admin token from --admin-token, --admin-token-file or INSPEKT_ADMIN_TOKEN, in that
// order; nothing when none is given. Throws std::invalid_argument naming the source.
std::optional<std::string> admin_token(const MockProgramOptions &options);

// --check-fixtures DIR [--fixture-patch P]: prints the summary; exit_ok or exit_usage.
int check_fixtures(const std::string &directory, const std::string &patch);

// Serves until SIGINT or SIGTERM; returns the exit code. Errors go to stderr.
int serve(const MockProgramOptions &options);

} // namespace inspekt::mock
