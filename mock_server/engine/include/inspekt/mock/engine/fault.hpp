#pragma once
// The faults an answer can carry on the wire (WireMock's names; docs/architecture.md).
// The layers above decide that an answer is faulted (a key's `fault`, `chaos`, or
// `Prefer: fault=`); the engine applies it, the same way over HTTP and over HTTPS.

#include <array>
#include <optional>
#include <ostream>
#include <string_view>

namespace inspekt::mock {

enum class Fault {
  connection_reset_by_peer, // request read, then a TCP reset
  empty_response,           // closed with nothing sent
  malformed_response_chunk, // a 200 head with chunked encoding, a broken chunk, close
  random_data_then_close,   // garbage, then close
  slow_body,                // a valid answer whose body trickles out over the delay
  truncated_body,           // Content-Length promises the whole body, half is sent, close
};

struct FaultName {
  Fault fault;
  std::string_view name;
};

// The one list of fault names: parsing, printing and the documentation checks read it.
inline constexpr std::array<FaultName, 6> fault_names{{
    {Fault::connection_reset_by_peer, "CONNECTION_RESET_BY_PEER"},
    {Fault::empty_response, "EMPTY_RESPONSE"},
    {Fault::malformed_response_chunk, "MALFORMED_RESPONSE_CHUNK"},
    {Fault::random_data_then_close, "RANDOM_DATA_THEN_CLOSE"},
    {Fault::slow_body, "SLOW_BODY"},
    {Fault::truncated_body, "TRUNCATED_BODY"},
}};

constexpr std::string_view to_string(Fault fault) {
  for (const auto &entry : fault_names) {
    if (entry.fault == fault) {
      return entry.name;
    }
  }
  return "UNKNOWN_FAULT";
}

constexpr std::optional<Fault> parse_fault(std::string_view name) {
  for (const auto &entry : fault_names) {
    if (entry.name == name) {
      return entry.fault;
    }
  }
  return std::nullopt;
}

inline std::ostream &operator<<(std::ostream &out, Fault fault) {
  return out << to_string(fault);
}

} // namespace inspekt::mock
