#include "bench/e2e/request_reply_scenario.h"

#include <algorithm>

#include "bench/e2e/proc_stats.h"
#include "bench/e2e/report.h"

namespace spate::bench {
namespace {

constexpr int kRequestTimeoutMs = 5000;
constexpr int kWarmUpRequests = 500;

void Respond(natsConnection* nc, natsSubscription*, natsMsg* msg, void*) {
  if (const char* reply = natsMsg_GetReply(msg); reply != nullptr) {
    // A failed reply shows up as a timeout on the requester side.
    (void)natsConnection_Publish(nc, reply, natsMsg_GetData(msg), natsMsg_GetDataLength(msg));
  }
  natsMsg_Destroy(msg);
}

}  // namespace

std::string RequestReplyScenario::description() const {
  return std::to_string(requests_) + " sequential requests, " + std::to_string(payload_bytes_) +
         " B, echoed by a responder connection";
}

std::vector<MetricSpec> RequestReplyScenario::metrics() const {
  return {{"p50_us", "p50 us", false},
          {"p99_us", "p99 us", false},
          {"cpu_us_per_msg", "srv cpu us/req", false}};
}

Status RequestReplyScenario::Run(const ScenarioContext& context, Sample* sample) {
  auto& events = *events_.emplace_back(std::make_unique<ConnectionEvents>());
  const std::string subject = "bench." + name_;
  SPATE_ASSIGN_OR_RETURN(NatsConnection responder_nc, Connect({.url = context.url,
                                                               .name = "e2e-responder",
                                                               .send_mode = SendMode::kAsap,
                                                               .events = &events}));
  natsSubscription* raw_sub = nullptr;
  SPATE_RETURN_IF_ERROR(FromNats(
      natsConnection_Subscribe(&raw_sub, responder_nc.get(), subject.c_str(), Respond, nullptr),
      "subscribe"));
  NatsSubscription responder(raw_sub);
  SPATE_RETURN_IF_ERROR(
      FromNats(natsConnection_FlushTimeout(responder_nc.get(), 5000), "responder flush"));
  SPATE_ASSIGN_OR_RETURN(NatsConnection requester, Connect({.url = context.url,
                                                            .name = "e2e-requester",
                                                            .send_mode = SendMode::kAsap,
                                                            .events = &events}));
  const std::string payload(payload_bytes_, 'r');
  auto one_request = [&](int64_t* nanos) -> Status {
    natsMsg* reply = nullptr;
    const int64_t start = NowNanos();
    const natsStatus s = natsConnection_Request(&reply, requester.get(), subject.c_str(),
                                                payload.data(), payload_bytes_, kRequestTimeoutMs);
    *nanos = NowNanos() - start;
    if (s != NATS_OK) return FromNats(s, "request");
    const int length = natsMsg_GetDataLength(reply);
    natsMsg_Destroy(reply);
    if (length != payload_bytes_) return Status::Corruption("reply has the wrong payload size");
    return Status::Ok();
  };

  int64_t ignored = 0;
  for (int i = 0; i < kWarmUpRequests; ++i) SPATE_RETURN_IF_ERROR(one_request(&ignored));

  std::vector<int64_t> latencies(requests_);
  sample->expected_msgs = requests_;
  SPATE_ASSIGN_OR_RETURN(const int64_t cpu_before, ReadCpuMicros(context.server_pid));
  for (int i = 0; i < requests_; ++i) {
    const Status s = one_request(&latencies[i]);
    if (!s.ok()) {
      return Status::Unavailable(s.message() + " (request " + std::to_string(i + 1) + " of " +
                                 std::to_string(requests_) + ")");
    }
    sample->received_msgs = i + 1;
  }
  SPATE_ASSIGN_OR_RETURN(const int64_t cpu_after, ReadCpuMicros(context.server_pid));
  std::sort(latencies.begin(), latencies.end());
  sample->metrics["p50_us"] = Percentile(latencies, 0.50) / 1000.0;
  sample->metrics["p99_us"] = Percentile(latencies, 0.99) / 1000.0;
  sample->metrics["p90_us"] = Percentile(latencies, 0.90) / 1000.0;
  sample->metrics["p999_us"] = Percentile(latencies, 0.999) / 1000.0;
  sample->metrics["max_us"] = static_cast<double>(latencies.back()) / 1000.0;
  sample->metrics["cpu_us_per_msg"] =
      static_cast<double>(cpu_after - cpu_before) / static_cast<double>(requests_);
  return Status::Ok();
}

}  // namespace spate::bench
