#pragma once

#include <string_view>

// Exact -ERR texts as nats-server sends them; clients and tools match on these strings.
namespace spate::protocol {

inline constexpr std::string_view kErrUnknownOp = "-ERR 'Unknown Protocol Operation'\r\n";
inline constexpr std::string_view kErrMaxPayload = "-ERR 'Maximum Payload Violation'\r\n";
inline constexpr std::string_view kErrMaxControlLine = "-ERR 'Maximum Control Line Exceeded'\r\n";
inline constexpr std::string_view kErrInvalidSubject = "-ERR 'Invalid Subject'\r\n";
inline constexpr std::string_view kErrInvalidPubSubject = "-ERR 'Invalid Publish Subject'\r\n";
inline constexpr std::string_view kErrMaxSubs = "-ERR 'Maximum Subscriptions Exceeded'\r\n";
inline constexpr std::string_view kErrMaxConnections = "-ERR 'maximum connections exceeded'\r\n";
inline constexpr std::string_view kErrAuthViolation = "-ERR 'Authorization Violation'\r\n";
inline constexpr std::string_view kErrAuthTimeout = "-ERR 'Authentication Timeout'\r\n";
inline constexpr std::string_view kErrStaleConnection = "-ERR 'Stale Connection'\r\n";
inline constexpr std::string_view kErrSlowConsumer = "-ERR 'Slow Consumer'\r\n";
inline constexpr std::string_view kErrNoHeaders = "-ERR 'Headers Not Supported'\r\n";  // HPUB without headers:true
inline constexpr std::string_view kErrTlsRequired = "-ERR 'Secure Connection - TLS Required'\r\n";

inline constexpr std::string_view kOk = "+OK\r\n";
inline constexpr std::string_view kPing = "PING\r\n";
inline constexpr std::string_view kPong = "PONG\r\n";

}  // namespace spate::protocol
