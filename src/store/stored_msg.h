#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "common/strong_id.h"

namespace spate::store {

// One message as read back from a store.
//
// It owns its bytes: subject, headers and payload live in one buffer and the accessors are views
// into it. Owning rather than viewing because (1) FileStore reads from disk into a buffer anyway,
// and reading the whole record into `buffer_` costs no extra copy; (2) a view into a store's
// memory would dangle on the next Remove/Compact/Purge, and the stream owner interleaves those
// with deliveries; (3) the delivery path copies the message once into a pooled buffer anyway.
// One buffer instead of three strings keeps a load to one allocation, and callers on a hot path
// can reuse a StoredMsg (Assign keeps the buffer's capacity).
class StoredMsg {
 public:
  StoredMsg() = default;

  // Copies the parts into one buffer.
  void Assign(StreamSeq seq, int64_t timestamp_ns, std::string_view subject,
              std::string_view headers, std::string_view payload) {
    buffer_.clear();
    buffer_.reserve(subject.size() + headers.size() + payload.size());
    buffer_.append(subject).append(headers).append(payload);
    Adopt(seq, timestamp_ns, 0, subject.size(), headers.size(), payload.size());
  }
  // Takes `buffer` as is; the parts are at `offset`, in the order subject, headers, payload.
  void Adopt(std::string&& buffer, StreamSeq seq, int64_t timestamp_ns, size_t offset,
             size_t subject_len, size_t header_len, size_t payload_len) {
    buffer_ = std::move(buffer);
    Adopt(seq, timestamp_ns, offset, subject_len, header_len, payload_len);
  }
  std::string& mutable_buffer() { return buffer_; }

  StreamSeq seq() const { return seq_; }
  int64_t timestamp_ns() const { return timestamp_ns_; }
  std::string_view subject() const { return {buffer_.data() + subject_offset_, subject_len_}; }
  std::string_view headers() const {
    return {buffer_.data() + subject_offset_ + subject_len_, header_len_};
  }
  std::string_view payload() const {
    return {buffer_.data() + subject_offset_ + subject_len_ + header_len_, payload_len_};
  }

 private:
  void Adopt(StreamSeq seq, int64_t timestamp_ns, size_t offset, size_t subject_len,
             size_t header_len, size_t payload_len) {
    seq_ = seq;
    timestamp_ns_ = timestamp_ns;
    subject_offset_ = offset;
    subject_len_ = subject_len;
    header_len_ = header_len;
    payload_len_ = payload_len;
  }

  std::string buffer_;
  StreamSeq seq_{};
  int64_t timestamp_ns_ = 0;
  size_t subject_offset_ = 0;
  size_t subject_len_ = 0;
  size_t header_len_ = 0;
  size_t payload_len_ = 0;
};

}  // namespace spate::store
