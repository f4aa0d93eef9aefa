#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "store/file_system.h"

namespace spate::store {
namespace {

Status ErrnoStatus(const std::string& what, const std::string& path, int err) {
  return Status::IoError(what + " " + path + ": " + std::strerror(err));
}

class PosixFile final : public File {
 public:
  PosixFile(int fd, std::string path, bool is_dir)
      : fd_(fd), path_(std::move(path)), is_dir_(is_dir) {}
  ~PosixFile() override { ::close(fd_); }

  Status PWrite(uint64_t offset, std::string_view data) override {
    while (!data.empty()) {
      const ssize_t n = ::pwrite(fd_, data.data(), data.size(), static_cast<off_t>(offset));
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus("write", path_, errno);
      }
      data.remove_prefix(static_cast<size_t>(n));  // a short write: go on with the rest
      offset += static_cast<uint64_t>(n);
    }
    return Status::Ok();
  }

  Status MapPrivate(uint64_t offset, size_t size, void* at) override {
    void* p = ::mmap(at, size, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd_, static_cast<off_t>(offset));
    if (p == MAP_FAILED) return ErrnoStatus("mmap", path_, errno);
    return Status::Ok();
  }

  Status PunchHole(uint64_t offset, uint64_t size) override {
    if (::fallocate(fd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset),
                    static_cast<off_t>(size)) != 0 &&
        errno != EOPNOTSUPP) {
      return ErrnoStatus("punch hole in", path_, errno);
    }
    return Status::Ok();
  }

  Result<size_t> PRead(uint64_t offset, size_t size, char* out) override {
    size_t done = 0;
    while (done < size) {
      const ssize_t n = ::pread(fd_, out + done, size - done, static_cast<off_t>(offset + done));
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus("read", path_, errno);
      }
      if (n == 0) break;
      done += static_cast<size_t>(n);
    }
    return done;
  }

  Status Sync() override {
    const int rc = is_dir_ ? ::fsync(fd_) : ::fdatasync(fd_);
    if (rc != 0) return ErrnoStatus("sync", path_, errno);
    return Status::Ok();
  }

  Status Truncate(uint64_t size) override {
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
      return ErrnoStatus("truncate", path_, errno);
    }
    return Status::Ok();
  }

  Result<uint64_t> Size() override {
    struct stat st;
    if (::fstat(fd_, &st) != 0) return ErrnoStatus("stat", path_, errno);
    return static_cast<uint64_t>(st.st_size);
  }

 private:
  int fd_;
  std::string path_;
  bool is_dir_;
};

class PosixFileSystem final : public FileSystem {
 public:
  Result<std::shared_ptr<File>> OpenFile(const std::string& path, bool create) override {
    const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0644);
    if (fd < 0) return ErrnoStatus("open", path, errno);
    return std::shared_ptr<File>(std::make_shared<PosixFile>(fd, path, false));
  }

  Result<std::shared_ptr<File>> OpenDir(const std::string& path) override {
    const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("open dir", path, errno);
    return std::shared_ptr<File>(std::make_shared<PosixFile>(fd, path, true));
  }

  Status CreateDirs(const std::string& path) override {
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec) return Status::IoError("create dir " + path + ": " + ec.message());
    return Status::Ok();
  }

  Result<std::vector<std::string>> ListDir(const std::string& path) override {
    DIR* dir = ::opendir(path.c_str());
    if (dir == nullptr) return ErrnoStatus("list", path, errno);
    std::vector<std::string> names;
    while (dirent* entry = ::readdir(dir)) {
      std::string name = entry->d_name;
      if (name != "." && name != "..") names.push_back(std::move(name));
    }
    ::closedir(dir);
    return names;
  }

  Status Rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return ErrnoStatus("rename", from, errno);
    return Status::Ok();
  }

  Status RemoveFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return ErrnoStatus("remove", path, errno);
    return Status::Ok();
  }

  bool Exists(const std::string& path) override { return ::access(path.c_str(), F_OK) == 0; }
};

}  // namespace

FileSystem* FileSystem::Posix() {
  static PosixFileSystem fs;
  return &fs;
}

Status TruncateIfNotEmpty(File& file) {
  SPATE_ASSIGN_OR_RETURN(uint64_t size, file.Size());
  return size == 0 ? Status::Ok() : file.Truncate(0);
}

Status File::MapPrivate(uint64_t offset, size_t size, void* at) {
  void* p =
      ::mmap(at, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return Status::IoError("mmap: " + std::string(std::strerror(errno)));
  Result<size_t> got = PRead(offset, size, static_cast<char*>(p));
  if (!got.ok() || *got != size) {
    return got.ok() ? Status::IoError("short read while mapping") : got.status();
  }
  ::mprotect(p, size, PROT_READ);  // as the real mapping: read-only until mprotect
  return Status::Ok();
}

Status File::PunchHole(uint64_t, uint64_t) { return Status::Ok(); }

}  // namespace spate::store
