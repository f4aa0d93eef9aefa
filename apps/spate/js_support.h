#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "client/connection.h"
#include "client/jetstream.h"
#include "common/status.h"

// What the JetStream verbs (stream, consumer, kv) share: a connection with its JetStream
// context, errors worded from the server's API error, and --json output taken from the server's
// own reply (Info::raw_json), so the CLI has no JSON mapping of its own for the API types.
namespace spate::cli {

class CliContext;

// The JetStream context refers to the connection: both live and die together.
struct JsSession {
  std::unique_ptr<client::Connection> conn;
  client::JetStream js;
};

Result<JsSession> OpenJetStream(const CliContext& ctx, std::string_view verb);

// "stream not found (10059, code 404)" for API errors; a hint when JetStream does not answer.
std::string DescribeJsError(const Status& status);
// spate: <verb>: <DescribeJsError>; returns the failure exit code.
int FailJs(const CliContext& ctx, std::string_view verb, const Status& status);

// Prints a reply kept by the client library (raw_json) as indented JSON, without the "type" tag.
void PrintRawJson(const std::string& raw_json);

// "2026-01-02 15:04:05 UTC" for people ("never" for the zero time), or RFC 3339 with
// nanoseconds for --json ("2026-01-02T15:04:05.123456789Z").
std::string FormatTimestamp(client::Timestamp t);
std::string FormatTimestampRfc3339(client::Timestamp t);
// "unlimited" for the server's -1 (or 0 for durations), else the value.
std::string LimitText(int64_t value);
std::string LimitBytes(int64_t value);
std::string LimitDuration(client::Nanos value);

// Reads a whole file (--config); InvalidArgument when it cannot be read.
Result<std::string> ReadFile(const std::string& path);

}  // namespace spate::cli
