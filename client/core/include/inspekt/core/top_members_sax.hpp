#pragma once
// The nesting bookkeeping of a SAX reader (nlohmann's json_sax_t) that reads only the
// members of a top-level JSON object: how deep the parser is, whether the document is an
// object, and a parse error that ends the parse. The reader is told of every value that
// is neither a string nor a number in one place, so it need not mind what kind it was.

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>

namespace inspekt {

// A reader derives as `class R : public TopMembersSax<R>` and defines, besides key(),
// string(), number_integer() and number_unsigned(), a public
//   bool other_value();
// for a value of any other kind at depth(): null, a boolean, a float, binary, or the
// start of an object or array (whose own members are one level deeper).
template <typename Reader> class TopMembersSax : public nlohmann::json::json_sax_t {
public:
  // The document is a JSON object: its first value opened one.
  bool top_is_object() const { return top_is_object_; }

  bool null() final { return reader().other_value(); }
  bool boolean(bool) final { return reader().other_value(); }
  bool number_float(number_float_t, const string_t &) final { return reader().other_value(); }
  bool binary(binary_t &) final { return reader().other_value(); }
  bool start_object(std::size_t) final {
    top_is_object_ = top_is_object_ || depth_ == 0;
    return open();
  }
  bool start_array(std::size_t) final { return open(); }
  bool end_object() final { return close(); }
  bool end_array() final { return close(); }
  bool parse_error(std::size_t, const std::string &, const nlohmann::json::exception &) final {
    return false;
  }

protected:
  // 0 before the document, 1 among the members of the top-level object (or array).
  int depth() const { return depth_; }

private:
  Reader &reader() { return static_cast<Reader &>(*this); }
  bool open() {
    reader().other_value();
    ++depth_;
    return true;
  }
  bool close() {
    --depth_;
    return true;
  }

  int depth_ = 0;
  bool top_is_object_ = false;
};

} // namespace inspekt
