// Field mapping: tokens written by Go's nats-io/jwt, and payloads exercising the less common
// shapes (scoped signing keys, tiers, v1-era spellings).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "auth/jwt.h"
#include "go_vectors.h"

namespace spate::auth {
namespace {

using namespace spate::auth::go;  // NOLINT: test vectors
using nlohmann::json;
using Strings = std::vector<std::string>;

constexpr int64_t kGoIssuedAt = 1795782178;

TEST(ClaimsTest, GoUserToken) {
  auto claims = DecodeUserClaims(kUserJwt);
  ASSERT_TRUE(claims.ok()) << claims.error().message();
  EXPECT_EQ(claims->name, "U");
  EXPECT_EQ(claims->subject, kUserPublic);
  EXPECT_EQ(claims->issuer, kAccountSigningPublic);
  EXPECT_EQ(claims->issuer_account, kAccountPublic);
  EXPECT_EQ(claims->issued_at, kGoIssuedAt);
  EXPECT_EQ(claims->expires, 0);
  EXPECT_EQ(claims->version, 2);
  EXPECT_FALSE(claims->id.empty());

  const UserPermissionLimits& user = claims->user;
  EXPECT_EQ(user.permissions.pub.allow, (Strings{"orders.>", "_INBOX.>"}));
  EXPECT_EQ(user.permissions.pub.deny, (Strings{"orders.secret"}));
  EXPECT_EQ(user.permissions.sub.allow, (Strings{"_INBOX.>"}));
  EXPECT_TRUE(user.permissions.sub.deny.empty());
  ASSERT_TRUE(user.permissions.resp.has_value());
  EXPECT_EQ(user.permissions.resp->max_msgs, 1);
  EXPECT_EQ(user.permissions.resp->ttl_ns, 1'000'000'000);
  EXPECT_EQ(user.src, (Strings{"127.0.0.1/32"}));
  ASSERT_EQ(user.times.size(), 1u);
  EXPECT_EQ(user.times[0].start, "08:00:00");
  EXPECT_EQ(user.times[0].end, "17:00:00");
  EXPECT_EQ(user.locale, "UTC");
  EXPECT_EQ(user.limits.subs, 100);
  EXPECT_EQ(user.limits.data, kNoLimit);
  EXPECT_EQ(user.limits.payload, 4096);
  EXPECT_FALSE(user.bearer_token);
  EXPECT_EQ(user.allowed_connection_types, (Strings{"STANDARD", "WEBSOCKET"}));
}

TEST(ClaimsTest, GoAccountToken) {
  auto claims = DecodeAccountClaims(kAccountJwt);
  ASSERT_TRUE(claims.ok()) << claims.error().message();
  EXPECT_EQ(claims->name, "A");
  EXPECT_EQ(claims->subject, kAccountPublic);
  EXPECT_EQ(claims->issuer, kOperatorPublic);
  EXPECT_EQ(claims->expires, 1893456000);  // 2030-01-01
  EXPECT_FALSE(IsExpired(*claims, kGoIssuedAt));
  EXPECT_TRUE(IsExpired(*claims, 1893456001));

  ASSERT_EQ(claims->imports.size(), 1u);
  EXPECT_EQ(claims->imports[0].name, "other");
  EXPECT_EQ(claims->imports[0].subject, "other.>");
  EXPECT_EQ(claims->imports[0].account, kAccountSigningPublic);
  EXPECT_EQ(claims->imports[0].type, ExportType::kStream);

  ASSERT_EQ(claims->exports.size(), 2u);
  EXPECT_EQ(claims->exports[0].name, "feed");
  EXPECT_EQ(claims->exports[0].subject, "feed.*");
  EXPECT_EQ(claims->exports[0].type, ExportType::kStream);
  EXPECT_TRUE(claims->exports[0].token_req);
  EXPECT_EQ(claims->exports[1].name, "help");
  EXPECT_EQ(claims->exports[1].type, ExportType::kService);
  EXPECT_EQ(claims->exports[1].response_type, "Stream");
  EXPECT_FALSE(claims->exports[1].token_req);

  const OperatorLimits& limits = claims->limits;
  EXPECT_EQ(limits.nats.subs, kNoLimit);
  EXPECT_EQ(limits.nats.data, kNoLimit);
  EXPECT_EQ(limits.nats.payload, kNoLimit);
  EXPECT_EQ(limits.account.imports, kNoLimit);
  EXPECT_EQ(limits.account.exports, kNoLimit);
  EXPECT_TRUE(limits.account.wildcards);
  EXPECT_EQ(limits.account.conn, 10);
  EXPECT_EQ(limits.account.leaf, kNoLimit);
  EXPECT_EQ(limits.jetstream.disk_storage, 1 << 20);
  EXPECT_EQ(limits.jetstream.streams, 5);
  EXPECT_EQ(limits.jetstream.mem_storage, 0);  // omitted by Go: 0
  EXPECT_TRUE(limits.tiered.empty());

  ASSERT_EQ(claims->signing_keys.size(), 1u);
  EXPECT_EQ(claims->signing_keys[0].key, kAccountSigningPublic);
  EXPECT_FALSE(claims->signing_keys[0].scoped);

  EXPECT_EQ(claims->revocations.at(std::string(kUserPublic)), kGoIssuedAt);
  EXPECT_TRUE(IsRevoked(claims->revocations, kUserPublic, kGoIssuedAt));
  EXPECT_FALSE(IsRevoked(claims->revocations, kUserPublic, kGoIssuedAt + 1));
  EXPECT_FALSE(IsRevoked(claims->revocations, kAccountPublic, 0));
}

TEST(ClaimsTest, GoOperatorToken) {
  auto claims = DecodeOperatorClaims(kOperatorJwt);
  ASSERT_TRUE(claims.ok()) << claims.error().message();
  EXPECT_EQ(claims->name, "O");
  EXPECT_EQ(claims->subject, kOperatorPublic);
  EXPECT_EQ(claims->issuer, kOperatorPublic);
  EXPECT_EQ(claims->signing_keys, (Strings{std::string(kOperatorPublic)}));
  EXPECT_EQ(claims->system_account, kAccountPublic);
  EXPECT_EQ(claims->account_server_url, "http://localhost:9090/jwt/v1");
  EXPECT_FALSE(claims->strict_signing_key_usage);
}

json AccountPayload() { return {{"sub", kAccountPublic}, {"nats", {{"type", "account"}}}}; }

Result<AccountClaims> SignAccount(const json& payload) {
  auto token = EncodeClaims(payload, kOperatorSeed, kGoIssuedAt);
  if (!token.ok()) return token.status();
  return DecodeAccountClaims(*token);
}

TEST(ClaimsTest, ScopedSigningKeysAndTiers) {
  json payload = AccountPayload();
  payload["nats"]["signing_keys"] = {
      kAccountSigningPublic,
      {{"kind", "user_scope"},
       {"key", kAccountPublic},
       {"role", "dev"},
       {"description", "ignored"},
       {"template", {{"pub", {{"allow", {"dev.>"}}}}, {"subs", 10}, {"bearer_token", true}}}}};
  payload["nats"]["limits"] = {
      {"tiered_limits",
       {{"R1", {{"disk_storage", 100}, {"streams", 2}}}, {"R3", {{"mem_storage", -1}}}}},
      {"max_ack_pending", 1000},
      {"mem_max_stream_bytes", 512},
      {"disk_max_stream_bytes", 1024},
      {"max_bytes_required", true},
      {"consumer", 7},
      {"disallow_bearer", true}};
  payload["nats"]["default_permissions"] = {{"sub", {{"deny", {"secret.>"}}}},
                                            {"resp", {{"max", 2}, {"ttl", 5}}}};
  payload["nats"]["revocations"] = {{"*", 100}};
  auto claims = SignAccount(payload);
  ASSERT_TRUE(claims.ok()) << claims.error().message();

  ASSERT_EQ(claims->signing_keys.size(), 2u);
  EXPECT_FALSE(claims->signing_keys[0].scoped);
  const SigningKey& scoped = claims->signing_keys[1];
  EXPECT_TRUE(scoped.scoped);
  EXPECT_EQ(scoped.key, kAccountPublic);
  EXPECT_EQ(scoped.role, "dev");
  EXPECT_EQ(scoped.scope_template.permissions.pub.allow, (Strings{"dev.>"}));
  EXPECT_EQ(scoped.scope_template.limits.subs, 10);
  EXPECT_TRUE(scoped.scope_template.bearer_token);

  const OperatorLimits& limits = claims->limits;
  EXPECT_EQ(limits.tiered.at("R1").disk_storage, 100);
  EXPECT_EQ(limits.tiered.at("R1").streams, 2);
  EXPECT_EQ(limits.tiered.at("R3").mem_storage, -1);
  EXPECT_EQ(limits.jetstream.max_ack_pending, 1000);
  EXPECT_EQ(limits.jetstream.mem_max_stream_bytes, 512);
  EXPECT_EQ(limits.jetstream.disk_max_stream_bytes, 1024);
  EXPECT_TRUE(limits.jetstream.max_bytes_required);
  EXPECT_EQ(limits.jetstream.consumer, 7);
  EXPECT_TRUE(limits.account.disallow_bearer);

  EXPECT_EQ(claims->default_permissions.sub.deny, (Strings{"secret.>"}));
  ASSERT_TRUE(claims->default_permissions.resp.has_value());
  EXPECT_EQ(claims->default_permissions.resp->max_msgs, 2);

  // "*" revokes every user issued at or before its time.
  EXPECT_TRUE(IsRevoked(claims->revocations, kUserPublic, 100));
  EXPECT_FALSE(IsRevoked(claims->revocations, kUserPublic, 101));
}

TEST(ClaimsTest, UnknownSigningKeyScopeIsAnError) {
  json payload = AccountPayload();
  payload["nats"]["signing_keys"] = {{{"kind", "admin_scope"}, {"key", kAccountPublic}}};
  auto claims = SignAccount(payload);
  ASSERT_FALSE(claims.ok());
  EXPECT_EQ(claims.error().message(),
            "jwt: nats.signing_keys: unknown signing key scope \"admin_scope\"");
  payload["nats"]["signing_keys"] = {42};
  EXPECT_FALSE(SignAccount(payload).ok());
  payload["nats"]["signing_keys"] = {
      kAccountSigningPublic, {{"kind", "user_scope"}, {"key", kAccountPublic}, {"role", 5}}};
  claims = SignAccount(payload);
  ASSERT_FALSE(claims.ok());
  EXPECT_EQ(claims.error().message(), "jwt: nats.signing_keys[1].role: expected a string");
}

TEST(ClaimsTest, ExportTypeMustBeKnown) {
  json payload = AccountPayload();
  payload["nats"]["exports"] = {{{"subject", "a.>"}, {"type", "queue"}}};
  auto claims = SignAccount(payload);
  ASSERT_FALSE(claims.ok());
  EXPECT_EQ(claims.error().message(),
            "jwt: nats.exports[0].type: expected \"stream\" or \"service\"");
  payload["nats"]["exports"] = {"not an object"};
  EXPECT_FALSE(SignAccount(payload).ok());
}

TEST(ClaimsTest, ExportDetails) {
  json payload = AccountPayload();
  payload["nats"]["exports"] = {{{"subject", "svc.*"},
                                 {"type", "service"},
                                 {"response_threshold", 2000000000},
                                 {"account_token_position", 2},
                                 {"advertise", true},
                                 {"revocations", {{"AXX", 5}}}}};
  payload["nats"]["imports"] = {{{"subject", "svc.a"},
                                 {"type", "service"},
                                 {"account", kAccountSigningPublic},
                                 {"token", "jwt-here"},
                                 {"local_subject", "local.a"},
                                 {"to", "old.to"},
                                 {"share", true}}};
  auto claims = SignAccount(payload);
  ASSERT_TRUE(claims.ok()) << claims.error().message();
  const Export& exp = claims->exports.at(0);
  EXPECT_EQ(exp.response_threshold_ns, 2000000000);
  EXPECT_EQ(exp.account_token_position, 2);
  EXPECT_TRUE(exp.advertise);
  EXPECT_EQ(exp.revocations.at("AXX"), 5);
  const Import& imp = claims->imports.at(0);
  EXPECT_EQ(imp.type, ExportType::kService);
  EXPECT_EQ(imp.token, "jwt-here");
  EXPECT_EQ(imp.local_subject, "local.a");
  EXPECT_EQ(imp.to, "old.to");
  EXPECT_TRUE(imp.share);
}

TEST(ClaimsTest, RevocationValuesMustBeIntegers) {
  json payload = AccountPayload();
  payload["nats"]["revocations"] = {{std::string(kUserPublic), "yesterday"}};
  auto claims = SignAccount(payload);
  ASSERT_FALSE(claims.ok());
  EXPECT_EQ(claims.error().message(), "jwt: nats.revocations: expected integers as values");
}

TEST(ClaimsTest, SourceMayBeACommaSeparatedString) {
  json payload = {{"sub", kUserPublic},
                  {"nats", {{"type", "user"}, {"src", "10.0.0.0/8, 192.168.0.0/16,"}}}};
  auto token = EncodeClaims(payload, kAccountSeed, kGoIssuedAt);
  ASSERT_TRUE(token.ok());
  auto claims = DecodeUserClaims(*token);
  ASSERT_TRUE(claims.ok()) << claims.error().message();
  EXPECT_EQ(claims->user.src, (Strings{"10.0.0.0/8", "192.168.0.0/16"}));
}

TEST(ClaimsTest, NullsAreIgnoredAsInGo) {
  json payload = {{"sub", kUserPublic},
                  {"exp", nullptr},
                  {"nats",
                   {{"type", "user"},
                    {"pub", nullptr},
                    {"resp", nullptr},
                    {"subs", nullptr},
                    {"src", nullptr}}}};
  auto token = EncodeClaims(payload, kAccountSeed, kGoIssuedAt);
  ASSERT_TRUE(token.ok());
  auto claims = DecodeUserClaims(*token);
  ASSERT_TRUE(claims.ok()) << claims.error().message();
  EXPECT_EQ(claims->expires, 0);
  EXPECT_FALSE(claims->user.permissions.resp.has_value());
  EXPECT_EQ(claims->user.limits.subs, 0);
}

TEST(ClaimsTest, OperatorFields) {
  json payload = {{"sub", kOperatorPublic},
                  {"nats",
                   {{"type", "operator"},
                    {"signing_keys", {kOperatorPublic}},
                    {"operator_service_urls", {"nats://a:4222", "nats://b:4222"}},
                    {"strict_signing_key_usage", true},
                    {"tags", {"prod"}}}}};
  auto token = EncodeClaims(payload, kOperatorSeed, kGoIssuedAt);
  ASSERT_TRUE(token.ok());
  auto claims = DecodeOperatorClaims(*token);
  ASSERT_TRUE(claims.ok()) << claims.error().message();
  EXPECT_EQ(claims->operator_service_urls, (Strings{"nats://a:4222", "nats://b:4222"}));
  EXPECT_TRUE(claims->strict_signing_key_usage);
  EXPECT_EQ(claims->tags, (Strings{"prod"}));
}

}  // namespace
}  // namespace spate::auth
