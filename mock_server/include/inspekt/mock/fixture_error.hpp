#pragma once
// The mock's own failures with a fixture set. Every message starts with a stable id in
// brackets, then the file, then where in it, then the reason:
//   [fixture.missing-field] keys.json: /keys/0/key: required field is missing
// Tests pin these texts; users grep for the ids. The ids, all in one place:
//   fixture.io             a file or the directory cannot be read
//   fixture.parse          a file is not valid JSON (position given as line:column)
//   fixture.unknown-field  a field the format does not know (usually a typo)
//   fixture.missing-field  a required field is absent
//   fixture.type           a field has the wrong JSON type
//   fixture.value          a field has a value outside its allowed range or set
//   fixture.duplicate-key  the same API key is listed twice

#include <stdexcept>
#include <string>

namespace inspekt::mock {

class FixtureError : public std::runtime_error {
public:
  FixtureError(std::string id, std::string file, std::string where, std::string reason);

  const std::string &id() const { return id_; }
  const std::string &file() const { return file_; }
  const std::string &where() const { return where_; }
  const std::string &reason() const { return reason_; }

private:
  std::string id_;
  std::string file_;
  std::string where_;
  std::string reason_;
};

} // namespace inspekt::mock
