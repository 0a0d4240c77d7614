// The mock's one HTTP engine: a few epoll loops (half the CPUs by default), each serving
// many non-blocking connections, share one listening socket. A request costs a read and
// a write; no thread waits on an idle or stalled client. HttpSession speaks HTTP/1.1;
// over HTTPS a TlsChannel sits between the socket and the session, so both get the
// same limits, refusals, pipelining and log.
//
// Why not cpp-httplib here: its thread per connection, a 10 ms poll plus 1 ms sleep
// between keep-alive requests and two writes per answer capped the mock near 0.32x
// nginx (docs/benchmarks.md).

#include "inspekt/mock/engine/http_session.hpp"
#include "listen_socket.hpp"
#include "tls_channel.hpp"
#include "transport.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <functional>
#include <optional>
#include <queue>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace inspekt::mock::detail {
namespace {

using Clock = std::chrono::steady_clock;

// How often deadlines are checked: timeouts are seconds, so a quarter of one is plenty.
constexpr auto sweep_interval = std::chrono::milliseconds(250);
// After the last answer of a connection that is being closed, unread input is drained
// for this long, so that closing does not reset the connection and destroy that answer
// before the client has read it.
constexpr auto linger_time = std::chrono::seconds(2);
// When accept() fails for want of descriptors, it is retried after this pause.
constexpr auto accept_pause = std::chrono::milliseconds(100);

std::string describe_address(const sockaddr_storage &address) {
  char text[INET6_ADDRSTRLEN] = "?";
  int port = 0;
  if (address.ss_family == AF_INET) {
    const auto &v4 = reinterpret_cast<const sockaddr_in &>(address);
    ::inet_ntop(AF_INET, &v4.sin_addr, text, sizeof text);
    port = ntohs(v4.sin_port);
  } else if (address.ss_family == AF_INET6) {
    const auto &v6 = reinterpret_cast<const sockaddr_in6 &>(address);
    ::inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof text);
    port = ntohs(v6.sin6_port);
  }
  return std::string(text) + ":" + std::to_string(port);
}

class FileDescriptor {
public:
  explicit FileDescriptor(int fd = -1) : fd_(fd) {}
  ~FileDescriptor() { reset(); }
  FileDescriptor(const FileDescriptor &) = delete;
  FileDescriptor &operator=(const FileDescriptor &) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd = -1) {
    if (fd_ >= 0) {
      ::close(fd_);
    }
    fd_ = fd;
  }

private:
  int fd_;
};

struct Connection {
  Connection(int fd, const Responder &handler, const HttpLimits &limits, DeliveryObserver *log,
             std::string remote_address)
      : socket(fd), session(handler, limits, log, remote_address),
        remote(std::move(remote_address)) {}

  FileDescriptor socket;
  HttpSession session;
  std::string remote;              // "address:port" when logging, for TLS failures
  std::unique_ptr<TlsChannel> tls; // HTTPS: between the socket and the session
  bool read_wants_write = false;   // TLS: the last read needs the socket writable
  bool write_wants_read = false;   // TLS: the last write needs the socket readable
  Clock::time_point deadline;
  std::uint32_t events = 0; // registered with epoll
  bool registered = false;
  std::optional<Clock::time_point> armed; // a timer is set for the session's wake time
  bool closed = false;                    // waiting to be freed at the end of the event batch
  bool read_end = false;                  // the client closed its side
  bool lingering = false;                 // answered and shut for writing; draining input
};

class EventLoopTransport;

class Loop {
public:
  Loop(EventLoopTransport &owner, int listen_fd);
  void run();
  void wake() const {
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto written = ::write(wake_.get(), &one, sizeof one);
  }

private:
  void accept_connections(Clock::time_point now);
  void serve(Connection &connection, std::uint32_t ready, Clock::time_point now);
  void read_from(Connection &connection, Clock::time_point now);
  void write_to(Connection &connection, Clock::time_point now);
  void handshake(Connection &connection, Clock::time_point now);
  void serve_pending(Clock::time_point now);
  void note_pending(Connection &connection);
  void arm(Connection &connection);
  // Runs one step on a connection; an exception (out of memory, most likely) ends that
  // connection, never the loop.
  template <class Step> void guarded(Connection &connection, Step &&step);
  // The connection recorded for `fd` is still this one (a descriptor may have been
  // closed and reused by a newer connection since).
  bool open(int fd, const Connection *connection) const;
  void fire_timers(Clock::time_point now);
  int timer_timeout_ms(int timeout_ms, Clock::time_point now) const;
  void watch(Connection &connection, std::uint32_t events);
  void close(Connection &connection);
  void begin_stop(Clock::time_point now);
  void sweep(Clock::time_point now);
  void set_accepting(bool on);

  EventLoopTransport &owner_;
  int listen_fd_;
  FileDescriptor epoll_;
  FileDescriptor wake_;
  std::unordered_map<int, std::unique_ptr<Connection>> connections_;
  std::vector<std::unique_ptr<Connection>> closed_;
  // TLS connections with decrypted input that OpenSSL holds: epoll will not signal it.
  std::vector<std::pair<int, Connection *>> pending_;
  // When sessions' timed answers (delays, faults, slow bodies) are due. An entry whose
  // connection is gone, or whose time has changed, is skipped when it comes up.
  struct Timer {
    Clock::time_point due;
    int fd;
    Connection *connection;
    bool operator>(const Timer &other) const { return due > other.due; }
  };
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  bool accepting_ = false;
  bool starved_ = false; // accept() failed for want of descriptors
  bool stopping_ = false;
  Clock::time_point accept_resumes_;
  Clock::time_point next_sweep_;
};

class EventLoopTransport final : public Transport {
public:
  EventLoopTransport(std::shared_ptr<const Responder> handler, const ServerOptions &options,
                     std::shared_ptr<DeliveryObserver> log)
      : handler_(std::move(handler)), options_(options), log_(std::move(log)) {
    if (options.tls) {
      tls_ = std::make_unique<TlsServerContext>(*options.tls);
    }
    limits_.max_body_bytes = options.max_body_bytes;
    limits_.max_drained_body_bytes = options.max_body_bytes * 16;
    limits_.keep_alive_max_requests = options.keep_alive_max_requests;
  }

  int bind() override;
  void run() override;
  void stop(std::chrono::milliseconds grace) override {
    if (stop_requested_.exchange(true)) {
      return; // the first call's grace holds
    }
    stop_deadline_ns_ = (Clock::now() + grace).time_since_epoch().count();
    stopping_ = true;
    // New connections are refused from now on, not left in the queue to be reset when
    // the process ends. (The socket stays open until the transport is destroyed, so
    // this never hits a descriptor that was closed and reused.)
    if (listen_.get() >= 0) {
      ::shutdown(listen_.get(), SHUT_RDWR);
    }
    for (const auto &loop : loops_) {
      loop->wake();
    }
  }

  const Responder &handler() const { return *handler_; }
  const ServerOptions &options() const { return options_; }
  const HttpLimits &limits() const { return limits_; }
  const TlsServerContext *tls() const { return tls_.get(); }
  DeliveryObserver *log() const { return log_ && log_->enabled() ? log_.get() : nullptr; }
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }
  Clock::time_point stop_deadline() const {
    return Clock::time_point(Clock::duration(stop_deadline_ns_.load()));
  }

private:
  std::shared_ptr<const Responder> handler_;
  ServerOptions options_;
  std::shared_ptr<DeliveryObserver> log_;
  HttpLimits limits_;
  std::unique_ptr<TlsServerContext> tls_;
  FileDescriptor listen_;
  std::vector<std::unique_ptr<Loop>> loops_; // made by bind(), so stop() can wake them
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> stopping_{false}; // set once stop_deadline_ns_ holds the deadline
  std::atomic<Clock::rep> stop_deadline_ns_{0};
};

Loop::Loop(EventLoopTransport &owner, int listen_fd)
    : owner_(owner), listen_fd_(listen_fd), epoll_(::epoll_create1(EPOLL_CLOEXEC)),
      wake_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (epoll_.get() < 0 || wake_.get() < 0) {
    throw BindError(std::string("cannot create an event loop: ") + std::strerror(errno));
  }
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.ptr = &wake_;
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, wake_.get(), &event);
  set_accepting(true);
}

void Loop::set_accepting(bool on) {
  if (on == accepting_) {
    return;
  }
  epoll_event event{};
  // EPOLLEXCLUSIVE: a new connection wakes one loop, not all of them.
  event.events = EPOLLIN | EPOLLEXCLUSIVE;
  event.data.ptr = nullptr;
  ::epoll_ctl(epoll_.get(), on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, listen_fd_, &event);
  accepting_ = on;
}

void Loop::run() {
  std::vector<epoll_event> events(256);
  next_sweep_ = Clock::now() + sweep_interval;
  while (true) {
    int timeout_ms = -1; // nothing to time: sleep until a connection or stop() comes
    if (owner_.stopping()) {
      timeout_ms = stopping_ ? 20 : 0;
    } else if (!accepting_) {
      timeout_ms = static_cast<int>(accept_pause.count()); // shorter than a sweep
    } else if (!pending_.empty()) {
      timeout_ms = 0;
    } else if (!connections_.empty()) {
      timeout_ms = static_cast<int>(sweep_interval.count());
    }
    timeout_ms = timer_timeout_ms(timeout_ms, Clock::now());
    const int ready =
        ::epoll_wait(epoll_.get(), events.data(), static_cast<int>(events.size()), timeout_ms);
    if (ready < 0 && errno != EINTR) {
      if (auto *log = owner_.log()) {
        log->noted("error", std::string("epoll_wait failed: ") + std::strerror(errno));
      }
      break;
    }
    const auto now = Clock::now();
    for (int i = 0; i < ready; ++i) {
      void *tag = events[static_cast<std::size_t>(i)].data.ptr;
      if (tag == nullptr) {
        accept_connections(now);
      } else if (tag == &wake_) {
        std::uint64_t count = 0;
        [[maybe_unused]] const auto got = ::read(wake_.get(), &count, sizeof count);
      } else {
        auto &connection = *static_cast<Connection *>(tag);
        if (!connection.closed) {
          guarded(connection,
                  [&] { serve(connection, events[static_cast<std::size_t>(i)].events, now); });
        }
      }
    }
    serve_pending(now);
    fire_timers(now);
    closed_.clear();
    if (owner_.stopping()) {
      if (!stopping_) {
        begin_stop(now);
      }
      if (connections_.empty()) {
        break;
      }
      if (now >= owner_.stop_deadline()) {
        for (auto &[fd, connection] : connections_) {
          connection->socket.reset(); // the grace is over: in flight or not, it ends here
        }
        connections_.clear();
        break;
      }
    }
    if (!accepting_ && !stopping_ && now >= accept_resumes_) {
      set_accepting(true);
    }
    if (now >= next_sweep_) {
      sweep(now);
      closed_.clear();
      next_sweep_ = now + sweep_interval;
    }
  }
}

void Loop::accept_connections(Clock::time_point now) {
  const auto &options = owner_.options();
  // A bounded batch, so that a flood of connections cannot starve the served ones.
  for (int i = 0; i < 64 && accepting_; ++i) {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    const int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr *>(&address), &length,
                             SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      const int error = errno;
      if (error == EMFILE || error == ENFILE || error == ENOBUFS || error == ENOMEM) {
        // Out of descriptors: the pending connection stays queued; retry shortly rather
        // than spin on a listening socket that stays readable. Said once, not per retry.
        if (auto *log = owner_.log(); log != nullptr && !starved_) {
          log->noted("error", std::string("accept failed: ") + std::strerror(error) +
                                  "; retrying every 100 ms");
        }
        starved_ = true;
        set_accepting(false);
        accept_resumes_ = now + accept_pause;
      }
      if (error == ECONNABORTED || error == EINTR) {
        continue;
      }
      return;
    }
    if (starved_) {
      starved_ = false;
      if (auto *log = owner_.log()) {
        log->noted("accepting", "descriptors are available again");
      }
    }
    if (options.tcp_nodelay) {
      int yes = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    }
    DeliveryObserver *log = owner_.log();
    auto connection = std::make_unique<Connection>(fd, owner_.handler(), owner_.limits(), log,
                                                   log ? describe_address(address) : "");
    connection->deadline = now + options.read_timeout;
    if (const auto *tls = owner_.tls()) {
      connection->tls = std::make_unique<TlsChannel>(*tls, fd);
      connection->deadline = now + options.tls_handshake_timeout;
    }
    auto &added = *connection;
    connections_[fd] = std::move(connection);
    watch(added, EPOLLIN);
  }
}

void Loop::watch(Connection &connection, std::uint32_t events) {
  if (connection.registered && connection.events == events) {
    return;
  }
  epoll_event event{};
  event.events = events;
  event.data.ptr = &connection;
  ::epoll_ctl(epoll_.get(), connection.registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD,
              connection.socket.get(), &event);
  connection.events = events;
  connection.registered = true;
}

template <class Step> void Loop::guarded(Connection &connection, Step &&step) {
  try {
    step();
  } catch (const std::exception &e) {
    if (auto *log = owner_.log()) {
      log->noted("error", std::string("connection dropped: ") + e.what());
    }
    close(connection);
  }
}

bool Loop::open(int fd, const Connection *connection) const {
  const auto found = connections_.find(fd);
  return found != connections_.end() && found->second.get() == connection;
}

void Loop::arm(Connection &connection) {
  const auto wake = connection.session.wake_time();
  if (connection.closed || !wake || connection.armed == wake) {
    return;
  }
  connection.armed = wake;
  timers_.push({*wake, connection.socket.get(), &connection});
}

int Loop::timer_timeout_ms(int timeout_ms, Clock::time_point now) const {
  if (timers_.empty()) {
    return timeout_ms;
  }
  const auto until = timers_.top().due - now;
  // Rounded up: waking a little late is fine, waking early only costs a spin.
  const auto ms = std::max<long>(
      0, static_cast<long>(std::chrono::ceil<std::chrono::milliseconds>(until).count()));
  const int timer_ms = static_cast<int>(std::min<long>(ms, 60'000));
  return timeout_ms < 0 ? timer_ms : std::min(timeout_ms, timer_ms);
}

void Loop::fire_timers(Clock::time_point now) {
  while (!timers_.empty() && timers_.top().due <= now) {
    const Timer timer = timers_.top();
    timers_.pop();
    if (!open(timer.fd, timer.connection) || timer.connection->armed != timer.due) {
      continue; // closed since, or re-armed for another time
    }
    auto &connection = *timer.connection;
    connection.armed.reset();
    guarded(connection, [&] {
      connection.session.advance(now);
      write_to(connection, now);
    });
  }
}

void Loop::close(Connection &connection) {
  if (connection.closed) {
    return;
  }
  connection.closed = true;
  const int fd = connection.socket.get();
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
  connection.socket.reset();
  auto found = connections_.find(fd);
  if (found != connections_.end()) {
    closed_.push_back(std::move(found->second)); // freed after the event batch
    connections_.erase(found);
  }
}

// Bytes from the client: through TLS, or straight from the socket (plain HTTP, and the
// drain of a lingering close, which is past TLS).
IoResult receive(Connection &connection, char *buffer, std::size_t size) {
  if (connection.tls && !connection.lingering) {
    return connection.tls->read(buffer, size);
  }
  const ssize_t got = ::recv(connection.socket.get(), buffer, size, 0);
  if (got > 0) {
    return {static_cast<std::size_t>(got), IoStatus::done};
  }
  if (got == 0) {
    return {0, IoStatus::end};
  }
  const bool again = errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
  return {0, again ? IoStatus::want_read : IoStatus::failed};
}

IoResult transmit(Connection &connection, const char *data, std::size_t size) {
  if (connection.tls) {
    return connection.tls->write(data, size);
  }
  const ssize_t sent = ::send(connection.socket.get(), data, size, MSG_NOSIGNAL);
  if (sent > 0) {
    return {static_cast<std::size_t>(sent), IoStatus::done};
  }
  const bool again = sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR);
  return {0, again ? IoStatus::want_write : IoStatus::failed};
}

// Besides what the session needs, what TLS asked for: a read that waits for the socket
// to be writable, a write that waits for it to be readable.
std::uint32_t with_tls_wants(const Connection &connection, std::uint32_t events) {
  if (connection.read_wants_write) {
    events |= EPOLLOUT;
  }
  if (connection.write_wants_read) {
    events |= EPOLLIN;
  }
  return events;
}

void Loop::serve(Connection &connection, std::uint32_t ready, Clock::time_point now) {
  if (connection.session.waiting() && (ready & (EPOLLHUP | EPOLLERR)) != 0) {
    close(connection); // gone while its answer waits: nobody is left to read it
    return;
  }
  const bool readable = (ready & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0;
  const bool writable = (ready & EPOLLOUT) != 0;
  // A handshake that waited for the socket to take its flight goes on from there.
  const bool handshaking = connection.tls && !connection.tls->established();
  if (readable || (writable && (connection.read_wants_write || handshaking))) {
    read_from(connection, now); // writes what it can after reading
  } else if (writable) {
    write_to(connection, now);
  }
}

void Loop::handshake(Connection &connection, Clock::time_point now) {
  switch (connection.tls->handshake()) {
  case IoStatus::done:
    connection.deadline = now + owner_.options().read_timeout;
    read_from(connection, now); // the first request may have come with the handshake
    return;
  case IoStatus::want_read:
    watch(connection, EPOLLIN);
    return;
  case IoStatus::want_write:
    watch(connection, EPOLLOUT);
    return;
  default:
    // Not TLS, an unacceptable hello, or gone mid-handshake: nothing to answer.
    if (auto *log = owner_.log()) {
      log->noted("tls",
                 "handshake with " + connection.remote + " failed: " + connection.tls->failure());
    }
    close(connection);
    return;
  }
}

void Loop::read_from(Connection &connection, Clock::time_point now) {
  if (connection.tls && !connection.tls->established() && !connection.lingering) {
    handshake(connection, now);
    return;
  }
  thread_local std::vector<char> buffer(64 * 1024);
  auto &session = connection.session;
  connection.read_wants_write = false;
  // A few reads per wake-up at most, so that one fast client cannot hold the loop.
  for (int reads = 0; reads < 4; ++reads) {
    const IoResult got = receive(connection, buffer.data(), buffer.size());
    if (got.status == IoStatus::done) {
      if (!connection.lingering) {
        session.receive(std::string_view(buffer.data(), got.bytes));
        if (session.paused() || session.finished()) {
          break;
        }
      }
      if (got.bytes < buffer.size()) {
        break;
      }
      continue;
    }
    if (got.status == IoStatus::want_read) {
      break;
    }
    if (got.status == IoStatus::want_write) {
      connection.read_wants_write = true;
      break;
    }
    if (got.status == IoStatus::failed || connection.lingering) {
      close(connection); // reset by the client, or the lingering close is complete
      return;
    }
    connection.read_end = true;
    session.receive_end();
    break;
  }
  if (!connection.lingering) {
    write_to(connection, now);
  }
}

void Loop::note_pending(Connection &connection) {
  if (!connection.closed && connection.tls && !connection.lingering && !connection.read_end &&
      !connection.session.paused() && !connection.session.finished() && connection.tls->pending()) {
    pending_.emplace_back(connection.socket.get(), &connection);
  }
}

void Loop::serve_pending(Clock::time_point now) {
  if (pending_.empty()) {
    return;
  }
  auto due = std::move(pending_);
  pending_.clear();
  for (const auto &[fd, recorded] : due) {
    // A named copy of the binding: lambdas capture no structured binding before C++20
    // (clang refuses it; scripts/fuzz builds with clang).
    const auto &connection = recorded;
    if (open(fd, connection)) {
      guarded(*connection, [&] { read_from(*connection, now); });
    }
  }
}

void Loop::write_to(Connection &connection, Clock::time_point now) {
  auto &session = connection.session;
  auto &output = session.output();
  connection.write_wants_read = false;
  while (true) {
    std::size_t written = 0;
    while (written < output.size()) {
      const IoResult sent = transmit(connection, output.data() + written, output.size() - written);
      if (sent.status == IoStatus::done) {
        written += sent.bytes;
        continue;
      }
      if (sent.status == IoStatus::want_write) {
        break;
      }
      if (sent.status == IoStatus::want_read) {
        connection.write_wants_read = true;
        break;
      }
      close(connection); // the client is gone
      return;
    }
    output.erase(0, written);
    if (!output.empty() || !session.paused()) {
      break;
    }
    session.resume(); // the client has read enough: parse what it sent meanwhile
    if (output.empty()) {
      break;
    }
  }
  if (!output.empty()) {
    // Stop reading from a client that does not read its answers (unless TLS needs a
    // read to go on writing).
    const std::uint32_t wanted =
        session.paused() || session.finished() ? EPOLLOUT : EPOLLIN | EPOLLOUT;
    watch(connection, with_tls_wants(connection, wanted));
    connection.deadline = now + owner_.options().write_timeout;
    arm(connection);
    return;
  }
  if (session.finished()) {
    if (session.reset_requested()) {
      // The CONNECTION_RESET_BY_PEER fault: a TCP reset, over HTTPS too.
      const linger abort_on_close{1, 0};
      ::setsockopt(connection.socket.get(), SOL_SOCKET, SO_LINGER, &abort_on_close,
                   sizeof abort_on_close);
      close(connection);
      return;
    }
    if (connection.tls) {
      connection.tls->close_notify();
    }
    if (connection.read_end) {
      close(connection);
      return;
    }
    // Lingering close: FIN now, then read and drop until the client closes too.
    ::shutdown(connection.socket.get(), SHUT_WR);
    connection.lingering = true;
    connection.deadline = now + linger_time;
    watch(connection, EPOLLIN);
    return;
  }
  if (stopping_ && session.idle()) {
    close(connection);
    return;
  }
  const auto &options = owner_.options();
  if (const auto wake = session.wake_time()) {
    // A timed answer is due: read nothing more meanwhile (the session would only keep
    // it), and no timeout runs out before it has gone.
    watch(connection, with_tls_wants(connection, 0));
    connection.deadline = std::max(connection.deadline, *wake + options.write_timeout);
    arm(connection);
    return;
  }
  watch(connection, with_tls_wants(connection, EPOLLIN));
  connection.deadline = now + (session.idle() ? options.keep_alive_timeout : options.read_timeout);
  note_pending(connection);
}

void Loop::begin_stop(Clock::time_point now) {
  stopping_ = true;
  set_accepting(false);
  std::vector<Connection *> all;
  all.reserve(connections_.size());
  for (auto &[fd, connection] : connections_) {
    all.push_back(connection.get());
  }
  for (Connection *connection : all) {
    if (!connection->lingering) {
      connection->session.close_after_next_answer();
    }
    // A request already in the socket is read and answered, not reset; then idle
    // connections close, and the others once their answer is out (write_to). (A
    // session paused on a client that does not read is read once it reads again.)
    guarded(*connection, [&] { read_from(*connection, now); });
  }
  closed_.clear();
}

void Loop::sweep(Clock::time_point now) {
  std::vector<Connection *> expired;
  for (auto &[fd, connection] : connections_) {
    if (connection->deadline <= now) {
      expired.push_back(connection.get());
    }
  }
  for (Connection *connection : expired) {
    close(*connection); // idle past keep-alive, stalled mid-request, or not reading
  }
}

int EventLoopTransport::bind() {
  listen_.reset(open_listening_socket(options_.host, options_.port, options_.listen_backlog));
  const int bound = port_of(listen_.get());

  std::size_t count = options_.event_loops;
  if (count == 0) {
    // Half the CPUs: whatever drives a mock (tests, an app, a load tool) runs on the same
    // machine. On 2 CPUs beside wrk, two loops gave no more requests/s than one and a
    // p99 of 4 ms instead of 1.2 ms at 32 connections (docs/benchmarks.md).
    count = std::clamp<std::size_t>(std::thread::hardware_concurrency() / 2, 1, 16);
  }
  for (std::size_t i = 0; i < count; ++i) {
    loops_.push_back(std::make_unique<Loop>(*this, listen_.get()));
  }
  return bound;
}

void EventLoopTransport::run() {
  std::vector<std::thread> others;
  for (std::size_t i = 1; i < loops_.size(); ++i) {
    others.emplace_back([loop = loops_[i].get()] { loop->run(); });
  }
  if (!loops_.empty()) {
    loops_.front()->run();
  }
  for (auto &thread : others) {
    thread.join();
  }
}

} // namespace

std::unique_ptr<Transport> make_event_loop_transport(std::shared_ptr<const Responder> handler,
                                                     const ServerOptions &options,
                                                     std::shared_ptr<DeliveryObserver> log) {
  return std::make_unique<EventLoopTransport>(std::move(handler), options, std::move(log));
}

} // namespace inspekt::mock::detail
