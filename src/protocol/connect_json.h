#pragma once

#include <string>
#include <string_view>

namespace spate::protocol {

// The fields of a CONNECT's JSON that the server reads. Defaults are nats-server's (verbose and
// pedantic on until the client says otherwise).
struct ConnectFields {
  bool verbose = true;
  bool pedantic = true;
  bool echo = true;
  bool headers = false;
  bool no_responders = false;
  int protocol = 0;
  std::string name, lang, version;
  // Credentials: user/password, token, nkey + signature of the nonce, user JWT.
  std::string user, pass, auth_token, nkey, sig, jwt;
};

// Merges a CONNECT's JSON onto `fields`: a key the client leaves out (or sends as null) keeps its
// value, as nats-server unmarshals onto its current options. Unknown keys are ignored. Returns
// false, leaving `fields` unchanged, when the text is not a JSON object or a known key has the
// wrong type (nats-server's strict decoding closes the connection then).
// Thread-safe; never throws.
bool MergeConnectJson(std::string_view json, ConnectFields* fields);

}  // namespace spate::protocol
