#include "client/jetstream.h"

#include <charconv>

#include "client/jetstream_state.h"

namespace spate::client {

using detail::JetStreamState;
using detail::Json;

namespace detail {

bool IsValidJsName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (c == '.' || c == '*' || c == '>' || c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
        c == '\f') {
      return false;
    }
  }
  return true;
}

Result<Json> JetStreamState::CallRaw(std::string_view verb, std::string_view body) const {
  std::string subject = prefix;
  subject.append(verb);
  Result<Msg> reply = conn->Request(subject, body, options.timeout);
  if (!reply.ok()) return reply.status();
  return ParseApiReply(reply->data);
}

Result<Json> JetStreamState::Call(std::string_view verb, const Json& body) const {
  return CallRaw(verb, body.is_null() ? std::string() : body.dump());
}

}  // namespace detail

namespace {

Status BadName(std::string_view what, std::string_view name) {
  return Status::InvalidArgument("invalid " + std::string(what) + " name '" + std::string(name) +
                                 "'");
}

Status ExpectSuccess(const Result<Json>& reply) {
  if (!reply.ok()) return reply.status();
  auto it = reply->find("success");
  if (it == reply->end() || !it->is_boolean() || !it->get<bool>()) {
    return Status::Corruption("malformed JetStream reply: no success");
  }
  return Status::Ok();
}

// Reads one page of a NAMES/LIST reply: the array under `key` (null when empty) and the paging
// fields. Returns false when the reply is malformed.
bool ReadPage(const Json& j, const char* key, const Json** items, uint64_t* total) {
  auto arr = j.find(key);
  static const Json kEmpty = Json::array();
  if (arr == j.end() || arr->is_null()) {
    *items = &kEmpty;
  } else if (arr->is_array()) {
    *items = &*arr;
  } else {
    return false;
  }
  auto t = j.find("total");
  *total = (t != j.end() && t->is_number_unsigned()) ? t->get<uint64_t>() : 0;
  return true;
}

// Follows offset/total until every item is read; `take` consumes one item.
template <class Take>
Status Paged(const JetStreamState& js, const std::string& verb, const Json& filter, const char* key,
             Take&& take) {
  uint64_t offset = 0;
  while (true) {
    Json req = filter.is_object() ? filter : Json::object();
    req["offset"] = offset;
    Result<Json> reply = js.Call(verb, req);
    if (!reply.ok()) return reply.status();
    const Json* items = nullptr;
    uint64_t total = 0;
    if (!ReadPage(*reply, key, &items, &total)) {
      return Status::Corruption("malformed JetStream reply: '" + std::string(key) + "'");
    }
    for (const Json& item : *items) SPATE_RETURN_IF_ERROR(take(item));
    offset += items->size();
    if (items->empty() || offset >= total) return Status::Ok();
  }
}

Result<StoredMsg> DecodeDirectReply(const Msg& reply) {
  if (reply.headers.status != 0) {
    // 404 "Message Not Found", 408 bad request, ...: reported as the API error MSG.GET would give.
    ApiError e{reply.headers.status, reply.headers.status == 404 ? kErrNoMessageFound : 0,
               reply.headers.description.empty() ? "direct get failed" : reply.headers.description};
    return ApiErrorStatus(e);
  }
  StoredMsg out;
  out.headers = reply.headers;
  out.data = reply.data;
  if (auto s = reply.headers.Get("Nats-Subject")) out.subject = std::string(*s);
  if (auto s = reply.headers.Get("Nats-Sequence")) {
    std::from_chars(s->data(), s->data() + s->size(), out.seq);
  }
  if (auto s = reply.headers.Get("Nats-Time-Stamp")) {
    if (Result<Timestamp> t = detail::ParseTime(*s); t.ok()) out.time = *t;
  }
  if (out.seq == 0) return Status::Corruption("malformed direct get reply: no Nats-Sequence");
  return out;
}

}  // namespace

Result<JetStream> JetStream::Create(Connection& conn, JsOptions options) {
  auto state = std::make_shared<JetStreamState>();
  state->conn = &conn;
  if (!options.api_prefix.empty()) {
    state->prefix = options.api_prefix;
  } else if (!options.domain.empty()) {
    if (!detail::IsValidJsName(options.domain)) return BadName("domain", options.domain);
    state->prefix = "$JS." + options.domain + ".API";
  } else {
    state->prefix = "$JS.API";
  }
  if (!state->prefix.ends_with('.')) state->prefix += '.';
  if (options.timeout.count() <= 0) return Status::InvalidArgument("timeout must be positive");
  if (options.max_async_pending == 0) {
    return Status::InvalidArgument("max_async_pending must be positive");
  }
  state->options = std::move(options);
  return JetStream(std::move(state));
}

const JsOptions& JetStream::options() const { return state_->options; }
Connection& JetStream::connection() const { return *state_->conn; }
const std::string& JetStream::api_prefix() const { return state_->prefix; }

Result<StreamInfo> JetStream::AddStream(const StreamConfig& config) {
  if (!detail::IsValidJsName(config.name)) return BadName("stream", config.name);
  Json body = detail::EncodeStreamConfig(config);
  SPATE_RETURN_IF_ERROR(detail::MergeExtra(config.extra_json, &body));
  SPATE_ASSIGN_OR_RETURN(Json reply, state_->Call("STREAM.CREATE." + config.name, body));
  return detail::DecodeStreamInfo(reply);
}

Result<StreamInfo> JetStream::UpdateStream(const StreamConfig& config) {
  if (!detail::IsValidJsName(config.name)) return BadName("stream", config.name);
  Json body = detail::EncodeStreamConfig(config);
  SPATE_RETURN_IF_ERROR(detail::MergeExtra(config.extra_json, &body));
  SPATE_ASSIGN_OR_RETURN(Json reply, state_->Call("STREAM.UPDATE." + config.name, body));
  return detail::DecodeStreamInfo(reply);
}

Result<StreamInfo> JetStream::GetStreamInfo(std::string_view stream) {
  if (!detail::IsValidJsName(stream)) return BadName("stream", stream);
  SPATE_ASSIGN_OR_RETURN(Json reply, state_->CallRaw("STREAM.INFO." + std::string(stream), {}));
  return detail::DecodeStreamInfo(reply);
}

Status JetStream::DeleteStream(std::string_view stream) {
  if (!detail::IsValidJsName(stream)) return BadName("stream", stream);
  return ExpectSuccess(state_->CallRaw("STREAM.DELETE." + std::string(stream), {}));
}

Result<uint64_t> JetStream::PurgeStream(std::string_view stream, const PurgeOptions& options) {
  if (!detail::IsValidJsName(stream)) return BadName("stream", stream);
  if (options.seq != 0 && options.keep != 0) {
    return Status::InvalidArgument("purge: seq and keep are exclusive");
  }
  Json body = Json::object();
  if (!options.filter.empty()) body["filter"] = options.filter;
  if (options.seq != 0) body["seq"] = options.seq;
  if (options.keep != 0) body["keep"] = options.keep;
  Result<Json> reply = state_->Call("STREAM.PURGE." + std::string(stream), body);
  SPATE_RETURN_IF_ERROR(ExpectSuccess(reply));
  auto purged = reply->find("purged");
  return purged != reply->end() && purged->is_number_unsigned() ? purged->get<uint64_t>()
                                                                : uint64_t{0};
}

Result<std::vector<std::string>> JetStream::StreamNames(std::string_view subject_filter) {
  Json filter = Json::object();
  if (!subject_filter.empty()) filter["subject"] = subject_filter;
  std::vector<std::string> names;
  SPATE_RETURN_IF_ERROR(Paged(*state_, "STREAM.NAMES", filter, "streams", [&](const Json& item) {
    if (!item.is_string()) return Status::Corruption("malformed JetStream reply: stream name");
    names.push_back(item.get<std::string>());
    return Status::Ok();
  }));
  return names;
}

Result<std::vector<StreamInfo>> JetStream::ListStreams(std::string_view subject_filter) {
  Json filter = Json::object();
  if (!subject_filter.empty()) filter["subject"] = subject_filter;
  std::vector<StreamInfo> infos;
  SPATE_RETURN_IF_ERROR(Paged(*state_, "STREAM.LIST", filter, "streams", [&](const Json& item) {
    Result<StreamInfo> info = detail::DecodeStreamInfo(item);
    if (!info.ok()) return info.status();
    infos.push_back(std::move(*info));
    return Status::Ok();
  }));
  return infos;
}

Result<StoredMsg> JetStream::GetMsg(std::string_view stream, uint64_t seq) {
  if (!detail::IsValidJsName(stream)) return BadName("stream", stream);
  SPATE_ASSIGN_OR_RETURN(Json reply,
                         state_->Call("STREAM.MSG.GET." + std::string(stream), {{"seq", seq}}));
  return detail::DecodeStoredMsg(reply);
}

Result<StoredMsg> JetStream::GetLastMsg(std::string_view stream, std::string_view subject) {
  if (!detail::IsValidJsName(stream)) return BadName("stream", stream);
  SPATE_ASSIGN_OR_RETURN(Json reply, state_->Call("STREAM.MSG.GET." + std::string(stream),
                                                  {{"last_by_subj", subject}}));
  return detail::DecodeStoredMsg(reply);
}

Result<StoredMsg> JetStream::DirectGetMsg(std::string_view stream, uint64_t seq) {
  if (!detail::IsValidJsName(stream)) return BadName("stream", stream);
  const std::string body = Json{{"seq", seq}}.dump();
  Result<Msg> reply = state_->conn->Request(state_->prefix + "DIRECT.GET." + std::string(stream),
                                            body, state_->options.timeout);
  if (!reply.ok()) return reply.status();
  return DecodeDirectReply(*reply);
}

Result<StoredMsg> JetStream::DirectGetLastMsg(std::string_view stream, std::string_view subject) {
  if (!detail::IsValidJsName(stream)) return BadName("stream", stream);
  // The subject rides in the request subject, so the reply needs no JSON request body.
  Result<Msg> reply = state_->conn->Request(
      state_->prefix + "DIRECT.GET." + std::string(stream) + "." + std::string(subject), {},
      state_->options.timeout);
  if (!reply.ok()) return reply.status();
  return DecodeDirectReply(*reply);
}

Status JetStream::DeleteMsg(std::string_view stream, uint64_t seq, bool erase) {
  if (!detail::IsValidJsName(stream)) return BadName("stream", stream);
  Json body = {{"seq", seq}};
  if (!erase) body["no_erase"] = true;
  return ExpectSuccess(state_->Call("STREAM.MSG.DELETE." + std::string(stream), body));
}

Result<ConsumerInfo> JetStream::AddConsumer(std::string_view stream, const ConsumerConfig& config,
                                            ConsumerAction action) {
  if (!detail::IsValidJsName(stream)) return BadName("stream", stream);
  ConsumerConfig cfg = config;
  if (!cfg.durable_name.empty() && !cfg.name.empty() && cfg.durable_name != cfg.name) {
    return Status::InvalidArgument("consumer name and durable_name differ");
  }
  if (cfg.name.empty()) cfg.name = cfg.durable_name;
  std::string verb = "CONSUMER.CREATE." + std::string(stream);
  if (!cfg.name.empty()) {
    if (!detail::IsValidJsName(cfg.name)) return BadName("consumer", cfg.name);
    verb += "." + cfg.name;
    // The filter in the subject lets the server authorise per filter (nats-server 2.9+). A
    // wildcard filter stays in the body only: with it the subject would not be a valid publish
    // subject (Publish refuses it; nats-server takes it only because it skips that check).
    if (!cfg.filter_subject.empty() && cfg.filter_subjects.empty() &&
        cfg.filter_subject.find_first_of("*>") == std::string::npos) {
      verb += "." + cfg.filter_subject;
    }
  } else if (action == ConsumerAction::kUpdate) {
    return Status::InvalidArgument("updating a consumer needs its name");
  }
  Json body = {{"stream_name", stream}, {"config", detail::EncodeConsumerConfig(cfg)}};
  SPATE_RETURN_IF_ERROR(detail::MergeExtra(cfg.extra_json, &body["config"]));
  if (action == ConsumerAction::kCreate) body["action"] = "create";
  if (action == ConsumerAction::kUpdate) body["action"] = "update";
  SPATE_ASSIGN_OR_RETURN(Json reply, state_->Call(verb, body));
  return detail::DecodeConsumerInfo(reply);
}

Result<ConsumerInfo> JetStream::UpdateConsumer(std::string_view stream,
                                               const ConsumerConfig& config) {
  return AddConsumer(stream, config, ConsumerAction::kUpdate);
}

Result<ConsumerInfo> JetStream::GetConsumerInfo(std::string_view stream,
                                                std::string_view consumer) {
  if (!detail::IsValidJsName(stream)) return BadName("stream", stream);
  if (!detail::IsValidJsName(consumer)) return BadName("consumer", consumer);
  SPATE_ASSIGN_OR_RETURN(
      Json reply,
      state_->CallRaw("CONSUMER.INFO." + std::string(stream) + "." + std::string(consumer), {}));
  return detail::DecodeConsumerInfo(reply);
}

Status JetStream::DeleteConsumer(std::string_view stream, std::string_view consumer) {
  if (!detail::IsValidJsName(stream)) return BadName("stream", stream);
  if (!detail::IsValidJsName(consumer)) return BadName("consumer", consumer);
  return ExpectSuccess(
      state_->CallRaw("CONSUMER.DELETE." + std::string(stream) + "." + std::string(consumer), {}));
}

Result<std::vector<std::string>> JetStream::ConsumerNames(std::string_view stream) {
  if (!detail::IsValidJsName(stream)) return BadName("stream", stream);
  std::vector<std::string> names;
  SPATE_RETURN_IF_ERROR(Paged(*state_, "CONSUMER.NAMES." + std::string(stream), Json::object(),
                              "consumers", [&](const Json& item) {
                                if (!item.is_string()) {
                                  return Status::Corruption(
                                      "malformed JetStream reply: consumer name");
                                }
                                names.push_back(item.get<std::string>());
                                return Status::Ok();
                              }));
  return names;
}

Result<std::vector<ConsumerInfo>> JetStream::ListConsumers(std::string_view stream) {
  if (!detail::IsValidJsName(stream)) return BadName("stream", stream);
  std::vector<ConsumerInfo> infos;
  SPATE_RETURN_IF_ERROR(Paged(*state_, "CONSUMER.LIST." + std::string(stream), Json::object(),
                              "consumers", [&](const Json& item) {
                                Result<ConsumerInfo> info = detail::DecodeConsumerInfo(item);
                                if (!info.ok()) return info.status();
                                infos.push_back(std::move(*info));
                                return Status::Ok();
                              }));
  return infos;
}

Result<AccountInfo> JetStream::GetAccountInfo() {
  SPATE_ASSIGN_OR_RETURN(Json reply, state_->CallRaw("INFO", {}));
  return detail::DecodeAccountInfo(reply);
}

Result<std::string> JetStream::ApiRequest(std::string_view api_subject,
                                          std::string_view json_body) {
  SPATE_ASSIGN_OR_RETURN(Json reply, state_->CallRaw(api_subject, json_body));
  return reply.dump();
}

}  // namespace spate::client
