#pragma once
// `inspekt-mock --watch`: reloads the fixture set when its files change (docs/admin-api.md,
// "Admin API": reload on file changes). inotify on the fixtures directory, so that the
// ways files really change are all seen: written in place, written to a temporary file
// and renamed over the old one (most editors), and a Kubernetes ConfigMap's atomic swap
// of its `..data` link. A burst of events (an editor's save is several) gives one call,
// once the directory has been quiet for a moment.

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <stdexcept>

namespace inspekt::mock {

class WatchError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

struct WatchOptions {
  // How long the directory must stay quiet after an event before `on_change` runs.
  std::chrono::milliseconds quiet{200};
  // While the directory is gone (deleted, renamed), how often to look for it again.
  std::chrono::milliseconds retry{500};
};

class FixtureWatch {
public:
  // Starts watching `directory` on a thread of its own, which calls `on_change` after
  // each burst of changes to a fixture file (keys.json, responses.json, tokens.json,
  // session.json) or to the directory as a whole; other files (an editor's swap file,
  // notes) are ignored. Throws WatchError naming the directory when it cannot be
  // watched.
  FixtureWatch(std::filesystem::path directory, std::function<void()> on_change,
               WatchOptions options = {});
  // Stops the thread; a call to `on_change` in progress finishes first.
  ~FixtureWatch();
  FixtureWatch(const FixtureWatch &) = delete;
  FixtureWatch &operator=(const FixtureWatch &) = delete;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace inspekt::mock
