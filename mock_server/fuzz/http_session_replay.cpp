// http_session_replay: feeds request files through HttpSession and writes everything it
// did (output bytes, finished/paused/waiting/reset/idle, answers counted, and what the
// observers heard) to one trace file. Two builds of the engine behave the same on these
// inputs exactly when their traces are byte-identical: the check for a change to
// HttpSession that must not change behaviour.
//
// Each input runs with two sets of limits (the defaults, and small ones that reach the
// 413/414 and pausing paths in a few kilobytes) and five feedings: whole; whole after
// close_after_next_answer(); in 1-byte and in 7-byte pieces, draining after each; and in
// 7-byte pieces drained only after every third, so bytes arrive while parsing is paused
// and while an answer waits. Timed answers are advanced to wake_time() each time, never
// by the wall clock, and durations are left out: the trace does not depend on timing.
// The handler is the default fixtures' with a pinned clock and seed, wrapped by a few
// paths of the replay's own: /x-deferred-now and /x-deferred-later (a deferred answer,
// given at once or at the first wake), /x-throw (the responder throws), /x-sink (a
// body sink of 100 bytes).

#include "inspekt/mock/engine/http_session.hpp"
#include "inspekt/mock/fixtures/fixture_loader.hpp"
#include "inspekt/mock/handler/auth_handler.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using namespace inspekt::mock;
namespace fs = std::filesystem;

void escape(std::ostream &out, std::string_view bytes) {
  static constexpr char hex[] = "0123456789abcdef";
  for (const char c : bytes) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\\') {
      out << "\\\\";
    } else if (c == '\n') {
      out << "\\n\n  ";
    } else if (u < 0x20 || u >= 0x7f) {
      out << "\\x" << hex[u >> 4] << hex[u & 15];
    } else {
      out << c;
    }
  }
}

class Recorder final : public DeliveryObserver {
public:
  explicit Recorder(std::ostream &out) : out_(out) {}
  void delivered(const Delivery &d) override {
    out_ << "  delivered request=" << (d.request != nullptr) << " method=" << d.method << " path=";
    escape(out_, d.path);
    out_ << " status=" << (d.status ? std::to_string(*d.status) : "-")
         << " fault=" << (d.fault ? std::string(to_string(*d.fault)) : "-") << " bytes=" << d.bytes
         << " timed=" << d.duration.has_value() << " note=" << (d.note != nullptr)
         << " remote=" << d.remote << '\n';
    if (d.request != nullptr) {
      const HttpRequest &r = *d.request;
      out_ << "    request body=" << r.body.size() << " too_large=" << r.body_too_large
           << " chunked=" << r.chunked << " ext=" << r.chunk_extensions
           << " continue=" << r.expected_continue << " sink=" << (r.body_sink != nullptr)
           << " query=";
      escape(out_, r.query);
      out_ << " host=";
      escape(out_, r.host.value_or("-"));
      out_ << " type=";
      escape(out_, r.content_type.value_or("-"));
      out_ << " prefer=";
      escape(out_, r.prefer.value_or("-"));
      out_ << '\n';
    }
  }
  void noted(std::string_view event, std::string_view detail) override {
    out_ << "  noted " << event << ' ';
    escape(out_, detail);
    out_ << '\n';
  }

private:
  std::ostream &out_;
};

class CountingSink final : public BodySink {
public:
  std::uint64_t max_bytes() const override { return 100; }
  void write(std::string_view piece) override { written_ += piece.size(); }

private:
  std::uint64_t written_ = 0;
};

// The fixtures' handler, and the paths above for what it never does.
class Scripted final : public Responder {
public:
  explicit Scripted(const FixtureSet &fixtures) : inner_(fixtures, {1, 1764000000}) {}
  std::unique_ptr<AnswerNote> make_note() const override { return inner_.make_note(); }
  HttpResponse answer(const HttpRequest &request, AnswerNote *note) const override {
    if (request.path == "/x-throw") {
      throw std::runtime_error("scripted failure");
    }
    if (request.path == "/x-deferred-now" || request.path == "/x-deferred-later") {
      HttpResponse waiting;
      waiting.deferred = std::make_shared<DeferredAnswer>();
      HttpResponse given;
      given.status = 202;
      given.body = R"({"deferred":")" + request.path + "\"}";
      if (request.path == "/x-deferred-now") {
        waiting.deferred->give(given);
      } else {
        pending_.emplace_back(waiting.deferred, given);
      }
      return waiting;
    }
    return inner_.answer(request, note);
  }
  std::shared_ptr<BodySink> open_body(const HttpRequest &head) const override {
    if (head.path == "/x-sink") {
      return std::make_shared<CountingSink>();
    }
    return inner_.open_body(head);
  }
  HttpResponse refuse(Refusal refusal) const override { return inner_.refuse(refusal); }
  DeliveryObserver *observer() const override { return inner_.observer(); }
  void give_pending() const {
    for (auto &[deferred, given] : pending_) {
      deferred->give(given);
    }
    pending_.clear();
  }

private:
  AuthHandler inner_;
  mutable std::vector<std::pair<std::shared_ptr<DeferredAnswer>, HttpResponse>> pending_;
};

struct Feeding {
  const char *name;
  std::size_t piece; // 0: whole
  bool close_first;
  std::size_t drain_every;
};

struct Limits {
  const char *name;
  HttpLimits limits;
};

class Run {
public:
  Run(std::ostream &out, const FixtureSet &fixtures, const HttpLimits &limits)
      : out_(out), recorder_(out), handler_(fixtures),
        session_(std::make_unique<HttpSession>(handler_, limits, &recorder_, "replay:1")) {}

  void state(const char *when) {
    const HttpSession &s = *session_;
    std::ostringstream line;
    line << "fin=" << s.finished() << " paused=" << s.paused() << " waiting=" << s.waiting()
         << " reset=" << s.reset_requested() << " idle=" << s.idle()
         << " answered=" << s.requests_answered() << " wake=" << s.wake_time().has_value();
    if (line.str() != last_state_) {
      last_state_ = line.str();
      out_ << "  " << when << ' ' << last_state_ << '\n';
    }
  }
  void take_output() {
    std::string &output = session_->output();
    if (!output.empty()) {
      out_ << "  out " << output.size() << ": ";
      escape(out_, output);
      out_ << '\n';
      output.clear();
    }
  }
  // As a transport that writes all and waits for every timer: until nothing moves.
  void drain() {
    for (int round = 0; round < 100000; ++round) {
      take_output();
      state("drain");
      HttpSession &s = *session_;
      if (s.finished()) {
        return;
      }
      if (const auto wake = s.wake_time()) {
        if (woken_++ > 0) {
          handler_.give_pending();
        }
        s.advance(*wake);
        continue;
      }
      if (s.paused()) {
        const std::size_t answered = s.requests_answered();
        s.resume();
        if (s.paused() && s.output().empty() && !s.wake_time() &&
            s.requests_answered() == answered) {
          out_ << "  stuck\n";
          return;
        }
        continue;
      }
      return;
    }
    out_ << "  no end\n";
  }
  void feed(std::string_view input, const Feeding &feeding) {
    if (feeding.close_first) {
      session_->close_after_next_answer();
    }
    const std::size_t piece =
        feeding.piece == 0 ? std::max<std::size_t>(1, input.size()) : feeding.piece;
    std::size_t count = 0;
    for (std::size_t at = 0; at < input.size(); at += piece) {
      session_->receive(input.substr(at, piece));
      state("receive");
      if (++count % feeding.drain_every == 0) {
        drain();
      }
    }
    drain();
    session_->receive_end();
    state("end");
    drain();
    session_.reset();
    out_ << "  closed\n";
  }

private:
  std::ostream &out_;
  Recorder recorder_;
  Scripted handler_;
  std::unique_ptr<HttpSession> session_;
  std::string last_state_;
  int woken_ = 0;
};

std::vector<fs::path> inputs_in(const std::vector<std::string> &arguments) {
  std::vector<fs::path> found;
  for (const auto &argument : arguments) {
    if (fs::is_directory(argument)) {
      std::vector<fs::path> here;
      for (const auto &entry : fs::directory_iterator(argument)) {
        if (entry.is_regular_file()) {
          here.push_back(entry.path());
        }
      }
      std::sort(here.begin(), here.end());
      found.insert(found.end(), here.begin(), here.end());
    } else if (fs::is_regular_file(argument)) {
      found.emplace_back(argument);
    } else {
      throw std::runtime_error("http_session_replay: no file or directory '" + argument + "'");
    }
  }
  return found;
}

} // namespace

int main(int argc, char **argv) {
  const std::string usage = "usage: http_session_replay TRACE-FILE INPUT-FILE-OR-DIR...\n";
  if (argc >= 2 && (std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h")) {
    std::cout << usage
              << "Writes what HttpSession does with each input (output, state, observer events)\n"
                 "to TRACE-FILE; two engine builds agree exactly when their traces are equal.\n";
    return 0;
  }
  if (argc < 3) {
    std::cerr << usage;
    return 2;
  }
  try {
    const std::vector<fs::path> inputs = inputs_in({argv + 2, argv + argc});
    const FixtureSet fixtures = load_embedded_fixtures();
    HttpLimits small;
    small.max_body_bytes = 256;
    small.max_drained_body_bytes = 1024;
    small.max_target_bytes = 256;
    small.keep_alive_max_requests = 24;
    small.max_pending_output = 300;
    const Limits limit_sets[] = {{"default", HttpLimits{}}, {"small", small}};
    const Feeding feedings[] = {{"whole", 0, false, 1},
                                {"whole, close first", 0, true, 1},
                                {"1-byte", 1, false, 1},
                                {"7-byte", 7, false, 1},
                                {"7-byte, drained every third", 7, false, 3}};
    std::ofstream out(argv[1], std::ios::binary);
    if (!out) {
      throw std::runtime_error(std::string("http_session_replay: cannot write '") + argv[1] + "'");
    }
    for (const auto &path : inputs) {
      std::ifstream in(path, std::ios::binary);
      const std::string input((std::istreambuf_iterator<char>(in)), {});
      for (const auto &limits : limit_sets) {
        for (const auto &feeding : feedings) {
          out << "== " << path.filename().string() << " / " << limits.name << " / " << feeding.name
              << '\n';
          Run(out, fixtures, limits.limits).feed(input, feeding);
        }
      }
    }
    std::cout << inputs.size() << " inputs, " << inputs.size() * 10 << " runs\n";
    return 0;
  } catch (const std::exception &e) {
    std::cerr << e.what() << '\n';
    return 1;
  }
}
