// inspekt-auth: parses the command line and runs a command from commands.hpp.

#include "commands.hpp"

#include "inspekt/core/cli_errors.hpp"
#include "inspekt/core/version.hpp"

#include <CLI/CLI.hpp>

#include <cmath>
#include <csignal>
#include <iostream>

namespace {

using namespace inspekt::cli;

// A key passed as a flag or a stray argument must not be echoed back by an error
// message (CLI11 lists unexpected arguments), so such mistakes get a fixed text.
bool looks_like_key_flag(std::string_view arg) {
  for (std::string_view flag : {"--key", "--api-key", "-k"}) {
    if (arg == flag ||
        (arg.rfind(flag, 0) == 0 && arg.size() > flag.size() && arg[flag.size()] == '=')) {
      return true;
    }
  }
  return false;
}

const std::string key_and_url_footer =
    "The key comes from $INSPEKT_API_KEY, --key-file or --key-stdin, never from argv.\n"
    "The base URL: --base-url, else $INSPEKT_BASE_URL, else " +
    std::string(inspekt::live_base_url) + ".";

// Where and how to log in: shared by login and call.
void add_login_options(CLI::App &command, LoginOptions &options, double &timeout_seconds) {
  command.add_option("--base-url", options.base_url,
                     "API base URL, e.g. http://127.0.0.1:8080 (default: $INSPEKT_BASE_URL, "
                     "else the live service)");
  command.add_option("--client-id", options.client_id, "Optional client identifier");
  command
      .add_option("--ca-file", options.ca_file,
                  "PEM file of CAs to trust instead of the system store (a private CA, the "
                  "mock's --tls-write-ca file)")
      ->check(CLI::ExistingFile);
  command.add_flag("--insecure", options.insecure,
                   "Do not verify the server's TLS certificate (prints a warning every run)");
  command
      .add_option("--timeout", timeout_seconds,
                  "Seconds to wait for the connection and for each part of the answer")
      ->check(CLI::Range(0.001, 3600.0))
      ->capture_default_str();
  auto *key_file =
      command.add_option("--key-file", options.key_file,
                         "Read the API key from this file (surrounding white space dropped)");
  auto *key_stdin =
      command.add_flag("--key-stdin", options.key_stdin, "Read the API key from stdin");
  key_file->excludes(key_stdin);
}

std::chrono::milliseconds timeout_of(double seconds) {
  return std::chrono::milliseconds(static_cast<long>(std::ceil(seconds * 1000.0)));
}

// The command line: the program, its three commands and what their flags fill in.
struct CommandLine {
  CLI::App app{"inspekt-auth: logs in to the Inspektlabs Authentication API "
               "(POST /api/authenticate) and prints the credentials, or calls a guarded "
               "route with them.",
               "inspekt-auth"};
  LoginOptions login_options;
  double timeout_seconds = 10;
  std::string format = "json";
  CallOptions call_options;
  double call_timeout_seconds = 10;
  CLI::App *login = nullptr;
  CLI::App *call = nullptr;
  CLI::App *decode = nullptr;
};

void add_login_command(CommandLine &line) {
  line.login = line.app.add_subcommand(
      "login", "Log in; print session, access_token and refresh_token (JSON, or env lines)");
  line.login->footer("\n" + key_and_url_footer + "\n\n" + exit_code_table());
  add_login_options(*line.login, line.login_options, line.timeout_seconds);
  line.login
      ->add_option("--format", line.format, "Output: json, or env (NAME=value lines for shells)")
      ->check(CLI::IsMember({"json", "env"}))
      ->capture_default_str();
  line.login->add_flag("--show-claims", line.login_options.show_claims,
                       "Add both tokens' decoded header and claims to the JSON output");
}

void add_call_command(CommandLine &line) {
  CLI::App *call = line.app.add_subcommand(
      "call", "Log in, then call a guarded route (default POST " +
                  std::string(inspekt::upload_path) +
                  ") with the Authorization header and session; print its status and body");
  call->footer("\nThe body: --data JSON (an object; its \"session\" is set to the login's), or "
               "--file F\n(multipart/form-data: a \"session\" field and each file as a part "
               "\"file\"), else\n{\"session\": ...}. A 401 logs in once more and retries once.\n"
               "Prints {\"status\", \"attempts\", \"www_authenticate\" (when sent), \"body\"}.\n" +
               key_and_url_footer + "\n\n" + exit_code_table());
  CallOptions &options = line.call_options;
  add_login_options(*call, options.login, line.call_timeout_seconds);
  call->add_option("--path", options.path, "The guarded route's path")->capture_default_str();
  call->add_option("--method", options.method, "The request method")->capture_default_str();
  auto *data = call->add_option("--data", options.data,
                                "A JSON object to send; its \"session\" member is set");
  call->add_option("--file", options.files, "A file to upload as multipart/form-data (repeatable)")
      ->check(CLI::ExistingFile);
  data->excludes(call->get_option("--file"));
  line.call = call;
}

void build(CommandLine &line) {
  line.app.footer("\n" + exit_code_table());
  line.app.set_version_flag("--version", "inspekt-auth " + std::string(inspekt::version()));
  // Extras are collected, not refused by CLI11: its messages repeat the arguments (one
  // may be a key) and cannot tell a misspelt flag from a stray value.
  line.app.allow_extras();
  add_login_command(line);
  add_call_command(line);
  line.decode = line.app.add_subcommand(
      "decode", "Read a JWT on stdin; print its header and claims as JSON (no signature check)");
  for (CLI::App *command : {line.login, line.call, line.decode}) {
    command->allow_extras();
  }
}

// Usage mistakes: one line with an id, and the help of the command concerned.
int usage(std::string_view problem, const CLI::App *command) {
  return inspekt::report_usage_problem(
      std::cerr, "inspekt-auth", problem,
      "inspekt-auth " + (command ? command->get_name() + " " : std::string()) + "--help");
}

// Parses argv; an exit code when the program ends here (help, version, a usage mistake).
std::optional<int> parse(CommandLine &line, int argc, char **argv) {
  try {
    line.app.parse(argc, argv);
  } catch (const CLI::Success &e) {
    return line.app.exit(e); // --help, --version
  } catch (const CLI::ParseError &e) {
    // A subcommand's flag: its help, which lists the values the flag takes.
    const CLI::App *failed = line.login->parsed()    ? line.login
                             : line.call->parsed()   ? line.call
                             : line.decode->parsed() ? line.decode
                                                     : nullptr;
    return usage(inspekt::parse_error_problem(e.get_name(), e.what()), failed);
  }
  CLI::App *command = nullptr;
  for (CLI::App *known : {line.login, line.call, line.decode}) {
    command = known->parsed() ? known : command;
  }
  std::vector<std::string> extras = line.app.remaining();
  if (command != nullptr) {
    if (const auto problem = flag_before_command_problem(extras, command->get_name(),
                                                         inspekt::long_flag_names(*command))) {
      return usage(*problem, command);
    }
    const auto more = command->remaining();
    extras.insert(extras.end(), more.begin(), more.end());
  }
  const auto problem = command_line_problem(
      extras, command ? std::optional<std::string>(command->get_name()) : std::nullopt,
      {"login", "call", "decode"}, inspekt::long_flag_names(command ? *command : line.app));
  if (problem) {
    return usage(*problem, command);
  }
  return std::nullopt;
}

int run(CommandLine &line) {
  try {
    const inspekt::cli::Io io{std::cin, std::cout, std::cerr};
    if (line.decode->parsed()) {
      return run_decode(io);
    }
    if (line.call->parsed()) {
      line.call_options.login.timeout = timeout_of(line.call_timeout_seconds);
      return run_call(line.call_options, process_environment(), io);
    }
    line.login_options.timeout = timeout_of(line.timeout_seconds);
    line.login_options.format = line.format == "env" ? OutputFormat::env : OutputFormat::json;
    return run_login(line.login_options, process_environment(), io);
  } catch (const std::exception &e) {
    std::cerr << "inspekt-auth: internal error: " << e.what() << "\n";
    return exit_failure;
  }
}

} // namespace

int main(int argc, char **argv) {
  // A server that closes before reading the request must not kill the program: the
  // HTTP client writes without MSG_NOSIGNAL, and the failure is reported as one.
  std::signal(SIGPIPE, SIG_IGN);
  for (int i = 1; i < argc; ++i) {
    if (looks_like_key_flag(argv[i])) {
      std::cerr << "inspekt-auth: [usage.key-argument] " << key_hint << "\n";
      return exit_usage;
    }
  }
  CommandLine line;
  build(line);
  if (const auto done = parse(line, argc, argv)) {
    return *done;
  }
  return run(line);
}
