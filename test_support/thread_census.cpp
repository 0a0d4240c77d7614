#include "thread_census.hpp"

#include <sys/syscall.h>

#include <filesystem>
#include <fstream>

namespace inspekt::testing {

ThreadCensus thread_census(int pid) {
  ThreadCensus census;
  std::error_code error;
  const std::filesystem::path tasks = "/proc/" + std::to_string(pid) + "/task";
  for (const auto &task : std::filesystem::directory_iterator(tasks, error)) {
    ++census.total;
    // The first field is the number of the system call the thread is blocked in.
    std::ifstream syscall_file(task.path() / "syscall");
    long number = -1;
    if (syscall_file >> number && number == SYS_futex) {
      ++census.waiting;
    }
  }
  return census;
}

std::size_t open_descriptors(int pid) {
  std::error_code error;
  std::size_t count = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", error);
       !error && it != std::filesystem::directory_iterator(); it.increment(error)) {
    ++count;
  }
  return count;
}

std::size_t resident_kib(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::stoul(line.substr(6));
    }
  }
  return 0;
}

} // namespace inspekt::testing
