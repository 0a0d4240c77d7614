#pragma once
// The body of a guarded request (fixtures/gate.hpp), read as it arrives and not kept:
// what the gate needs of it (the `session` field) and what the journal shows (each
// multipart part's name, filename, media type and size, never the bytes). Fed in
// chunks of any size, it gives the same result for every way the same body is split,
// and it holds at most a few kilobytes whatever the body's size. Pure: no sockets.
//
// By Content-Type (RFC 9110 section 8.3, letter case ignored):
// - multipart/form-data (RFC 7578): parts between `--boundary` delimiter lines (RFC
//   2046 section 5.1.1), each with a Content-Disposition: form-data naming it. The
//   value of the first part named `session` is the session.
// - application/x-www-form-urlencoded (WHATWG URL, "application/x-www-form-urlencoded
//   parsing"; '+' is a space, %XX a byte): the first field named `session`. A '%' not
//   followed by two hex digits is refused, not kept as it is: a client that sends one
//   does not encode its form.
// - application/json: the top-level member "session" (the first, when named twice),
//   which must be a string. A JSON body is buffered to be parsed, so it is read up to
//   max_json_bytes (64 KiB) and refused above: a JSON upload is a few fields; files go
//   in multipart bodies.
// - anything else, or no Content-Type: counted only (the session may be in the query).

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace inspekt::mock {

struct UploadPart {
  std::string name;
  std::optional<std::string> filename;   // absent for plain fields
  std::optional<std::string> media_type; // the part's Content-Type, type/subtype in lower
                                         // case; absent when the part names none
  std::uint64_t size = 0;                // bytes of content

  friend bool operator==(const UploadPart &a, const UploadPart &b) {
    return a.name == b.name && a.filename == b.filename && a.media_type == b.media_type &&
           a.size == b.size;
  }
};

enum class UploadBodyKind { multipart, form, json, other };

enum class UploadProblem {
  none,
  too_large,               // over max_bytes (413)
  missing_boundary,        // multipart/form-data without a boundary parameter
  bad_boundary,            // a boundary RFC 2046 does not allow
  no_opening_delimiter,    // the body ends without a --boundary line
  bad_delimiter_line,      // --boundary followed by other than CRLF or "--"
  bad_header_line,         // a part header line ending in a bare LF, or folded
  header_without_colon,    // a part header line without ':'
  part_headers_too_large,  // a part's header block over max_part_header_bytes
  no_content_disposition,  // a part without Content-Disposition: form-data
  bad_content_disposition, // its parameters do not parse
  part_without_name,       // its Content-Disposition has no name
  too_many_parts,          // over max_parts
  no_parts,                // the closing delimiter before any part
  no_closing_delimiter,    // the body ends before --boundary--
  bad_percent_encoding,    // form: '%' not followed by two hex digits
  json_too_large,          // a JSON body over max_json_bytes
  not_json,                // a JSON body that does not parse
  session_not_string,      // JSON: "session" is not a string
  session_too_long,        // the session value over max_session_bytes
};

struct UploadProblemName {
  UploadProblem problem;
  std::string_view name;
  std::string_view message; // what the 400 (or 413) says; the reader adds numbers
};

// The one list: the answer's message, the log's name (rows in enum order).
inline constexpr std::array<UploadProblemName, 20> upload_problem_names{{
    {UploadProblem::none, "none", "the body is well formed"},
    {UploadProblem::too_large, "too_large", "the body is larger than the upload limit"},
    {UploadProblem::missing_boundary, "missing_boundary",
     "multipart/form-data without a boundary parameter"},
    {UploadProblem::bad_boundary, "bad_boundary",
     "the boundary is not 1 to 70 of the characters RFC 2046 allows, ending in other than a "
     "space"},
    {UploadProblem::no_opening_delimiter, "no_opening_delimiter",
     "the body has no --boundary line"},
    {UploadProblem::bad_delimiter_line, "bad_delimiter_line",
     "a --boundary line is followed by other than CRLF or \"--\""},
    {UploadProblem::bad_header_line, "bad_header_line",
     "a part header line ends in LF without CR, or is folded"},
    {UploadProblem::header_without_colon, "header_without_colon",
     "a part header line has no colon"},
    {UploadProblem::part_headers_too_large, "part_headers_too_large",
     "a part's headers are too large"},
    {UploadProblem::no_content_disposition, "no_content_disposition",
     "a part has no Content-Disposition: form-data header (RFC 7578 section 4.2)"},
    {UploadProblem::bad_content_disposition, "bad_content_disposition",
     "a part's Content-Disposition parameters do not parse"},
    {UploadProblem::part_without_name, "part_without_name",
     "a part's Content-Disposition has no name parameter"},
    {UploadProblem::too_many_parts, "too_many_parts", "the body has too many parts"},
    {UploadProblem::no_parts, "no_parts", "the closing --boundary-- comes before any part"},
    {UploadProblem::no_closing_delimiter, "no_closing_delimiter",
     "the body ends before the closing --boundary-- line"},
    {UploadProblem::bad_percent_encoding, "bad_percent_encoding",
     "a '%' in the form is not followed by two hex digits"},
    {UploadProblem::json_too_large, "json_too_large",
     "a JSON upload body is larger than the mock reads"},
    {UploadProblem::not_json, "not_json", "the JSON body does not parse"},
    {UploadProblem::session_not_string, "session_not_string",
     "the JSON body's \"session\" is not a string"},
    {UploadProblem::session_too_long, "session_too_long", "the session value is too long"},
}};

constexpr std::string_view to_string(UploadProblem problem) {
  return upload_problem_names[static_cast<std::size_t>(problem)].name;
}
inline std::ostream &operator<<(std::ostream &out, UploadProblem problem) {
  return out << to_string(problem);
}

struct UploadLimits {
  std::uint64_t max_bytes = 32ULL << 20; // --max-upload
  std::size_t max_session_bytes = 256;
  std::size_t max_part_header_bytes = 8192; // one part's header block
  std::size_t max_parts = 1000;
  std::size_t max_json_bytes = 64 << 10;
};

class UploadBodyReader {
public:
  // `content_type`: the request's Content-Type value, when it has one.
  explicit UploadBodyReader(std::optional<std::string_view> content_type,
                            const UploadLimits &limits = {});
  ~UploadBodyReader();
  UploadBodyReader(UploadBodyReader &&) noexcept;
  UploadBodyReader &operator=(UploadBodyReader &&) noexcept;

  // The next bytes of the body. False once a problem is found (also when the
  // Content-Type already was one): the rest need not be read.
  bool feed(std::string_view chunk);
  // The body has ended: false when it is not complete (or a problem was found before).
  bool finish();

  UploadBodyKind kind() const;
  UploadProblem problem() const;
  // The problem in a sentence, with the limit where one was passed ("the body is larger
  // than the upload limit (33554432 bytes)"). Empty when there is none.
  std::string message() const;
  std::uint64_t bytes() const; // fed so far
  // The session the body names, once finish() returned true.
  const std::optional<std::string> &session() const;
  // Multipart only: the parts read so far (complete ones once finish() returned true).
  const std::vector<UploadPart> &parts() const;

  class Format; // one per kind, in upload_body.cpp

private:
  std::unique_ptr<Format> format_;
};

} // namespace inspekt::mock
