#pragma once

#include <string>

#include "common/status.h"

namespace spate::jetstream {

// Replaces `path` with `data` atomically (write a temporary file, rename over). With `sync` the
// data and the rename are fdatasync'ed before it returns; without, they are in the OS (survive
// a process crash, not a power loss).
Status WriteFileAtomic(const std::string& path, const std::string& data, bool sync);
Result<std::string> ReadWholeFile(const std::string& path);
// Makes everything written to the filesystem holding `path` durable (syncfs).
Status SyncFileSystem(const std::string& path);
// Removes a directory tree; missing is fine.
Status RemoveTree(const std::string& path);

}  // namespace spate::jetstream
