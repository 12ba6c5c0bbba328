// A test fixture that runs the product as a user would: a real Mosquitto started on a
// free loopback port, the real `lookout` binary against it with its own data
// directory, and the real `lookoutctl` to drive it.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "lookout/engine/embedded_broker.h"
#include "mqtt_probe.h"
#include "process.h"

namespace lookout::testing {

class EngineFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Starts lookout (with `extra_args`) and waits until its admin API answers and it
  // is connected to the broker.
  void start_engine(const std::vector<std::string>& extra_args = {});
  // SIGTERM; returns the exit code.
  int stop_engine();
  RunResult ctl(const std::vector<std::string>& args);
  // Writes `text` to a file in the test directory and returns its path.
  std::string file(const std::string& name, const std::string& text);
  std::string sensor_topic(const std::string& sensor) const { return "lookout/v1/sensors/" + sensor; }

  std::string dir_;
  std::string data_dir_;
  std::unique_ptr<engine::EmbeddedBroker> broker_;
  Child engine_;
};

}  // namespace lookout::testing
