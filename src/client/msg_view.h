#pragma once

#include <cstddef>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "client/msg.h"

namespace spate::client {

// A header block as HMSG carries it ("NATS/1.0[ status[ description]]\r\nKey: value\r\n...\r\n"),
// read in place: nothing is parsed until asked and nothing allocates. Keys compare
// case-sensitively, as Headers::Get. Lines without a key are skipped (Headers::Parse rejects
// them; the copying path reports that as an error, the inline path has no time to).
class HeadersView {
 public:
  using Field = std::pair<std::string_view, std::string_view>;  // key, value; trimmed

  // Forward iteration over the fields in wire order: `for (auto [key, value] : view)`.
  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = Field;
    using difference_type = std::ptrdiff_t;
    using pointer = const Field*;
    using reference = const Field&;

    Iterator() = default;
    reference operator*() const { return field_; }
    pointer operator->() const { return &field_; }
    Iterator& operator++() {
      Advance();
      return *this;
    }
    Iterator operator++(int) {
      Iterator before = *this;
      Advance();
      return before;
    }
    friend bool operator==(const Iterator& a, const Iterator& b) {
      return a.done_ == b.done_ && (a.done_ || a.rest_.data() == b.rest_.data());
    }

   private:
    friend class HeadersView;
    explicit Iterator(std::string_view rest) : rest_(rest), done_(false) { Advance(); }
    void Advance();
    std::string_view rest_;  // the lines after the current field
    Field field_;
    bool done_ = true;
  };

  HeadersView() = default;
  explicit HeadersView(std::string_view block) : block_(block) {}

  std::string_view raw() const { return block_; }  // empty when the message had no headers
  int status() const;                              // the status line's code, 0 when it has none
  std::string_view description() const;            // the text after the status code
  // The first value of `key`, or nullopt.
  std::optional<std::string_view> Get(std::string_view key) const;
  bool empty() const { return status() == 0 && begin() == end(); }

  Iterator begin() const;
  Iterator end() const { return Iterator(); }

  Headers ToHeaders() const;  // an owning copy

 private:
  std::string_view block_;
};

// A received message read in place: every view points into the connection's read buffer and is
// valid only while the inline handler that got it runs (Connection::SubscribeInline). The
// fields mirror Msg, so a handler reads the same names; ToMsg() copies when the message must
// outlive the call.
struct MsgView {
  std::string_view subject;
  std::string_view reply;
  HeadersView headers;
  bool has_headers = false;  // arrived as HMSG
  std::string_view data;

  Msg ToMsg() const {
    Msg msg;
    msg.subject = subject;
    msg.reply = reply;
    if (has_headers) msg.headers = headers.ToHeaders();
    msg.has_headers = has_headers;
    msg.data = data;
    return msg;
  }
};

}  // namespace spate::client
