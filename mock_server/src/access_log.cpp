#include "inspekt/mock/access_log.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <mutex>
#include <sstream>
#include <thread>
#include <utility>
#include <vector>

namespace inspekt::mock {
namespace {

using nlohmann::json;

std::int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string iso_time(std::int64_t epoch_milliseconds) {
  const auto seconds = static_cast<std::time_t>(epoch_milliseconds / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[40];
  const auto length = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  char millis[8];
  std::snprintf(millis, sizeof millis, ".%03dZ", static_cast<int>(epoch_milliseconds % 1000));
  return std::string(text, length) + millis;
}

// Anything a client sent that is not plainly safe is quoted and escaped, so a path or
// client_id cannot forge a log line; bytes that are not UTF-8 become U+FFFD.
std::string quoted(const std::string &text) {
  const bool plain = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::strchr("/_.~%:?=&+-", c) != nullptr;
  });
  return plain ? text : json(text).dump(-1, ' ', false, json::error_handler_t::replace);
}

// Client-chosen text is cut, so one request cannot flood the log.
std::string clip(const std::string &text) {
  return text.size() <= 128 ? text : text.substr(0, 128) + "...";
}

} // namespace

std::string format_access_log(const AccessLogEntry &entry, LogFormat format,
                              std::int64_t epoch_milliseconds) {
  if (format == LogFormat::json) {
    json line = {{"time", iso_time(epoch_milliseconds)},
                 {"method", clip(entry.method)},
                 {"path", clip(entry.path)},
                 {"status", entry.status},
                 {"remote", entry.remote}};
    if (entry.duration) {
      line["duration_ms"] = static_cast<double>(entry.duration->count()) / 1000.0;
    }
    if (entry.facts) {
      line["outcome"] = entry.facts->answer;
      if (entry.facts->reason) {
        line["reason"] = to_string(*entry.facts->reason);
      }
      if (!entry.facts->key_hint.empty()) {
        line["key"] = entry.facts->key_hint;
      }
      if (entry.facts->client_id) {
        line["client_id"] = clip(*entry.facts->client_id);
      }
    }
    return line.dump(-1, ' ', false, json::error_handler_t::replace);
  }
  std::ostringstream line;
  line << iso_time(epoch_milliseconds) << ' ' << quoted(clip(entry.method)) << ' '
       << quoted(clip(entry.path)) << ' ' << entry.status;
  if (entry.duration) {
    char ms[32];
    std::snprintf(ms, sizeof ms, " %.3fms", static_cast<double>(entry.duration->count()) / 1000.0);
    line << ms;
  } else {
    line << " -";
  }
  if (entry.facts) {
    line << " outcome=" << entry.facts->answer;
    if (entry.facts->reason) {
      line << " reason=" << to_string(*entry.facts->reason);
    }
    if (!entry.facts->key_hint.empty()) {
      line << " key="
           << json(entry.facts->key_hint).dump(-1, ' ', false, json::error_handler_t::replace);
    }
    if (entry.facts->client_id) {
      line << " client_id=" << quoted(clip(*entry.facts->client_id));
    }
  }
  line << " remote=" << entry.remote;
  return line.str();
}

struct AccessLog::Writer {
  std::ostream *out = nullptr;
  int fd = -1;
  std::size_t max_waiting;
  std::mutex mutex;
  std::condition_variable wake;    // lines to write, or closing
  std::condition_variable written; // for flush()
  std::vector<std::string> waiting;
  std::uint64_t given = 0; // lines accepted so far
  std::uint64_t written_count = 0;
  std::uint64_t dropped = 0; // not yet reported
  bool closing = false;

  void run() {
    std::vector<std::string> batch;
    std::unique_lock<std::mutex> lock(mutex);
    while (true) {
      wake.wait(lock, [this] { return closing || !waiting.empty(); });
      if (waiting.empty()) {
        return; // closing, and all written
      }
      batch.swap(waiting);
      const std::uint64_t lost = std::exchange(dropped, 0);
      lock.unlock();
      std::string text;
      if (lost > 0) {
        text = iso_time(wall_clock_ms()) + " log: " + std::to_string(lost) +
               " lines dropped: the log's reader did not keep up\n";
      }
      for (const auto &line : batch) {
        text += line;
        text += '\n';
      }
      emit(text); // blocks while nobody reads a piped stderr, and only this thread
      lock.lock();
      written_count += batch.size();
      batch.clear();
      written.notify_all();
    }
  }

  void emit(const std::string &text) {
    if (out != nullptr) {
      *out << text << std::flush;
      return;
    }
    std::size_t done = 0;
    while (done < text.size()) {
      const auto n = ::write(fd, text.data() + done, text.size() - done);
      if (n > 0) {
        done += static_cast<std::size_t>(n);
      } else if (n < 0 && errno != EINTR) {
        return; // stderr closed: the lines are lost, the mock goes on
      }
    }
  }
};

AccessLog::AccessLog(std::ostream *out, LogFormat format, std::size_t max_waiting_lines)
    : format_(format) {
  if (out != nullptr) {
    auto writer = std::make_shared<Writer>();
    writer->out = out;
    writer->max_waiting = std::max<std::size_t>(max_waiting_lines, 1);
    start(std::move(writer));
  }
}

AccessLog::AccessLog(int fd, LogFormat format, std::size_t max_waiting_lines) : format_(format) {
  if (fd >= 0) {
    auto writer = std::make_shared<Writer>();
    writer->fd = fd;
    writer->max_waiting = std::max<std::size_t>(max_waiting_lines, 1);
    start(std::move(writer));
  }
}

void AccessLog::start(std::shared_ptr<Writer> writer) {
  writer_ = std::move(writer);
  // The thread takes no signals (SIGTERM and SIGINT are for inspekt-mock's stopper):
  // it starts with every signal blocked, whichever thread makes the log.
  sigset_t all;
  sigset_t previous;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &previous);
  std::thread([writer = writer_] { writer->run(); }).detach();
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

AccessLog::~AccessLog() {
  if (!writer_) {
    return;
  }
  flush(std::chrono::milliseconds(250));
  std::lock_guard<std::mutex> lock(writer_->mutex);
  writer_->closing = true;
  writer_->wake.notify_one();
}

bool AccessLog::flush(std::chrono::milliseconds timeout) {
  if (!writer_) {
    return true;
  }
  std::unique_lock<std::mutex> lock(writer_->mutex);
  const auto target = writer_->given;
  return writer_->written.wait_for(lock, timeout, [&] { return writer_->written_count >= target; });
}

void AccessLog::enqueue(std::string line) {
  std::lock_guard<std::mutex> lock(writer_->mutex);
  if (writer_->waiting.size() >= writer_->max_waiting) {
    ++writer_->dropped;
    return;
  }
  writer_->waiting.push_back(std::move(line));
  ++writer_->given;
  if (writer_->waiting.size() == 1) {
    writer_->wake.notify_one();
  }
}

void AccessLog::write(const AccessLogEntry &entry) {
  if (!writer_) {
    return;
  }
  enqueue(format_access_log(entry, format_, wall_clock_ms()));
}

void AccessLog::note(const std::string &event, const std::string &detail) {
  if (!writer_) {
    return;
  }
  std::string line;
  if (format_ == LogFormat::json) {
    line = json{{"time", iso_time(wall_clock_ms())}, {"event", event}, {"detail", detail}}.dump(
        -1, ' ', false, json::error_handler_t::replace);
  } else {
    line = iso_time(wall_clock_ms()) + " " + event + ": " + detail;
  }
  enqueue(std::move(line));
}

} // namespace inspekt::mock
