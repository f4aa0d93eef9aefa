// The JetStream parts of the client that need no real server: ack-subject metadata, API error
// decoding, and status-message handling in Fetch, scripted through the fake server.
#include "client/jetstream.h"

#include <gtest/gtest.h>

#include <future>
#include <string>

#include "client/api_error.h"
#include "client/js_msg.h"
#include "unit/client/client_fixture.h"

namespace spate::client::test {
namespace {

TEST(AckSubjectTest, ParsesTheNineTokenForm) {
  Result<MsgMetadata> md = ParseAckSubject("$JS.ACK.ORDERS.worker.2.17.5.1700000000123456789.42");
  ASSERT_TRUE(md.ok()) << md.status().message();
  EXPECT_EQ(md->domain, "");
  EXPECT_EQ(md->stream, "ORDERS");
  EXPECT_EQ(md->consumer, "worker");
  EXPECT_EQ(md->num_delivered, 2u);
  EXPECT_EQ(md->stream_seq, StreamSeq{17});
  EXPECT_EQ(md->consumer_seq, ConsumerSeq{5});
  EXPECT_EQ(md->timestamp.time_since_epoch().count(), 1700000000123456789);
  EXPECT_EQ(md->num_pending, 42u);
}

TEST(AckSubjectTest, ParsesTheDomainForms) {
  // 12 tokens: domain, account hash, ..., and a trailing random token.
  Result<MsgMetadata> md =
      ParseAckSubject("$JS.ACK.hub.ACCHASH.ORDERS.worker.1.3.3.1700000000000000000.0.XyZ");
  ASSERT_TRUE(md.ok()) << md.status().message();
  EXPECT_EQ(md->domain, "hub");
  EXPECT_EQ(md->stream, "ORDERS");
  EXPECT_EQ(md->consumer, "worker");
  EXPECT_EQ(md->stream_seq, StreamSeq{3});
  EXPECT_EQ(md->num_pending, 0u);
  // 11 tokens, "_" for no domain.
  md = ParseAckSubject("$JS.ACK._.ACCHASH.S.C.1.9.8.1700000000000000000.7");
  ASSERT_TRUE(md.ok()) << md.status().message();
  EXPECT_EQ(md->domain, "");
  EXPECT_EQ(md->stream, "S");
  EXPECT_EQ(md->stream_seq, StreamSeq{9});
  EXPECT_EQ(md->consumer_seq, ConsumerSeq{8});
  EXPECT_EQ(md->num_pending, 7u);
}

TEST(AckSubjectTest, SequencesAloneInBothForms) {
  uint64_t sseq = 0, cseq = 0;
  ASSERT_TRUE(
      ParseAckSequences("$JS.ACK.ORDERS.worker.2.17.5.1700000000123456789.42", &sseq, &cseq));
  EXPECT_EQ(sseq, 17u);
  EXPECT_EQ(cseq, 5u);
  ASSERT_TRUE(
      ParseAckSequences("$JS.ACK.hub.ACCHASH.S.C.1.9.8.1700000000000000000.0.XyZ", &sseq, &cseq));
  EXPECT_EQ(sseq, 9u);
  EXPECT_EQ(cseq, 8u);
  EXPECT_FALSE(ParseAckSequences("$JS.ACK.S.C.1.2.3.4", &sseq, &cseq));    // 8 tokens
  EXPECT_FALSE(ParseAckSequences("$JS.ACK.S.C.1.x.3.4.5", &sseq, &cseq));  // not a number
  EXPECT_FALSE(ParseAckSequences("_INBOX.a.b.c.d.e.f.g.h", &sseq, &cseq));
}

TEST(AckSubjectTest, RejectsOtherSubjects) {
  EXPECT_FALSE(ParseAckSubject("").ok());
  EXPECT_FALSE(ParseAckSubject("_INBOX.abc").ok());
  EXPECT_FALSE(ParseAckSubject("$JS.ACK.S.C.1.2.3.4").ok());            // 8 tokens
  EXPECT_FALSE(ParseAckSubject("$JS.ACK.d.h.S.C.1.2.3.4").ok());        // 10 tokens
  EXPECT_FALSE(ParseAckSubject("$JS.ACK.d.h.S.C.1.2.3.4.5.6.7").ok());  // 13 tokens
  EXPECT_FALSE(ParseAckSubject("$JS.NAK.S.C.1.2.3.4.5").ok());          // not ACK
  EXPECT_FALSE(ParseAckSubject("$JS.ACK.S.C.1.x.3.4.5").ok());          // not a number
  EXPECT_FALSE(ParseAckSubject("$JS.ACK.S.C.1.2.3.4.-5").ok());
}

TEST(ApiErrorTest, RoundTripsThroughStatus) {
  const ApiError in{404, 10059, "stream not found: it: has colons"};
  Status s = ApiErrorStatus(in);
  EXPECT_EQ(s.code(), Status::Code::kNotFound);
  std::optional<ApiError> out = GetApiError(s);
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->code, 404);
  EXPECT_EQ(out->err_code, 10059);
  EXPECT_EQ(out->description, in.description);
  EXPECT_TRUE(IsApiError(s, 10059));
  EXPECT_FALSE(IsApiError(s, 10014));
  EXPECT_EQ(ApiErrorStatus({400, 10058, "x"}).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(ApiErrorStatus({503, 10039, "x"}).code(), Status::Code::kUnavailable);
  EXPECT_EQ(ApiErrorStatus({500, 10051, "x"}).code(), Status::Code::kInternal);
  // Other failures are not API errors.
  EXPECT_FALSE(GetApiError(TimeoutError("x")).has_value());
  EXPECT_FALSE(GetApiError(NoRespondersError("x")).has_value());
  EXPECT_FALSE(GetApiError(Status::Ok()).has_value());
  EXPECT_FALSE(IsTimeout(s));
  EXPECT_FALSE(IsNoResponders(s));
}

TEST(StatusMsgTest, OnlyHeaderStatusWithoutPayload) {
  Msg hb;
  hb.has_headers = true;
  hb.headers.status = 100;
  EXPECT_TRUE(IsStatusMsg(hb));
  Msg data = hb;
  data.data = "x";
  EXPECT_FALSE(IsStatusMsg(data));
  Msg plain;
  EXPECT_FALSE(IsStatusMsg(plain));
}

class JetStreamFakeTest : public ClientTest {
 protected:
  // Reads the client's next request on `subject_prefix`; returns its reply subject.
  std::string ReadRequest(const std::string& subject_prefix) {
    auto pub = peer_->ReadLineStartingWith("PUB " + subject_prefix);
    EXPECT_TRUE(pub.has_value());
    if (!pub) return {};
    const size_t start = pub->find(' ', 4) + 1;
    const std::string reply = pub->substr(start, pub->find(' ', start) - start);
    EXPECT_TRUE(peer_->ReadLine().has_value());  // the body
    return reply;
  }
  void Reply(const std::string& to, const std::string& json) {
    ASSERT_TRUE(
        peer_->Send("MSG " + to + " 1 " + std::to_string(json.size()) + "\r\n" + json + "\r\n"));
  }
};

TEST_F(JetStreamFakeTest, ApiErrorKeepsErrCode) {
  Connect();
  auto js = JetStream::Create(*conn_);
  ASSERT_TRUE(js.ok());
  auto info = std::async(std::launch::async, [&] { return js->GetStreamInfo("ORDERS"); });
  const std::string reply = ReadRequest("$JS.API.STREAM.INFO.ORDERS ");
  Reply(reply, R"({"type":"io.nats.jetstream.api.v1.stream_info_response",)"
               R"("error":{"code":503,"err_code":10039,"description":"jetstream not enabled"}})");
  Result<StreamInfo> r = info.get();
  ASSERT_FALSE(r.ok());
  std::optional<ApiError> e = GetApiError(r.status());
  ASSERT_TRUE(e.has_value()) << r.status().message();
  EXPECT_EQ(e->code, 503);
  EXPECT_EQ(e->err_code, 10039);
  EXPECT_EQ(e->description, "jetstream not enabled");

  // A reply that is not JSON is a Corruption, not an API error.
  auto bad = std::async(std::launch::async, [&] { return js->GetAccountInfo(); });
  Reply(ReadRequest("$JS.API.INFO "), "not json");
  Result<AccountInfo> b = bad.get();
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), Status::Code::kCorruption);
  EXPECT_FALSE(GetApiError(b.status()).has_value());
}

TEST_F(JetStreamFakeTest, DomainPrefixesTheApi) {
  Connect();
  JsOptions o;
  o.domain = "hub";
  auto js = JetStream::Create(*conn_, o);
  ASSERT_TRUE(js.ok());
  auto info = std::async(std::launch::async, [&] { return js->GetAccountInfo(); });
  Reply(ReadRequest("$JS.hub.API.INFO "), R"({"memory":1,"streams":2,"domain":"hub"})");
  Result<AccountInfo> r = info.get();
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->streams, 2u);
  EXPECT_EQ(r->domain, "hub");
}

TEST_F(JetStreamFakeTest, FetchSkipsHeartbeatsAndStaleStatusesAndStopsOn404) {
  Connect();
  auto js = JetStream::Create(*conn_);
  ASSERT_TRUE(js.ok());
  auto bind = std::async(std::launch::async, [&] { return js->PullSubscribe("S", "C"); });
  Reply(ReadRequest("$JS.API.CONSUMER.INFO.S.C "),
        R"({"stream_name":"S","name":"C","config":{"durable_name":"C","ack_policy":"explicit"}})");
  Result<PullSubscription> sub = bind.get();
  ASSERT_TRUE(sub.ok()) << sub.status().message();
  auto inbox_sub = peer_->ReadLineStartingWith("SUB ");
  ASSERT_TRUE(inbox_sub.has_value());
  const std::string inbox = inbox_sub->substr(4, inbox_sub->find(' ', 4) - 4);  // "<inbox>.*"
  std::string sid = inbox_sub->substr(inbox_sub->rfind(' ') + 1);
  sid.resize(sid.size() - 2);  // "\r\n"

  auto fetch =
      std::async(std::launch::async, [&] { return sub->Fetch(10, std::chrono::seconds(3)); });
  auto next = peer_->ReadLineStartingWith("PUB $JS.API.CONSUMER.MSG.NEXT.S.C ");
  ASSERT_TRUE(next.has_value());
  const size_t start = std::string("PUB $JS.API.CONSUMER.MSG.NEXT.S.C ").size();
  const std::string reply = next->substr(start, next->find(' ', start) - start);
  auto body = peer_->ReadLine();
  ASSERT_TRUE(body.has_value());
  EXPECT_NE(body->find("\"batch\":10"), std::string::npos) << *body;
  EXPECT_NE(body->find("\"expires\":"), std::string::npos) << *body;
  const std::string stale = inbox.substr(0, inbox.size() - 1) + "0";  // an older fetch's reply

  const std::string hb = "NATS/1.0 100 Idle Heartbeat\r\n\r\n";
  const std::string timeout408 = "NATS/1.0 408 Request Timeout\r\n\r\n";
  const std::string none404 = "NATS/1.0 404 No Messages\r\n\r\n";
  const auto hmsg = [&](const std::string& subj, const std::string& hdr) {
    return "HMSG " + subj + " " + sid + " " + std::to_string(hdr.size()) + " " +
           std::to_string(hdr.size()) + "\r\n" + hdr + "\r\n";
  };
  ASSERT_TRUE(peer_->Send(hmsg(reply, hb)));
  ASSERT_TRUE(
      peer_->Send("MSG S.x " + sid + " $JS.ACK.S.C.1.1.1.1700000000000000000.1 3\r\none\r\n"));
  ASSERT_TRUE(peer_->Send(hmsg(stale, timeout408)));  // must not end this fetch
  ASSERT_TRUE(
      peer_->Send("MSG S.y " + sid + " $JS.ACK.S.C.1.2.2.1700000000000000000.0 3\r\ntwo\r\n"));
  ASSERT_TRUE(peer_->Send(hmsg(reply, none404)));
  const auto t0 = std::chrono::steady_clock::now();
  Result<std::vector<JsMsg>> got = fetch.get();
  ASSERT_TRUE(got.ok()) << got.status().message();
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].data(), "one");
  EXPECT_EQ((*got)[1].subject(), "S.y");
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));  // ended by the 404

  // Acks go to the reply subject with nats-server's bodies.
  ASSERT_TRUE((*got)[0].Nak(std::chrono::milliseconds(1500)).ok());
  auto nak = peer_->ReadLineStartingWith("PUB $JS.ACK.S.C.1.1.1.");
  ASSERT_TRUE(nak.has_value());
  EXPECT_EQ(peer_->ReadLine(), "-NAK {\"delay\":1500000000}\r\n");
  ASSERT_TRUE((*got)[1].Term("bad").ok());
  ASSERT_TRUE(peer_->ReadLineStartingWith("PUB $JS.ACK.S.C.1.2.2.").has_value());
  EXPECT_EQ(peer_->ReadLine(), "+TERM bad\r\n");

  // A 409 with nothing received is an error carrying the server's words.
  auto fetch409 =
      std::async(std::launch::async, [&] { return sub->Fetch(1, std::chrono::seconds(3)); });
  auto next2 = peer_->ReadLineStartingWith("PUB $JS.API.CONSUMER.MSG.NEXT.S.C ");
  ASSERT_TRUE(next2.has_value());
  const std::string reply2 = next2->substr(start, next2->find(' ', start) - start);
  ASSERT_TRUE(peer_->ReadLine().has_value());
  ASSERT_TRUE(peer_->Send(hmsg(reply2, "NATS/1.0 409 Consumer Deleted\r\n\r\n")));
  Result<std::vector<JsMsg>> deleted = fetch409.get();
  ASSERT_FALSE(deleted.ok());
  EXPECT_EQ(deleted.status().message(), "409 Consumer Deleted");
}

TEST_F(JetStreamFakeTest, ConsumerCreateCarriesOnlyALiteralFilterInItsSubject) {
  Connect();
  auto js = JetStream::Create(*conn_);
  ASSERT_TRUE(js.ok());
  const std::string created =
      R"({"stream_name":"ORDERS","name":"C","config":{"durable_name":"C","ack_policy":"explicit"}})";
  ConsumerConfig config;
  config.durable_name = "C";
  config.filter_subject = "ORDERS.created";
  auto literal = std::async(std::launch::async, [&] { return js->AddConsumer("ORDERS", config); });
  Reply(ReadRequest("$JS.API.CONSUMER.CREATE.ORDERS.C.ORDERS.created "), created);
  EXPECT_TRUE(literal.get().ok());

  // "ORDERS.*" in the subject would make it an invalid publish subject: the body has the filter.
  config.filter_subject = "ORDERS.*";
  auto wildcard = std::async(std::launch::async, [&] { return js->AddConsumer("ORDERS", config); });
  Reply(ReadRequest("$JS.API.CONSUMER.CREATE.ORDERS.C "), created);
  Result<ConsumerInfo> r = wildcard.get();
  EXPECT_TRUE(r.ok()) << r.status().message();
}

}  // namespace
}  // namespace spate::client::test
