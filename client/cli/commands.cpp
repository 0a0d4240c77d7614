#include "commands.hpp"

#include "inspekt/client/cli_errors.hpp"
#include "inspekt/client/closest_name.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
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
         "  0  logged in (login) or decoded (decode)\n"
         "  1  internal error of inspekt-auth\n"
         "  2  usage: bad flag, missing/empty/unreadable key, bad base URL or CA file\n"
         "  3  invalid request: the server answered 400\n"
         "  4  invalid key: the server answered 401\n"
         "  5  method not allowed: the server answered 405\n"
         "  6  unexpected status: any other status (404, 429, 5xx, ...)\n"
         "  7  transport: no answer (connection refused, DNS, timeout, TLS/certificate)\n"
         "  8  protocol: a 200 outside the contract, or decode input that is not a JWT\n";
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
  if (options.insecure) {
    io.err << program
           << "warning: --insecure: TLS certificates are not verified; anyone on the network "
              "path can read the key and the tokens\n";
  }
  if (options.show_claims && options.format != OutputFormat::json) {
    io.err << program << "[usage.show-claims] --show-claims needs --format json\n";
    return exit_usage;
  }
  ClientOptions client_options;
  client_options.base_url = resolve_base_url(options, environment);
  client_options.connect_timeout = options.timeout;
  client_options.read_timeout = options.timeout;
  client_options.ca_file = options.ca_file;
  client_options.verify_tls = !options.insecure;
  client_options.user_agent = "inspekt-auth/" INSPEKT_VERSION;
  const AuthClient client(client_options);
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
