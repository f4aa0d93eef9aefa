#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "client/jetstream_config.h"
#include "client/jetstream_types.h"
#include "client/msg.h"
#include "common/status.h"

// Internal to the client library (nlohmann-json stays private to spate_client): the JSON forms
// of the JetStream API types, with nats-server's field names. Decoders are lenient about absent
// fields (the server omits empty ones) and strict about types: a wrong type is a Corruption
// status ("malformed JetStream reply"), never an exception out of the library.
namespace spate::client::detail {

using Json = nlohmann::json;

// RFC 3339 with nanoseconds, as Go's time.RFC3339Nano writes it ("...05.123456789Z", trailing
// zeros dropped). Parse accepts a "Z" or "+hh:mm" offset; Go's zero time gives Timestamp{}.
std::string FormatTime(Timestamp t);
Result<Timestamp> ParseTime(std::string_view text);

Json EncodeStreamConfig(const StreamConfig& config);
Json EncodeConsumerConfig(const ConsumerConfig& config);
// The merge of a config's extra_json over `encoded`; a malformed or non-object extra_json is
// InvalidArgument.
Status MergeExtra(std::string_view extra_json, Json* encoded);

Result<StreamConfig> DecodeStreamConfig(const Json& j);
Result<ConsumerConfig> DecodeConsumerConfig(const Json& j);
Result<StreamInfo> DecodeStreamInfo(const Json& j);
Result<ConsumerInfo> DecodeConsumerInfo(const Json& j);
Result<AccountInfo> DecodeAccountInfo(const Json& j);
Result<PubAck> DecodePubAck(const Json& j);
// STREAM.MSG.GET's {"message":{"subject","seq","hdrs"(base64),"data"(base64),"time"}}.
Result<StoredMsg> DecodeStoredMsg(const Json& j);

// Parses an API reply body. {"error":{...}} becomes the ApiError status.
Result<Json> ParseApiReply(std::string_view body);

std::string Base64Decode(std::string_view in, bool* ok);

}  // namespace spate::client::detail
