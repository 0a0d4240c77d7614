// inspekt-auth: parses the command line and runs a command from commands.hpp.

#include "commands.hpp"

#include "inspekt/client/cli_errors.hpp"
#include "inspekt/client/version.hpp"

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

  CLI::App app{"inspekt-auth: logs in to the Inspektlabs Authentication API "
               "(POST /api/authenticate) and prints the credentials.",
               "inspekt-auth"};
  app.footer("\n" + exit_code_table());
  app.set_version_flag("--version", "inspekt-auth " + std::string(inspekt::version()));
  // Extras are collected, not refused by CLI11: its messages repeat the arguments (one
  // may be a key) and cannot tell a misspelt flag from a stray value.
  app.allow_extras();

  LoginOptions login_options;
  double timeout_seconds = 10;
  std::string format = "json";
  auto *login = app.add_subcommand(
      "login", "Log in; print session, access_token and refresh_token (JSON, or env lines)");
  login->footer("\nThe key comes from $INSPEKT_API_KEY, --key-file or --key-stdin, never from "
                "argv.\nThe base URL: --base-url, else $INSPEKT_BASE_URL, else " +
                std::string(inspekt::live_base_url) + ".\n\n" + exit_code_table());
  login->add_option("--base-url", login_options.base_url,
                    "API base URL, e.g. http://127.0.0.1:8080 (default: $INSPEKT_BASE_URL, "
                    "else the live service)");
  login->add_option("--client-id", login_options.client_id, "Optional client identifier");
  login
      ->add_option("--ca-file", login_options.ca_file,
                   "PEM file of CAs to trust instead of the system store (a private CA, the "
                   "mock's --tls-write-ca file)")
      ->check(CLI::ExistingFile);
  login->add_flag("--insecure", login_options.insecure,
                  "Do not verify the server's TLS certificate (prints a warning every run)");
  login
      ->add_option("--timeout", timeout_seconds,
                   "Seconds to wait for the connection and for each part of the answer")
      ->check(CLI::Range(0.001, 3600.0))
      ->capture_default_str();
  login->add_option("--format", format, "Output: json, or env (NAME=value lines for shells)")
      ->check(CLI::IsMember({"json", "env"}))
      ->capture_default_str();
  login->add_flag("--show-claims", login_options.show_claims,
                  "Add both tokens' decoded header and claims to the JSON output");
  auto *key_file = login->add_option("--key-file", login_options.key_file,
                                     "Read the API key from this file (surrounding white "
                                     "space dropped)");
  auto *key_stdin =
      login->add_flag("--key-stdin", login_options.key_stdin, "Read the API key from stdin");
  key_file->excludes(key_stdin);

  auto *decode = app.add_subcommand(
      "decode", "Read a JWT on stdin; print its header and claims as JSON (no signature check)");

  login->allow_extras();
  decode->allow_extras();

  // Usage mistakes: one line with an id, and the help of the command concerned.
  const auto usage = [&](std::string_view problem, const CLI::App *command) {
    return inspekt::report_usage_problem(
        std::cerr, "inspekt-auth", problem,
        "inspekt-auth " + (command ? command->get_name() + " " : std::string()) + "--help");
  };
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success &e) {
    return app.exit(e); // --help, --version
  } catch (const CLI::ParseError &e) {
    // A subcommand's flag: its help, which lists the values the flag takes.
    const CLI::App *failed = login->parsed() ? login : decode->parsed() ? decode : nullptr;
    return usage(inspekt::parse_error_problem(e.get_name(), e.what()), failed);
  }
  CLI::App *command = login->parsed() ? login : decode->parsed() ? decode : nullptr;
  std::vector<std::string> extras = app.remaining();
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
      {"login", "decode"}, inspekt::long_flag_names(command ? *command : app));
  if (problem) {
    return usage(*problem, command);
  }

  try {
    const inspekt::cli::Io io{std::cin, std::cout, std::cerr};
    if (decode->parsed()) {
      return run_decode(io);
    }
    login_options.timeout =
        std::chrono::milliseconds(static_cast<long>(std::ceil(timeout_seconds * 1000.0)));
    login_options.format = format == "env" ? OutputFormat::env : OutputFormat::json;
    return run_login(login_options, process_environment(), io);
  } catch (const std::exception &e) {
    std::cerr << "inspekt-auth: internal error: " << e.what() << "\n";
    return exit_failure;
  }
}
