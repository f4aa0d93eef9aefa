#include "server/runtime_config.h"

namespace spate::server {

Result<std::shared_ptr<RuntimeConfig>> RuntimeConfig::Create(ServerOptions options,
                                                             bool verify_and_map) {
  std::shared_ptr<RuntimeConfig> config(new RuntimeConfig(std::move(options)));
  // Built over the snapshot's own copy of the options, which it points into.
  Result<Authenticator> authenticator =
      Authenticator::Create(config->options_.auth, verify_and_map);
  if (!authenticator.ok()) return authenticator.status();
  config->authenticator_.emplace(std::move(*authenticator));
  return config;
}

}  // namespace spate::server
