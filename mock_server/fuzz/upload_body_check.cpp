#include "checks.hpp"

#include "inspekt/mock/handler/upload_body.hpp"

#include <cstdint>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

namespace inspekt::fuzz {
namespace {

void require(bool holds, const std::string &rule) {
  if (!holds) {
    throw InvariantBroken("upload_body: " + rule);
  }
}

// Small limits, so that inputs of a few kilobytes reach every bound.
mock::UploadLimits limits() {
  mock::UploadLimits chosen;
  chosen.max_bytes = 4096;
  chosen.max_session_bytes = 32;
  chosen.max_part_header_bytes = 256;
  chosen.max_parts = 8;
  chosen.max_json_bytes = 1024;
  return chosen;
}

struct Result {
  bool ok = false;
  mock::UploadProblem problem = mock::UploadProblem::none;
  std::string message;
  std::optional<std::string> session;
  std::vector<mock::UploadPart> parts;
  std::uint64_t bytes = 0;
};

// Feeds `body` in chunks of the sizes `next()` gives (0 allowed), until it ends or the
// reader refuses.
template <class Sizes>
Result read(std::optional<std::string_view> content_type, std::string_view body, Sizes next) {
  mock::UploadBodyReader reader(content_type, limits());
  bool fed = true;
  for (std::size_t offset = 0; fed && offset < body.size();) {
    const auto size = std::min(next(), body.size() - offset);
    fed = reader.feed(body.substr(offset, size));
    offset += size;
  }
  Result result;
  result.ok = fed && reader.finish();
  result.problem = reader.problem();
  result.message = reader.message();
  result.session = reader.session();
  result.parts = reader.parts();
  result.bytes = reader.bytes();
  return result;
}

void check_one(const Result &r, std::string_view body, const char *how) {
  const std::string where = std::string(" (") + how + ")";
  require(r.ok == (r.problem == mock::UploadProblem::none), "ok exactly without a problem" + where);
  require(r.ok == r.message.empty(), "a message exactly with a problem" + where);
  require(r.ok || !r.session, "no session from a refused body" + where);
  if (r.ok) {
    require(r.bytes == body.size(), "every byte counted" + where);
    require(!r.session || r.session->size() <= limits().max_session_bytes,
            "the session within its bound" + where);
    const auto content =
        std::accumulate(r.parts.begin(), r.parts.end(), std::uint64_t{0},
                        [](std::uint64_t sum, const mock::UploadPart &p) { return sum + p.size; });
    require(content <= body.size(), "parts hold no more than the body" + where);
    require(r.parts.size() <= limits().max_parts, "at most max_parts parts" + where);
  } else {
    require(r.problem != mock::UploadProblem::too_large || body.size() > limits().max_bytes,
            "too_large only over the limit" + where);
  }
}

// The same result, whatever the chunking. Parts and byte counts of a refused body stop
// where the refusal was noticed, which may be a chunk later: only the problem counts.
void require_same(const Result &a, const Result &b, const char *how) {
  const std::string where = std::string(" (whole vs ") + how + ")";
  require(a.ok == b.ok && a.problem == b.problem, "the same problem" + where);
  require(a.session == b.session, "the same session" + where);
  if (a.ok) {
    require(a.parts == b.parts, "the same parts" + where);
    require(a.bytes == b.bytes, "the same byte count" + where);
  }
}

} // namespace

void check_upload_body(std::string_view input) {
  const auto newline = input.find('\n');
  std::optional<std::string_view> content_type;
  std::string_view body = input;
  if (newline != std::string_view::npos) {
    content_type = input.substr(0, newline);
    body = input.substr(newline + 1);
    if (content_type == "-") {
      content_type.reset();
    }
  }
  const auto whole = read(content_type, body, [&] { return body.size(); });
  check_one(whole, body, "whole");

  const auto bytes = read(content_type, body, [] { return std::size_t{1}; });
  check_one(bytes, body, "byte by byte");
  require_same(whole, bytes, "byte by byte");

  // Chunk sizes 0..63 drawn from a hash of the input (FNV-1a, then xorshift).
  std::uint64_t state = 0xcbf29ce484222325ULL;
  for (const char c : input) {
    state = (state ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  }
  const auto hashed = read(content_type, body, [&] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return static_cast<std::size_t>(state % 64);
  });
  check_one(hashed, body, "hashed chunks");
  require_same(whole, hashed, "hashed chunks");
}

} // namespace inspekt::fuzz
