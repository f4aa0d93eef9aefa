#include "compat/transcript.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/wire_client.h"

namespace spate::test {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kExpectDeadline{5000};
constexpr std::string_view kServerPing = "PING\r\n";

const std::vector<std::string> kBytesCommands = {"send", "expect", "expect_one_of", "expect_any"};

std::vector<std::string> SplitWords(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

std::vector<std::string> SplitOn(const std::string& text, const std::string& separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t at = text.find(separator, start);
    parts.push_back(text.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) return parts;
    start = at + separator.size();
  }
}

std::string Trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

bool IsPrefixCompatible(std::string_view have, std::string_view want) {
  const size_t n = std::min(have.size(), want.size());
  return have.substr(0, n) == want.substr(0, n);
}

// Replays one transcript against one running server.
class Replayer {
 public:
  Replayer(const Transcript& transcript, TestServer& server, std::string server_kind)
      : transcript_(transcript), server_(server), kind_(std::move(server_kind)) {}

  ReplayResult Run() {
    for (const TranscriptStep& step : transcript_.steps) {
      step_ = &step;
      if (!RunStep(step)) return {false, false, failure_};
    }
    // Bytes the script did not expect but that already arrived are a deviation too.
    for (auto& [name, client] : clients_) {
      DropServerPings(*client);
      if (!client->buffered().empty()) {
        return {false, false,
                Where() + "unexpected trailing bytes on " + name + ": \"" +
                    EscapeBytes(std::string(client->buffered())) + "\""};
      }
    }
    return {true, false, ""};
  }

 private:
  std::string Where() const {
    return transcript_.path + ":" + std::to_string(step_ != nullptr ? step_->line : 0) + " [" +
           kind_ + "] ";
  }

  bool Fail(const std::string& why) {
    failure_ = Where() + why;
    return false;
  }

  WireClient* Client(const std::string& name) {
    auto it = clients_.find(name);
    return it == clients_.end() ? nullptr : it->second.get();
  }

  // nats-server pings each client about two seconds after it connects (RTT measurement). A PING
  // at a frame boundary that the script did not ask for is answered and skipped.
  bool SkipServerPing(WireClient& client, Clock::time_point until) {
    while (IsPrefixCompatible(client.buffered(), kServerPing) &&
           client.buffered().size() < kServerPing.size()) {
      if (!client.ReadSome(until)) return false;
    }
    if (!client.buffered().starts_with(kServerPing)) return false;
    client.Consume(kServerPing.size());
    (void)client.Send("PONG\r\n");
    return true;
  }

  void DropServerPings(WireClient& client) {
    while (client.buffered().starts_with(kServerPing)) {
      client.Consume(kServerPing.size());
      (void)client.Send("PONG\r\n");
    }
  }

  // Consumes exactly `want` from the client, tolerating server PINGs between frames.
  bool ExpectBytes(WireClient& client, const std::string& name, const std::string& want) {
    const auto until = Clock::now() + kExpectDeadline;
    std::string got;
    size_t i = 0;
    while (i < want.size()) {
      if (client.buffered().empty() && !client.ReadSome(until)) {
        return Fail("expected \"" + EscapeBytes(want) + "\" on " + name + ", got \"" +
                    EscapeBytes(got) + "\" then " +
                    (client.peer_closed() ? "the connection closed" : "nothing (timeout)"));
      }
      const bool boundary = i == 0 || want[i - 1] == '\n';
      if (boundary && !std::string_view(want).substr(i).starts_with(kServerPing) &&
          SkipServerPing(client, until)) {
        continue;
      }
      if (client.buffered().empty()) continue;
      const char c = client.buffered()[0];
      if (c != want[i]) {
        std::string rest(client.buffered().substr(0, 200));
        return Fail("expected \"" + EscapeBytes(want) + "\" on " + name + ", got \"" +
                    EscapeBytes(got + rest) + "\"");
      }
      got.push_back(c);
      client.Consume(1);
      ++i;
    }
    return true;
  }

  bool ExpectOneOf(WireClient& client, const std::string& name,
                   const std::vector<std::string>& alternatives) {
    const auto until = Clock::now() + kExpectDeadline;
    const bool any_ping = std::any_of(alternatives.begin(), alternatives.end(),
                                      [](const std::string& a) { return a.starts_with("PING"); });
    while (true) {
      if (!any_ping && SkipServerPing(client, until)) continue;
      bool compatible = false;
      for (const std::string& alt : alternatives) {
        if (client.buffered().starts_with(alt)) {
          client.Consume(alt.size());
          return true;
        }
        compatible = compatible || IsPrefixCompatible(client.buffered(), alt);
      }
      std::string all;
      for (const std::string& alt : alternatives) all += " \"" + EscapeBytes(alt) + "\"";
      if (!compatible) {
        return Fail("expected one of" + all + " on " + name + ", got \"" +
                    EscapeBytes(std::string(client.buffered().substr(0, 200))) + "\"");
      }
      if (!client.ReadSome(until)) {
        return Fail("expected one of" + all + " on " + name + ", got \"" +
                    EscapeBytes(std::string(client.buffered())) + "\" then " +
                    (client.peer_closed() ? "the connection closed" : "nothing (timeout)"));
      }
    }
  }

  bool ExpectAny(const std::vector<std::string>& names, const std::string& want) {
    const auto until = Clock::now() + kExpectDeadline;
    while (Clock::now() < until) {
      for (const std::string& name : names) {
        WireClient* client = Client(name);
        DropServerPings(*client);
        if (!client->buffered().empty()) return ExpectBytes(*client, name, want);
        client->ReadSome(Clock::now() + std::chrono::milliseconds(2));
      }
    }
    return Fail("expected \"" + EscapeBytes(want) + "\" on one of the connections: timeout");
  }

  bool ExpectClosed(WireClient& client, const std::string& name) {
    const auto until = Clock::now() + kExpectDeadline;
    while (true) {
      DropServerPings(client);
      if (!client.buffered().empty() && !IsPrefixCompatible(client.buffered(), kServerPing)) {
        return Fail("expected " + name + " to be closed, got \"" +
                    EscapeBytes(std::string(client.buffered().substr(0, 200))) + "\"");
      }
      if (!client.ReadSome(until)) {
        if (client.peer_closed()) return true;
        return Fail("expected " + name + " to be closed by the server: still open (timeout)");
      }
    }
  }

  bool ExpectInfo(WireClient& client, const std::string& name,
                  const std::vector<std::string>& checks) {
    const auto line = client.ReadLine(kExpectDeadline);
    if (!line) return Fail("no INFO line on " + name);
    if (!line->starts_with("INFO ") || !line->ends_with("\r\n")) {
      return Fail("expected an INFO line on " + name + ", got \"" + EscapeBytes(*line) + "\"");
    }
    // ordered_json keeps the server's key order, which `ordered` checks.
    const nlohmann::ordered_json info =
        nlohmann::ordered_json::parse(line->substr(5), nullptr, false);
    if (info.is_discarded() || !info.is_object()) {
      return Fail("INFO is not a JSON object: \"" + EscapeBytes(*line) + "\"");
    }
    if (!checks.empty() && checks[0] == "ordered") {
      auto next = info.begin();
      for (size_t i = 1; i < checks.size(); ++i) {
        while (next != info.end() && next.key() != checks[i]) ++next;
        if (next == info.end()) {
          return Fail("INFO lacks \"" + checks[i] + "\" or has it before \"" + checks[i - 1] +
                      "\": " + info.dump());
        }
      }
      return true;
    }
    for (const std::string& check : checks) {
      const size_t eq = check.find('=');
      const std::string key = check.substr(0, eq);
      if (!info.contains(key)) return Fail("INFO lacks \"" + key + "\": " + info.dump());
      if (eq == std::string::npos) continue;
      std::string value_text = check.substr(eq + 1);
      if (value_text == "$port") value_text = std::to_string(server_.port());
      const nlohmann::ordered_json want = nlohmann::ordered_json::parse(value_text, nullptr, false);
      if (want.is_discarded()) return Fail("bad JSON value in expect_info: " + check);
      if (info[key] != want) {
        return Fail("INFO \"" + key + "\" is " + info[key].dump() + ", want " + want.dump());
      }
    }
    return true;
  }

  bool RunStep(const TranscriptStep& step) {
    const std::string& name = step.connections.empty() ? std::string() : step.connections[0];
    if (step.command == "connect") {
      auto client = std::make_unique<WireClient>();
      if (!client->Connect(server_.port())) return Fail("connect failed: " + client->error());
      clients_[name] = std::move(client);
      return true;
    }
    if (step.command == "expect_any") {
      for (const std::string& n : step.connections) {
        if (Client(n) == nullptr) return Fail("unknown connection " + n);
      }
      return ExpectAny(step.connections, step.arguments[0]);
    }
    WireClient* client = Client(name);
    if (client == nullptr) return Fail("unknown connection " + name);
    if (step.command == "send") {
      if (!client->Send(step.arguments[0])) return Fail("send failed: " + client->error());
      return true;
    }
    if (step.command == "expect") return ExpectBytes(*client, name, step.arguments[0]);
    if (step.command == "expect_one_of") return ExpectOneOf(*client, name, step.arguments);
    if (step.command == "expect_info") return ExpectInfo(*client, name, step.arguments);
    if (step.command == "expect_closed") return ExpectClosed(*client, name);
    if (step.command == "close") {
      clients_.erase(name);
      return true;
    }
    return Fail("unknown command " + step.command);
  }

  const Transcript& transcript_;
  TestServer& server_;
  std::string kind_;
  std::map<std::string, std::unique_ptr<WireClient>> clients_;
  const TranscriptStep* step_ = nullptr;
  std::string failure_;
};

}  // namespace

bool DecodeEscapes(const std::string& text, std::string* out) {
  out->clear();
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out->push_back(text[i]);
      continue;
    }
    if (++i == text.size()) return false;
    switch (text[i]) {
      case 'r':
        out->push_back('\r');
        break;
      case 'n':
        out->push_back('\n');
        break;
      case 't':
        out->push_back('\t');
        break;
      case '\\':
        out->push_back('\\');
        break;
      case 'x': {
        if (i + 2 >= text.size()) return false;
        const std::string hex = text.substr(i + 1, 2);
        if (!std::isxdigit(static_cast<unsigned char>(hex[0])) ||
            !std::isxdigit(static_cast<unsigned char>(hex[1]))) {
          return false;
        }
        out->push_back(static_cast<char>(std::stoi(hex, nullptr, 16)));
        i += 2;
        break;
      }
      default:
        return false;
    }
  }
  return true;
}

std::string EscapeBytes(const std::string& bytes) {
  std::string out;
  for (const char c : bytes) {
    if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (std::isprint(static_cast<unsigned char>(c))) {
      out.push_back(c);
    } else {
      static const char* kHex = "0123456789abcdef";
      const auto u = static_cast<unsigned char>(c);
      out += "\\x";
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
  return out;
}

bool ParseTranscript(const std::string& path, Transcript* out, std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = path + ": cannot open";
    return false;
  }
  *out = Transcript{};
  out->path = path;
  std::string raw;
  for (int line_no = 1; std::getline(in, raw); ++line_no) {
    const std::string line = Trim(raw);
    if (line.empty() || line[0] == '#') continue;
    auto fail = [&](const std::string& why) {
      *error = path + ":" + std::to_string(line_no) + ": " + why;
      return false;
    };
    const size_t cmd_end = line.find_first_of(" \t");
    const std::string command = line.substr(0, cmd_end);
    const std::string rest = cmd_end == std::string::npos ? "" : Trim(line.substr(cmd_end));

    if (command == "skip") {
      const auto words = SplitWords(rest);
      if (words.empty()) return fail("skip needs a server kind (spate or nats-server)");
      out->skip_servers.push_back(words[0]);
      out->skip_reason = Trim(rest.substr(words[0].size()));
      continue;
    }
    if (command == "server_conf") {
      out->server_config += rest + "\n";
      continue;
    }
    if (command == "server_arg") {
      for (const auto& w : SplitWords(rest)) out->server_args.push_back(w);
      continue;
    }

    TranscriptStep step;
    step.line = line_no;
    step.command = command;
    const size_t conn_end = rest.find_first_of(" \t");
    const std::string conns = rest.substr(0, conn_end);
    const std::string args = conn_end == std::string::npos ? "" : Trim(rest.substr(conn_end));
    if (conns.empty()) return fail(command + " needs a connection name");
    step.connections = SplitOn(conns, ",");

    if (command == "connect" || command == "expect_closed" || command == "close") {
      if (!args.empty()) return fail(command + " takes only a connection name");
    } else if (command == "expect_info") {
      step.arguments = SplitWords(args);
    } else if (std::find(kBytesCommands.begin(), kBytesCommands.end(), command) !=
               kBytesCommands.end()) {
      const std::vector<std::string> parts =
          command == "expect_one_of" ? SplitOn(args, " || ") : std::vector<std::string>{args};
      for (const std::string& part : parts) {
        std::string bytes;
        if (!DecodeEscapes(Trim(part), &bytes)) return fail("bad escape in: " + part);
        if (bytes.empty()) return fail(command + " needs bytes");
        step.arguments.push_back(bytes);
      }
    } else {
      return fail("unknown command " + command);
    }
    if (command != "expect_any" && step.connections.size() != 1) {
      return fail(command + " takes one connection");
    }
    out->steps.push_back(std::move(step));
  }
  return true;
}

ReplayResult ReplayTranscript(const Transcript& transcript, const std::string& binary,
                              const std::string& server_kind) {
  if (std::find(transcript.skip_servers.begin(), transcript.skip_servers.end(), server_kind) !=
      transcript.skip_servers.end()) {
    return {true, true, transcript.skip_reason};
  }
  TestServerOptions options;
  options.args = transcript.server_args;
  options.config = transcript.server_config;
  TestServer server(binary, options);
  if (!server.Start()) return {false, false, server.error()};
  ReplayResult result = Replayer(transcript, server, server_kind).Run();
  if (!result.ok) {
    std::string log = server.Log();
    if (log.size() > 4000) log = "..." + log.substr(log.size() - 4000);
    result.message += "\n--- " + server_kind + " log (" + binary + ") ---\n" + log;
  }
  return result;
}

}  // namespace spate::test
