#pragma once

#include <string>
#include <string_view>

#include "conf/duration.h"
#include "jetstream/json_codec.h"

// Texts that nats-server builds with Go's formatting and that end up in API error descriptions.
namespace spate::jetstream {

using conf::FormatGoDuration;  // in conf: the config reload log uses it too

// Go's %q for plain strings: double quotes, with '"', '\\' and control bytes escaped.
std::string QuoteGo(std::string_view text);

}  // namespace spate::jetstream
