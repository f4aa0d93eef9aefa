#include "auth/base32.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "auth/base64url.h"

namespace spate::auth {
namespace {

std::vector<uint8_t> Bytes(std::string_view s) { return {s.begin(), s.end()}; }

std::string Text(const std::vector<uint8_t>& bytes) { return {bytes.begin(), bytes.end()}; }

// RFC 4648 section 10, padding removed.
TEST(Base32Test, Rfc4648Vectors) {
  const std::pair<std::string_view, std::string_view> vectors[] = {{"", ""},
                                                                   {"f", "MY"},
                                                                   {"fo", "MZXQ"},
                                                                   {"foo", "MZXW6"},
                                                                   {"foob", "MZXW6YQ"},
                                                                   {"fooba", "MZXW6YTB"},
                                                                   {"foobar", "MZXW6YTBOI"}};
  for (auto [plain, encoded] : vectors) {
    EXPECT_EQ(Base32Encode(Bytes(plain)), encoded);
    auto decoded = Base32Decode(encoded);
    ASSERT_TRUE(decoded.ok()) << encoded;
    EXPECT_EQ(Text(*decoded), plain);
  }
}

TEST(Base32Test, RoundTripsEveryLength) {
  std::vector<uint8_t> data;
  for (int i = 0; i < 70; ++i) {
    auto decoded = Base32Decode(Base32Encode(data));
    ASSERT_TRUE(decoded.ok()) << i;
    EXPECT_EQ(*decoded, data);
    data.push_back(static_cast<uint8_t>(i * 37 + 11));
  }
}

TEST(Base32Test, RejectsWhatNoEncoderWrites) {
  EXPECT_FALSE(Base32Decode("mzxw6").ok());      // lowercase
  EXPECT_FALSE(Base32Decode("MZXW6===").ok());   // padding
  EXPECT_FALSE(Base32Decode("MZ1W").ok());       // '1' is not in the alphabet
  EXPECT_FALSE(Base32Decode("MZ8W").ok());       // nor '8'
  EXPECT_FALSE(Base32Decode("M").ok());          // 1 char past a multiple of 8
  EXPECT_FALSE(Base32Decode("MZX").ok());        // 3
  EXPECT_FALSE(Base32Decode("MZXW6YQAB").ok());  // 9
  EXPECT_FALSE(Base32Decode("MZXW6Y").ok());     // 6
  EXPECT_FALSE(Base32Decode(std::string_view("MZ\0W", 4)).ok());
}

TEST(Base64UrlTest, Rfc4648VectorsWithoutPadding) {
  const std::pair<std::string_view, std::string_view> vectors[] = {
      {"", ""}, {"f", "Zg"}, {"fo", "Zm8"}, {"foo", "Zm9v"}, {"foobar", "Zm9vYmFy"}};
  for (auto [plain, encoded] : vectors) {
    EXPECT_EQ(Base64UrlEncode(plain), encoded);
    auto decoded = Base64UrlDecode(encoded);
    ASSERT_TRUE(decoded.ok()) << encoded;
    EXPECT_EQ(Text(*decoded), plain);
  }
}

TEST(Base64UrlTest, UsesTheUrlAlphabet) {
  const std::vector<uint8_t> bytes = {0xfb, 0xff, 0xbf};
  EXPECT_EQ(Base64UrlEncode(bytes), "-_-_");
  auto decoded = Base64UrlDecode("-_-_");
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, bytes);
}

TEST(Base64UrlTest, RejectsPaddingStandardAlphabetAndBadLengths) {
  EXPECT_FALSE(Base64UrlDecode("Zg==").ok());
  EXPECT_FALSE(Base64UrlDecode("+/+/").ok());
  EXPECT_FALSE(Base64UrlDecode("Zm9vY").ok());  // 1 mod 4
  EXPECT_FALSE(Base64UrlDecode("Zm 9v").ok());
}

}  // namespace
}  // namespace spate::auth
