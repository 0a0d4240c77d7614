#pragma once
// One line per request, written when the answer is delivered: method, path, the status
// that went on the wire, the time to the answer's last byte, the answer's name (and why,
// for a refusal), the fault, client_id and the key's first characters. Never a whole key,
// never a token.

#include "inspekt/mock/engine/delivery.hpp"
#include "inspekt/mock/handler/auth_handler.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace inspekt::mock {

enum class LogFormat { text, json };

// One answered request, as the log shows it. The views point at what the caller holds
// while it formats or writes the entry (no copies per request).
struct AccessLogEntry {
  std::string_view method;
  std::string_view path;
  std::optional<int> status;                         // none: a fault sent no status line ("-")
  std::optional<std::chrono::microseconds> duration; // unknown for unparsable requests
  const RequestFacts *facts = nullptr;               // absent when the handler never ran
  std::string_view remote;
  std::optional<Fault> fault;
};

std::string format_access_log(const AccessLogEntry &entry, LogFormat format,
                              std::int64_t epoch_milliseconds);

// Lines are formatted by the caller and written by a thread of the log's own, so a
// stream that blocks (stderr piped to a process that never reads it) never holds up a
// request or the shutdown. Past `max_waiting_lines` unwritten lines, new ones are
// dropped, and how many is said once the stream takes lines again. The writer takes
// every waiting line at once (one write(2)), and is woken only when it sleeps idle:
// a line reaches the stream up to 2 ms after it is given.
class AccessLog final : public DeliveryObserver {
public:
  // A null stream logs nothing (and starts no thread).
  AccessLog(std::ostream *out, LogFormat format, std::size_t max_waiting_lines = 10000);
  // Writes to a file descriptor (inspekt-mock: 2) with write(2), holding no stdio lock:
  // a writer blocked on a full pipe cannot then block the process's exit, which
  // flushes stdio's streams.
  AccessLog(int fd, LogFormat format, std::size_t max_waiting_lines = 10000);
  // Waits up to 250 ms for the waiting lines to be written; a stream blocked longer is
  // left to its writer thread, which the process's exit ends.
  ~AccessLog() override;
  AccessLog(const AccessLog &) = delete;
  AccessLog &operator=(const AccessLog &) = delete;

  bool enabled() const override { return writer_ != nullptr; }
  void write(const AccessLogEntry &entry);
  // The engine's subscription: a line per delivered answer, a note per engine event.
  void delivered(const Delivery &delivery) override;
  void noted(std::string_view event, std::string_view detail) override;
  // Lines that are not requests (start, stop), in the same format.
  void note(const std::string &event, const std::string &detail);
  // Waits until every line given so far is written; false when `timeout` passes first.
  bool flush(std::chrono::milliseconds timeout = std::chrono::seconds(5));

private:
  struct Writer; // shared with the writer thread, which may outlive the log
  void start(std::shared_ptr<Writer> writer);
  void enqueue(const std::string &line);

  std::shared_ptr<Writer> writer_;
  LogFormat format_;
};

} // namespace inspekt::mock
