#pragma once
// The threads of a running process, from /proc: how many, and how many sit blocked on
// a futex (a worker waiting for its next connection). A thread still serving a
// connection waits in poll, read or sleep instead. Linux only, like the mock.

namespace inspekt::testing {

struct ThreadCensus {
  int total = 0;
  int waiting = 0; // blocked in futex()
  int busy() const { return total - waiting; }
};

ThreadCensus thread_census(int pid);

} // namespace inspekt::testing
