// The thread-per-connection transport: cpp-httplib 0.11 around AuthHandler. It serves
// HTTPS, and plain HTTP with --engine threads.

#include "elastic_thread_pool.hpp"
#include "inspekt/mock/engine/http_session.hpp"
#include "listen_socket.hpp"
#include "tls_context.hpp"
#include "transport.hpp"

#include <httplib.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <functional>
#include <shared_mutex>
#include <vector>

namespace inspekt::mock::detail {
namespace {

// The request's progress through cpp-httplib's callbacks. A connection is served on
// one thread from the pre-routing handler through the logger, so a thread-local is the
// one place both can see without a lookup.
struct RequestContext {
  bool started = false;
  bool answered = false; // our handler wrote the response
  int writing_port = -1; // the client port counted busy while the answer is written
  std::chrono::steady_clock::time_point start;
  RequestFacts facts;
};
thread_local RequestContext current_request;

// cpp-httplib 0.11 passes a backlog of 5 to listen(), compiled into the library; bursts
// of connections then overflow the queue and wait for SYN retransmits (p99 spikes of
// hundreds of milliseconds). listen() on a listening socket updates its backlog.
// Base is httplib::Server or httplib::SSLServer (which derives from it).
template <class Base> class WideBacklogServer : public Base {
public:
  using Base::Base;
  bool widen_backlog(int backlog) { return ::listen(this->svr_sock_, backlog) == 0; }
};

struct TransportParts {
  std::unique_ptr<httplib::Server> server;
  std::function<bool(int)> widen_backlog;
};

template <class Base, class... Args> TransportParts make_transport(Args &&...args) {
  auto server = std::make_unique<WideBacklogServer<Base>>(std::forward<Args>(args)...);
  auto *raw = server.get();
  return {std::move(server), [raw](int backlog) { return raw->widen_backlog(backlog); }};
}

TransportParts make_transport(const std::optional<TlsIdentity> &tls) {
  if (!tls) {
    return make_transport<httplib::Server>();
  }
  return make_transport<httplib::SSLServer>([identity = *tls](SSL_CTX &context) {
    return detail::configure_server_context(context, identity);
  });
}

bool is_body_method(const std::string &method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

bool is_routed_method(const std::string &method) {
  return is_body_method(method) || method == "GET" || method == "HEAD" || method == "OPTIONS";
}

// cpp-httplib 0.11 keeps an idle keep-alive connection on its thread until the
// keep-alive timeout, and offers no way to close it on stop(). The connection sockets
// are the process's TCP sockets whose local port is ours; shutting their read side
// wakes those threads at once. Connections whose client port counts as `busy` are in
// the middle of a request and are left to finish it (two clients on one port number
// from different addresses only keep an idle one open). Linux-specific, like the rest
// of the mock.
void shut_idle_connections(int port, const std::vector<std::atomic<std::uint16_t>> &busy) {
  DIR *fds = ::opendir("/proc/self/fd");
  if (fds == nullptr) {
    return; // threads then end by their keep-alive timeout
  }
  const int own = ::dirfd(fds);
  while (const dirent *entry = ::readdir(fds)) {
    char *end = nullptr;
    const long fd = std::strtol(entry->d_name, &end, 10);
    if (*end != '\0' || fd == own) {
      continue;
    }
    int type = 0;
    socklen_t length = sizeof type;
    if (::getsockopt(static_cast<int>(fd), SOL_SOCKET, SO_TYPE, &type, &length) == 0 &&
        type == SOCK_STREAM && port_of(static_cast<int>(fd)) == port) {
      const int peer = port_of(static_cast<int>(fd), true);
      if (peer >= 0 && busy[static_cast<std::size_t>(peer)] > 0) {
        continue;
      }
      ::shutdown(static_cast<int>(fd), SHUT_RD);
    }
  }
  ::closedir(fds);
}

class ThreadedTransport final : public Transport {
public:
  ThreadedTransport(std::shared_ptr<const AuthHandler> handler_, ServerOptions options_,
                    std::shared_ptr<AccessLog> log_)
      : handler(std::move(handler_)), options(std::move(options_)), log(std::move(log_)),
        transport(make_transport(options.tls)), http(*transport.server) {
    if (!http.is_valid()) {
      throw TlsError("[tls.context] OpenSSL refused the certificate or key for serving HTTPS");
    }
    configure();
  }

  int bind() override;
  void run() override { http.listen_after_bind(); }
  void stop(std::chrono::milliseconds grace) override;

private:
  std::shared_ptr<const AuthHandler> handler;
  ServerOptions options;
  std::shared_ptr<AccessLog> log;
  TransportParts transport;
  httplib::Server &http;
  int port = -1;
  std::atomic<std::size_t> in_flight{0};
  std::atomic<bool> stopping{false};
  // How many answers are being written to each client port (from the post-routing
  // handler to the logger). stop() shuts connections under the exclusive lock and skips
  // these: cpp-httplib checks the socket before each of its two writes (headers, then
  // body), and a read side shut in between sent answers cut after their headers (1 run
  // in 40 of the SIGTERM-under-load test). Writers take the lock shared, so they never
  // wait for each other; one that starts after the shutting finds its socket shut
  // before either write and sends nothing rather than half an answer. Connections still
  // reading a request (a stalled body) are shut as before.
  std::shared_mutex busy_lock;
  std::vector<std::atomic<std::uint16_t>> busy_ports =
      std::vector<std::atomic<std::uint16_t>>(65536);

  void answer(const HttpRequest &request, httplib::Response &res) {
    HandledRequest handled = handler->handle(request);
    res.status = handled.response.status;
    for (auto &[name, value] : handled.response.headers) {
      res.set_header(name, value);
    }
    res.body = std::move(handled.response.body);
    current_request.facts = std::move(handled.facts);
    current_request.answered = true;
  }

  HttpRequest describe(const httplib::Request &req) {
    HttpRequest request;
    request.method = req.method;
    request.path = req.path;
    if (req.has_header("Content-Type")) {
      request.content_type = req.get_header_value("Content-Type");
    }
    return request;
  }

  void serve_with_body(const httplib::Request &req, httplib::Response &res,
                       const httplib::ContentReader &reader) {
    HttpRequest request = describe(req);
    // Past the limit the rest is read and dropped, so the connection stays in step for
    // the next request, up to 16 times the limit; beyond that reading stops and the
    // connection is closed after the answer.
    const std::size_t drain_limit = options.max_body_bytes * 16;
    std::size_t dropped = 0;
    const bool complete = reader([&](const char *data, std::size_t length) {
      if (!request.body_too_large && request.body.size() + length <= options.max_body_bytes) {
        request.body.append(data, length);
        return true;
      }
      request.body_too_large = true;
      request.body.clear();
      dropped += length;
      return dropped <= drain_limit;
    });
    // cpp-httplib refuses an announced Content-Length over the limit itself, with 413.
    if (!complete && res.status == 413) {
      request.body_too_large = true;
    }
    if (!complete && !request.body_too_large) {
      // Broken chunked framing, a body cut short, or an unknown Content-Encoding.
      request.body.clear();
      request.content_type.reset();
    }
    answer(request, res);
    if (!complete) {
      res.set_header("Connection", "close");
    }
  }

  void serve_without_body(const httplib::Request &req, httplib::Response &res) {
    answer(describe(req), res);
  }

  void configure() {
    http.new_task_queue = [max = options.max_threads] {
      return new detail::ElasticThreadPool(max);
    };
    http.set_tcp_nodelay(options.tcp_nodelay);
    // SO_REUSEADDR lets a restarted mock bind while old connections sit in TIME_WAIT;
    // cpp-httplib's default SO_REUSEPORT would instead let two mocks share a port
    // silently, and "port in use" would never be reported.
    http.set_socket_options([](int sock) {
      int yes = 1;
      ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });
    http.set_keep_alive_max_count(options.keep_alive_max_requests);
    http.set_keep_alive_timeout(options.keep_alive_timeout.count());
    http.set_read_timeout(options.read_timeout);
    http.set_write_timeout(options.write_timeout);
    http.set_payload_max_length(options.max_body_bytes);

    http.set_pre_routing_handler([this](const httplib::Request &req, httplib::Response &res) {
      current_request = RequestContext{};
      current_request.started = true;
      current_request.start = std::chrono::steady_clock::now();
      ++in_flight;
      auto &mutable_req = const_cast<httplib::Request &>(req);
      // Range requests make no sense here, and cpp-httplib would answer 206 on its own.
      mutable_req.ranges.clear();
      // RFC 9112 section 6.3: without Content-Length or Transfer-Encoding the body is
      // empty. cpp-httplib would instead wait for the client to close the connection.
      if (is_body_method(req.method) && !req.has_header("Content-Length") &&
          !req.has_header("Transfer-Encoding")) {
        mutable_req.set_header("Content-Length", "0");
      }
      if (!is_routed_method(req.method)) {
        // TRACE, CONNECT and other methods cpp-httplib has no route table for.
        serve_without_body(req, res);
        return httplib::Server::HandlerResponse::Handled;
      }
      return httplib::Server::HandlerResponse::Unhandled;
    });

    const auto with_body = [this](const httplib::Request &req, httplib::Response &res,
                                  const httplib::ContentReader &reader) {
      serve_with_body(req, res, reader);
    };
    const auto without_body = [this](const httplib::Request &req, httplib::Response &res) {
      serve_without_body(req, res);
    };
    http.Post(".*", with_body);
    http.Put(".*", with_body);
    http.Patch(".*", with_body);
    http.Delete(".*", with_body);
    http.Get(".*", without_body); // and HEAD
    http.Options(".*", without_body);

    // Errors cpp-httplib finds before our handler runs (a broken request line, a URI
    // over 8 KiB, ...) still get a JSON body in the fixtures' shape.
    http.set_error_handler(httplib::Server::HandlerWithResponse([this](const httplib::Request &,
                                                                       httplib::Response &res) {
      if (current_request.answered) {
        return httplib::Server::HandlerResponse::Unhandled;
      }
      HttpResponse response;
      if (res.status == 413 || res.status == 400) {
        // The fixture's whole answer, status included, as for the handler's own.
        response = handler->respond(res.status == 413 ? Outcome::payload_too_large
                                                      : Outcome::invalid_request);
        res.status = response.status;
      } else {
        // Errors cpp-httplib raises before routing: 414, 415, 416 (a malformed
        // Range), 417; worded as the event loop words its refusals.
        response.headers.emplace_back("Content-Type", "application/json");
        response.body = nlohmann::json{{"message", std::string(reason_phrase(res.status))}}.dump();
      }
      for (auto &[name, value] : response.headers) {
        res.set_header(name, value);
      }
      res.body = std::move(response.body);
      return httplib::Server::HandlerResponse::Handled;
    }));
    http.set_exception_handler(
        [this](const httplib::Request &, httplib::Response &res, std::exception_ptr error) {
          std::string what = "unknown";
          try {
            std::rethrow_exception(error);
          } catch (const std::exception &e) {
            what = e.what();
          } catch (...) {
          }
          if (log) {
            log->note("error", "handler failed: " + what);
          }
          res.status = 500;
          res.set_header("Content-Type", "application/json");
          res.body = R"({"message":"Internal mock error"})";
          current_request.answered = true;
        });
    // Runs for every answer right before cpp-httplib writes it; the logger runs right
    // after. (Before the address is read, for a broken request line, the port is
    // unknown and the answer is not protected.)
    http.set_post_routing_handler([this](const httplib::Request &req, httplib::Response &) {
      if (req.remote_port > 0 && req.remote_port <= 65535) {
        std::shared_lock<std::shared_mutex> lock(busy_lock);
        ++busy_ports[static_cast<std::size_t>(req.remote_port)];
        current_request.writing_port = req.remote_port;
      }
    });
    http.set_logger([this](const httplib::Request &req, const httplib::Response &res) {
      if (log && log->enabled()) {
        AccessLogEntry entry;
        entry.method = req.method;
        entry.path = req.path;
        entry.status = res.status;
        entry.remote = req.remote_addr + ":" + std::to_string(req.remote_port);
        if (current_request.started) {
          entry.duration = std::chrono::duration_cast<std::chrono::microseconds>(
              std::chrono::steady_clock::now() - current_request.start);
        }
        if (current_request.answered) {
          entry.facts = current_request.facts;
        }
        log->write(entry);
      }
      if (current_request.writing_port >= 0) {
        std::shared_lock<std::shared_mutex> lock(busy_lock);
        --busy_ports[static_cast<std::size_t>(current_request.writing_port)];
      }
      if (current_request.started) {
        --in_flight;
      }
      current_request = RequestContext{};
    });
  }
};

int ThreadedTransport::bind() {
  const bool bound = options.port == 0 ? (port = http.bind_to_any_port(options.host)) > 0
                                       : http.bind_to_port(options.host, options.port);
  if (!bound) {
    // cpp-httplib reports only false: the same bind on a socket of our own says why.
    ::close(open_listening_socket(options.host, options.port, options.listen_backlog));
    throw BindError("cannot listen on " + options.host + ":" + std::to_string(options.port) +
                    ": unknown error");
  }
  if (options.port != 0) {
    port = options.port;
  }
  transport.widen_backlog(options.listen_backlog);
  return port;
}

void ThreadedTransport::stop(std::chrono::milliseconds grace) {
  if (stopping.exchange(true)) {
    return;
  }
  http.stop();
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (in_flight.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  // This also shuts the listening socket when cpp-httplib's stop() had nothing to stop
  // yet (it acts only once listen_after_bind() is running): accept() then fails at once
  // whenever run() starts, so a server stopped right after bind() still returns.
  std::unique_lock<std::shared_mutex> lock(busy_lock);
  shut_idle_connections(port, busy_ports);
}

} // namespace

std::unique_ptr<Transport> make_threaded_transport(std::shared_ptr<const AuthHandler> handler,
                                                   const ServerOptions &options,
                                                   std::shared_ptr<AccessLog> log) {
  return std::make_unique<ThreadedTransport>(std::move(handler), options, std::move(log));
}

} // namespace inspekt::mock::detail
