// Parser throughput: how fast a read buffer full of frames turns into ops.
#include <benchmark/benchmark.h>

#include <string>

#include "protocol/client_parser.h"
#include "protocol/server_parser.h"

namespace {

using spate::protocol::ClientOp;
using spate::protocol::ClientParser;
using spate::protocol::ServerOp;
using spate::protocol::ServerParser;

std::string MakePubs(int count, size_t payload_size, bool with_reply) {
  const std::string payload(payload_size, 'x');
  std::string wire;
  for (int i = 0; i < count; ++i) {
    wire += "PUB orders.eu.new ";
    if (with_reply) wire += "_INBOX.8Jd7fk3QmZ1x2.17 ";
    wire += std::to_string(payload_size) + "\r\n" + payload + "\r\n";
  }
  return wire;
}

std::string MakeHeaderPubs(int count, size_t payload_size) {
  const std::string headers = "NATS/1.0\r\nNats-Msg-Id: 4f9c2a\r\n\r\n";
  const std::string payload(payload_size, 'x');
  std::string wire;
  for (int i = 0; i < count; ++i) {
    wire += "HPUB orders.eu.new " + std::to_string(headers.size()) + " " +
            std::to_string(headers.size() + payload_size) + "\r\n" + headers + payload + "\r\n";
  }
  return wire;
}

std::string MakeMsgs(int count, size_t payload_size) {
  const std::string payload(payload_size, 'x');
  std::string wire;
  for (int i = 0; i < count; ++i) {
    wire += "MSG orders.eu.new 17 " + std::to_string(payload_size) + "\r\n" + payload + "\r\n";
  }
  return wire;
}

// Parses every frame of `wire` per iteration; counts ops and bytes.
template <class Parser, class Op>
void ParseAll(benchmark::State& state, const std::string& wire, int count) {
  Parser parser;
  Op op;
  for (auto _ : state) {
    size_t offset = 0;
    size_t used = 0;
    int ops = 0;
    while (parser.Next({wire.data() + offset, wire.size() - offset}, &used, &op) ==
           Parser::Step::kOp) {
      offset += used;
      ++ops;
    }
    if (ops != count) state.SkipWithError("parser stopped early");
    benchmark::DoNotOptimize(op);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(wire.size()));
  state.SetItemsProcessed(state.iterations() * count);
}

void BM_ParsePub128(benchmark::State& state) {
  ParseAll<ClientParser, ClientOp>(state, MakePubs(1000, 128, false), 1000);
}
BENCHMARK(BM_ParsePub128);

void BM_ParsePubWithReply128(benchmark::State& state) {
  ParseAll<ClientParser, ClientOp>(state, MakePubs(1000, 128, true), 1000);
}
BENCHMARK(BM_ParsePubWithReply128);

void BM_ParsePub16(benchmark::State& state) {
  ParseAll<ClientParser, ClientOp>(state, MakePubs(1000, 16, false), 1000);
}
BENCHMARK(BM_ParsePub16);

void BM_ParseHeaderPub128(benchmark::State& state) {
  ParseAll<ClientParser, ClientOp>(state, MakeHeaderPubs(1000, 128), 1000);
}
BENCHMARK(BM_ParseHeaderPub128);

void BM_ParseMsg128(benchmark::State& state) {
  ParseAll<ServerParser, ServerOp>(state, MakeMsgs(1000, 128), 1000);
}
BENCHMARK(BM_ParseMsg128);

}  // namespace
