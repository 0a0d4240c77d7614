#pragma once
// Runs a program of ours as a child process for tests: stdout is read line by line
// (the ready line), stderr goes to a file the test can read, and the destructor kills
// and reaps whatever is still running. No sleeps: reads wait with poll() and a deadline.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace inspekt::testing {

class ChildProcess {
public:
  // extra_env: "NAME=value" sets NAME, replacing an inherited value; "NAME" alone
  // removes it, so a test never picks up a real key from the developer's shell.
  explicit ChildProcess(std::vector<std::string> argv, std::vector<std::string> extra_env = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess &) = delete;
  ChildProcess &operator=(const ChildProcess &) = delete;

  // The next line on stdout, or nothing when the deadline passes or stdout closes.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout);
  void signal(int signal_number);
  // The exit status (or 128 + signal), or nothing when still running at the deadline.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  // Everything the child wrote to stderr so far.
  std::string stderr_text() const;
  int pid() const { return pid_; }

private:
  int pid_ = -1;
  int stdout_fd_ = -1;
  std::string stderr_path_;
  std::string pending_;
  std::optional<int> status_;
};

// Starts inspekt-mock on a free port and waits for its ready line.
struct StartedMock {
  std::unique_ptr<ChildProcess> process;
  std::string base_url; // empty when it never became ready
  int port = 0;
};
// `extra_env` as for ChildProcess; INSPEKT_ADMIN_TOKEN is removed unless given there.
StartedMock start_mock_binary(std::vector<std::string> extra_args = {},
                              std::vector<std::string> extra_env = {});

} // namespace inspekt::testing
