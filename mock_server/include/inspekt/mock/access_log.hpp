#pragma once
// One line per request: method, path, status, duration, outcome, client_id and the
// key's first characters. Never a whole key, never a token.

#include "inspekt/mock/auth_handler.hpp"

#include <chrono>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>

namespace inspekt::mock {

enum class LogFormat { text, json };

struct AccessLogEntry {
  std::string method;
  std::string path;
  int status = 0;
  std::optional<std::chrono::microseconds> duration; // unknown for unparsable requests
  std::optional<RequestFacts> facts;                 // absent when the handler never ran
  std::string remote;
};

std::string format_access_log(const AccessLogEntry &entry, LogFormat format,
                              std::int64_t epoch_milliseconds);

class AccessLog {
public:
  // A null stream logs nothing.
  AccessLog(std::ostream *out, LogFormat format) : out_(out), format_(format) {}

  bool enabled() const { return out_ != nullptr; }
  void write(const AccessLogEntry &entry);
  // Lines that are not requests (start, stop), in the same format.
  void note(const std::string &event, const std::string &detail);

private:
  std::mutex mutex_;
  std::ostream *out_;
  LogFormat format_;
};

} // namespace inspekt::mock
