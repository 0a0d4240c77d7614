#include "inspekt/mock/access_log.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <sstream>

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
      line["outcome"] = to_string(entry.facts->outcome);
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
    line << " outcome=" << to_string(entry.facts->outcome);
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

void AccessLog::write(const AccessLogEntry &entry) {
  if (!out_) {
    return;
  }
  const std::string line = format_access_log(entry, format_, wall_clock_ms());
  std::lock_guard<std::mutex> lock(mutex_);
  *out_ << line << '\n' << std::flush;
}

void AccessLog::note(const std::string &event, const std::string &detail) {
  if (!out_) {
    return;
  }
  std::string line;
  if (format_ == LogFormat::json) {
    line = json{{"time", iso_time(wall_clock_ms())}, {"event", event}, {"detail", detail}}.dump(
        -1, ' ', false, json::error_handler_t::replace);
  } else {
    line = iso_time(wall_clock_ms()) + " " + event + ": " + detail;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  *out_ << line << '\n' << std::flush;
}

} // namespace inspekt::mock
