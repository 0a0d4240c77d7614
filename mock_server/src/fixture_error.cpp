#include "inspekt/mock/fixture_error.hpp"

namespace inspekt::mock {

FixtureError::FixtureError(std::string id, std::string file, std::string where, std::string reason)
    : std::runtime_error("[" + id + "] " + file + (where.empty() ? "" : ": " + where) + ": " +
                         reason),
      id_(std::move(id)), file_(std::move(file)), where_(std::move(where)),
      reason_(std::move(reason)) {}

} // namespace inspekt::mock
