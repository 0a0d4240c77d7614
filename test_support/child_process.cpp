#include "child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char **environ;

namespace inspekt::testing {
namespace {

int decode_status(int raw) {
  return WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
}

} // namespace

ChildProcess::ChildProcess(std::vector<std::string> argv, std::vector<std::string> extra_env) {
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) {
    throw std::runtime_error("pipe failed");
  }
  char path_template[] = "/tmp/inspekt-child-stderr-XXXXXX";
  const int err_fd = ::mkstemp(path_template);
  stderr_path_ = path_template;

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_fd, STDERR_FILENO);

  std::vector<char *> args;
  for (auto &a : argv) {
    args.push_back(a.data());
  }
  args.push_back(nullptr);
  const auto name_of = [](const std::string &entry) { return entry.substr(0, entry.find('=')); };
  std::vector<std::string> env_storage;
  for (char **e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    const bool overridden = std::any_of(extra_env.begin(), extra_env.end(), [&](const auto &x) {
      return name_of(x) == name_of(entry);
    });
    if (!overridden) {
      env_storage.push_back(entry);
    }
  }
  for (const auto &entry : extra_env) {
    if (entry.find('=') != std::string::npos) {
      env_storage.push_back(entry);
    }
  }
  std::vector<char *> env;
  for (auto &e : env_storage) {
    env.push_back(e.data());
  }
  env.push_back(nullptr);

  const int rc = ::posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  ::close(err_fd);
  if (rc != 0) {
    ::close(out[0]);
    throw std::runtime_error("cannot start " + argv[0]);
  }
  stdout_fd_ = out[0];
}

ChildProcess::~ChildProcess() {
  if (!status_) {
    ::kill(pid_, SIGKILL);
    int raw = 0;
    ::waitpid(pid_, &raw, 0);
  }
  ::close(stdout_fd_);
  ::unlink(stderr_path_.c_str());
}

std::optional<std::string> ChildProcess::read_line(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const auto newline = pending_.find('\n');
    if (newline != std::string::npos) {
      std::string line = pending_.substr(0, newline);
      pending_.erase(0, newline + 1);
      return line;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return std::nullopt;
    }
    pollfd p{stdout_fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
      continue;
    }
    char buffer[4096];
    const auto n = ::read(stdout_fd_, buffer, sizeof buffer);
    if (n <= 0) {
      return std::nullopt;
    }
    pending_.append(buffer, static_cast<std::size_t>(n));
  }
}

void ChildProcess::signal(int signal_number) {
  if (!status_) {
    ::kill(pid_, signal_number);
  }
}

std::optional<int> ChildProcess::wait(std::chrono::milliseconds timeout) {
  if (status_) {
    return status_;
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  do {
    int raw = 0;
    if (::waitpid(pid_, &raw, WNOHANG) == pid_) {
      status_ = decode_status(raw);
      return status_;
    }
    // waitpid has no timeout; a short poll keeps the measured exit time honest.
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  } while (std::chrono::steady_clock::now() < deadline);
  return std::nullopt;
}

std::string ChildProcess::stderr_text() const {
  std::ifstream in(stderr_path_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

StartedMock start_mock_binary(std::vector<std::string> extra_args,
                              std::vector<std::string> extra_env) {
  std::vector<std::string> argv{INSPEKT_MOCK_BINARY, "--port", "0"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  StartedMock started;
  // A token in the developer's shell must not close the admin API of every test's mock.
  extra_env.insert(extra_env.begin(), "INSPEKT_ADMIN_TOKEN");
  started.process = std::make_unique<ChildProcess>(argv, std::move(extra_env));
  const auto line = started.process->read_line(std::chrono::seconds(10));
  const std::string prefix = "listening on ";
  if (line && line->rfind(prefix, 0) == 0) {
    started.base_url = line->substr(prefix.size());
    started.port = std::stoi(started.base_url.substr(started.base_url.rfind(':') + 1));
  }
  return started;
}

} // namespace inspekt::testing
