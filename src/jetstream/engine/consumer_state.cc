// A consumer's persisted state (meta.json, state.json) and its ConsumerInfo.
#include <filesystem>

#include "common/logging.h"
#include "jetstream/engine/consumer.h"
#include "jetstream/engine/file_util.h"
#include "jetstream/engine/stream.h"
#include "jetstream/json_codec.h"

namespace spate::jetstream {

using server::LoopContext;

ConsumerInfo Consumer::Info(LoopContext* ctx) {
  ConsumerInfo info;
  info.stream_name = stream_.name();
  info.name = name_;
  info.created = created_ns_;
  info.config = config_;
  info.delivered.consumer_seq = ConsumerSeq{st_.delivered_cseq};
  info.delivered.stream_seq = StreamSeq{std::max(st_.delivered_sseq, next_sseq_ - 1)};
  if (last_delivery_ns_ != 0) info.delivered.last_active = last_delivery_ns_;
  info.ack_floor.consumer_seq = ConsumerSeq{st_.ack_floor_cseq};
  info.ack_floor.stream_seq = StreamSeq{st_.ack_floor_sseq};
  info.num_ack_pending = st_.pending.size();
  info.num_redelivered = st_.redeliveries.size();
  info.num_waiting = waiting_.size();
  info.num_pending = static_cast<uint64_t>(num_pending());
  if (!is_pull() && ctx != nullptr) {
    info.push_bound = stream_.env().HasInterest(*ctx, config_.deliver_subject);
  }
  info.cluster = MakeLeaderInfo(stream_.env().server.server_name());
  info.timestamp = server::WallClockNs();
  return info;
}

Status Consumer::SaveMeta() {
  if (dir_.empty()) return Status::Ok();
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) return Status::IoError("create " + dir_ + ": " + ec.message());
  nlohmann::ordered_json meta;
  meta["name"] = name_;
  meta["created"] = FormatTime(created_ns_);
  meta["config"] = EncodeConsumerConfig(config_);
  // Not synced here: in the OS it survives a process crash, and the stream syncs its filesystem
  // once per tick for all new consumers (Stream::MarkNeedsSync), so that creating thousands of
  // consumers does not cost thousands of fsyncs.
  return WriteFileAtomic(dir_ + "/meta.json", DumpGoJson(meta), false);
}

Status Consumer::SaveState(bool sync) {
  dirty_ = false;
  if (dir_.empty()) return Status::Ok();
  nlohmann::json j;
  j["delivered"] = {st_.delivered_cseq, st_.delivered_sseq};
  j["ack_floor"] = {st_.ack_floor_cseq, st_.ack_floor_sseq};
  j["next_sseq"] = next_sseq_;
  nlohmann::json pending = nlohmann::json::array();
  for (auto& [s, p] : st_.pending) pending.push_back({s, p.cseq});
  j["pending"] = std::move(pending);
  nlohmann::json redel = nlohmann::json::array();
  for (auto& [s, n] : st_.redeliveries) redel.push_back({s, n});
  j["redelivered"] = std::move(redel);
  j["initial"] = initial_;
  Status st = WriteFileAtomic(dir_ + "/state.json", j.dump(), sync);
  if (!st.ok()) {
    Touch();
    LOG_ERROR("Consumer '%s > %s': saving state: %s", stream_.name().c_str(), name_.c_str(),
              st.message().c_str());
  }
  return st;
}

Status Consumer::LoadState() {
  SPATE_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(dir_ + "/state.json"));
  try {
    auto j = nlohmann::json::parse(text);
    st_.delivered_cseq = j["delivered"][0].get<uint64_t>();
    st_.delivered_sseq = j["delivered"][1].get<uint64_t>();
    st_.ack_floor_cseq = j["ack_floor"][0].get<uint64_t>();
    st_.ack_floor_sseq = j["ack_floor"][1].get<uint64_t>();
    next_sseq_ = j["next_sseq"].get<uint64_t>();
    // Everything that was out at the crash is due again after one ack wait, as on nats-server.
    int64_t deadline = server::WallClockNs() + AckWaitFor(1);
    for (auto& p : j["pending"]) {
      st_.pending[p[0].get<uint64_t>()] = PendingMsg{p[1].get<uint64_t>(), deadline, 0};
    }
    for (auto& r : j["redelivered"]) st_.redeliveries[r[0].get<uint64_t>()] = r[1].get<uint64_t>();
    initial_.clear();
    for (auto& s : j["initial"]) initial_.push_back(s.get<uint64_t>());
  } catch (const std::exception& e) {
    return Status::Corruption(dir_ + "/state.json: " + e.what());
  }
  return Status::Ok();
}

Status Consumer::RemoveFiles() {
  if (dir_.empty()) return Status::Ok();
  return RemoveTree(dir_);
}

}  // namespace spate::jetstream
