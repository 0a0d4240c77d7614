#pragma once
// One HTTP request and the answer to it, as plain values: what the conformance suite
// sends and inspects, independent of the HTTP library underneath.

#include "inspekt/core/endpoint.hpp"

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace inspekt {

// Header names compare without regard to letter case (RFC 9110 section 5.1).
struct CaseInsensitiveLess {
  bool operator()(std::string_view a, std::string_view b) const;
};
bool equals_ignoring_case(std::string_view a, std::string_view b);

// "application/json", with or without parameters, in any letter case (RFC 9110
// section 8.3.1); "application/json-seq" and "text/json" are other types.
bool is_json_media_type(std::string_view content_type);

using HeaderMap = std::multimap<std::string, std::string, CaseInsensitiveLess>;

struct Exchange {
  int status = 0;
  HeaderMap headers;
  std::string body;
  std::chrono::microseconds elapsed{0}; // from connecting to the last byte of the answer

  // The first value of a header, or "" when the answer has none.
  std::string header(std::string_view name) const;
};

// A request as the caller wants it on the wire, including requests the API refuses.
// The path is appended to the base URL's path prefix and sent as given (no encoding).
// Host and User-Agent are added unless `headers` has them; Content-Length follows the
// body. With `content_type` empty, no Content-Type header is sent.
struct RawRequest {
  std::string method = "POST";
  std::string path{authenticate_path};
  std::optional<std::string> content_type = "application/json";
  std::optional<std::string> body; // empty: no body at all
  std::vector<std::pair<std::string, std::string>> headers;
};

} // namespace inspekt
