#pragma once

#include <string>
#include <vector>

#include "auth/claims.h"
#include "server/options/server_options.h"

namespace spate::server {

// An operator-mode account JWT's exports and imports in the config's terms (named by the
// account's public key), so that one mechanism (AccountImports) wires both. What spate-server
// cannot apply is left out and described in `skipped`: exports that need an activation token
// and imports that present one, and stream imports whose local subject is a wildcard mapping.
AccountConfig AccountConfigFromClaims(const std::string& public_key,
                                      const auth::AccountClaims& claims,
                                      std::vector<std::string>* skipped);

}  // namespace spate::server
