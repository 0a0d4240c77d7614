#pragma once
// What a running process holds, from /proc: its threads (how many, and how many sit
// blocked on a futex: a worker waiting for its next connection; a thread still serving
// a connection waits in poll, read or sleep instead), its open descriptors and its
// resident memory. Linux only, like the mock.

#include <cstddef>

namespace inspekt::testing {

struct ThreadCensus {
  int total = 0;
  int waiting = 0; // blocked in futex()
  int busy() const { return total - waiting; }
};

ThreadCensus thread_census(int pid);

// How many descriptors the process has open (/proc/PID/fd).
std::size_t open_descriptors(int pid);

// Its resident memory in KiB (VmRSS in /proc/PID/status); 0 when unknown.
std::size_t resident_kib(int pid);

} // namespace inspekt::testing
