#include "inspekt/mock/control/lifecycle.hpp"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <iostream>
#include <thread>

namespace inspekt::mock {
namespace {

sigset_t lifecycle_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  return signals;
}

} // namespace

void block_lifecycle_signals() {
  // The signals are taken by one thread with sigwait, so the threads the server starts
  // (which inherit this mask) never run a signal handler.
  const sigset_t signals = lifecycle_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
}

std::thread start_background_thread(std::function<void()> work) {
  sigset_t all, before;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &before); // the new thread inherits it
  std::thread thread(std::move(work));
  pthread_sigmask(SIG_SETMASK, &before, nullptr);
  return thread;
}

RunEnd run_until_signal(MockServer &server, AccessLog &log, StopPolicy policy,
                        std::function<void()> on_hangup) {
  block_lifecycle_signals();
  const sigset_t signals = lifecycle_signals();

  std::promise<void> finished;
  std::shared_future<void> done = finished.get_future().share();
  std::atomic<bool> run_ended{false};
  std::atomic<bool> signalled{false};
  std::thread stopper([&] {
    while (true) {
      int signal_number = 0;
      sigwait(&signals, &signal_number);
      if (run_ended) {
        return; // woken below: the server ended on its own
      }
      if (signal_number == SIGHUP) {
        if (on_hangup) {
          on_hangup();
        } else {
          log.note("sighup", "ignored: this mock has nothing to reload on SIGHUP");
        }
        continue;
      }
      signalled = true;
      const auto start = std::chrono::steady_clock::now();
      log.note("stopping", std::string("on ") + (signal_number == SIGINT ? "SIGINT" : "SIGTERM"));
      server.stop(policy.grace);
      if (done.wait_until(start + policy.exit_within) == std::future_status::timeout) {
        log.note("stopped", "some connections did not close in time; exiting anyway");
        log.flush(std::chrono::milliseconds(30));
        std::cout.flush();
        _exit(0);
      }
      return;
    }
  });

  server.run();
  run_ended = true;
  finished.set_value();
  pthread_kill(stopper.native_handle(), SIGTERM); // wakes sigwait when no signal came
  stopper.join();
  if (!signalled) {
    return RunEnd::failed;
  }
  log.note("stopped", "all connections closed");
  return RunEnd::signalled;
}

} // namespace inspekt::mock
