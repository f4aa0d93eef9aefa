// Prints the demo's JetStream state (the ORDERS stream and its durable consumers) in a stable,
// greppable form, read with our client's JetStream API. orders_demo_test.sh compares it across
// a server restart. Usage: orders_state NATS_URL
#include <algorithm>
#include <cstdio>
#include <string>

#include "client/connection.h"
#include "client/jetstream.h"

namespace {

using spate::client::ConsumerInfo;

std::string Describe(const ConsumerInfo& c) {
  return "consumer " + c.name + " durable=" + c.config.durable_name +
         " filter=" + c.config.filter_subject +
         // Not the delivered stream sequence: for a filtered consumer it may run past the last
         // match, and nats-server itself does not keep that across a restart.
         " delivered=" + std::to_string(c.delivered.consumer_seq) +
         " ack_floor=" + std::to_string(c.ack_floor.consumer_seq) + "/" +
         std::to_string(c.ack_floor.stream_seq) +
         " ack_pending=" + std::to_string(c.num_ack_pending) +
         " pending=" + std::to_string(c.num_pending);
}

int Fail(const std::string& what, const spate::Status& s) {
  std::fprintf(stderr, "%s: %s\n", what.c_str(), s.message().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: orders_state NATS_URL\n");
    return 2;
  }
  auto conn = spate::client::Connection::Connect(argv[1]);
  if (!conn.ok()) return Fail("connect", conn.status());
  auto js = spate::client::JetStream::Create(**conn);
  if (!js.ok()) return Fail("jetstream", js.status());

  auto stream = js->GetStreamInfo("ORDERS");
  if (!stream.ok()) return Fail("stream info", stream.status());
  const auto& st = stream->state;
  std::printf(
      "stream ORDERS msgs=%llu first=%llu last=%llu consumers=%llu\n",
      static_cast<unsigned long long>(st.msgs), static_cast<unsigned long long>(st.first_seq),
      static_cast<unsigned long long>(st.last_seq), static_cast<unsigned long long>(st.consumers));
  // In name order, so two listings of the same state print the same text.
  auto names = js->ConsumerNames("ORDERS");
  if (!names.ok()) return Fail("consumer names", names.status());
  std::sort(names->begin(), names->end());
  for (const std::string& name : *names) {
    auto info = js->GetConsumerInfo("ORDERS", name);
    if (!info.ok()) return Fail("consumer info " + name, info.status());
    std::printf("%s\n", Describe(*info).c_str());
  }
  return 0;
}
