#include "server/account.h"

namespace spate::server {

Account::Account(std::string name, int num_loops) : name_(std::move(name)) {
  caches_.reserve(static_cast<size_t>(num_loops));
  for (int i = 0; i < num_loops; ++i) caches_.push_back(std::make_unique<routing::MatchCache>());
}

}  // namespace spate::server
