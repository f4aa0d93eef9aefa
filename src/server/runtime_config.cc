#include "server/runtime_config.h"

#include <fstream>
#include <iterator>

namespace spate::server {

Result<std::shared_ptr<RuntimeConfig>> RuntimeConfig::Create(ServerOptions options,
                                                             bool verify_and_map) {
  std::shared_ptr<RuntimeConfig> config(new RuntimeConfig(std::move(options)));
  // Built over the snapshot's own copy of the options, which it points into.
  Result<Authenticator> authenticator =
      Authenticator::Create(config->options_.auth, verify_and_map);
  if (!authenticator.ok()) return authenticator.status();
  config->authenticator_.emplace(std::move(*authenticator));
  const TlsOptions& tls = config->options_.tls;
  if (tls.enabled) {
    SPATE_ASSIGN_OR_RETURN(std::unique_ptr<TlsContext> context, TlsContext::Create(tls));
    config->tls_ = std::move(context);
    for (const std::string* path : {&tls.cert_file, &tls.key_file, &tls.ca_file}) {
      std::ifstream in(*path, std::ios::binary);
      config->tls_files_.append(std::istreambuf_iterator<char>(in), {});
      config->tls_files_.push_back('\0');
    }
  }
  return config;
}

}  // namespace spate::server
