#pragma once

#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <string>

#include "client/connection.h"
#include "support/wait_for.h"
#include "unit/client/fake_server.h"

namespace spate::client::test {

using spate::test::WaitFor;

// A Connection to a FakeServer, connected through the scripted handshake.
class ClientTest : public ::testing::Test {
 protected:
  // Connects with `options` (servers replaced by the fake's URL unless set).
  void Connect(Options options = {}, std::string info = std::string(FakePeer::kInfo)) {
    if (options.servers == Options{}.servers) options.servers = {server_.url()};
    auto pending = std::async(std::launch::async,
                              [options] { return Connection::Connect(std::move(options)); });
    peer_ = server_.Accept();
    ASSERT_NE(peer_, nullptr) << "client did not connect";
    auto connect = peer_->Handshake(std::move(info));
    ASSERT_TRUE(connect.has_value()) << "handshake failed";
    connect_line_ = *connect;
    auto conn = pending.get();
    ASSERT_TRUE(conn.ok()) << conn.status().message();
    conn_ = std::move(*conn);
  }

  // Subscribes and waits for the SUB line; returns the handle.
  Subscription Sub(std::string_view subject, MsgHandler handler = {}) {
    auto sub =
        handler ? conn_->Subscribe(subject, std::move(handler)) : conn_->SubscribeSync(subject);
    EXPECT_TRUE(sub.ok()) << sub.status().message();
    auto line = peer_->ReadLineStartingWith("SUB ");
    EXPECT_TRUE(line.has_value());
    return sub.ok() ? *sub : Subscription();
  }

  FakeServer server_;
  std::unique_ptr<FakePeer> peer_;
  std::unique_ptr<Connection> conn_;
  std::string connect_line_;
};

}  // namespace spate::client::test
