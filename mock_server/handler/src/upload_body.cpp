#include "inspekt/mock/handler/upload_body.hpp"

#include "inspekt/core/text.hpp"
#include "inspekt/core/top_members_sax.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>

namespace inspekt::mock {

namespace {

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return lower(x) == lower(y); });
}

std::string lowered(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), lower);
  return out;
}

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

// A header value's media type and parameters (RFC 9110 sections 5.6.6 and 8.3.1):
// `type/subtype *( OWS ";" OWS name "=" ( token / quoted-string ) )`. Parameter names
// are returned in lower case, values unquoted. Nothing when it does not parse.
struct MediaType {
  std::string type; // "multipart/form-data", lower case
  std::vector<std::pair<std::string, std::string>> parameters;

  const std::string *parameter(std::string_view name) const {
    for (const auto &[key, value] : parameters) {
      if (key == name) {
        return &value;
      }
    }
    return nullptr;
  }
};

// Reads `; name=value` pairs from `text` (after the leading value) into `out`. False
// when they do not parse.
bool read_parameters(std::string_view text, std::vector<std::pair<std::string, std::string>> &out) {
  std::size_t i = 0;
  const auto skip_space = [&] {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) {
      ++i;
    }
  };
  for (;;) {
    skip_space();
    if (i == text.size()) {
      return true;
    }
    if (text[i] != ';') {
      return false;
    }
    ++i;
    skip_space();
    if (i == text.size()) {
      return true; // a trailing ';' is harmless
    }
    const auto name_start = i;
    while (i < text.size() && is_token_char(text[i])) {
      ++i;
    }
    if (i == name_start || i == text.size() || text[i] != '=') {
      return false;
    }
    std::string name = lowered(text.substr(name_start, i - name_start));
    ++i;
    std::string value;
    if (i < text.size() && text[i] == '"') {
      ++i;
      for (;; ++i) {
        if (i == text.size()) {
          return false; // unterminated
        }
        if (text[i] == '"') {
          ++i;
          break;
        }
        if (text[i] == '\\' && i + 1 < text.size()) {
          ++i; // quoted-pair
        }
        value += text[i];
      }
    } else {
      const auto value_start = i;
      while (i < text.size() && is_token_char(text[i])) {
        ++i;
      }
      if (i == value_start) {
        return false;
      }
      value = std::string(text.substr(value_start, i - value_start));
    }
    out.emplace_back(std::move(name), std::move(value));
  }
}

std::optional<MediaType> parse_media_type(std::string_view text) {
  text = trimmed(text);
  const auto end = std::min(text.find(';'), text.size());
  const auto type = trimmed(text.substr(0, end));
  const auto slash = type.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == type.size() ||
      !std::all_of(type.begin(), type.end(), [](char c) { return c == '/' || is_token_char(c); }) ||
      type.find('/', slash + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  MediaType media{lowered(type), {}};
  if (!read_parameters(text.substr(end), media.parameters)) {
    return std::nullopt;
  }
  return media;
}

// RFC 2046 section 5.1.1: boundary := 0*69<bchars> bcharsnospace.
bool is_boundary(std::string_view boundary) {
  constexpr std::string_view allowed = "'()+_,-./:=? ";
  return !boundary.empty() && boundary.size() <= 70 && boundary.back() != ' ' &&
         std::all_of(boundary.begin(), boundary.end(), [&](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) ||
                  allowed.find(c) != std::string_view::npos;
         });
}

} // namespace

// What every kind shares: the counter, the limits, the result and the first problem.
class UploadBodyReader::Format {
public:
  Format(UploadBodyKind kind, const UploadLimits &limits) : kind_(kind), limits_(limits) {}
  virtual ~Format() = default;

  bool feed(std::string_view chunk) {
    if (problem_ != UploadProblem::none) {
      return false;
    }
    if (chunk.size() > limits_.max_bytes - bytes_) {
      bytes_ = limits_.max_bytes + 1;
      return fail(UploadProblem::too_large);
    }
    bytes_ += chunk.size();
    consume(chunk);
    return problem_ == UploadProblem::none;
  }

  bool finish() {
    if (problem_ == UploadProblem::none) {
      end();
    }
    return problem_ == UploadProblem::none;
  }

  bool fail(UploadProblem problem) {
    if (problem_ == UploadProblem::none) {
      problem_ = problem;
    }
    return false;
  }

  std::string message() const {
    if (problem_ == UploadProblem::none) {
      return {};
    }
    std::string text(upload_problem_names[static_cast<std::size_t>(problem_)].message);
    const auto limit = [&](std::uint64_t value, const char *unit) {
      text += " (" + std::to_string(value) + unit + ")";
    };
    switch (problem_) {
    case UploadProblem::too_large:
      limit(limits_.max_bytes, " bytes");
      break;
    case UploadProblem::part_headers_too_large:
      limit(limits_.max_part_header_bytes, " bytes at most");
      break;
    case UploadProblem::too_many_parts:
      limit(limits_.max_parts, " at most");
      break;
    case UploadProblem::json_too_large:
      limit(limits_.max_json_bytes, " bytes at most");
      break;
    case UploadProblem::session_too_long:
      limit(limits_.max_session_bytes, " bytes at most");
      break;
    default:
      break;
    }
    return text;
  }

  UploadBodyKind kind_;
  UploadLimits limits_;
  UploadProblem problem_ = UploadProblem::none;
  std::uint64_t bytes_ = 0;
  std::optional<std::string> session_;
  std::vector<UploadPart> parts_;

protected:
  virtual void consume(std::string_view chunk) = 0;
  virtual void end() = 0;

  // Appends to the session being read, within its bound.
  void add_to_session(std::string_view bytes) {
    if (session_->size() + bytes.size() > limits_.max_session_bytes) {
      fail(UploadProblem::session_too_long);
      return;
    }
    session_->append(bytes);
  }
};

namespace {

using Format = UploadBodyReader::Format;

// Counts the bytes, reads nothing.
class CountedBody final : public Format {
public:
  using Format::Format;

private:
  void consume(std::string_view) override {}
  void end() override {}
};

// multipart/form-data, one byte state machine. The delimiter "CRLF--boundary" is found
// byte by byte: since a boundary holds no CR, a failed partial match can only restart at
// a CR, so the bytes held back are always a prefix of the delimiter and are never
// stored (memchr skips to the next CR in content).
class MultipartBody final : public Format {
public:
  MultipartBody(std::string_view boundary, const UploadLimits &limits)
      : Format(UploadBodyKind::multipart, limits), delimiter_("\r\n--" + std::string(boundary)) {
    // The first delimiter may open the body, with no CRLF before it (RFC 2046: the
    // CRLF belongs to the delimiter, and a body without a preamble starts with "--").
    matched_ = 2;
  }

private:
  enum class State { preamble, after_delimiter, dash, padding, cr, headers, content, epilogue };

  void consume(std::string_view data) override {
    std::size_t i = 0;
    while (i < data.size() && problem_ == UploadProblem::none) {
      switch (state_) {
      case State::preamble:
      case State::content:
        i = scan(data, i);
        break;
      case State::after_delimiter:
      case State::padding:
        i = after_delimiter(data[i], i);
        break;
      case State::dash:
        if (data[i] != '-') {
          fail(UploadProblem::bad_delimiter_line);
          return;
        }
        ++i;
        if (parts_.empty()) {
          fail(UploadProblem::no_parts);
          return;
        }
        state_ = State::epilogue;
        break;
      case State::cr:
        if (data[i] != '\n') {
          fail(UploadProblem::bad_delimiter_line);
          return;
        }
        ++i;
        start_part();
        break;
      case State::headers:
        i = header_bytes(data, i);
        break;
      case State::epilogue:
        return; // RFC 2046: the epilogue is to be ignored
      }
    }
  }

  void end() override {
    if (state_ == State::epilogue) {
      return;
    }
    fail(state_ == State::preamble ? UploadProblem::no_opening_delimiter
                                   : UploadProblem::no_closing_delimiter);
  }

  // Content (or the preamble) from data[i]: returns where it stopped.
  std::size_t scan(std::string_view data, std::size_t i) {
    while (i < data.size()) {
      if (matched_ == 0) {
        const void *cr = std::memchr(data.data() + i, '\r', data.size() - i);
        const std::size_t at =
            cr == nullptr ? data.size()
                          : static_cast<std::size_t>(static_cast<const char *>(cr) - data.data());
        content(data.substr(i, at - i));
        i = at;
        if (i == data.size()) {
          return i;
        }
      }
      if (data[i] == delimiter_[matched_]) {
        ++i;
        if (++matched_ == delimiter_.size()) {
          matched_ = 0;
          if (state_ == State::content) {
            capturing_session_ = false;
          }
          state_ = State::after_delimiter;
          return i;
        }
      } else {
        // The bytes held back were content after all: they are the delimiter's first
        // matched_ bytes. The current byte is looked at again (it may be a CR).
        content(std::string_view(delimiter_).substr(0, matched_));
        matched_ = 0;
      }
    }
    return i;
  }

  void content(std::string_view bytes) {
    if (state_ != State::content || bytes.empty()) {
      return; // the preamble is to be ignored (RFC 2046)
    }
    parts_.back().size += bytes.size();
    if (capturing_session_) {
      add_to_session(bytes);
    }
  }

  // After "--boundary": "--" closes, transport padding (spaces, tabs) then CRLF opens
  // a part.
  std::size_t after_delimiter(char c, std::size_t i) {
    if (c == '-' && state_ == State::after_delimiter) {
      state_ = State::dash;
    } else if (c == ' ' || c == '\t') {
      state_ = State::padding;
    } else if (c == '\r') {
      state_ = State::cr;
    } else {
      fail(UploadProblem::bad_delimiter_line);
    }
    return i + 1;
  }

  void start_part() {
    if (parts_.size() == limits_.max_parts) {
      fail(UploadProblem::too_many_parts);
      return;
    }
    parts_.emplace_back();
    header_bytes_ = 0;
    line_.clear();
    has_disposition_ = false;
    state_ = State::headers;
  }

  // Header lines, up to the empty line: collected one line at a time, within the
  // part's header bound.
  std::size_t header_bytes(std::string_view data, std::size_t i) {
    const auto newline = data.find('\n', i);
    const auto end = newline == std::string_view::npos ? data.size() : newline;
    const auto take = end - i;
    if (take + (newline == std::string_view::npos ? 0 : 1) >
        limits_.max_part_header_bytes - header_bytes_) {
      fail(UploadProblem::part_headers_too_large);
      return data.size();
    }
    header_bytes_ += take;
    line_.append(data.substr(i, take));
    if (newline == std::string_view::npos) {
      return data.size();
    }
    ++header_bytes_;
    if (line_.empty() || line_.back() != '\r') {
      fail(UploadProblem::bad_header_line);
      return data.size();
    }
    line_.pop_back();
    if (line_.empty()) {
      end_of_headers();
    } else {
      header_line(line_);
    }
    line_.clear();
    return newline + 1;
  }

  void header_line(std::string_view line) {
    if (line.front() == ' ' || line.front() == '\t') {
      fail(UploadProblem::bad_header_line); // obs-fold (RFC 9112 section 5.2)
      return;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) {
      fail(UploadProblem::header_without_colon);
      return;
    }
    const auto name = line.substr(0, colon);
    if (!std::all_of(name.begin(), name.end(), is_token_char) || name.empty()) {
      fail(UploadProblem::bad_header_line);
      return;
    }
    const auto value = trimmed(line.substr(colon + 1));
    auto &part = parts_.back();
    if (iequals(name, "content-disposition") && !has_disposition_) {
      has_disposition_ = true;
      disposition(value, part);
    } else if (iequals(name, "content-type") && !part.media_type) {
      const auto media = parse_media_type(value);
      // Kept as sent (lower case) when it does not parse: the journal shows it.
      part.media_type = media ? media->type : lowered(value.substr(0, 128));
    }
  }

  // RFC 7578 section 4.2: `form-data; name="field"; filename="file.jpg"`.
  void disposition(std::string_view value, UploadPart &part) {
    const auto semicolon = std::min(value.find(';'), value.size());
    if (!iequals(trimmed(value.substr(0, semicolon)), "form-data")) {
      fail(UploadProblem::no_content_disposition);
      return;
    }
    std::vector<std::pair<std::string, std::string>> parameters;
    if (!read_parameters(value.substr(semicolon), parameters)) {
      fail(UploadProblem::bad_content_disposition);
      return;
    }
    for (auto &[name, text] : parameters) {
      if (name == "name" && !name_given_) {
        part.name = std::move(text);
        name_given_ = true;
      } else if (name == "filename" && !part.filename) {
        part.filename = std::move(text);
      }
    }
  }

  void end_of_headers() {
    if (!has_disposition_) {
      fail(UploadProblem::no_content_disposition);
      return;
    }
    if (!name_given_) {
      fail(UploadProblem::part_without_name);
      return;
    }
    name_given_ = false;
    capturing_session_ = !session_ && parts_.back().name == "session";
    if (capturing_session_) {
      session_.emplace();
    }
    state_ = State::content;
  }

  const std::string delimiter_;
  State state_ = State::preamble;
  std::size_t matched_ = 0;
  std::string line_;
  std::size_t header_bytes_ = 0;
  bool has_disposition_ = false;
  bool name_given_ = false;
  bool capturing_session_ = false;
};

// application/x-www-form-urlencoded: name=value pairs split by '&'.
class FormBody final : public Format {
public:
  explicit FormBody(const UploadLimits &limits) : Format(UploadBodyKind::form, limits) {}

private:
  // Enough to tell "session" from any other name.
  static constexpr std::size_t name_kept = 8;

  void consume(std::string_view data) override {
    for (const char c : data) {
      if (problem_ != UploadProblem::none) {
        return;
      }
      if (percent_ > 0) {
        const int value = hex_digit_value(c);
        if (value < 0) {
          fail(UploadProblem::bad_percent_encoding);
          return;
        }
        escaped_ = escaped_ * 16 + value;
        if (++percent_ == 3) {
          percent_ = 0;
          decoded(static_cast<char>(escaped_));
        }
      } else if (c == '%') {
        percent_ = 1;
        escaped_ = 0;
      } else if (c == '&') {
        end_field();
      } else if (c == '=' && !in_value_) {
        start_value();
      } else {
        decoded(c == '+' ? ' ' : c);
      }
    }
  }

  void end() override {
    if (percent_ > 0) {
      fail(UploadProblem::bad_percent_encoding);
      return;
    }
    end_field();
  }

  void decoded(char c) {
    if (in_value_) {
      if (capturing_session_) {
        add_to_session(std::string_view(&c, 1));
      }
    } else if (name_.size() < name_kept) {
      name_ += c;
    } else {
      name_long_ = true;
    }
  }

  bool named_session() const { return !name_long_ && name_ == "session"; }

  void start_value() {
    in_value_ = true;
    capturing_session_ = !session_ && named_session();
    if (capturing_session_) {
      session_.emplace();
    }
  }

  void end_field() {
    if (!in_value_ && !session_ && named_session()) {
      session_.emplace(); // "session" without '=': an empty value (WHATWG)
    }
    in_value_ = false;
    capturing_session_ = false;
    name_.clear();
    name_long_ = false;
  }

  int percent_ = 0; // digits of a %XX seen, counting the '%'
  int escaped_ = 0;
  bool in_value_ = false;
  bool capturing_session_ = false;
  std::string name_;
  bool name_long_ = false;
};

// application/json: buffered up to max_json_bytes, then read by events (no tree is
// built, so nesting depth costs nothing but the parser's own stack of states).
class JsonBody final : public Format {
public:
  explicit JsonBody(const UploadLimits &limits) : Format(UploadBodyKind::json, limits) {}

private:
  class SessionFinder : public TopMembersSax<SessionFinder> {
  public:
    std::optional<std::string> session;
    bool not_string = false;

    bool number_integer(number_integer_t) override { return other_value(); }
    bool number_unsigned(number_unsigned_t) override { return other_value(); }
    bool string(string_t &text) override {
      if (depth() == 1 && wanted_) {
        session = text;
      }
      wanted_ = false;
      return true;
    }
    bool key(string_t &name) override {
      wanted_ = depth() == 1 && top_is_object() && name == "session" && !seen_;
      seen_ = seen_ || wanted_;
      return true;
    }
    // Any value but a string: a "session" that holds one is not a string.
    bool other_value() {
      not_string = not_string || (depth() == 1 && wanted_);
      wanted_ = false;
      return true;
    }

  private:
    bool wanted_ = false;
    bool seen_ = false;
  };

  void consume(std::string_view data) override {
    if (data.size() > limits_.max_json_bytes - text_.size()) {
      fail(UploadProblem::json_too_large);
      return;
    }
    text_.append(data);
  }

  void end() override {
    SessionFinder finder;
    if (!nlohmann::json::sax_parse(text_, &finder)) {
      fail(UploadProblem::not_json);
    } else if (finder.not_string) {
      fail(UploadProblem::session_not_string);
    } else if (finder.session && finder.session->size() > limits_.max_session_bytes) {
      fail(UploadProblem::session_too_long);
    } else {
      session_ = std::move(finder.session);
    }
    text_.clear();
    text_.shrink_to_fit();
  }

  std::string text_;
};

std::unique_ptr<Format> format_for(std::optional<std::string_view> content_type,
                                   const UploadLimits &limits) {
  const auto media = content_type ? parse_media_type(*content_type) : std::nullopt;
  if (!media) {
    return std::make_unique<CountedBody>(UploadBodyKind::other, limits);
  }
  if (media->type == "multipart/form-data") {
    const auto *boundary = media->parameter("boundary");
    if (boundary == nullptr || !is_boundary(*boundary)) {
      auto refused = std::make_unique<CountedBody>(UploadBodyKind::multipart, limits);
      refused->fail(boundary == nullptr ? UploadProblem::missing_boundary
                                        : UploadProblem::bad_boundary);
      return refused;
    }
    return std::make_unique<MultipartBody>(*boundary, limits);
  }
  if (media->type == "application/x-www-form-urlencoded") {
    return std::make_unique<FormBody>(limits);
  }
  if (media->type == "application/json") {
    return std::make_unique<JsonBody>(limits);
  }
  return std::make_unique<CountedBody>(UploadBodyKind::other, limits);
}

const std::optional<std::string> no_session;

} // namespace

UploadBodyReader::UploadBodyReader(std::optional<std::string_view> content_type,
                                   const UploadLimits &limits)
    : format_(format_for(content_type, limits)) {}

UploadBodyReader::~UploadBodyReader() = default;
UploadBodyReader::UploadBodyReader(UploadBodyReader &&) noexcept = default;
UploadBodyReader &UploadBodyReader::operator=(UploadBodyReader &&) noexcept = default;

bool UploadBodyReader::feed(std::string_view chunk) {
  return format_->feed(chunk);
}

bool UploadBodyReader::finish() {
  return format_->finish();
}

UploadBodyKind UploadBodyReader::kind() const {
  return format_->kind_;
}

UploadProblem UploadBodyReader::problem() const {
  return format_->problem_;
}

std::string UploadBodyReader::message() const {
  return format_->message();
}

std::uint64_t UploadBodyReader::bytes() const {
  return format_->bytes_;
}

const std::optional<std::string> &UploadBodyReader::session() const {
  return format_->problem_ == UploadProblem::none ? format_->session_ : no_session;
}

const std::vector<UploadPart> &UploadBodyReader::parts() const {
  return format_->parts_;
}

} // namespace inspekt::mock
