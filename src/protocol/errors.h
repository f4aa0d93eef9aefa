#pragma once

#include <string_view>

// Exact -ERR texts as nats-server sends them; clients and tools match on these strings.
namespace spate::protocol {

inline constexpr std::string_view kErrUnknownOp = "-ERR 'Unknown Protocol Operation'\r\n";
inline constexpr std::string_view kErrMaxPayload = "-ERR 'Maximum Payload Violation'\r\n";
// nats-server (2.9 to 2.12) sends this one in lower case.
inline constexpr std::string_view kErrMaxControlLine = "-ERR 'maximum control line exceeded'\r\n";
inline constexpr std::string_view kErrInvalidSubject = "-ERR 'Invalid Subject'\r\n";
inline constexpr std::string_view kErrInvalidPubSubject = "-ERR 'Invalid Publish Subject'\r\n";
inline constexpr std::string_view kErrMaxSubs = "-ERR 'maximum subscriptions exceeded'\r\n";
inline constexpr std::string_view kErrMaxConnections = "-ERR 'maximum connections exceeded'\r\n";
inline constexpr std::string_view kErrAuthViolation = "-ERR 'Authorization Violation'\r\n";
inline constexpr std::string_view kErrAuthTimeout = "-ERR 'Authentication Timeout'\r\n";
inline constexpr std::string_view kErrStaleConnection = "-ERR 'Stale Connection'\r\n";
inline constexpr std::string_view kErrTlsRequired = "-ERR 'Secure Connection - TLS Required'\r\n";

inline constexpr std::string_view kOk = "+OK\r\n";
inline constexpr std::string_view kPing = "PING\r\n";
inline constexpr std::string_view kPong = "PONG\r\n";

}  // namespace spate::protocol
