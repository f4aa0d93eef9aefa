#include "auth/password.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "go_vectors.h"

namespace spate::auth {
namespace {

using go::kBcryptHash;
using go::kBcryptPassword;

TEST(PasswordTest, RecognisesBcryptLikeNatsServer) {
  EXPECT_TRUE(IsBcrypt(kBcryptHash));
  EXPECT_TRUE(IsBcrypt("$2b$10$abc"));
  EXPECT_TRUE(IsBcrypt("$2x$10$abc"));
  EXPECT_TRUE(IsBcrypt("$2y$12$"));
  EXPECT_FALSE(IsBcrypt("$2c$10$abc"));
  EXPECT_FALSE(IsBcrypt("$2a$4$abc"));
  EXPECT_FALSE(IsBcrypt("$2a$1x$abc"));
  EXPECT_FALSE(IsBcrypt("$1$salt$hash"));
  EXPECT_FALSE(IsBcrypt("password"));
  EXPECT_FALSE(IsBcrypt(""));
}

TEST(PasswordTest, ChecksGoBcryptHash) {
  EXPECT_TRUE(CheckPassword(kBcryptHash, kBcryptPassword));
  EXPECT_FALSE(CheckPassword(kBcryptHash, "s3cr3t"));
  EXPECT_FALSE(CheckPassword(kBcryptHash, "s3cr3t!!"));
  EXPECT_FALSE(CheckPassword(kBcryptHash, ""));
  EXPECT_FALSE(CheckPassword(kBcryptHash, std::string("s3cr3t!\0x", 9)));
}

TEST(PasswordTest, AcceptsThe2yAnd2bSpellingsOfTheSameHash) {
  // For ASCII passwords $2a$, $2b$ and $2y$ compute the same bits.
  for (std::string_view variant : {"$2b$", "$2y$"}) {
    std::string hash = std::string(variant) + std::string(kBcryptHash.substr(4));
    EXPECT_TRUE(CheckPassword(hash, kBcryptPassword)) << hash;
  }
}

TEST(PasswordTest, BrokenHashNeverMatches) {
  EXPECT_FALSE(CheckPassword("$2a$04$short", "anything"));
  EXPECT_FALSE(CheckPassword("$2a$04$", ""));
  EXPECT_FALSE(CheckPassword("$2a$99$Yb6ZNP9ruYsbiykntCb1iuWp6NBXZbm681mt85EiBXEiyhDRVY8RK",
                             kBcryptPassword));
}

TEST(PasswordTest, PlainPasswordsCompareExactly) {
  EXPECT_TRUE(CheckPassword("pa$$word", "pa$$word"));
  EXPECT_FALSE(CheckPassword("pa$$word", "pa$$wor"));
  EXPECT_FALSE(CheckPassword("pa$$word", "pa$$words"));
  EXPECT_FALSE(CheckPassword("pa$$word", "Pa$$word"));
  EXPECT_TRUE(CheckPassword("", ""));  // whether empty passwords are allowed is policy
  // A stored value that merely looks like a hash prefix is compared as text.
  EXPECT_TRUE(CheckPassword("$2a$", "$2a$"));
}

TEST(PasswordTest, HashesWithFreshSalt) {
  auto first = BcryptHash("hunter2", 4);
  auto second = BcryptHash("hunter2", 4);
  ASSERT_TRUE(first.ok()) << first.error().message();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(first->substr(0, 7), "$2b$04$");
  EXPECT_TRUE(IsBcrypt(*first));
  EXPECT_NE(*first, *second);
  EXPECT_TRUE(CheckPassword(*first, "hunter2"));
  EXPECT_TRUE(CheckPassword(*second, "hunter2"));
  EXPECT_FALSE(CheckPassword(*first, "hunter3"));
  EXPECT_FALSE(BcryptHash("x", 3).ok());
  EXPECT_FALSE(BcryptHash(std::string("a\0b", 3), 4).ok());
}

TEST(PasswordTest, ConcurrentChecksAgree) {
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        bool good = (i + t) % 2 == 0;
        if (CheckPassword(kBcryptHash, good ? kBcryptPassword : "nope") != good) ++wrong;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace spate::auth
