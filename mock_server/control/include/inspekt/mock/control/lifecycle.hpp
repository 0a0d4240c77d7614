#pragma once
// The program's lifecycle as a library function: serve until SIGINT or SIGTERM, stop
// within a second, and say how it ended. inspekt-mock's main only parses its command
// line; tests and other programs can run a mock the same way.

#include "inspekt/mock/control/access_log.hpp"
#include "inspekt/mock/engine/mock_server.hpp"

#include <chrono>
#include <functional>
#include <thread>

namespace inspekt::mock {

struct StopPolicy {
  // Requests in flight get this long to finish after the signal.
  std::chrono::milliseconds grace{500};
  // The promise to users: the process exits this soon after the signal, even if a
  // connection will not close (a write blocked on a client that reads nothing).
  std::chrono::milliseconds exit_within{950};
};

enum class RunEnd {
  signalled, // SIGINT or SIGTERM: stopped as asked
  failed,    // the server stopped by itself (its listening socket failed)
};

// Blocks SIGINT, SIGTERM and SIGHUP in the calling thread (and the threads it starts
// later), so that they wait for run_until_signal instead of ending the process. Call it
// before the ready line: a signal sent right after that line must not kill the mock.
void block_lifecycle_signals();

// A thread for work beside the event loops (fixture reloads, admin calls): it starts
// with every signal blocked, whatever the caller's mask. (It once ran at nice +10: on a
// machine busy with other work, a reload of 100,000 keys under ASan then took over 30 s,
// and a SIGTERM waited for it.)
std::thread start_background_thread(std::function<void()> work);

// Serves `server` (bound already) on this thread until SIGINT or SIGTERM; one thread
// waits for the signals (blocked here first, if block_lifecycle_signals was not called).
// SIGHUP calls `on_hangup` (fixture reload) when given; otherwise it is noted and
// ignored, never fatal.
RunEnd run_until_signal(MockServer &server, AccessLog &log, StopPolicy policy = {},
                        std::function<void()> on_hangup = {});

} // namespace inspekt::mock
