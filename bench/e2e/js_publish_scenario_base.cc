#include "bench/e2e/js_publish_scenario_base.h"

#include <algorithm>

#include "bench/e2e/proc_stats.h"
#include "bench/e2e/report.h"

namespace spate::bench {

std::string JsPublishScenarioBase::description() const {
  std::string text = PublishDescription() + ", " + std::to_string(config_.payload_bytes) + " B, " +
                     std::to_string(config_.messages) + " msgs, ";
  if (config_.storage == StorageKind::kMemory) return text + "memory stream";
  return text + "file stream; " + PairingDescription(config_.pairing);
}

std::vector<MetricSpec> JsPublishScenarioBase::metrics() const {
  if (config_.async) {
    return {{"msgs_per_sec", "msgs/s", true}, {"cpu_us_per_msg", "srv cpu us/msg", false}};
  }
  return {{"msgs_per_sec", "msgs/s", true},
          {"p50_us", "p50 us", false},
          {"p99_us", "p99 us", false},
          {"cpu_us_per_msg", "srv cpu us/msg", false}};
}

std::optional<Durability> JsPublishScenarioBase::SideDurability(int side) const {
  if (config_.storage == StorageKind::kMemory) return std::nullopt;
  return spate::bench::SideDurability(config_.pairing, side);
}

Result<std::vector<std::string>> JsPublishScenarioBase::ServerArgs(const ServerSpec& server,
                                                                   const std::string& work_dir) {
  return JetStreamServerArgs(server, SideDurability(server.side), work_dir);
}

std::string JsPublishScenarioBase::Unsupported(const ServerSpec& server) {
  const std::optional<Durability> durability = SideDurability(server.side);
  return durability.has_value() ? DurabilityUnsupported(server, *durability) : "";
}

Status JsPublishScenarioBase::CreateStream(jsCtx* js) const {
  return AddStream(js, kStream, kSubject, config_.storage);
}

Status JsPublishScenarioBase::CheckStreamHoldsAll(jsCtx* js) const {
  const int64_t total = warm_up() + config_.messages;
  SPATE_ASSIGN_OR_RETURN(const uint64_t stored, StreamMessages(js, kStream));
  if (stored != static_cast<uint64_t>(total)) {
    return Status::Corruption("stream holds " + std::to_string(stored) + " messages, " +
                              std::to_string(total) + " were acknowledged");
  }
  return Status::Ok();
}

Status JsPublishScenarioBase::MeasureSync(const ScenarioContext& context,
                                          const PublishOne& publish_one, Sample* sample) const {
  uint64_t seq = 0;
  int64_t ignored = 0;
  for (int64_t i = warm_up(); i > 0; --i) SPATE_RETURN_IF_ERROR(publish_one(++seq, &ignored));
  std::vector<int64_t> latencies(config_.messages);
  SPATE_ASSIGN_OR_RETURN(const int64_t cpu_before, ReadCpuMicros(context.server_pid));
  const int64_t start = NowNanos();
  for (int64_t i = 0; i < config_.messages; ++i) {
    const Status s = publish_one(++seq, &latencies[i]);
    if (!s.ok()) {
      if (s.code() == Status::Code::kCorruption) return s;
      return Status::Unavailable(s.message() + " (message " + std::to_string(i + 1) + " of " +
                                 std::to_string(config_.messages) + ")");
    }
    sample->received_msgs = i + 1;
  }
  const int64_t end = NowNanos();
  SPATE_ASSIGN_OR_RETURN(const int64_t cpu_after, ReadCpuMicros(context.server_pid));
  std::sort(latencies.begin(), latencies.end());
  RecordRate(sample, config_.messages, start, end, cpu_before, cpu_after);
  RecordLatencies(sample, latencies);
  return Status::Ok();
}

Status JsPublishScenarioBase::MeasureAsync(const ScenarioContext& context, const PubAckTally& tally,
                                           const PublishPhase& publish_phase,
                                           Sample* sample) const {
  int64_t start = 0;
  int64_t end = 0;
  SPATE_RETURN_IF_ERROR(publish_phase(warm_up(), &start, &end));
  SPATE_ASSIGN_OR_RETURN(const int64_t cpu_before, ReadCpuMicros(context.server_pid));
  const int64_t acked_before = tally.acked.load();
  const Status run = publish_phase(config_.messages, &start, &end);
  sample->received_msgs = tally.acked.load() - acked_before;
  SPATE_RETURN_IF_ERROR(run);
  SPATE_ASSIGN_OR_RETURN(const int64_t cpu_after, ReadCpuMicros(context.server_pid));
  RecordRate(sample, config_.messages, start, end, cpu_before, cpu_after);
  return Status::Ok();
}

}  // namespace spate::bench
