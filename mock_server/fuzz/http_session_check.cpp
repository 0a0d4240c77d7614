#include "checks.hpp"

#include "inspekt/mock/engine/http_session.hpp"
#include "inspekt/mock/fixtures/fixture_loader.hpp"
#include "inspekt/mock/handler/auth_handler.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace inspekt::fuzz {
namespace {

using nlohmann::json;

void require(bool holds, const std::string &rule) {
  if (!holds) {
    throw InvariantBroken("http_session: " + rule);
  }
}

const mock::FixtureSet &fixtures() {
  static const mock::FixtureSet loaded = mock::load_embedded_fixtures();
  return loaded;
}

// Small limits, the same in every run, so that inputs of a few kilobytes reach the 413
// (announced and drained bodies), 414 and keep-alive paths. Only max_pending_output
// differs between runs: with a transport that writes everything, pausing is flow control
// and must not change a single byte of the output.
mock::HttpLimits limits(std::size_t max_pending_output) {
  mock::HttpLimits chosen;
  chosen.max_body_bytes = 256;
  chosen.max_drained_body_bytes = 1024;
  chosen.max_target_bytes = 256;
  chosen.keep_alive_max_requests = 24;
  chosen.max_pending_output = max_pending_output;
  return chosen;
}

// How one run feeds the input: the sizes of the receive() calls (the last one takes the
// rest), and after which of them the emulated transport writes out all output and
// resumes. It always does so after the last.
struct Feeding {
  const char *name;
  std::size_t max_pending_output;
  std::vector<std::size_t> chunks;
  std::vector<bool> write_after;
};

struct Result {
  std::string output; // everything the session produced, in order
  bool finished = false;
  bool idle = false;
  std::size_t answered = 0;
};

// A deterministic random stream derived from the input (FNV-1a, then splitmix64).
class InputRandom {
public:
  explicit InputRandom(std::string_view input) {
    for (const char c : input) {
      state_ = (state_ ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
    }
  }
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

private:
  std::uint64_t state_ = 0xcbf29ce484222325ULL;
};

Result feed(std::string_view input, const Feeding &feeding) {
  // A fresh handler per run: its session generator and entropy advance with every login,
  // so a shared handler would give the second run other session ids and tokens. Two
  // handlers built from the same fixtures, seed and pinned clock produce byte-identical
  // answers for the same sequence of requests, so the whole output, tokens included, can
  // be compared without neutralising any field.
  const mock::AuthHandler handler(fixtures(), {1, 1764000000});
  mock::HttpSession session(handler, limits(feeding.max_pending_output), nullptr, "fuzz:0");
  Result result;

  // The transport: writes (erases) all output, then resumes while parsing stays paused.
  // Each round that ends paused produced an answer, and every answer consumes input, so
  // more rounds than input bytes means resume() stopped making progress.
  const auto write_all = [&] {
    for (std::size_t round = 0;; ++round) {
      result.output += session.output();
      session.output().clear();
      if (!session.paused() || session.finished()) {
        return;
      }
      require(round <= input.size(), std::string(feeding.name) + ": resume() makes progress");
      session.resume();
    }
  };

  std::size_t offset = 0;
  for (std::size_t i = 0; offset < input.size(); ++i) {
    const bool last = i + 1 >= feeding.chunks.size();
    const std::size_t size =
        last ? input.size() - offset : std::min(feeding.chunks[i], input.size() - offset);
    session.receive(input.substr(offset, size));
    offset += size;
    if (offset == input.size() || (i < feeding.write_after.size() && feeding.write_after[i])) {
      write_all();
    }
  }
  write_all();
  result.finished = session.finished();
  result.idle = session.idle();
  result.answered = session.requests_answered();

  session.receive_end();
  require(session.output().empty(), std::string(feeding.name) + ": receive_end() answers nothing");
  require(session.finished(), std::string(feeding.name) + ": receive_end() finishes");
  return result;
}

std::size_t count(std::string_view text, std::string_view what, bool ignore_case) {
  const auto same = [ignore_case](char a, char b) {
    return ignore_case ? std::tolower(static_cast<unsigned char>(a)) ==
                             std::tolower(static_cast<unsigned char>(b))
                       : a == b;
  };
  std::size_t found = 0;
  for (auto at = text.begin();; ++at) {
    at = std::search(at, text.end(), what.begin(), what.end(), same);
    if (at == text.end()) {
      return found;
    }
    ++found;
  }
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// What a response head says (rule 3): its status and framing. `head` is each line with
// its CRLF.
struct ResponseHead {
  int status = 0;
  std::size_t lengths = 0; // Content-Length lines
  std::size_t length = 0;
  bool close = false; // Connection: close
};

ResponseHead read_head(std::string_view head, const std::set<int> &statuses) {
  ResponseHead read;
  std::size_t line_end = head.find("\r\n");
  const auto status_line = head.substr(0, line_end);
  require(status_line.size() > 13 && status_line.substr(0, 9) == "HTTP/1.1 " &&
              std::isdigit(static_cast<unsigned char>(status_line[9])) != 0 &&
              std::isdigit(static_cast<unsigned char>(status_line[10])) != 0 &&
              std::isdigit(static_cast<unsigned char>(status_line[11])) != 0 &&
              status_line[12] == ' ',
          "a response starts with HTTP/1.1, a 3-digit status, a space and a reason");
  read.status = std::stoi(std::string(status_line.substr(9, 3)));
  require(read.status < 500 || read.status == 501, "never 5xx but 501");
  require(statuses.count(read.status) == 1, "the status is 100, a fixture's, 414, 431 or 501");
  require(status_line.substr(13) == mock::reason_phrase(read.status), "the reason is the status's");
  for (std::size_t start = line_end + 2; start < head.size(); start = line_end + 2) {
    line_end = head.find("\r\n", start);
    const auto line = head.substr(start, line_end - start);
    const auto colon = line.find(": ");
    require(colon != std::string_view::npos && colon > 0 &&
                std::all_of(line.begin(), line.begin() + static_cast<std::ptrdiff_t>(colon),
                            is_token_char),
            "a header line is NAME: VALUE");
    const auto name = line.substr(0, colon);
    const auto value = line.substr(colon + 2);
    if (iequals(name, "Content-Length")) {
      ++read.lengths;
      require(
          !value.empty() && value.size() < 10 &&
              std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; }),
          "Content-Length is a number");
      read.length = std::stoul(std::string(value));
    } else if (iequals(name, "Connection")) {
      read.close = read.close || iequals(value, "close");
    }
  }
  return read;
}

// Rule 3 and 4 on everything the session wrote.
void check_output(std::string_view out, std::string_view input, const Result &result) {
  // 414, 431 and 501 (a transfer coding other than chunked) are the session's own answers
  std::set<int> statuses{100, 414, 431, 501};
  for (const auto &answer : fixtures().answers) {
    statuses.insert(answer.response.status);
  }
  // http-parser only knows HEAD spelled in capitals, contiguous in the input.
  const std::size_t heads = count(input, "HEAD", false);
  // The "Expect" field name is contiguous in the input too (no folding of names); its
  // value is not ("100-" CRLF SP "continue" is folded into "100-continue").
  const std::size_t expects = count(input, "expect:", true);
  std::size_t finals = 0;
  std::size_t bodiless = 0;
  std::size_t continues = 0;
  bool awaiting_final = false; // a 100 Continue went out for a request not yet answered
  bool closed = false;

  std::size_t pos = 0;
  while (pos < out.size()) {
    require(!closed, "nothing follows an answer saying Connection: close");
    const auto head_end = out.find("\r\n\r\n", pos);
    require(head_end != std::string_view::npos, "a response head ends with CRLF CRLF");
    const auto head = out.substr(pos, head_end + 2 - pos); // each line with its CRLF
    const ResponseHead read = read_head(head, statuses);
    const int status = read.status;
    pos = head_end + 4;

    if (status == 100) {
      require(head == "HTTP/1.1 100 Continue\r\n", "a 100 Continue has no header");
      require(!awaiting_final, "one 100 Continue per request, before its final answer");
      awaiting_final = true;
      ++continues;
      continue;
    }
    awaiting_final = false;
    ++finals;
    require(read.lengths == 1, "a final answer has exactly one Content-Length");
    // A HEAD answer announces the body it does not send. The next answer (or the end)
    // follows at once; a JSON body never starts with "HTTP/1.1 ".
    if (heads > 0 && (pos == out.size() || out.substr(pos, 9) == "HTTP/1.1 ")) {
      ++bodiless;
      require(bodiless <= heads, "only answers to HEAD requests lack their body");
    } else {
      require(out.size() - pos >= read.length, "the body has Content-Length bytes");
      const auto body = json::parse(out.substr(pos, read.length), nullptr, false);
      require(!body.is_discarded(), "the body is JSON");
      pos += read.length;
    }
    closed = read.close;
  }

  require(result.finished == closed,
          "finished() exactly when the last answer says Connection: close");
  require(finals == result.answered, "requests_answered() counts the final answers");
  require(continues <= expects, "a 100 Continue needs an Expect header");
  // Rule 4. http-parser is lenient (Debian builds it non-strict): "GET / Hxxx/1.1",
  // HTTP/0.9 "GET /" without a version, bare LF line ends, and CR followed by any byte
  // as the end of the head are all accepted, so counting "HTTP/1." could false-alarm.
  // What no request can do without is the LF ending its request line: the only ways
  // from the request line to the headers are LF, or CR then LF. Requests occupy disjoint
  // input, so every answer to a request whose head was read owns a distinct LF. The only
  // other answers (400/414/431 on a parse error, 413 while draining a body) close the
  // connection, so there is at most one of them.
  require(finals <= count(input, "\n", false) + 1,
          "at most one final answer per LF in the input, plus one error answer");
}

std::string describe(const Feeding &feeding, const char *what) {
  return std::string("split invariance: ") + feeding.name + " gives another " + what +
         " than one piece";
}

} // namespace

void check_http_session(std::string_view input) {
  // Run 1: the input in one receive(), pausing never (the limit exceeds any output).
  const Feeding whole{"one piece", SIZE_MAX, {input.size()}, {}};
  // Run 2: byte by byte, pausing after every answer, writing after every byte.
  Feeding bytes{"byte by byte", 0, std::vector<std::size_t>(input.size(), 1), {}};
  bytes.write_after.assign(input.size(), true);
  // Run 3: chunks of 1 to 64 bytes and a pause limit of 0 to 1023 bytes, both from a hash
  // of the input; the transport writes only after about one receive() in three, so some
  // bytes arrive while parsing is paused and wait in the session.
  Feeding hashed{"hashed chunks", 0, {}, {}};
  InputRandom random(input);
  hashed.max_pending_output = random.next() % 1024;
  for (std::size_t fed = 0; fed < input.size();) {
    const std::uint64_t r = random.next();
    hashed.chunks.push_back(1 + r % 64);
    hashed.write_after.push_back((r >> 32) % 3 == 0);
    fed += hashed.chunks.back();
  }

  const Result reference = feed(input, whole);
  check_output(reference.output, input, reference);
  for (const Feeding *split : {&bytes, &hashed}) {
    const Result other = feed(input, *split);
    if (other.output != reference.output) {
      const auto differ = std::mismatch(reference.output.begin(), reference.output.end(),
                                        other.output.begin(), other.output.end());
      const auto offset = static_cast<std::size_t>(differ.first - reference.output.begin());
      require(false, describe(*split, "output") + " from byte " + std::to_string(offset) + ": \"" +
                         std::string(differ.second, other.output.end()).substr(0, 40) +
                         "\" instead of \"" + reference.output.substr(offset, 40) + "\"");
    }
    require(other.finished == reference.finished, describe(*split, "finished()"));
    require(other.idle == reference.idle, describe(*split, "idle()"));
    require(other.answered == reference.answered, describe(*split, "requests_answered()"));
  }
}

} // namespace inspekt::fuzz
