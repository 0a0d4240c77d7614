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

} // namespace inspekt::testing
