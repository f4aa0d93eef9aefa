#pragma once

#include <string>
#include <string_view>

#include "jetstream/json_codec.h"

// Texts that nats-server builds with Go's formatting and that end up in API error descriptions.
namespace spate::jetstream {

// Go's time.Duration.String(): "0s", "1.5s", "2m0s", "1h0m0s", "100ms", "1.5µs", "-3s".
std::string FormatGoDuration(Duration duration);

// Go's %q for plain strings: double quotes, with '"', '\\' and control bytes escaped.
std::string QuoteGo(std::string_view text);

}  // namespace spate::jetstream
