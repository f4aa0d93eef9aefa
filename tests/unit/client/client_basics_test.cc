#include <gtest/gtest.h>

#include <set>

#include "client/errors.h"
#include "client/msg.h"
#include "client/msg_view.h"
#include "client/nuid.h"
#include "client/options.h"

namespace spate::client {
namespace {

TEST(ServerUrlTest, ParsesSchemeUserPasswordHostPort) {
  Result<ServerUrl> u = ParseServerUrl("nats://alice:s3cret@example.com:4333");
  ASSERT_TRUE(u.ok()) << u.status().message();
  EXPECT_EQ(u->host, "example.com");
  EXPECT_EQ(u->port, 4333);
  EXPECT_EQ(u->user, "alice");
  EXPECT_EQ(u->password, "s3cret");
  EXPECT_EQ(u->HostPort(), "example.com:4333");
}

TEST(ServerUrlTest, TokenDefaultPortAndBareHostPort) {
  Result<ServerUrl> t = ParseServerUrl("nats://tok@localhost");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->token, "tok");
  EXPECT_EQ(t->port, 4222);
  Result<ServerUrl> b = ParseServerUrl("10.0.0.1:5000");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->host, "10.0.0.1");
  EXPECT_EQ(b->port, 5000);
  Result<ServerUrl> v6 = ParseServerUrl("nats://[::1]:4222");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->HostPort(), "[::1]:4222");
}

TEST(ServerUrlTest, TlsSchemeRequiresTls) {
  Result<ServerUrl> u = ParseServerUrl("tls://secure.example.com:4443");
  ASSERT_TRUE(u.ok()) << u.status().message();
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->host, "secure.example.com");
  EXPECT_EQ(u->port, 4443);
  EXPECT_FALSE(ParseServerUrl("nats://secure.example.com").value().tls);
}

TEST(ServerUrlTest, RejectsBadInput) {
  EXPECT_FALSE(ParseServerUrl("https://host:4222").ok());
  EXPECT_FALSE(ParseServerUrl("nats://host:notaport").ok());
  EXPECT_FALSE(ParseServerUrl("nats://host:70000").ok());
  EXPECT_FALSE(ParseServerUrl("nats://:4222").ok());
}

TEST(HeadersTest, EncodeAndParseRoundTrip) {
  Headers h;
  h.Add("Nats-Msg-Id", "abc").Add("X-Multi", "1").Add("X-Multi", "2");
  const std::string wire = h.Encode();
  EXPECT_EQ(wire, "NATS/1.0\r\nNats-Msg-Id: abc\r\nX-Multi: 1\r\nX-Multi: 2\r\n\r\n");
  Result<Headers> back = Headers::Parse(wire);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->status, 0);
  EXPECT_EQ(back->Get("Nats-Msg-Id"), "abc");
  EXPECT_EQ(back->Get("X-Multi"), "1");
  EXPECT_EQ(back->fields.size(), 3u);
  EXPECT_FALSE(back->Get("nats-msg-id"));  // case-sensitive, as nats-server
}

TEST(HeadersTest, ParsesStatusLine) {
  Result<Headers> h = Headers::Parse("NATS/1.0 503\r\n\r\n");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->status, 503);
  Result<Headers> d =
      Headers::Parse("NATS/1.0 408 Request Timeout\r\nNats-Pending-Messages: 1\r\n\r\n");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->status, 408);
  EXPECT_EQ(d->description, "Request Timeout");
  EXPECT_EQ(d->Get("Nats-Pending-Messages"), "1");
  EXPECT_FALSE(Headers::Parse("HTTP/1.1 200\r\n\r\n").ok());
}

TEST(HeadersViewTest, ReadsInPlaceAsParseDoes) {
  const std::string blocks[] = {
      "NATS/1.0\r\nK: v\r\n\r\n",
      "NATS/1.0 408 Request Timeout\r\nNats-Pending-Messages: 1\r\n\r\n",
      "NATS/1.0 503\r\n\r\n",
      "NATS/1.0\r\nX-Multi: 1\r\nX-Multi: 2\r\n  Spaced :  v w \r\nEmpty:\r\n\r\n",
      "NATS/1.0 100 Idle Heartbeat\nLF-Only: yes\n\n",
  };
  for (const std::string& block : blocks) {
    Result<Headers> parsed = Headers::Parse(block);
    ASSERT_TRUE(parsed.ok()) << block;
    const HeadersView view(block);
    EXPECT_EQ(view.raw(), block);
    EXPECT_EQ(view.status(), parsed->status) << block;
    EXPECT_EQ(view.description(), parsed->description) << block;
    const Headers copy = view.ToHeaders();
    EXPECT_EQ(copy.status, parsed->status);
    EXPECT_EQ(copy.description, parsed->description);
    EXPECT_EQ(copy.fields, parsed->fields) << block;
    for (const auto& [key, value] : parsed->fields) {
      EXPECT_EQ(view.Get(key), parsed->Get(key)) << key;
    }
  }
  const std::string block = blocks[3];
  const HeadersView view(block);
  const std::optional<std::string_view> spaced = view.Get("Spaced");
  ASSERT_TRUE(spaced.has_value());
  EXPECT_EQ(*spaced, "v w");
  EXPECT_TRUE(spaced->data() > block.data() && spaced->data() < block.data() + block.size())
      << "a view into the block, not a copy";
  EXPECT_EQ(view.Get("X-Multi"), "1");
  EXPECT_EQ(view.Get("Empty"), "");
  EXPECT_FALSE(view.Get("x-multi"));  // case-sensitive, as Headers::Get
  EXPECT_FALSE(view.Get("Missing"));
  int n = 0;
  for (auto it = view.begin(); it != view.end(); ++it) ++n;
  EXPECT_EQ(n, 4);
}

TEST(HeadersViewTest, EmptyAndMalformed) {
  const HeadersView none;
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(none.status(), 0);
  EXPECT_TRUE(none.begin() == none.end());
  EXPECT_FALSE(HeadersView("NATS/1.0 503\r\n\r\n").empty());
  EXPECT_TRUE(HeadersView("NATS/1.0\r\n\r\n").empty());
  // Parse rejects a line without a key; the view skips it.
  const std::string bad = "NATS/1.0\r\nno colon here\r\n: no key\r\nK: v\r\n\r\n";
  EXPECT_FALSE(Headers::Parse(bad).ok());
  const HeadersView view(bad);
  EXPECT_EQ(view.Get("K"), "v");
  EXPECT_EQ(view.ToHeaders().fields.size(), 1u);
  EXPECT_EQ(HeadersView("HTTP/1.1 200\r\n\r\n").status(), 0);
}

TEST(MsgViewTest, ToMsgCopies) {
  std::string wire = "NATS/1.0 404 Not Found\r\nK: v\r\n\r\npayload";
  MsgView view;
  view.subject = "a.b";
  view.reply = "r";
  view.has_headers = true;
  view.headers = HeadersView(std::string_view(wire).substr(0, wire.size() - 7));
  view.data = std::string_view(wire).substr(wire.size() - 7);
  const Msg msg = view.ToMsg();
  wire.assign(wire.size(), '#');  // the views now read garbage; the copy must not
  EXPECT_EQ(msg.subject, "a.b");
  EXPECT_EQ(msg.reply, "r");
  EXPECT_TRUE(msg.has_headers);
  EXPECT_EQ(msg.headers.status, 404);
  EXPECT_EQ(msg.headers.description, "Not Found");
  EXPECT_EQ(msg.headers.Get("K"), "v");
  EXPECT_EQ(msg.data, "payload");
  MsgView bare;
  bare.subject = "x";
  bare.data = "d";
  const Msg plain = bare.ToMsg();
  EXPECT_FALSE(plain.has_headers);
  EXPECT_TRUE(plain.headers.empty());
}

TEST(NuidTest, UniqueBase62Tokens) {
  Nuid nuid;
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    std::string t = nuid.Next();
    ASSERT_EQ(t.size(), 22u);
    for (char c : t) ASSERT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << t;
    seen.insert(std::move(t));
  }
  EXPECT_EQ(seen.size(), 10000u);
  EXPECT_TRUE(NewInbox().starts_with("_INBOX."));
  EXPECT_NE(NewInbox(), NewInbox());
}

TEST(ErrorsTest, HelpersClassify) {
  EXPECT_TRUE(IsTimeout(TimeoutError("x")));
  EXPECT_TRUE(IsNoResponders(NoRespondersError("svc")));
  EXPECT_TRUE(IsClosed(ClosedError()));
  EXPECT_FALSE(IsTimeout(ClosedError()));
  EXPECT_FALSE(IsNoResponders(SubscriptionClosedError()));
}

}  // namespace
}  // namespace spate::client
