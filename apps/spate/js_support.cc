#include "js_support.h"

#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_context.h"
#include "client/api_error.h"
#include "client/errors.h"
#include "format.h"

namespace spate::cli {

Result<JsSession> OpenJetStream(const CliContext& ctx, std::string_view verb) {
  auto conn = ctx.Connect(verb);
  if (!conn.ok()) return conn.status();
  client::JsOptions options;
  options.timeout = ctx.timeout();
  auto js = client::JetStream::Create(**conn, options);
  if (!js.ok()) return js.status();
  return JsSession{std::move(*conn), std::move(*js)};
}

std::string DescribeJsError(const Status& status) {
  if (auto api = client::GetApiError(status)) {
    return api->description + " (" + std::to_string(api->err_code) + ", code " +
           std::to_string(api->code) + ")";
  }
  if (client::IsNoResponders(status)) {
    return "JetStream is not available (no responders on $JS.API; is the server running with "
           "-js, and the account JetStream-enabled?)";
  }
  return status.message();
}

int FailJs(const CliContext& ctx, std::string_view verb, const Status& status) {
  return ctx.Fail(verb, DescribeJsError(status));
}

void PrintRawJson(const std::string& raw_json) {
  nlohmann::json j = nlohmann::json::parse(raw_json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    std::cout << raw_json << std::endl;
    return;
  }
  if (j.is_object()) j.erase("type");
  CliContext::PrintJson(j);
}

std::string FormatTimestamp(client::Timestamp t) {
  if (t.time_since_epoch().count() == 0) return "never";
  const std::time_t secs = std::chrono::system_clock::to_time_t(
      std::chrono::time_point_cast<std::chrono::system_clock::duration>(t));
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

std::string FormatTimestampRfc3339(client::Timestamp t) {
  const auto secs = std::chrono::floor<std::chrono::seconds>(t);
  const std::time_t tt = secs.time_since_epoch().count();
  std::tm tm{};
  ::gmtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  char frac[16];
  std::snprintf(frac, sizeof(frac), ".%09lld", static_cast<long long>((t - secs).count()));
  return std::string(buf) + frac + "Z";
}

std::string LimitText(int64_t value) {
  return value < 0 ? "unlimited" : HumanCount(static_cast<uint64_t>(value));
}

std::string LimitBytes(int64_t value) {
  return value < 0 ? "unlimited" : HumanBytes(static_cast<double>(value));
}

std::string LimitDuration(client::Nanos value) {
  return value.count() <= 0 ? "unlimited" : HumanDuration(value);
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace spate::cli
