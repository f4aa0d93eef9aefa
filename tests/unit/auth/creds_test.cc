#include "auth/creds.h"

#include <gtest/gtest.h>

#include <string>

#include "go_vectors.h"

namespace spate::auth {
namespace {

using namespace spate::auth::go;  // NOLINT: test vectors

std::string Replace(std::string text, std::string_view from, std::string_view to) {
  for (size_t at = 0; (at = text.find(from, at)) != std::string::npos; at += to.size()) {
    text.replace(at, from.size(), to);
  }
  return text;
}

TEST(CredsTest, ParsesTheFileGoWrites) {
  auto creds = ParseCreds(kUserCreds);
  ASSERT_TRUE(creds.ok()) << creds.error().message();
  EXPECT_EQ(creds->jwt, kUserJwt);
  EXPECT_EQ(creds->seed.view(), kUserSeed);
}

TEST(CredsTest, FormatMatchesGoAndRoundTrips) {
  EXPECT_EQ(FormatCreds(kUserJwt, kUserSeed), kUserCreds);
  auto creds = ParseCreds(FormatCreds("a.b.c", kUserSeed));
  ASSERT_TRUE(creds.ok());
  EXPECT_EQ(creds->jwt, "a.b.c");
}

TEST(CredsTest, LenientAboutLineEndingsDashesAndSpacing) {
  auto crlf = ParseCreds(Replace(std::string(kUserCreds), "\n", "\r\n"));
  ASSERT_TRUE(crlf.ok()) << crlf.error().message();
  EXPECT_EQ(crlf->jwt, kUserJwt);
  EXPECT_EQ(crlf->seed.view(), kUserSeed);

  std::string text = "  # my creds\n---BEGIN NATS USER JWT---\n  " + std::string(kUserJwt) +
                     "  \n---END---\n\n----------BEGIN USER NKEY SEED----------\n" +
                     std::string(kUserSeed) + "\n---- END USER NKEY SEED ----";  // no final LF
  auto creds = ParseCreds(text);
  ASSERT_TRUE(creds.ok()) << creds.error().message();
  EXPECT_EQ(creds->jwt, kUserJwt);
  EXPECT_EQ(creds->seed.view(), kUserSeed);
}

TEST(CredsTest, FindsABareSeedLine) {
  std::string text = "-----BEGIN NATS USER JWT-----\n" + std::string(kUserJwt) +
                     "\n------END NATS USER JWT------\n\n" + std::string(kUserSeed) + "\n";
  auto creds = ParseCreds(text);
  ASSERT_TRUE(creds.ok()) << creds.error().message();
  EXPECT_EQ(creds->seed.view(), kUserSeed);
}

TEST(CredsTest, Errors) {
  EXPECT_EQ(ParseCreds("").error().message(), "creds: no JWT block found");
  EXPECT_EQ(ParseCreds(kUserJwt).error().message(), "creds: no JWT block found");
  std::string jwt_only = "-----BEGIN NATS USER JWT-----\n" + std::string(kUserJwt) +
                         "\n------END NATS USER JWT------\n";
  EXPECT_EQ(ParseCreds(jwt_only).error().message(), "creds: no nkey seed found");
  // An account seed is not a user's credential.
  auto account = ParseCreds(FormatCreds(kUserJwt, kAccountSeed));
  ASSERT_FALSE(account.ok());
  EXPECT_EQ(account.error().message(), "creds: the seed is not a user seed");
  std::string damaged(kUserSeed);
  damaged[10] = damaged[10] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(ParseCreds(FormatCreds(kUserJwt, damaged)).ok());
  // Block content with characters outside [A-Za-z0-9_.=-] is not a block.
  EXPECT_FALSE(ParseCreds("-----BEGIN X-----\nhas space\n-----END X-----\n").ok());
}

}  // namespace
}  // namespace spate::auth
