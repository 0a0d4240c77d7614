#pragma once
// Fixture reloads asked for by SIGHUP or --watch, run on a thread of their own, so that
// the signal thread stays free for SIGTERM during a long reload; a burst of requests
// gives one reload, logged with the cause of the first ("on SIGHUP", "on a change in
// DIR").

#include "inspekt/mock/control/access_log.hpp"
#include "inspekt/mock/control/mock_runtime.hpp"

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace inspekt::mock {

class HangupReloader {
public:
  HangupReloader(MockRuntime &runtime, AccessLog &log);
  ~HangupReloader();
  HangupReloader(const HangupReloader &) = delete;
  HangupReloader &operator=(const HangupReloader &) = delete;
  // Asks for a reload; `cause` is logged with its result.
  void request(std::string cause);

private:
  void run();

  MockRuntime &runtime_;
  AccessLog &log_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool wanted_ = false;
  std::string cause_;
  bool stopping_ = false;
  std::thread thread_;
};

} // namespace inspekt::mock
