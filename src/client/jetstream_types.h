#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "client/jetstream_config.h"
#include "client/msg.h"

// What the JetStream API answers: infos, stored messages, acks. Plain data decoded from the
// server's JSON; `raw_json` keeps the whole reply for fields not modelled here.
namespace spate::client {

struct StreamState {
  uint64_t msgs = 0;  // "messages"
  uint64_t bytes = 0;
  uint64_t first_seq = 0;
  Timestamp first_time;  // "first_ts"
  uint64_t last_seq = 0;
  Timestamp last_time;  // "last_ts"
  uint64_t num_subjects = 0;
  uint64_t num_deleted = 0;
  uint64_t consumers = 0;  // "consumer_count"
};

struct StreamInfo {
  StreamConfig config;  // as the server reports it (defaults filled in)
  Timestamp created;
  StreamState state;
  std::string raw_json;
};

struct SequenceInfo {
  uint64_t consumer_seq = 0;
  uint64_t stream_seq = 0;
  Timestamp last_active;
};

struct ConsumerInfo {
  std::string stream;  // "stream_name"
  std::string name;
  Timestamp created;
  ConsumerConfig config;
  SequenceInfo delivered;
  SequenceInfo ack_floor;
  uint64_t num_ack_pending = 0;
  uint64_t num_redelivered = 0;
  uint64_t num_waiting = 0;
  uint64_t num_pending = 0;
  bool push_bound = false;
  std::string raw_json;
};

struct AccountLimits {
  int64_t max_memory = 0;
  int64_t max_storage = 0;
  int64_t max_streams = 0;
  int64_t max_consumers = 0;
};

struct AccountInfo {
  uint64_t memory = 0;
  uint64_t storage = 0;
  uint64_t streams = 0;
  uint64_t consumers = 0;
  std::string domain;
  AccountLimits limits;
  uint64_t api_total = 0;   // "api": {"total"}
  uint64_t api_errors = 0;  // "api": {"errors"}
  std::string raw_json;
};

// A message read back from a stream (STREAM.MSG.GET or DIRECT.GET).
struct StoredMsg {
  std::string subject;
  uint64_t seq = 0;
  Headers headers;
  std::string data;
  Timestamp time;
};

// STREAM.PURGE's request. All empty: purge everything.
struct PurgeOptions {
  std::string filter;  // only this subject (wildcards allowed)
  uint64_t seq = 0;    // purge up to, not including, this sequence
  uint64_t keep = 0;   // keep this many newest messages
};

struct PubAck {
  std::string stream;
  uint64_t seq = 0;
  bool duplicate = false;
  std::string domain;
};

// Per-publish expectations, sent as Nats-* headers; the server refuses the message (an API error)
// when one does not hold.
struct PubOptions {
  std::string msg_id;                                 // Nats-Msg-Id (dedup window)
  std::string expected_stream;                        // Nats-Expected-Stream
  std::optional<uint64_t> expected_last_seq;          // Nats-Expected-Last-Sequence
  std::optional<uint64_t> expected_last_subject_seq;  // Nats-Expected-Last-Subject-Sequence
  std::string expected_last_msg_id;                   // Nats-Expected-Last-Msg-Id
  std::chrono::milliseconds timeout{0};               // sync Publish only; 0: the context's default
};

}  // namespace spate::client
