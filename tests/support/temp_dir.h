#pragma once

#include <string>

namespace spate::test {

// A fresh directory under $TMPDIR (or /tmp), removed with its contents on destruction unless
// SPATE_TEST_KEEP_DIRS is set in the environment (handy when a test fails).
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "spate-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // Writes `contents` to path()/name and returns the full path.
  std::string WriteFile(const std::string& name, const std::string& contents) const;

 private:
  std::string path_;
};

}  // namespace spate::test
