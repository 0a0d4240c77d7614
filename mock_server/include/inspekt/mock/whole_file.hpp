#pragma once
// Output files are written whole or not at all: into a temporary file beside the
// target, synced, then renamed over it. A reader never sees half a file, and a failed
// write leaves what was there before.

#include <stdexcept>
#include <string>
#include <string_view>

namespace inspekt::mock {

struct WriteError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Throws WriteError "cannot write \"PATH\": WHAT: REASON" and leaves no temporary file.
void write_whole_file(const std::string &path, std::string_view text);

} // namespace inspekt::mock
