// UploadBodyReader: good and broken bodies of each kind give their parts, session or
// named problem; and every body gives the same result in any chunking (every fixed
// chunk size from 1 byte, and seeded random splits).

#include "inspekt/mock/handler/upload_body.hpp"

#include <catch2/catch.hpp>

#include <random>

using namespace inspekt::mock;

namespace {

struct Result {
  bool ok = false;
  UploadProblem problem = UploadProblem::none;
  std::optional<std::string> session;
  std::vector<UploadPart> parts;
  std::uint64_t bytes = 0;

  bool operator==(const Result &other) const {
    return ok == other.ok && problem == other.problem && session == other.session &&
           parts == other.parts && bytes == other.bytes;
  }
};

std::ostream &operator<<(std::ostream &out, const Result &r) {
  out << (r.ok ? "ok" : "refused") << " " << r.problem
      << " session=" << (r.session ? "\"" + *r.session + "\"" : "none") << " bytes=" << r.bytes
      << " parts=[";
  for (const auto &p : r.parts) {
    out << "{" << p.name << "," << p.filename.value_or("-") << "," << p.media_type.value_or("-")
        << "," << p.size << "}";
  }
  return out << "]";
}

// Feeds `body` in the chunks `sizes` (the last one takes the rest).
Result read(const std::optional<std::string> &content_type, std::string_view body,
            const std::vector<std::size_t> &sizes, const UploadLimits &limits = {}) {
  UploadBodyReader reader(
      content_type ? std::optional<std::string_view>(*content_type) : std::nullopt, limits);
  std::size_t offset = 0;
  for (std::size_t i = 0; offset < body.size(); ++i) {
    const auto size =
        i < sizes.size() ? std::min(sizes[i], body.size() - offset) : body.size() - offset;
    if (!reader.feed(body.substr(offset, size))) {
      break;
    }
    offset += size;
  }
  Result result;
  result.ok = reader.finish();
  result.problem = reader.problem();
  result.session = reader.session();
  result.parts = reader.parts();
  result.bytes = reader.bytes();
  if (!result.ok) {
    // Parts read before the problem differ by where the chunks stop: compare the problem.
    result.parts.clear();
    result.bytes = 0;
  }
  return result;
}

Result read_whole(const std::optional<std::string> &content_type, std::string_view body,
                  const UploadLimits &limits = {}) {
  return read(content_type, body, {}, limits);
}

// The same result for every fixed chunk size 1..size and for 200 seeded random splits.
void check_split_invariance(const std::optional<std::string> &content_type, std::string_view body,
                            const UploadLimits &limits = {}) {
  const auto whole = read_whole(content_type, body, limits);
  for (std::size_t size = 1; size <= body.size(); ++size) {
    INFO("chunks of " << size);
    CHECK(read(content_type, body, std::vector<std::size_t>(body.size() / size + 1, size),
               limits) == whole);
  }
  std::mt19937 random(23);
  for (int round = 0; round < 200; ++round) {
    std::vector<std::size_t> sizes;
    for (std::size_t left = body.size(); left > 0;) {
      const auto size = std::min<std::size_t>(left, random() % 9 == 0 ? 0 : random() % 40 + 1);
      sizes.push_back(size); // zero-sized chunks too
      left -= size;
    }
    INFO("random split " << round);
    CHECK(read(content_type, body, sizes, limits) == whole);
  }
}

const std::string multipart = "multipart/form-data; boundary=XyZ";

std::string part(const std::string &disposition, const std::string &content,
                 const std::string &extra_headers = "") {
  return "--XyZ\r\nContent-Disposition: " + disposition + "\r\n" + extra_headers + "\r\n" +
         content + "\r\n";
}

const std::string upload =
    part("form-data; name=\"session\"", "in123420251124160000") +
    part("form-data; name=\"file\"; filename=\"car.jpg\"",
         std::string("\xff\xd8\r\n--XyQ\r\r\n--Xy\0\xd9", 18), "Content-Type: Image/JPEG\r\n") +
    "--XyZ--\r\n";

struct Good {
  const char *name;
  std::optional<std::string> content_type;
  std::string body;
  std::optional<std::string> session;
  std::vector<UploadPart> parts;
};

struct Bad {
  const char *name;
  std::optional<std::string> content_type;
  std::string body;
  UploadProblem problem;
};

} // namespace

TEST_CASE("upload bodies that read: their session and parts", "[upload][gate]") {
  const std::vector<Good> rows{
      {"multipart: session and a file",
       multipart,
       upload,
       "in123420251124160000",
       {{"session", std::nullopt, std::nullopt, 20}, {"file", "car.jpg", "image/jpeg", 18}}},
      {"multipart: quoted boundary, preamble, padding, epilogue",
       "Multipart/Form-Data; charset=utf-8; BOUNDARY=\"a b'()+_,-./:=?\"",
       "preamble\r\n--a b'()+_,-./:=? \t\r\nContent-Disposition: form-data; name=session\r\n\r\n"
       "s1\r\n--a b'()+_,-./:=?--\r\nepilogue --a b'()+_,-./:=?\r\n",
       "s1",
       {{"session", std::nullopt, std::nullopt, 2}}},
      {"multipart: the first session counts",
       multipart,
       part("form-data; name=session", "first") + part("form-data; name=session", "second") +
           "--XyZ--",
       "first",
       {{"session", std::nullopt, std::nullopt, 5}, {"session", std::nullopt, std::nullopt, 6}}},
      {"multipart: no session, empty parts, escaped filename",
       multipart,
       part("form-data; name=\"a\"", "") +
           part("FORM-DATA; filename=\"c:\\\\x\\\"y.png\"; name=b", "",
                "content-type: image/png; q=1\r\n") +
           "--XyZ--",
       std::nullopt,
       {{"a", std::nullopt, std::nullopt, 0}, {"b", "c:\\x\"y.png", "image/png", 0}}},
      {"multipart: an empty session",
       multipart,
       part("form-data; name=session", "") + "--XyZ--",
       "",
       {{"session", std::nullopt, std::nullopt, 0}}},
      {"form",
       "application/x-www-form-urlencoded",
       "a=1&sess%69on=in%31234+x&session=second&b",
       "in1234 x",
       {}},
      {"form: session without '='",
       "application/x-www-form-urlencoded; charset=UTF-8",
       "x=%2F&session",
       "",
       {}},
      {"form: no session",
       "application/x-www-form-urlencoded",
       "sessions=1&session_=2&=3",
       std::nullopt,
       {}},
      {"form: empty body", "application/x-www-form-urlencoded", "", std::nullopt, {}},
      {"json",
       "application/json",
       R"({"a":{"session":"inner"},"session":"in\u0031234","session":"second","b":[1,{"session":2}]})",
       "in1234",
       {}},
      {"json: no session", "application/json", R"({"sid":"x"})", std::nullopt, {}},
      {"json: not an object", "application/json", R"(["session","x"])", std::nullopt, {}},
      {"another media type: counted only",
       "image/jpeg",
       std::string("\xff\xd8\xff", 3),
       std::nullopt,
       {}},
      {"no Content-Type: counted only", std::nullopt, "session=x", std::nullopt, {}},
      {"a Content-Type that does not parse: counted only", "multipart", "--x--", std::nullopt, {}},
  };
  for (const auto &row : rows) {
    INFO(row.name);
    const auto result = read_whole(row.content_type, row.body);
    CHECK(result.ok);
    CHECK(result.problem == UploadProblem::none);
    CHECK(result.session == row.session);
    CHECK(result.parts == row.parts);
    CHECK(result.bytes == row.body.size());
    check_split_invariance(row.content_type, row.body);
  }
}

TEST_CASE("broken upload bodies: the problem named", "[upload][gate]") {
  const std::string long_session(257, 's');
  const std::vector<Bad> rows{
      {"no boundary", "multipart/form-data", upload, UploadProblem::missing_boundary},
      {"empty boundary", "multipart/form-data; boundary=\"\"", upload, UploadProblem::bad_boundary},
      {"boundary ending in a space", "multipart/form-data; boundary=\"a \"", upload,
       UploadProblem::bad_boundary},
      {"boundary of 71", "multipart/form-data; boundary=" + std::string(71, 'b'), upload,
       UploadProblem::bad_boundary},
      {"boundary with a forbidden character", "multipart/form-data; boundary=\"a@b\"", upload,
       UploadProblem::bad_boundary},
      {"no delimiter at all", multipart, "just bytes", UploadProblem::no_opening_delimiter},
      {"empty multipart body", multipart, "", UploadProblem::no_opening_delimiter},
      {"no closing delimiter", multipart, part("form-data; name=a", "x"),
       UploadProblem::no_closing_delimiter},
      {"cut in a part's headers", multipart, "--XyZ\r\nContent-Disp",
       UploadProblem::no_closing_delimiter},
      {"cut in the closing delimiter", multipart, part("form-data; name=a", "x") + "--XyZ-",
       UploadProblem::no_closing_delimiter},
      {"closing delimiter first", multipart, "--XyZ--\r\n", UploadProblem::no_parts},
      {"delimiter then junk", multipart, "--XyZjunk\r\n", UploadProblem::bad_delimiter_line},
      {"padding then dashes", multipart, "--XyZ --\r\n", UploadProblem::bad_delimiter_line},
      {"CR without LF after the delimiter", multipart, "--XyZ\rX",
       UploadProblem::bad_delimiter_line},
      {"header without colon", multipart, "--XyZ\r\nContent-Disposition form-data\r\n\r\nx",
       UploadProblem::header_without_colon},
      {"header line with a bare LF", multipart,
       "--XyZ\r\nContent-Disposition: form-data; name=a\n\r\nx\r\n--XyZ--",
       UploadProblem::bad_header_line},
      {"folded header", multipart,
       "--XyZ\r\nContent-Disposition: form-data;\r\n name=a\r\n\r\nx\r\n--XyZ--",
       UploadProblem::bad_header_line},
      {"header name with a space", multipart, "--XyZ\r\nContent Type: x\r\n\r\n",
       UploadProblem::bad_header_line},
      {"headers too large", multipart, "--XyZ\r\nX-Filler: " + std::string(8200, 'f') + "\r\n\r\n",
       UploadProblem::part_headers_too_large},
      {"no Content-Disposition", multipart,
       part("", "x").replace(7, 21, "Content-Type: text/plain"),
       UploadProblem::no_content_disposition},
      {"Content-Disposition not form-data", multipart, part("attachment; name=a", "x") + "--XyZ--",
       UploadProblem::no_content_disposition},
      {"Content-Disposition that does not parse", multipart,
       part("form-data; name=\"a", "x") + "--XyZ--", UploadProblem::bad_content_disposition},
      {"part without a name", multipart, part("form-data; filename=\"a.jpg\"", "x") + "--XyZ--",
       UploadProblem::part_without_name},
      {"session too long (multipart)", multipart,
       part("form-data; name=session", long_session) + "--XyZ--", UploadProblem::session_too_long},
      {"bad percent", "application/x-www-form-urlencoded", "session=a%zz",
       UploadProblem::bad_percent_encoding},
      {"percent cut at the end", "application/x-www-form-urlencoded", "session=a%2",
       UploadProblem::bad_percent_encoding},
      {"session too long (form)", "application/x-www-form-urlencoded", "session=" + long_session,
       UploadProblem::session_too_long},
      {"json broken", "application/json", R"({"session":)", UploadProblem::not_json},
      {"json empty", "application/json", "", UploadProblem::not_json},
      {"json trailing bytes", "application/json", R"({"session":"a"} x)", UploadProblem::not_json},
      {"json session a number", "application/json", R"({"session":12})",
       UploadProblem::session_not_string},
      {"json session an object", "application/json", R"({"session":{"id":"x"}})",
       UploadProblem::session_not_string},
      {"json session too long", "application/json", R"({"session":")" + long_session + "\"}",
       UploadProblem::session_too_long},
      {"json too large", "application/json", R"({"x":")" + std::string(70000, 'x') + "\"}",
       UploadProblem::json_too_large},
  };
  for (const auto &row : rows) {
    INFO(row.name);
    const auto result = read_whole(row.content_type, row.body);
    CHECK_FALSE(result.ok);
    CHECK(result.problem == row.problem);
    CHECK_FALSE(result.session);
    if (row.body.size() < 600) {
      check_split_invariance(row.content_type, row.body);
    }
  }
}

TEST_CASE("the byte counter stops a body over the upload limit", "[upload][gate]") {
  UploadLimits limits;
  limits.max_bytes = 100;
  const std::string body = part("form-data; name=f; filename=x", std::string(200, 'x')) + "--XyZ--";
  const auto result = read_whole(multipart, body, limits);
  CHECK(result.problem == UploadProblem::too_large);
  check_split_invariance(multipart, body, limits);
  // Exactly the limit is allowed.
  limits.max_bytes = body.size();
  CHECK(read_whole(multipart, body, limits).ok);
  // Counted for every kind, also the ones not read.
  limits.max_bytes = 3;
  CHECK(read_whole(std::string("image/png"), "abcd", limits).problem == UploadProblem::too_large);
  CHECK(read_whole(std::nullopt, "abc", limits).ok);
}

TEST_CASE("a large multipart body is read without being kept", "[upload][gate]") {
  // 8 MiB of file content in 64 KiB chunks: the parts are counted, the session read.
  UploadBodyReader reader{std::string_view(multipart)};
  REQUIRE(reader.feed(part("form-data; name=session", "in1") +
                      "--XyZ\r\nContent-Disposition: form-data; name=f; filename=big.bin\r\n\r\n"));
  const std::string chunk(64 << 10, '\r'); // every byte a possible delimiter start
  for (int i = 0; i < 128; ++i) {
    REQUIRE(reader.feed(chunk));
  }
  REQUIRE(reader.feed("\r\n--XyZ--"));
  REQUIRE(reader.finish());
  CHECK(reader.session() == std::optional<std::string>("in1"));
  REQUIRE(reader.parts().size() == 2);
  CHECK(reader.parts()[1].size == 128u * (64 << 10));
}

TEST_CASE("problems read as sentences, with their limits", "[upload][gate]") {
  UploadLimits limits;
  limits.max_bytes = 10;
  UploadBodyReader big(std::string_view("text/plain"), limits);
  CHECK_FALSE(big.feed("01234567890"));
  CHECK(big.message() == "the body is larger than the upload limit (10 bytes)");
  UploadBodyReader no_boundary(std::string_view("multipart/form-data"));
  CHECK_FALSE(no_boundary.feed("x"));
  CHECK(no_boundary.problem() == UploadProblem::missing_boundary);
  CHECK(no_boundary.message() == "multipart/form-data without a boundary parameter");
  UploadBodyReader fine(std::string_view("text/plain"));
  CHECK(fine.finish());
  CHECK(fine.message().empty());
  for (std::size_t i = 0; i < upload_problem_names.size(); ++i) {
    CHECK(static_cast<std::size_t>(upload_problem_names[i].problem) == i);
  }
}
