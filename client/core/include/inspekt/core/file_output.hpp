#pragma once
// Files the programs write for others to read (reports, the mock's CA certificate):
// whole or not at all, so that a reader never sees half of one.

#include <optional>
#include <string>

namespace inspekt {

// Writes `text` to `path` through a temporary file beside it (mode `mode`), fsync and a
// rename: a reader sees the old file or the whole new one. Returns why it could not
// ("cannot write \"PATH\": what: strerror"), leaving no temporary file behind.
std::optional<std::string> write_file_whole(const std::string &path, const std::string &text,
                                            unsigned mode = 0644);

// Whether a file could be created at `path` (a directory there, or a folder that does
// not exist or is not writable, cannot): checked before work whose result goes there.
std::optional<std::string> check_writable(const std::string &path);

} // namespace inspekt
