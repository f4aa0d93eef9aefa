// Replays every transcript under scripts/ against spate-server and against nats-server, each a
// fresh process. One ctest per script and server.

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <string>
#include <vector>

#include "compat/transcript.h"
#include "support/test_server.h"

#ifndef SPATE_COMPAT_SCRIPTS_DIR
#define SPATE_COMPAT_SCRIPTS_DIR "scripts"
#endif

namespace spate::test {
namespace {

std::vector<std::string> FindScripts() {
  std::vector<std::string> scripts;
  std::error_code ec;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(SPATE_COMPAT_SCRIPTS_DIR, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".nats") {
      scripts.push_back(
          std::filesystem::relative(entry.path(), SPATE_COMPAT_SCRIPTS_DIR).generic_string());
    }
  }
  std::sort(scripts.begin(), scripts.end());
  return scripts;
}

std::string TestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param.substr(0, info.param.size() - 5);  // drop ".nats"
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

class CompatScriptTest : public ::testing::TestWithParam<std::string> {
 protected:
  void Replay(const std::string& binary, const std::string& kind) {
    Transcript transcript;
    std::string error;
    ASSERT_TRUE(ParseTranscript(std::string(SPATE_COMPAT_SCRIPTS_DIR) + "/" + GetParam(),
                                &transcript, &error))
        << error;
    const ReplayResult result = ReplayTranscript(transcript, binary, kind);
    if (result.skipped) GTEST_SKIP() << "skipped on " << kind << ": " << result.message;
    EXPECT_TRUE(result.ok) << result.message;
  }
};

TEST_P(CompatScriptTest, Spate) { Replay(TestServer::SpateBinary(), "spate"); }

TEST_P(CompatScriptTest, NatsServer) { Replay(TestServer::NatsServerBinary(), "nats-server"); }

INSTANTIATE_TEST_SUITE_P(Scripts, CompatScriptTest, ::testing::ValuesIn(FindScripts()), TestName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(CompatScriptTest);

}  // namespace
}  // namespace spate::test
