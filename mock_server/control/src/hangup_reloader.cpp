#include "inspekt/mock/control/hangup_reloader.hpp"

#include "inspekt/mock/control/lifecycle.hpp"

#include <sstream>

namespace inspekt::mock {

HangupReloader::HangupReloader(MockRuntime &runtime, AccessLog &log)
    : runtime_(runtime), log_(log), thread_(start_background_thread([this] { run(); })) {}

HangupReloader::~HangupReloader() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void HangupReloader::request(std::string cause) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!wanted_) {
      cause_ = std::move(cause);
    }
    wanted_ = true;
  }
  wake_.notify_one();
}

void HangupReloader::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return wanted_ || stopping_; });
    if (stopping_) {
      return;
    }
    wanted_ = false;
    const std::string cause = std::move(cause_);
    lock.unlock();
    const auto result = runtime_.reload();
    if (result) {
      std::ostringstream detail;
      detail.precision(1);
      detail << std::fixed << cause << ": " << result.value->origin << ": " << result.value->keys
             << " keys in " << result.value->load_ms << " ms";
      log_.note("reload ok", detail.str());
    } else {
      log_.note("reload refused", cause + ": " + result.refusal.message);
    }
    lock.lock();
  }
}

} // namespace inspekt::mock
