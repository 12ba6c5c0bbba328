#include "lookout/engine/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace lookout::engine {
namespace {

std::string write_temp(const std::string& name, const std::string& text) {
  auto path = std::filesystem::temp_directory_path() / (std::to_string(::getpid()) + "-" + name);
  std::ofstream(path) << text;
  return path.string();
}

TEST(Config, FileSetsKnownKeysAndKeepsDefaultsForOthers) {
  auto path = write_temp("ok.yaml", "broker: tcp://10.0.0.5:1883\ntime_zone: Asia/Shanghai\ncap_xml: true\nadmin_port: 0\n");
  EngineConfig c;
  auto d = load_config_file(path, c);
  EXPECT_TRUE(d.empty()) << to_string(d);
  EXPECT_EQ(c.broker, "tcp://10.0.0.5:1883");
  EXPECT_EQ(c.time_zone, "Asia/Shanghai");
  EXPECT_TRUE(c.cap_xml);
  EXPECT_EQ(c.admin_port, 0);
  EXPECT_EQ(c.topic_prefix, "lookout/v1");
  EXPECT_TRUE(check_config(c).empty());
}

TEST(Config, UnknownKeysAndWrongTypesAreReportedWithPosition) {
  auto path = write_temp("bad.yaml", "broker: tcp://x:1\ncap_xlm: true\nadmin_port: lots\n");
  EngineConfig c;
  auto d = load_config_file(path, c);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].line, 2);
  EXPECT_EQ(d[0].column, 1);
  EXPECT_NE(d[0].message.find("unknown setting \"cap_xlm\""), std::string::npos);
  EXPECT_EQ(d[1].line, 3);
  EXPECT_EQ(d[1].column, 13);
  EXPECT_NE(d[1].message.find("whole number"), std::string::npos);
}

TEST(Config, BadYamlAndBadValues) {
  EngineConfig c;
  auto d = load_config_file(write_temp("broken.yaml", "broker: [\n"), c);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_NE(d[0].message.find("not valid YAML"), std::string::npos);
  EXPECT_FALSE(load_config_file("/nonexistent/lookout.yaml", c).empty());
  c.mqtt_version = 3;
  c.time_zone = "Nowhere/City";
  c.sender = "a b";
  EXPECT_EQ(check_config(c).size(), 3u);
}

}  // namespace
}  // namespace lookout::engine
