#pragma once

#include <string_view>

// Subject rules of the NATS protocol. Tokens are separated by '.', '*' matches one token and
// '>' matches one or more trailing tokens.
namespace spate::routing {

inline constexpr size_t kMaxTokens = 32;  // beyond this, matching falls back to the heap

// A subject that may hold wildcards (SUB). No empty tokens, no whitespace, '*' and '>' only as
// whole tokens, '>' only last. With pedantic=false nats-server accepts more (it checks only for
// empty tokens and whitespace); the rules implemented here say exactly which.
bool IsValidSubject(std::string_view subject, bool pedantic = false);
// A subject without wildcards (PUB in pedantic mode, reply subjects).
bool IsValidLiteralSubject(std::string_view subject);
bool IsValidQueueName(std::string_view queue);
// True if the literal `subject` is matched by `filter` (which may hold wildcards).
bool SubjectMatchesFilter(std::string_view subject, std::string_view filter);
// True if some literal subject matches both filters (used for stream subject overlap checks).
bool SubjectsCollide(std::string_view a, std::string_view b);

}  // namespace spate::routing
