#include "server/options/command_line.h"

#include <cstdint>
#include <limits>
#include <string_view>

namespace spate::server {
namespace {

enum class FlagType : uint8_t { kBool, kInt, kString };

struct FlagSpec {
  std::string_view name;
  std::string_view canonical;
  FlagType type;
};

// nats-server's names and aliases for the flags we implement, plus our own (max_payload,
// threads).
constexpr FlagSpec kFlags[] = {
    {"h", "help", FlagType::kBool},
    {"help", "help", FlagType::kBool},
    {"v", "version", FlagType::kBool},
    {"version", "version", FlagType::kBool},
    {"p", "port", FlagType::kInt},
    {"port", "port", FlagType::kInt},
    {"n", "server_name", FlagType::kString},
    {"name", "server_name", FlagType::kString},
    {"server_name", "server_name", FlagType::kString},
    {"a", "addr", FlagType::kString},
    {"addr", "addr", FlagType::kString},
    {"net", "addr", FlagType::kString},
    {"client_advertise", "client_advertise", FlagType::kString},
    {"D", "debug", FlagType::kBool},
    {"debug", "debug", FlagType::kBool},
    {"V", "trace", FlagType::kBool},
    {"trace", "trace", FlagType::kBool},
    {"VV", "VV", FlagType::kBool},
    {"DV", "DV", FlagType::kBool},
    {"DVV", "DVV", FlagType::kBool},
    {"T", "logtime", FlagType::kBool},
    {"logtime", "logtime", FlagType::kBool},
    {"user", "user", FlagType::kString},
    {"pass", "pass", FlagType::kString},
    {"auth", "auth", FlagType::kString},
    {"m", "http_port", FlagType::kInt},
    {"http_port", "http_port", FlagType::kInt},
    {"ms", "https_port", FlagType::kInt},
    {"https_port", "https_port", FlagType::kInt},
    {"c", "config", FlagType::kString},
    {"config", "config", FlagType::kString},
    {"t", "t", FlagType::kBool},
    {"sl", "signal", FlagType::kString},
    {"signal", "signal", FlagType::kString},
    {"P", "pid", FlagType::kString},
    {"pid", "pid", FlagType::kString},
    {"ports_file_dir", "ports_file_dir", FlagType::kString},
    {"l", "log", FlagType::kString},
    {"log", "log", FlagType::kString},
    {"js", "jetstream", FlagType::kBool},
    {"jetstream", "jetstream", FlagType::kBool},
    {"sd", "store_dir", FlagType::kString},
    {"store_dir", "store_dir", FlagType::kString},
    {"max_payload", "max_payload", FlagType::kInt},
    {"threads", "threads", FlagType::kInt},
    {"tls", "tls", FlagType::kBool},
    {"tlsverify", "tlsverify", FlagType::kBool},
    {"tlscert", "tlscert", FlagType::kString},
    {"tlskey", "tlskey", FlagType::kString},
    {"tlscacert", "tlscacert", FlagType::kString},
};

// Flags nats-server has that we do not implement yet: refused by name rather than reported
// as unknown, so the user learns the difference.
constexpr std::string_view kUnsupportedFlags[] = {"s",
                                                  "syslog",
                                                  "r",
                                                  "remote_syslog",
                                                  "log_size_limit",
                                                  "max_traced_msg_len",
                                                  "logtime_utc",
                                                  "profile",
                                                  "routes",
                                                  "cluster",
                                                  "cluster_listen",
                                                  "cluster_advertise",
                                                  "no_advertise",
                                                  "connect_retries",
                                                  "cluster_name",
                                                  "help_tls"};

const FlagSpec* FindFlag(std::string_view name) {
  for (const FlagSpec& f : kFlags) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

bool IsUnsupportedFlag(std::string_view name) {
  for (std::string_view f : kUnsupportedFlags) {
    if (f == name) return true;
  }
  return false;
}

// Go's strconv.ParseBool.
bool ParseGoBool(std::string_view s, bool* out) {
  if (s == "1" || s == "t" || s == "T" || s == "true" || s == "TRUE" || s == "True") {
    *out = true;
    return true;
  }
  if (s == "0" || s == "f" || s == "F" || s == "false" || s == "FALSE" || s == "False") {
    *out = false;
    return true;
  }
  return false;
}

// Go's strconv.ParseInt(s, 0, 64), which flag.IntVar uses: an optional sign, then decimal,
// 0x hex, 0o or leading-0 octal, or 0b binary; '_' may separate digits after a prefix.
bool ParseGoInt(std::string_view s, int64_t* out) {
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return false;
  int base = 10;
  bool prefixed = false;
  if (s.size() > 1 && s[0] == '0') {
    const char p = static_cast<char>(s[1] | 0x20);
    if (p == 'x') {
      base = 16;
    } else if (p == 'o') {
      base = 8;
    } else if (p == 'b') {
      base = 2;
    } else {
      base = 8;
      s.remove_prefix(1);
      prefixed = true;
    }
    if (!prefixed) {
      s.remove_prefix(2);
      prefixed = true;
    }
  }
  constexpr uint64_t kMaxMagnitude = uint64_t{1} << 63;
  uint64_t n = 0;
  bool any = false;
  char prev = '_';
  for (char c : s) {
    if (c == '_') {
      if (!prefixed || prev == '_') return false;
      prev = c;
      continue;
    }
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
      d = (c | 0x20) - 'a' + 10;
    } else {
      return false;
    }
    if (d >= base) return false;
    if (n > (kMaxMagnitude - static_cast<uint64_t>(d)) / static_cast<uint64_t>(base)) return false;
    n = n * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
    any = true;
    prev = c;
  }
  if (prev == '_') return false;
  if (!any) return false;
  if (!negative && n == kMaxMagnitude) return false;
  *out = negative ? static_cast<int64_t>(0 - n) : static_cast<int64_t>(n);
  return true;
}

Status PortValue(const std::string& given, int64_t n, int* out) {
  if (n < kRandomPort || n > 65535) {
    return Status::InvalidArgument("invalid value \"" + std::to_string(n) + "\" for flag -" +
                                   given + ": port must be -1 (random) or 0..65535");
  }
  *out = static_cast<int>(n);
  return Status::Ok();
}

}  // namespace

Result<CommandLine> CommandLine::Parse(const std::vector<std::string>& args) {
  CommandLine cl;
  size_t i = 0;
  while (i < args.size()) {
    const std::string& arg = args[i];
    if (arg.size() < 2 || arg[0] != '-') break;  // "-" alone is an argument, as in Go
    size_t dashes = 1;
    if (arg[1] == '-') {
      if (arg.size() == 2) {  // "--" ends the flags
        ++i;
        break;
      }
      dashes = 2;
    }
    std::string name = arg.substr(dashes);
    if (name.empty() || name[0] == '-' || name[0] == '=') {
      return Status::InvalidArgument("bad flag syntax: " + arg);
    }
    ++i;
    bool has_value = false;
    std::string value;
    if (const size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
      has_value = true;
    }
    const FlagSpec* spec = FindFlag(name);
    if (spec == nullptr) {
      if (IsUnsupportedFlag(name)) {
        return Status::InvalidArgument("flag -" + name + " is not supported by spate-server yet");
      }
      return Status::InvalidArgument("flag provided but not defined: -" + name);
    }
    if (spec->type == FlagType::kBool) {
      bool b = true;
      if (has_value && !ParseGoBool(value, &b)) {
        return Status::InvalidArgument("invalid boolean value \"" + value + "\" for -" + name +
                                       ": parse error");
      }
      value = b ? "true" : "false";
    } else {
      if (!has_value) {
        if (i >= args.size()) {
          return Status::InvalidArgument("flag needs an argument: -" + name);
        }
        value = args[i++];
      }
      int64_t n = 0;
      if (spec->type == FlagType::kInt && !ParseGoInt(value, &n)) {
        return Status::InvalidArgument("invalid value \"" + value + "\" for flag -" + name +
                                       ": parse error");
      }
    }
    cl.settings_.push_back(Setting{std::string(spec->canonical), name, std::move(value)});
  }
  cl.positional_.assign(args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
  return cl;
}

Status CommandLine::ApplyTo(ServerOptions* opts) const {
  // As nats-server: any --tls* flag replaces the file's whole `tls` block with the flags' values,
  // except that --tls=false turns TLS off and makes the other --tls* flags moot.
  TlsOptions flag_tls;
  bool tls_override = false;
  bool tls_disabled = false;
  for (const Setting& s : settings_) {
    const std::string& c = s.canonical;
    const bool on = s.value == "true";
    int64_t n = 0;
    const bool is_int = ParseGoInt(s.value, &n);
    if (c == "help") {
      opts->show_help = on;
    } else if (c == "version") {
      opts->show_version = on;
    } else if (c == "port") {
      SPATE_RETURN_IF_ERROR(PortValue(s.given, n, &opts->port));
    } else if (c == "http_port") {
      SPATE_RETURN_IF_ERROR(PortValue(s.given, n, &opts->http_port));
    } else if (c == "https_port") {
      SPATE_RETURN_IF_ERROR(PortValue(s.given, n, &opts->https_port));
    } else if (c == "server_name") {
      opts->server_name = s.value;
    } else if (c == "addr") {
      opts->host = s.value;
    } else if (c == "client_advertise") {
      opts->client_advertise = s.value;
    } else if (c == "debug") {
      opts->debug = on;
    } else if (c == "trace" || c == "VV") {
      opts->trace = on;  // -VV also traces the system account; we have none yet
    } else if (c == "DV" || c == "DVV") {
      opts->debug = on;
      opts->trace = on;
    } else if (c == "logtime") {
      opts->log_time = on;
    } else if (c == "user") {
      opts->auth.user = s.value;
    } else if (c == "pass") {
      opts->auth.password = s.value;
    } else if (c == "auth") {
      opts->auth.token = s.value;
    } else if (c == "config") {
      opts->config_file = s.value;
    } else if (c == "t") {
      opts->check_config_only = on;
    } else if (c == "signal") {
      opts->signal = s.value;
    } else if (c == "pid") {
      opts->pid_file = s.value;
    } else if (c == "ports_file_dir") {
      opts->ports_file_dir = s.value;
    } else if (c == "log") {
      opts->log_file = s.value;
    } else if (c == "jetstream") {
      opts->jetstream.enabled = on;
    } else if (c == "store_dir") {
      opts->jetstream.store_dir = s.value;
    } else if (c == "max_payload") {
      if (!is_int || n <= 0 || n > std::numeric_limits<int32_t>::max()) {
        return Status::InvalidArgument("invalid value \"" + s.value + "\" for flag -" + s.given +
                                       ": must be 1.." +
                                       std::to_string(std::numeric_limits<int32_t>::max()));
      }
      opts->max_payload = n;
    } else if (c == "threads") {
      if (!is_int || n < 0 || n > 4096) {
        return Status::InvalidArgument("invalid value \"" + s.value + "\" for flag -" + s.given +
                                       ": must be 0 (one per core) to 4096");
      }
      opts->threads = static_cast<int>(n);
    } else if (c == "tls") {
      tls_disabled = !on;
      tls_override |= on;
    } else if (c == "tlsverify" || c == "tlscert" || c == "tlskey" || c == "tlscacert") {
      if (c == "tlsverify") flag_tls.verify = on;
      if (c == "tlscert") flag_tls.cert_file = s.value;
      if (c == "tlskey") flag_tls.key_file = s.value;
      if (c == "tlscacert") flag_tls.ca_file = s.value;
      tls_override = true;
    }
  }
  if (tls_disabled) {
    opts->tls = TlsOptions{};
  } else if (tls_override) {
    if (flag_tls.cert_file.empty()) {
      return Status::InvalidArgument("TLS Server certificate must be present and valid");
    }
    if (flag_tls.key_file.empty()) {
      return Status::InvalidArgument("TLS Server private key must be present and valid");
    }
    flag_tls.enabled = true;
    opts->tls = std::move(flag_tls);
  }
  return Status::Ok();
}

}  // namespace spate::server
