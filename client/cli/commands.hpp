#pragma once
// The commands of inspekt-auth, apart from its command line (main.cpp), so that tests
// reach them without a process: login, decode, where the key and base URL come from,
// how credentials are printed and which exit code each outcome gets.

#include "inspekt/client/auth_client.hpp"
#include "inspekt/core/endpoint.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace inspekt::cli {

// One exit code per outcome; the same table is printed by --help (exit_code_table).
inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1; // an error of inspekt-auth itself
inline constexpr int exit_usage = 2;   // bad flag, missing or unreadable key, bad URL
inline constexpr int exit_invalid_request = 3;
inline constexpr int exit_invalid_key = 4;
inline constexpr int exit_method_not_allowed = 5;
inline constexpr int exit_unexpected_status = 6;
inline constexpr int exit_transport = 7;
inline constexpr int exit_protocol = 8;
inline constexpr int exit_call_refused = 9; // call: the guarded route answered non-2xx

int exit_code(ErrorKind kind);
std::string exit_code_table();

inline constexpr std::string_view key_variable = "INSPEKT_API_KEY";
inline constexpr std::string_view base_url_variable = "INSPEKT_BASE_URL";

// Reads an environment variable; empty values count as unset. Tests pass their own.
using Environment = std::function<std::optional<std::string>(std::string_view name)>;
Environment process_environment();

enum class OutputFormat { json, env };

struct LoginOptions {
  std::optional<std::string> base_url; // --base-url; else INSPEKT_BASE_URL; else live
  std::optional<std::string> client_id;
  std::string ca_file;
  bool insecure = false;
  std::chrono::milliseconds timeout{10000};
  OutputFormat format = OutputFormat::json;
  bool show_claims = false;
  std::string key_file; // --key-file
  bool key_stdin = false;
};

struct Io {
  std::istream &in;
  std::ostream &out;
  std::ostream &err;
};

// --key-file or --key-stdin when given, else INSPEKT_API_KEY. Surrounding white space
// (a file's final newline) is dropped. Errors: [key.missing], [key.file], [key.empty],
// [key.control]; they never quote the key.
struct KeyRead {
  std::optional<std::string> key;
  std::string error;
};
KeyRead read_key(const LoginOptions &options, const Environment &environment, std::istream &in);

std::string resolve_base_url(const LoginOptions &options, const Environment &environment);

// {"session", "access_token", "refresh_token"} and, with claims, "decoded":
// {"access_token": {"header", "claims"}, "refresh_token": {...}}.
nlohmann::ordered_json credentials_json(const Credentials &credentials, bool with_claims);
// INSPEKT_SESSION=..., INSPEKT_ACCESS_TOKEN=..., INSPEKT_REFRESH_TOKEN=..., one a line.
std::string credentials_env(const Credentials &credentials);
// The value as is when it holds only characters no shell treats specially, else in
// single quotes.
std::string shell_value(std::string_view value);

// What is wrong with a command line that CLI11 parsed with extras allowed: `extras` are
// the arguments no option took, `command` the subcommand given (if any), `commands` and
// `flags` the names known there. A misspelt subcommand or flag is named, with the
// nearest known name; an argument that could be a key is never repeated. Ids:
// [usage.unknown-command], [usage.unknown-flag], [usage.extra-argument],
// [usage.no-command]. None when the command line is fine.
std::optional<std::string> command_line_problem(const std::vector<std::string> &extras,
                                                const std::optional<std::string> &command,
                                                const std::vector<std::string> &commands,
                                                const std::vector<std::string> &flags);
// A flag of `command` (one of `flags`) typed before the subcommand, among `before` (the
// arguments the top level did not take): [usage.flag-before-command], saying where it
// goes. None when there is none.
std::optional<std::string> flag_before_command_problem(const std::vector<std::string> &before,
                                                       const std::string &command,
                                                       const std::vector<std::string> &flags);
// The hint printed with the ParseError for a key typed on the command line.
extern const char *const key_hint;

int run_login(const LoginOptions &options, const Environment &environment, Io io);

// inspekt-auth call: a fresh login, then one request to a guarded route with its
// Authorization header and session, through AuthSession (a 401 logs in once more).
struct CallOptions {
  LoginOptions login; // where and how to log in; format and show_claims are not used
  std::string method = "POST";
  std::string path{upload_path};
  // --data: a JSON object sent as the body, its "session" member set to the login's.
  std::optional<std::string> data;
  // --file: multipart/form-data with a "session" field and each file as a part named
  // "file". Neither --data nor --file: the body is {"session": ...}.
  std::vector<std::string> files;
};

// The request body and its media type for `session`; `files` holds the files' names
// and contents, read beforehand. Errors: [call.data].
struct CallBody {
  std::string content_type;
  std::string body;
};
struct CallFile {
  std::string name; // the file name sent, without its directories
  std::string content;
};
std::optional<CallBody> call_body(const CallOptions &options, const std::vector<CallFile> &files,
                                  const std::string &session, std::string &error);

// Prints {"status", "attempts", "body"} ("body" parsed when it is JSON, else the text;
// "www_authenticate" when the answer has one). Exits 0 for a 2xx, 9 for another status
// (a 401 after the re-login included), or the login's or the transport's code.
int run_call(const CallOptions &options, const Environment &environment, Io io);
// A token on `in`: its header and claims as JSON on `out`; the signature never.
int run_decode(Io io);

} // namespace inspekt::cli
