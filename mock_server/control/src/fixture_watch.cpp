#include "inspekt/mock/control/fixture_watch.hpp"

#include "inspekt/mock/fixtures/fixture_loader.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <optional>
#include <string_view>
#include <thread>

namespace inspekt::mock {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::uint32_t watched_events = IN_CLOSE_WRITE | IN_MODIFY | IN_CREATE | IN_DELETE |
                                         IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE_SELF |
                                         IN_MOVE_SELF | IN_ONLYDIR;

// The names whose changes change the set: its files, and the link a Kubernetes
// ConfigMap volume swaps atomically (the files themselves are links through it).
bool names_the_set(std::string_view name) {
  if (name == "..data") {
    return true;
  }
  return is_fixture_file_name(name);
}

class Descriptor {
public:
  explicit Descriptor(int fd) : fd_(fd) {}
  ~Descriptor() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  Descriptor(const Descriptor &) = delete;
  Descriptor &operator=(const Descriptor &) = delete;
  int get() const { return fd_; }

private:
  int fd_;
};

} // namespace

struct FixtureWatch::Impl {
  std::filesystem::path directory;
  std::function<void()> on_change;
  WatchOptions options;
  Descriptor inotify{::inotify_init1(IN_NONBLOCK | IN_CLOEXEC)};
  Descriptor stop{::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)};
  int watch = -1; // -1 while the directory is gone
  std::thread thread;

  bool add_watch() {
    watch = ::inotify_add_watch(inotify.get(), directory.c_str(), watched_events);
    return watch >= 0;
  }

  // Reads the pending events; true when one of them changes the set.
  bool drain() {
    alignas(inotify_event) std::array<char, 4096> buffer;
    bool changed = false;
    for (;;) {
      const ssize_t got = ::read(inotify.get(), buffer.data(), buffer.size());
      if (got <= 0) {
        return changed; // EAGAIN: nothing more for now
      }
      for (ssize_t at = 0; at < got;) {
        inotify_event event;
        std::memcpy(&event, buffer.data() + at, sizeof event);
        const char *name = buffer.data() + at + sizeof event;
        at += static_cast<ssize_t>(sizeof event + event.len);
        if (event.wd != watch) {
          continue; // a watch given up already
        }
        if ((event.mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) != 0) {
          // The directory went away or moved: what the path names now is another
          // directory, or nothing. Watch the path again once it is there.
          if ((event.mask & IN_IGNORED) == 0) {
            ::inotify_rm_watch(inotify.get(), watch);
          }
          watch = -1;
          changed = true;
        } else if (event.len > 0 && names_the_set(std::string_view(name))) {
          changed = true;
        }
      }
    }
  }

  void run() {
    std::optional<Clock::time_point> due; // when the burst in progress is over
    for (;;) {
      int timeout = -1;
      if (due) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(*due - Clock::now()).count();
        timeout = static_cast<int>(std::max<std::int64_t>(0, left));
      }
      if (watch < 0) {
        const auto retry = static_cast<int>(options.retry.count());
        timeout = timeout < 0 ? retry : std::min(timeout, retry);
      }
      std::array<pollfd, 2> fds{pollfd{stop.get(), POLLIN, 0}, pollfd{inotify.get(), POLLIN, 0}};
      const int ready = ::poll(fds.data(), fds.size(), timeout);
      if (ready < 0 && errno != EINTR) {
        return;
      }
      if ((fds[0].revents & POLLIN) != 0) {
        return;
      }
      if ((fds[1].revents & POLLIN) != 0 && drain()) {
        due = Clock::now() + options.quiet;
      }
      if (watch < 0 && add_watch()) {
        due = Clock::now() + options.quiet; // back: its files may differ from before
      }
      if (due && Clock::now() >= *due) {
        due.reset();
        try {
          on_change();
        } catch (...) {
          // The caller reports its own failures; a throw must not end the watch.
        }
      }
    }
  }
};

FixtureWatch::FixtureWatch(std::filesystem::path directory, std::function<void()> on_change,
                           WatchOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->directory = std::move(directory);
  impl_->on_change = std::move(on_change);
  impl_->options = options;
  if (impl_->inotify.get() < 0 || impl_->stop.get() < 0) {
    throw WatchError("--watch: cannot watch files: " + std::string(std::strerror(errno)));
  }
  if (!impl_->add_watch()) {
    throw WatchError("--watch: cannot watch " + impl_->directory.string() + ": " +
                     std::strerror(errno));
  }
  impl_->thread = std::thread([impl = impl_.get()] { impl->run(); });
}

FixtureWatch::~FixtureWatch() {
  const std::uint64_t one = 1;
  [[maybe_unused]] const ssize_t written = ::write(impl_->stop.get(), &one, sizeof one);
  impl_->thread.join();
}

} // namespace inspekt::mock
