#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "common/status.h"

namespace spate::conf {

// Parses a duration the way nats-server does (Go's time.ParseDuration): an optional sign, then
// one or more decimal numbers each with a unit, e.g. "300ms", "-1.5h", "1h30m", "2m10.5s".
// Units: ns, us (also µs, μs), ms, s, m, h. A bare "0" is allowed; any other number needs a
// unit. The message of an error does not carry a location; callers add the key's.
Result<std::chrono::nanoseconds> ParseDuration(std::string_view text);

// The inverse, as Go's time.Duration.String() writes it (nats-server's messages use it):
// "0s", "1.5s", "2m0s", "1h0m0s", "100ms", "1.5µs", "-3s".
std::string FormatDuration(std::chrono::nanoseconds duration);

}  // namespace spate::conf
