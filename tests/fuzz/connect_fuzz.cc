// MergeConnectJson on arbitrary bytes: never crashes or throws, and a failed merge leaves the
// fields exactly as they were.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "protocol/connect_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view json(reinterpret_cast<const char*>(data), size);
  spate::protocol::ConnectFields fields;
  fields.name = "before";
  fields.protocol = 7;
  if (!spate::protocol::MergeConnectJson(json, &fields)) {
    if (fields.name != "before" || fields.protocol != 7 || !fields.verbose) std::abort();
  }
  return 0;
}
