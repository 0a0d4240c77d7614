#include "inspekt/mock/control/access_log.hpp"
#include "inspekt/mock/fixtures/json_template.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <climits>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <mutex>
#include <string_view>
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

// Appends "YYYY-MM-DDTHH:MM:SS.mmmZ". The part down to the second is formatted once per
// second per thread: gmtime_r and strftime cost more than the rest of a log line.
void append_iso_time(std::string &out, std::int64_t epoch_milliseconds) {
  thread_local std::int64_t cached_second = INT64_MIN;
  thread_local char cached[32];
  thread_local std::size_t cached_length = 0;
  auto second = epoch_milliseconds / 1000;
  auto millis = static_cast<int>(epoch_milliseconds % 1000);
  if (millis < 0) { // before 1970: floor, as gmtime_r counts
    --second;
    millis += 1000;
  }
  if (second != cached_second) {
    const auto seconds = static_cast<std::time_t>(second);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    cached_length = std::strftime(cached, sizeof cached, "%Y-%m-%dT%H:%M:%S", &utc);
    cached_second = second;
  }
  out.append(cached, cached_length);
  const char text[6] = {'.',
                        static_cast<char>('0' + millis / 100),
                        static_cast<char>('0' + millis / 10 % 10),
                        static_cast<char>('0' + millis % 10),
                        'Z',
                        '\0'};
  out.append(text, 5);
}

std::string iso_time(std::int64_t epoch_milliseconds) {
  std::string text;
  append_iso_time(text, epoch_milliseconds);
  return text;
}

// The bytes a path or client_id may hold and still be written as they are.
constexpr std::array<bool, 256> plain_chars = [] {
  std::array<bool, 256> plain{};
  for (int c = 0; c < 256; ++c) {
    plain[static_cast<std::size_t>(c)] =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }
  for (const char c : std::string_view("/_.~%:?=&+-")) {
    plain[static_cast<unsigned char>(c)] = true;
  }
  return plain;
}();

bool plain_char(char c) {
  return plain_chars[static_cast<unsigned char>(c)];
}

template <class Integer> void append_integer(std::string &out, Integer value) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out.append(digits, static_cast<std::size_t>(end - digits));
}

std::string json_string(std::string_view text) {
  return json(std::string(text)).dump(-1, ' ', false, json::error_handler_t::replace);
}

// Anything a client sent that is not plainly safe is quoted and escaped, so a path or
// client_id cannot forge a log line; bytes that are not UTF-8 become U+FFFD.
void append_quoted(std::string &out, std::string_view text) {
  if (!text.empty() && std::all_of(text.begin(), text.end(), plain_char)) {
    out.append(text);
  } else {
    out += json_string(text);
  }
}

// Client-chosen text is cut, so one request cannot flood the log.
constexpr std::size_t clip_length = 128;

std::string clip(std::string_view text) {
  return text.size() <= clip_length ? std::string(text)
                                    : std::string(text.substr(0, clip_length)) + "...";
}

void append_quoted_clipped(std::string &out, std::string_view text) {
  if (text.size() <= clip_length) {
    append_quoted(out, text);
  } else {
    append_quoted(out, clip(text));
  }
}

// "1.500ms" for 1500 microseconds: the same digits as printf's "%.3f" of the
// milliseconds, without printf.
void append_milliseconds(std::string &out, std::chrono::microseconds duration) {
  const auto us = duration.count();
  if (us < 0) {
    char ms[32];
    std::snprintf(ms, sizeof ms, "%.3f", static_cast<double>(us) / 1000.0);
    out += ms;
  } else {
    append_integer(out, us / 1000);
    const auto fraction = static_cast<int>(us % 1000);
    const char text[4] = {static_cast<char>('0' + fraction / 100),
                          static_cast<char>('0' + fraction / 10 % 10),
                          static_cast<char>('0' + fraction % 10), '\0'};
    out += '.';
    out.append(text, 3);
  }
  out += "ms";
}

void append_access_log(std::string &out, const AccessLogEntry &entry, LogFormat format,
                       std::int64_t epoch_milliseconds) {
  if (format == LogFormat::json) {
    json line = {{"time", iso_time(epoch_milliseconds)},
                 {"method", clip(entry.method)},
                 {"path", clip(entry.path)},
                 {"status", entry.status ? json(*entry.status) : json(nullptr)},
                 {"remote", std::string(entry.remote)}};
    if (entry.fault) {
      line["fault"] = std::string(to_string(*entry.fault));
    }
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
    out += line.dump(-1, ' ', false, json::error_handler_t::replace);
    return;
  }
  append_iso_time(out, epoch_milliseconds);
  out += ' ';
  append_quoted_clipped(out, entry.method);
  out += ' ';
  append_quoted_clipped(out, entry.path);
  out += ' ';
  if (entry.status) {
    append_integer(out, *entry.status);
  } else {
    out += '-';
  }
  if (entry.duration) {
    out += ' ';
    append_milliseconds(out, *entry.duration);
  } else {
    out += " -";
  }
  if (entry.facts) {
    out += " outcome=";
    out += entry.facts->answer;
    if (entry.facts->reason) {
      out += " reason=";
      out += to_string(*entry.facts->reason);
    }
  }
  if (entry.fault) {
    out += " fault=";
    out += to_string(*entry.fault);
  }
  if (entry.facts) {
    if (!entry.facts->key_hint.empty()) {
      out += " key=";
      append_json_string(out, entry.facts->key_hint);
    }
    if (entry.facts->client_id) {
      out += " client_id=";
      append_quoted_clipped(out, *entry.facts->client_id);
    }
  }
  out += " remote=";
  out += entry.remote;
}

} // namespace

std::string format_access_log(const AccessLogEntry &entry, LogFormat format,
                              std::int64_t epoch_milliseconds) {
  std::string line;
  append_access_log(line, entry, format, epoch_milliseconds);
  return line;
}

// The lines wait in one buffer, each ended by '\n', and the writer thread takes the
// whole buffer at once: one write(2) for every line given since its last write. The
// writer is woken only when it sleeps with nothing to do; while it writes, or lingers
// for `linger` to let a batch fill, lines are appended without a wake. A request thus
// pays for formatting into a reused buffer and an uncontended mutex, not for waking a
// thread (and, through a pipe, its reader) per line.
struct AccessLog::Writer {
  static constexpr auto linger = std::chrono::milliseconds(2);
  static constexpr std::size_t full_batch = 256 * 1024; // bytes: write without lingering

  std::ostream *out = nullptr;
  int fd = -1;
  std::size_t max_waiting;
  std::mutex mutex;
  std::condition_variable wake;    // lines to write, or closing
  std::condition_variable written; // for flush()
  std::string waiting;             // lines, each with its '\n'
  std::size_t waiting_lines = 0;
  std::uint64_t given = 0; // lines accepted so far
  std::uint64_t written_count = 0;
  std::uint64_t dropped = 0; // not yet reported
  int flushing = 0;          // flush() calls waiting: no lingering
  bool idle = false;         // waiting on `wake` with nothing to write
  bool closing = false;

  void run() {
    std::string batch;
    std::unique_lock<std::mutex> lock(mutex);
    while (true) {
      idle = true;
      wake.wait(lock, [this] { return closing || waiting_lines > 0; });
      idle = false;
      if (waiting_lines == 0) {
        return; // closing, and all written
      }
      wake.wait_for(lock, linger,
                    [this] { return closing || flushing > 0 || waiting.size() >= full_batch; });
      batch.clear();
      batch.swap(waiting);
      const auto lines = std::exchange(waiting_lines, 0);
      const std::uint64_t lost = std::exchange(dropped, 0);
      lock.unlock();
      if (lost > 0) {
        std::string note;
        append_iso_time(note, wall_clock_ms());
        note +=
            " log: " + std::to_string(lost) + " lines dropped: the log's reader did not keep up\n";
        emit(note);
      }
      emit(batch); // blocks while nobody reads a piped stderr, and only this thread
      lock.lock();
      written_count += lines;
      written.notify_all();
      if (batch.capacity() > 4 * full_batch) {
        std::string().swap(batch); // a burst's buffer is not kept for good
      }
    }
  }

  void emit(const std::string &text) {
    if (text.empty()) {
      return;
    }
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
  ++writer_->flushing;
  writer_->wake.notify_one(); // cuts a lingering writer short
  const bool done =
      writer_->written.wait_for(lock, timeout, [&] { return writer_->written_count >= target; });
  --writer_->flushing;
  return done;
}

void AccessLog::enqueue(const std::string &line) {
  std::lock_guard<std::mutex> lock(writer_->mutex);
  if (writer_->waiting_lines >= writer_->max_waiting) {
    ++writer_->dropped;
    return;
  }
  writer_->waiting += line;
  writer_->waiting += '\n';
  ++writer_->waiting_lines;
  ++writer_->given;
  if (writer_->idle && writer_->waiting_lines == 1) {
    writer_->wake.notify_one();
  } else if (writer_->waiting.size() >= Writer::full_batch &&
             writer_->waiting.size() - line.size() - 1 < Writer::full_batch) {
    writer_->wake.notify_one(); // a lingering writer need not wait for more
  }
}

void AccessLog::write(const AccessLogEntry &entry) {
  if (!writer_) {
    return;
  }
  // Formatted outside the lock, into a buffer each thread keeps.
  thread_local std::string line;
  line.clear();
  append_access_log(line, entry, format_, wall_clock_ms());
  enqueue(line);
}

void AccessLog::delivered(const Delivery &delivery) {
  if (!writer_) {
    return;
  }
  AccessLogEntry entry;
  entry.method = delivery.method;
  entry.path = delivery.path;
  entry.status = delivery.status;
  entry.duration = delivery.duration;
  entry.facts = facts_of(delivery.note);
  entry.remote = delivery.remote;
  entry.fault = delivery.fault;
  write(entry);
}

void AccessLog::noted(std::string_view event, std::string_view detail) {
  note(std::string(event), std::string(detail));
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
    append_iso_time(line, wall_clock_ms());
    line += " " + event + ": " + detail;
  }
  enqueue(line);
}

} // namespace inspekt::mock
