#include "store/fault_injection_file_system.h"

#include <thread>

namespace spate::store {

class FaultInjectionFile final : public File {
 public:
  FaultInjectionFile(std::shared_ptr<File> base, FaultInjectionFileSystem* fs)
      : base_(std::move(base)), fs_(fs) {}

  Status PWrite(uint64_t offset, std::string_view data) override {
    const uint64_t n = ++fs_->writes_;
    if (n == fs_->fail_write_at_.load()) return Status::IoError("injected write failure");
    if (n == fs_->short_write_at_.load()) {
      Status st = base_->PWrite(offset, data.substr(0, data.size() / 2));
      (void)st;
      return Status::IoError("injected short write");
    }
    return base_->PWrite(offset, data);
  }
  Result<size_t> PRead(uint64_t offset, size_t size, char* out) override {
    return base_->PRead(offset, size, out);
  }
  Status Sync() override {
    const uint64_t n = ++fs_->syncs_;
    if (const int64_t delay = fs_->sync_delay_us_.load(); delay > 0) {
      std::this_thread::sleep_for(std::chrono::microseconds(delay));
    }
    if (n == fs_->fail_sync_at_.load()) return Status::IoError("injected sync failure");
    return base_->Sync();
  }
  Status Truncate(uint64_t size) override { return base_->Truncate(size); }
  Status MapPrivate(uint64_t offset, size_t size, void* at) override {
    return base_->MapPrivate(offset, size, at);
  }
  Status PunchHole(uint64_t offset, uint64_t size) override {
    return base_->PunchHole(offset, size);
  }
  Result<uint64_t> Size() override { return base_->Size(); }

 private:
  std::shared_ptr<File> base_;
  FaultInjectionFileSystem* fs_;
};

Result<std::shared_ptr<File>> FaultInjectionFileSystem::OpenFile(const std::string& path,
                                                                 bool create) {
  SPATE_ASSIGN_OR_RETURN(std::shared_ptr<File> base, base_->OpenFile(path, create));
  return std::shared_ptr<File>(std::make_shared<FaultInjectionFile>(std::move(base), this));
}

}  // namespace spate::store
