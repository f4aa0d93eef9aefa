#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "client/connection.h"
#include "client/jetstream_config.h"
#include "client/msg.h"
#include "common/status.h"
#include "common/strong_id.h"

namespace spate::client {

// What a JetStream delivery's reply subject says about it. Two forms exist:
//   $JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>            (9 tokens)
//   $JS.ACK.<domain>.<acc hash>.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>
//      [.<random>]                                                           (11 or 12 tokens)
// where a domain of "_" means none.
struct MsgMetadata {
  std::string domain;
  std::string stream;
  std::string consumer;
  uint64_t num_delivered = 0;  // 1 on the first delivery, more on redeliveries
  StreamSeq stream_seq;
  ConsumerSeq consumer_seq;
  Timestamp timestamp;
  uint64_t num_pending = 0;  // messages left for the consumer after this one
};

Result<MsgMetadata> ParseAckSubject(std::string_view reply);
// Just the stream and consumer sequences of an ack subject (no allocation); false if it is not
// one.
bool ParseAckSequences(std::string_view reply, uint64_t* stream_seq, uint64_t* consumer_seq);

// A status message (a header status line and no payload): 100 idle heartbeat / flow control,
// 404 no messages, 408 request timeout, 409 ...; never handed to the application.
bool IsStatusMsg(const Msg& msg);

// A message delivered by a JetStream consumer, with its acknowledgement verbs. The Connection it
// came from must outlive it. Threading: one thread at a time per JsMsg (the ack verbs are
// ordinary publishes or requests and may run from callbacks).
class JsMsg {
 public:
  JsMsg() = default;
  JsMsg(Msg msg, Connection* conn) : msg_(std::move(msg)), conn_(conn) {}

  const Msg& msg() const { return msg_; }
  const std::string& subject() const { return msg_.subject; }
  const std::string& data() const { return msg_.data; }
  const Headers& headers() const { return msg_.headers; }
  Result<MsgMetadata> Metadata() const { return ParseAckSubject(msg_.reply); }

  // Each verb publishes to the reply subject. After a terminal one (Ack, AckSync, Nak, Term) a
  // second verb fails with InvalidArgument instead of confusing the server.
  Status Ack();
  // Ack as a request: the server confirms it has the ack (IsTimeout when it does not answer).
  Status AckSync(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));
  // Redeliver; with a delay, not before it has passed (-NAK {"delay":<ns>}).
  Status Nak(Nanos delay = Nanos(0));
  // Still working on it: resets the ack wait (+WPI). Not terminal.
  Status InProgress();
  // Never redeliver (+TERM, optionally with a reason the server reports in its advisory).
  Status Term(std::string_view reason = {});

 private:
  Status Send(std::string_view body, bool terminal);
  Msg msg_;
  Connection* conn_ = nullptr;
  bool done_ = false;
};

}  // namespace spate::client
