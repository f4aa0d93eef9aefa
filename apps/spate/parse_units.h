#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

// Units as people type them on the command line: durations ("1h30m", "500ms", "2d", a bare
// number is seconds) and sizes ("1024", "64KB", "1GiB"; K/M/G/T are powers of 1024, as the
// NATS conf format reads them). Both return InvalidArgument with the text that did not parse.
namespace spate::cli {

Result<std::chrono::nanoseconds> ParseDuration(std::string_view text);
Result<int64_t> ParseSize(std::string_view text);

}  // namespace spate::cli
