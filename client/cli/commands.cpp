#include "commands.hpp"

#include "inspekt/client/auth_session.hpp"
#include "inspekt/core/cli_errors.hpp"
#include "inspekt/core/closest_name.hpp"
#include "inspekt/core/secrets.hpp"
#include "inspekt/core/version.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <random>
#include <sstream>

namespace inspekt::cli {
namespace {

constexpr std::string_view program = "inspekt-auth: ";

std::string trimmed(std::string text) {
  const auto is_space = [](unsigned char c) { return std::isspace(c) != 0; };
  while (!text.empty() && is_space(static_cast<unsigned char>(text.back()))) {
    text.pop_back();
  }
  const auto first = std::find_if_not(text.begin(), text.end(), is_space);
  text.erase(text.begin(), first);
  return text;
}

std::string read_all(std::istream &in) {
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

nlohmann::json decoded_json(const DecodedJwt &jwt) {
  return {{"header", jwt.header}, {"claims", jwt.claims}};
}

std::string list(const std::vector<std::string> &names, const char *last = " and ") {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    out += (i == 0 ? "" : i + 1 == names.size() ? last : ", ") + names[i];
  }
  return out;
}

ClientOptions client_options(const LoginOptions &options, const Environment &environment) {
  ClientOptions client;
  client.base_url = resolve_base_url(options, environment);
  client.connect_timeout = options.timeout;
  client.read_timeout = options.timeout;
  client.ca_file = options.ca_file;
  client.verify_tls = !options.insecure;
  client.user_agent = "inspekt-auth/" + std::string(version());
  return client;
}

void warn_if_insecure(const LoginOptions &options, Io io) {
  if (options.insecure) {
    io.err << program
           << "warning: --insecure: TLS certificates are not verified; anyone on the network "
              "path can read the key and the tokens\n";
  }
}

// A boundary that occurs in none of the parts (RFC 2046 section 5.1.1: at most 70
// characters, and it must not appear inside an encapsulated part).
std::string multipart_boundary(const std::vector<CallFile> &files, const std::string &session) {
  std::random_device entropy;
  for (;;) {
    std::string boundary = "inspekt-auth-";
    for (int i = 0; i < 4; ++i) {
      boundary += std::to_string(entropy());
    }
    const bool clash = session.find(boundary) != std::string::npos ||
                       std::any_of(files.begin(), files.end(), [&](const CallFile &file) {
                         return file.content.find(boundary) != std::string::npos ||
                                file.name.find(boundary) != std::string::npos;
                       });
    if (!clash) {
      return boundary;
    }
  }
}

// A file name in a Content-Disposition quoted string: quotes and backslashes escaped,
// line breaks dropped (they would end the header).
std::string quoted_file_name(const std::string &name) {
  std::string out;
  for (char c : name) {
    if (c == '"' || c == '\\') {
      out += '\\';
    }
    if (c != '\r' && c != '\n') {
      out += c;
    }
  }
  return out;
}

std::optional<std::vector<CallFile>> read_call_files(const CallOptions &options,
                                                     std::string &error) {
  std::vector<CallFile> files;
  for (const auto &path : options.files) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      error = "[call.file] cannot read the file \"" + path + "\" (--file): " + std::strerror(errno);
      return std::nullopt;
    }
    const auto slash = path.find_last_of('/');
    files.push_back({slash == std::string::npos ? path : path.substr(slash + 1), read_all(in)});
  }
  return files;
}

// The body as it may be shown: a token or the key the server echoed is masked.
nlohmann::json shown_body(const std::string &body, const std::string &key, const Grant &grant) {
  std::string text = redacted(body, key);
  text = redacted(std::move(text), grant.credentials->refresh_token, "<the refresh token>");
  text = redacted(std::move(text), grant.credentials->access_token, "<the access token>");
  auto parsed = nlohmann::json::parse(text, nullptr, false);
  return parsed.is_discarded() ? nlohmann::json(std::move(text)) : parsed;
}

} // namespace

const char *const key_hint = "the key is never taken from the command line (it would show in "
                             "ps and shell history): set INSPEKT_API_KEY, or pass --key-file "
                             "FILE or --key-stdin";

std::optional<std::string> command_line_problem(const std::vector<std::string> &extras,
                                                const std::optional<std::string> &command,
                                                const std::vector<std::string> &commands,
                                                const std::vector<std::string> &flags) {
  // Without a subcommand, a first word that is not a flag was meant as one.
  if (!command && !extras.empty() && extras.front().rfind('-', 0) != 0) {
    const auto near = closest_name(extras.front(), commands);
    if (near) {
      return "[usage.unknown-command] unknown subcommand '" + extras.front() + "' (did you mean '" +
             *near + "'?)";
    }
    return "[usage.unknown-command] unknown subcommand (not shown: it could be a key); the "
           "subcommands are " +
           list(commands);
  }
  for (const auto &arg : extras) {
    if (arg.size() > 1 && arg[0] == '-') {
      const std::string where = command ? " for " + *command : "";
      if (!shown_flag_name(arg)) {
        return unknown_flag_problem(arg, flags, where) + "; the flags are " + list(flags);
      }
      return unknown_flag_problem(arg, flags, where) + "; the flags are " + list(flags) +
             (command ? "" : "; the subcommands are " + list(commands));
    }
  }
  if (!extras.empty()) {
    return "[usage.extra-argument] unexpected argument (not shown); " + std::string(key_hint);
  }
  if (!command) {
    return "[usage.no-command] a subcommand is required: " + list(commands, " or ");
  }
  return std::nullopt;
}

std::optional<std::string> flag_before_command_problem(const std::vector<std::string> &before,
                                                       const std::string &command,
                                                       const std::vector<std::string> &flags) {
  for (const auto &arg : before) {
    const auto name = shown_flag_name(arg);
    if (name && std::find(flags.begin(), flags.end(), *name) != flags.end()) {
      return "[usage.flag-before-command] '" + *name + "' is a flag of " + command +
             ": flags go after the subcommand (inspekt-auth " + command + " " + *name + " ...)";
    }
  }
  return std::nullopt;
}

int exit_code(ErrorKind kind) {
  switch (kind) {
  case ErrorKind::invalid_request:
    return exit_invalid_request;
  case ErrorKind::invalid_key:
    return exit_invalid_key;
  case ErrorKind::method_not_allowed:
    return exit_method_not_allowed;
  case ErrorKind::unexpected_status:
    return exit_unexpected_status;
  case ErrorKind::transport:
    return exit_transport;
  case ErrorKind::protocol:
    return exit_protocol;
  }
  return exit_failure;
}

std::string exit_code_table() {
  return "Exit codes:\n"
         "  0  logged in (login), a 2xx answer (call) or decoded (decode)\n"
         "  1  internal error of inspekt-auth\n"
         "  2  usage: bad flag, missing/empty/unreadable key, bad base URL or CA file\n"
         "  3  invalid request: the server answered 400\n"
         "  4  invalid key: the server answered 401\n"
         "  5  method not allowed: the server answered 405\n"
         "  6  unexpected status: any other status (404, 429, 5xx, ...)\n"
         "  7  transport: no answer (connection refused, DNS, timeout, TLS/certificate)\n"
         "  8  protocol: a 200 outside the contract, or decode input that is not a JWT\n"
         "  9  call: the guarded route answered a status other than 2xx (a 401 even after\n"
         "     the one re-login included)\n";
}

Environment process_environment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char *value = std::getenv(std::string(name).c_str());
    if (value == nullptr || *value == '\0') {
      return std::nullopt;
    }
    return std::string(value);
  };
}

KeyRead read_key(const LoginOptions &options, const Environment &environment, std::istream &in) {
  std::string key;
  std::string origin;
  if (!options.key_file.empty()) {
    std::ifstream file(options.key_file, std::ios::binary);
    if (!file) {
      return {std::nullopt, "[key.file] cannot read the key file \"" + options.key_file +
                                "\": " + std::strerror(errno)};
    }
    key = read_all(file);
    origin = "the key file";
  } else if (options.key_stdin) {
    key = read_all(in);
    origin = "standard input";
  } else if (auto value = environment(key_variable)) {
    key = std::move(*value);
    origin = std::string(key_variable);
  } else {
    return {std::nullopt, "[key.missing] no API key: set " + std::string(key_variable) +
                              ", or pass --key-file FILE or --key-stdin (never the key itself "
                              "on the command line: it would show in ps and shell history)"};
  }
  key = trimmed(std::move(key));
  if (key.empty()) {
    return {std::nullopt, "[key.empty] the key from " + origin + " is empty"};
  }
  if (std::any_of(key.begin(), key.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; })) {
    return {std::nullopt, "[key.control] the key from " + origin +
                              " holds a line break or control character; one key, one line"};
  }
  return {std::move(key), {}};
}

std::string resolve_base_url(const LoginOptions &options, const Environment &environment) {
  if (options.base_url) {
    return *options.base_url;
  }
  if (auto value = environment(base_url_variable)) {
    return *value;
  }
  return std::string(live_base_url);
}

nlohmann::ordered_json credentials_json(const Credentials &credentials, bool with_claims) {
  nlohmann::ordered_json out{{"session", credentials.session},
                             {"access_token", credentials.access_token},
                             {"refresh_token", credentials.refresh_token}};
  if (with_claims) {
    out["decoded"] = {{"access_token", decoded_json(credentials.access)},
                      {"refresh_token", decoded_json(credentials.refresh)}};
  }
  return out;
}

std::string shell_value(std::string_view value) {
  const bool plain = !value.empty() && std::all_of(value.begin(), value.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::strchr("-_.:/+=@%,", c) != nullptr;
  });
  if (plain) {
    return std::string(value);
  }
  std::string quoted = "'";
  for (char c : value) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

std::string credentials_env(const Credentials &credentials) {
  return "INSPEKT_SESSION=" + shell_value(credentials.session) + "\n" +
         "INSPEKT_ACCESS_TOKEN=" + shell_value(credentials.access_token) + "\n" +
         "INSPEKT_REFRESH_TOKEN=" + shell_value(credentials.refresh_token) + "\n";
}

int run_login(const LoginOptions &options, const Environment &environment, Io io) {
  warn_if_insecure(options, io);
  if (options.show_claims && options.format != OutputFormat::json) {
    io.err << program << "[usage.show-claims] --show-claims needs --format json\n";
    return exit_usage;
  }
  const AuthClient client(client_options(options, environment));
  if (!client.valid()) {
    io.err << program << client.error()->description << "\n";
    return exit_usage;
  }
  auto key = read_key(options, environment, io.in);
  if (!key.key) {
    io.err << program << key.error << "\n";
    return exit_usage;
  }
  const auto result = client.authenticate(*key.key, options.client_id);
  if (!result) {
    io.err << program << "login at " << client.base_url().to_string()
           << " failed: " << *result.error << "\n";
    if (const auto hint = endpoint_in_base_url_hint(client.base_url(), authenticate_path)) {
      io.err << program << "hint: " << *hint << "\n";
    }
    return exit_code(result.error->kind);
  }
  if (options.format == OutputFormat::env) {
    io.out << credentials_env(*result.credentials);
  } else {
    io.out << credentials_json(*result.credentials, options.show_claims).dump(2) << "\n";
  }
  return exit_ok;
}

std::optional<CallBody> call_body(const CallOptions &options, const std::vector<CallFile> &files,
                                  const std::string &session, std::string &error) {
  if (options.data && !options.files.empty()) {
    error = "[call.data] --data and --file exclude each other: a body is JSON or multipart";
    return std::nullopt;
  }
  if (!files.empty()) {
    const std::string boundary = multipart_boundary(files, session);
    std::string body = "--" + boundary +
                       "\r\nContent-Disposition: form-data; name=\"session\"\r\n\r\n" + session +
                       "\r\n";
    for (const auto &file : files) {
      body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" +
              quoted_file_name(file.name) + "\"\r\nContent-Type: application/octet-stream\r\n\r\n" +
              file.content + "\r\n";
    }
    body += "--" + boundary + "--\r\n";
    return CallBody{"multipart/form-data; boundary=" + boundary, std::move(body)};
  }
  nlohmann::json body = nlohmann::json::object();
  if (options.data) {
    body = nlohmann::json::parse(*options.data, nullptr, false);
    if (!body.is_object()) {
      error = "[call.data] --data must be a JSON object (its \"session\" member is set to the "
              "login's)";
      return std::nullopt;
    }
  }
  body["session"] = session;
  return CallBody{"application/json", body.dump()};
}

int run_call(const CallOptions &options, const Environment &environment, Io io) {
  warn_if_insecure(options.login, io);
  if (options.path.empty() || options.path.front() != '/') {
    io.err << program << "[call.path] --path must start with '/', e.g. " << upload_path << "\n";
    return exit_usage;
  }
  AuthClient client(client_options(options.login, environment));
  if (!client.valid()) {
    io.err << program << client.error()->description << "\n";
    return exit_usage;
  }
  std::string error;
  const auto files = read_call_files(options, error);
  // The body's shape is checked before the login, with a placeholder session.
  if (!files || !call_body(options, *files, "", error)) {
    io.err << program << error << "\n";
    return exit_usage;
  }
  auto key = read_key(options.login, environment, io.in);
  if (!key.key) {
    io.err << program << key.error << "\n";
    return exit_usage;
  }
  const std::string shown_key = *key.key;
  SessionOptions session_options;
  session_options.client_id = options.login.client_id;
  AuthSession session(client, std::move(*key.key), session_options);
  SendResult last;
  std::optional<Grant> last_grant;
  const auto called = session.call([&](const Grant &grant) {
    const auto body = call_body(options, *files, grant.session(), error);
    RawRequest request;
    request.method = options.method;
    request.path = options.path;
    request.content_type = body->content_type;
    request.body = body->body;
    request.headers.emplace_back("Authorization", grant.authorization());
    last = client.send(request);
    last_grant = grant;
    return last ? last.exchange->status : 0;
  });
  if (called.error && called.error->login) {
    io.err << program << "login at " << client.base_url().to_string()
           << " failed: " << *called.error->login << "\n";
    return exit_code(called.error->login->kind);
  }
  if (!last) {
    io.err << program << options.method << " " << options.path << " failed: " << *last.error
           << "\n";
    return exit_transport;
  }
  const Exchange &answer = *last.exchange;
  nlohmann::ordered_json out{{"status", answer.status}, {"attempts", called.attempts}};
  if (const auto challenge = answer.header("WWW-Authenticate"); !challenge.empty()) {
    out["www_authenticate"] = challenge;
  }
  out["body"] = shown_body(answer.body, shown_key, *last_grant);
  io.out << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  if (called.error) {
    io.err << program << options.method << " " << options.path << ": " << *called.error << "\n";
  }
  return answer.status >= 200 && answer.status < 300 ? exit_ok : exit_call_refused;
}

int run_decode(Io io) {
  const std::string token = trimmed(read_all(io.in));
  if (token.empty()) {
    io.err << program << "[decode.empty] no token on standard input\n";
    return exit_usage;
  }
  const auto decoded = decode_jwt(token);
  if (!decoded) {
    io.err << program << "[decode.not-jwt] the input is not a JWT: " << decoded.error << "\n";
    return exit_protocol;
  }
  io.out << nlohmann::json{{"header", decoded.jwt->header}, {"claims", decoded.jwt->claims}}.dump(
                2, ' ', false, nlohmann::json::error_handler_t::replace)
         << "\n";
  return exit_ok;
}

} // namespace inspekt::cli
