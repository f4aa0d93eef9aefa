#include "client/jetstream_json.h"

#include <array>
#include <charconv>
#include <cstdio>
#include <stdexcept>

#include "client/api_error.h"

namespace spate::client::detail {
namespace {

// Howard Hinnant's days-from-civil: days since 1970-01-01 of a proleptic Gregorian date.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool ReadDigits(std::string_view s, size_t pos, size_t n, int64_t* out) {
  if (pos + n > s.size()) return false;
  int64_t v = 0;
  for (size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

Status Malformed(const std::string& what) {
  return Status::Corruption("malformed JetStream reply: " + what);
}

std::string_view Name(RetentionPolicy p) {
  switch (p) {
    case RetentionPolicy::kInterest:
      return "interest";
    case RetentionPolicy::kWorkQueue:
      return "workqueue";
    default:
      return "limits";
  }
}
std::string_view Name(DeliverPolicy p) {
  switch (p) {
    case DeliverPolicy::kLast:
      return "last";
    case DeliverPolicy::kNew:
      return "new";
    case DeliverPolicy::kByStartSequence:
      return "by_start_sequence";
    case DeliverPolicy::kByStartTime:
      return "by_start_time";
    case DeliverPolicy::kLastPerSubject:
      return "last_per_subject";
    default:
      return "all";
  }
}
std::string_view Name(AckPolicy p) {
  switch (p) {
    case AckPolicy::kNone:
      return "none";
    case AckPolicy::kAll:
      return "all";
    default:
      return "explicit";
  }
}

// Reads member `key` into `out` when present and not null; a wrong type throws
// nlohmann::json::type_error, which the Decode* functions turn into a Corruption status.
template <class T>
void Read(const Json& j, const char* key, T* out) {
  auto it = j.find(key);
  if (it != j.end() && !it->is_null()) *out = it->get<T>();
}
void ReadNanos(const Json& j, const char* key, Nanos* out) {
  int64_t v = 0;
  Read(j, key, &v);
  *out = Nanos(v);
}
void ReadTime(const Json& j, const char* key, Timestamp* out) {
  std::string text;
  Read(j, key, &text);
  if (text.empty()) return;
  Result<Timestamp> t = ParseTime(text);
  if (!t.ok()) throw std::runtime_error("bad time in '" + std::string(key) + "'");
  *out = *t;
}
void ReadSeqInfo(const Json& j, const char* key, SequenceInfo* out) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_object()) return;
  Read(*it, "consumer_seq", &out->consumer_seq);
  Read(*it, "stream_seq", &out->stream_seq);
  ReadTime(*it, "last_active", &out->last_active);
}

template <class Fn>
auto Guard(const char* what, Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const std::exception& e) {  // nlohmann's type errors and ReadTime's
    return Malformed(std::string(what) + ": " + e.what());
  }
}

}  // namespace

std::string FormatTime(Timestamp t) {
  const int64_t ns = t.time_since_epoch().count();
  int64_t secs = ns / 1000000000;
  int64_t frac = ns % 1000000000;
  if (frac < 0) {
    frac += 1000000000;
    secs -= 1;
  }
  int64_t days = secs / 86400;
  int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    days -= 1;
  }
  // civil-from-days (Hinnant).
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2);
  char buf[64];
  int n = std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02uT%02lld:%02lld:%02lld",
                        static_cast<long long>(y), m, d, static_cast<long long>(rem / 3600),
                        static_cast<long long>(rem / 60 % 60), static_cast<long long>(rem % 60));
  std::string out(buf, static_cast<size_t>(n));
  if (frac != 0) {
    char fbuf[16];
    std::snprintf(fbuf, sizeof(fbuf), ".%09lld", static_cast<long long>(frac));
    std::string f(fbuf);
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  out += 'Z';
  return out;
}

Result<Timestamp> ParseTime(std::string_view s) {
  int64_t y, mo, d, h, mi, se;
  if (!ReadDigits(s, 0, 4, &y) || s.size() < 20 || s[4] != '-' || !ReadDigits(s, 5, 2, &mo) ||
      s[7] != '-' || !ReadDigits(s, 8, 2, &d) || (s[10] != 'T' && s[10] != 't') ||
      !ReadDigits(s, 11, 2, &h) || s[13] != ':' || !ReadDigits(s, 14, 2, &mi) || s[16] != ':' ||
      !ReadDigits(s, 17, 2, &se) || mo < 1 || mo > 12 || d < 1 || d > 31) {
    return Status::InvalidArgument("bad RFC 3339 time '" + std::string(s) + "'");
  }
  size_t pos = 19;
  int64_t frac = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 9) frac = frac * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    for (int i = digits; i < 9; ++i) frac *= 10;
  }
  int64_t offset = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int64_t oh, om;
    if (!ReadDigits(s, pos + 1, 2, &oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !ReadDigits(s, pos + 4, 2, &om)) {
      return Status::InvalidArgument("bad RFC 3339 offset in '" + std::string(s) + "'");
    }
    offset = (oh * 3600 + om * 60) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  }
  if (pos != s.size()) return Status::InvalidArgument("bad RFC 3339 time '" + std::string(s) + "'");
  // Go's zero time and anything before the epoch that would overflow int64 nanoseconds.
  if (y < 1678) return Timestamp{};
  const int64_t secs =
      DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 +
      mi * 60 + se - offset;
  return Timestamp(Nanos(secs * 1000000000 + frac));
}

Status MergeExtra(std::string_view extra_json, Json* encoded) {
  if (extra_json.empty()) return Status::Ok();
  Json extra = Json::parse(extra_json, nullptr, /*allow_exceptions=*/false);
  if (extra.is_discarded() || !extra.is_object()) {
    return Status::InvalidArgument("extra_json is not a JSON object");
  }
  for (auto& [key, value] : extra.items()) (*encoded)[key] = value;
  return Status::Ok();
}

Json EncodeStreamConfig(const StreamConfig& c) {
  Json j;
  j["name"] = c.name;
  if (!c.description.empty()) j["description"] = c.description;
  if (!c.subjects.empty()) j["subjects"] = c.subjects;
  j["retention"] = Name(c.retention);
  j["max_consumers"] = c.max_consumers;
  j["max_msgs"] = c.max_msgs;
  j["max_bytes"] = c.max_bytes;
  j["max_age"] = c.max_age.count();
  j["max_msgs_per_subject"] = c.max_msgs_per_subject;
  j["max_msg_size"] = c.max_msg_size;
  j["discard"] = c.discard == DiscardPolicy::kNew ? "new" : "old";
  j["storage"] = c.storage == StorageType::kMemory ? "memory" : "file";
  j["num_replicas"] = c.num_replicas;
  if (c.duplicate_window.count() != 0) j["duplicate_window"] = c.duplicate_window.count();
  j["allow_rollup_hdrs"] = c.allow_rollup;
  j["deny_delete"] = c.deny_delete;
  j["deny_purge"] = c.deny_purge;
  j["allow_direct"] = c.allow_direct;
  if (c.discard_new_per_subject) j["discard_new_per_subject"] = true;
  if (c.sealed) j["sealed"] = true;
  if (!c.metadata.empty()) j["metadata"] = c.metadata;
  return j;
}

Json EncodeConsumerConfig(const ConsumerConfig& c) {
  Json j;
  if (!c.durable_name.empty()) j["durable_name"] = c.durable_name;
  if (!c.name.empty()) j["name"] = c.name;
  if (!c.description.empty()) j["description"] = c.description;
  j["deliver_policy"] = Name(c.deliver_policy);
  if (c.opt_start_seq != 0) j["opt_start_seq"] = c.opt_start_seq;
  if (c.opt_start_time) j["opt_start_time"] = FormatTime(*c.opt_start_time);
  j["ack_policy"] = Name(c.ack_policy);
  if (c.ack_wait.count() != 0) j["ack_wait"] = c.ack_wait.count();
  if (c.max_deliver != 0) j["max_deliver"] = c.max_deliver;
  if (!c.backoff.empty()) {
    Json b = Json::array();
    for (Nanos n : c.backoff) b.push_back(n.count());
    j["backoff"] = std::move(b);
  }
  if (!c.filter_subject.empty()) j["filter_subject"] = c.filter_subject;
  if (!c.filter_subjects.empty()) j["filter_subjects"] = c.filter_subjects;
  j["replay_policy"] = c.replay_policy == ReplayPolicy::kOriginal ? "original" : "instant";
  if (c.max_ack_pending != 0) j["max_ack_pending"] = c.max_ack_pending;
  if (c.max_waiting != 0) j["max_waiting"] = c.max_waiting;
  if (!c.deliver_subject.empty()) j["deliver_subject"] = c.deliver_subject;
  if (!c.deliver_group.empty()) j["deliver_group"] = c.deliver_group;
  if (c.flow_control) j["flow_control"] = true;
  if (c.idle_heartbeat.count() != 0) j["idle_heartbeat"] = c.idle_heartbeat.count();
  if (c.headers_only) j["headers_only"] = true;
  if (c.inactive_threshold.count() != 0) j["inactive_threshold"] = c.inactive_threshold.count();
  if (c.num_replicas != 0) j["num_replicas"] = c.num_replicas;
  if (c.mem_storage) j["mem_storage"] = true;
  if (!c.metadata.empty()) j["metadata"] = c.metadata;
  return j;
}

Result<StreamConfig> DecodeStreamConfig(const Json& j) {
  return Guard("stream config", [&]() -> Result<StreamConfig> {
    StreamConfig c;
    Read(j, "name", &c.name);
    Read(j, "description", &c.description);
    Read(j, "subjects", &c.subjects);
    std::string s;
    Read(j, "retention", &s);
    c.retention = s == "interest"    ? RetentionPolicy::kInterest
                  : s == "workqueue" ? RetentionPolicy::kWorkQueue
                                     : RetentionPolicy::kLimits;
    Read(j, "max_consumers", &c.max_consumers);
    Read(j, "max_msgs", &c.max_msgs);
    Read(j, "max_bytes", &c.max_bytes);
    ReadNanos(j, "max_age", &c.max_age);
    Read(j, "max_msgs_per_subject", &c.max_msgs_per_subject);
    Read(j, "max_msg_size", &c.max_msg_size);
    s.clear();
    Read(j, "discard", &s);
    c.discard = s == "new" ? DiscardPolicy::kNew : DiscardPolicy::kOld;
    s.clear();
    Read(j, "storage", &s);
    c.storage = s == "memory" ? StorageType::kMemory : StorageType::kFile;
    Read(j, "num_replicas", &c.num_replicas);
    ReadNanos(j, "duplicate_window", &c.duplicate_window);
    Read(j, "allow_rollup_hdrs", &c.allow_rollup);
    Read(j, "deny_delete", &c.deny_delete);
    Read(j, "deny_purge", &c.deny_purge);
    Read(j, "allow_direct", &c.allow_direct);
    Read(j, "discard_new_per_subject", &c.discard_new_per_subject);
    Read(j, "sealed", &c.sealed);
    Read(j, "metadata", &c.metadata);
    return c;
  });
}

Result<ConsumerConfig> DecodeConsumerConfig(const Json& j) {
  return Guard("consumer config", [&]() -> Result<ConsumerConfig> {
    ConsumerConfig c;
    Read(j, "durable_name", &c.durable_name);
    Read(j, "name", &c.name);
    Read(j, "description", &c.description);
    std::string s;
    Read(j, "deliver_policy", &s);
    c.deliver_policy = s == "last"                ? DeliverPolicy::kLast
                       : s == "new"               ? DeliverPolicy::kNew
                       : s == "by_start_sequence" ? DeliverPolicy::kByStartSequence
                       : s == "by_start_time"     ? DeliverPolicy::kByStartTime
                       : s == "last_per_subject"  ? DeliverPolicy::kLastPerSubject
                                                  : DeliverPolicy::kAll;
    Read(j, "opt_start_seq", &c.opt_start_seq);
    if (j.contains("opt_start_time")) {
      Timestamp t;
      ReadTime(j, "opt_start_time", &t);
      c.opt_start_time = t;
    }
    s.clear();
    Read(j, "ack_policy", &s);
    c.ack_policy = s == "none"  ? AckPolicy::kNone
                   : s == "all" ? AckPolicy::kAll
                                : AckPolicy::kExplicit;
    ReadNanos(j, "ack_wait", &c.ack_wait);
    Read(j, "max_deliver", &c.max_deliver);
    std::vector<int64_t> backoff;
    Read(j, "backoff", &backoff);
    for (int64_t b : backoff) c.backoff.push_back(Nanos(b));
    Read(j, "filter_subject", &c.filter_subject);
    Read(j, "filter_subjects", &c.filter_subjects);
    s.clear();
    Read(j, "replay_policy", &s);
    c.replay_policy = s == "original" ? ReplayPolicy::kOriginal : ReplayPolicy::kInstant;
    Read(j, "max_ack_pending", &c.max_ack_pending);
    Read(j, "max_waiting", &c.max_waiting);
    Read(j, "deliver_subject", &c.deliver_subject);
    Read(j, "deliver_group", &c.deliver_group);
    Read(j, "flow_control", &c.flow_control);
    ReadNanos(j, "idle_heartbeat", &c.idle_heartbeat);
    Read(j, "headers_only", &c.headers_only);
    ReadNanos(j, "inactive_threshold", &c.inactive_threshold);
    Read(j, "num_replicas", &c.num_replicas);
    Read(j, "mem_storage", &c.mem_storage);
    Read(j, "metadata", &c.metadata);
    return c;
  });
}

Result<StreamInfo> DecodeStreamInfo(const Json& j) {
  return Guard("stream info", [&]() -> Result<StreamInfo> {
    StreamInfo info;
    auto cfg = j.find("config");
    if (cfg == j.end() || !cfg->is_object()) return Malformed("stream info without config");
    SPATE_ASSIGN_OR_RETURN(info.config, DecodeStreamConfig(*cfg));
    ReadTime(j, "created", &info.created);
    if (auto st = j.find("state"); st != j.end() && st->is_object()) {
      StreamState& s = info.state;
      Read(*st, "messages", &s.msgs);
      Read(*st, "bytes", &s.bytes);
      Read(*st, "first_seq", &s.first_seq);
      ReadTime(*st, "first_ts", &s.first_time);
      Read(*st, "last_seq", &s.last_seq);
      ReadTime(*st, "last_ts", &s.last_time);
      Read(*st, "num_subjects", &s.num_subjects);
      Read(*st, "num_deleted", &s.num_deleted);
      Read(*st, "consumer_count", &s.consumers);
    }
    info.raw_json = j.dump();
    return info;
  });
}

Result<ConsumerInfo> DecodeConsumerInfo(const Json& j) {
  return Guard("consumer info", [&]() -> Result<ConsumerInfo> {
    ConsumerInfo info;
    Read(j, "stream_name", &info.stream);
    Read(j, "name", &info.name);
    ReadTime(j, "created", &info.created);
    if (auto cfg = j.find("config"); cfg != j.end() && cfg->is_object()) {
      SPATE_ASSIGN_OR_RETURN(info.config, DecodeConsumerConfig(*cfg));
    }
    ReadSeqInfo(j, "delivered", &info.delivered);
    ReadSeqInfo(j, "ack_floor", &info.ack_floor);
    Read(j, "num_ack_pending", &info.num_ack_pending);
    Read(j, "num_redelivered", &info.num_redelivered);
    Read(j, "num_waiting", &info.num_waiting);
    Read(j, "num_pending", &info.num_pending);
    Read(j, "push_bound", &info.push_bound);
    info.raw_json = j.dump();
    return info;
  });
}

Result<AccountInfo> DecodeAccountInfo(const Json& j) {
  return Guard("account info", [&]() -> Result<AccountInfo> {
    AccountInfo info;
    Read(j, "memory", &info.memory);
    Read(j, "storage", &info.storage);
    Read(j, "streams", &info.streams);
    Read(j, "consumers", &info.consumers);
    Read(j, "domain", &info.domain);
    if (auto l = j.find("limits"); l != j.end() && l->is_object()) {
      Read(*l, "max_memory", &info.limits.max_memory);
      Read(*l, "max_storage", &info.limits.max_storage);
      Read(*l, "max_streams", &info.limits.max_streams);
      Read(*l, "max_consumers", &info.limits.max_consumers);
    }
    if (auto a = j.find("api"); a != j.end() && a->is_object()) {
      Read(*a, "total", &info.api_total);
      Read(*a, "errors", &info.api_errors);
    }
    info.raw_json = j.dump();
    return info;
  });
}

Result<PubAck> DecodePubAck(const Json& j) {
  return Guard("pub ack", [&]() -> Result<PubAck> {
    PubAck ack;
    Read(j, "stream", &ack.stream);
    Read(j, "seq", &ack.seq);
    Read(j, "duplicate", &ack.duplicate);
    Read(j, "domain", &ack.domain);
    if (ack.stream.empty()) return Malformed("pub ack without stream");
    return ack;
  });
}

Result<StoredMsg> DecodeStoredMsg(const Json& j) {
  return Guard("stored message", [&]() -> Result<StoredMsg> {
    auto m = j.find("message");
    if (m == j.end() || !m->is_object()) return Malformed("no message in MSG.GET reply");
    StoredMsg out;
    Read(*m, "subject", &out.subject);
    Read(*m, "seq", &out.seq);
    ReadTime(*m, "time", &out.time);
    std::string b64;
    bool ok = true;
    Read(*m, "data", &b64);
    out.data = Base64Decode(b64, &ok);
    if (!ok) return Malformed("bad base64 data");
    b64.clear();
    Read(*m, "hdrs", &b64);
    if (!b64.empty()) {
      const std::string block = Base64Decode(b64, &ok);
      if (!ok) return Malformed("bad base64 headers");
      Result<Headers> h = Headers::Parse(block);
      if (!h.ok()) return Malformed("bad headers: " + h.status().message());
      out.headers = std::move(*h);
    }
    return out;
  });
}

Result<Json> ParseApiReply(std::string_view body) {
  Json j = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return Malformed("not a JSON object: '" + std::string(body.substr(0, 200)) + "'");
  }
  auto err = j.find("error");
  if (err != j.end() && err->is_object()) {
    ApiError e;
    Status bad = Guard("error", [&]() -> Status {
      Read(*err, "code", &e.code);
      Read(*err, "err_code", &e.err_code);
      Read(*err, "description", &e.description);
      return Status::Ok();
    });
    if (!bad.ok()) return bad;
    return ApiErrorStatus(e);
  }
  return j;
}

std::string Base64Decode(std::string_view in, bool* ok) {
  static const std::array<int8_t, 256> kTable = [] {
    std::array<int8_t, 256> t{};
    t.fill(-1);
    const char* chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(chars[i])] = static_cast<int8_t>(i);
    return t;
  }();
  std::string out;
  out.reserve(in.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  *ok = true;
  for (char c : in) {
    if (c == '=') break;
    const int8_t v = kTable[static_cast<unsigned char>(c)];
    if (v < 0) {
      *ok = false;
      return {};
    }
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

}  // namespace spate::client::detail
