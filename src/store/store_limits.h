#pragma once

#include <cstdint>
#include <string_view>

namespace spate::store {

// What Append does when a limit would be exceeded. kOld removes messages from the front to make
// room; kNew refuses the new message. Per-subject limits always discard old unless
// `discard_new_per_subject` is set (nats-server's `discard_new_per_subject`).
enum class DiscardPolicy : uint8_t { kOld, kNew };

// Limits a store enforces itself. 0 means unlimited everywhere (the JetStream API's -1 is mapped
// to 0 by the caller). Plain values, so a limits change can be a log entry.
struct StoreLimits {
  uint64_t max_msgs = 0;
  uint64_t max_bytes = 0;  // in StoredSize() units, like StreamState::bytes
  int64_t max_age_ns = 0;  // enforced only by ExpireOlderThan(now)
  uint64_t max_msgs_per_subject = 0;
  uint64_t max_msg_size = 0;  // StoredSize() of one message
  DiscardPolicy discard = DiscardPolicy::kOld;
  bool discard_new_per_subject = false;  // only with DiscardPolicy::kNew
};

// Size accounted for one message in StreamState::bytes and max_bytes. nats-server's memory store
// counts subject + headers + payload + 16; both of our stores use that one definition so that a
// stream reports the same numbers whichever storage it uses.
inline constexpr uint64_t kStoredMsgOverhead = 16;
inline constexpr uint64_t StoredSize(size_t subject, size_t headers, size_t payload) {
  return subject + headers + payload + kStoredMsgOverhead;
}

// Why Append refused a message. Append reports a refusal as Status::Unavailable (limits) or
// Status::InvalidArgument (size) whose message is exactly one of the texts below, which are
// nats-server's store error texts; the JetStream layer maps them with AppendRefusalOf().
enum class AppendRefusal : uint8_t { kNone, kMaxMsgs, kMaxBytes, kMaxMsgsPerSubject, kMaxMsgSize };
inline constexpr std::string_view kErrMaxMsgs = "maximum messages exceeded";
inline constexpr std::string_view kErrMaxBytes = "maximum bytes exceeded";
inline constexpr std::string_view kErrMaxMsgsPerSubject = "maximum messages per subject exceeded";
inline constexpr std::string_view kErrMaxMsgSize = "message size exceeds maximum allowed";

}  // namespace spate::store
