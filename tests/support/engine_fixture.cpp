#include "engine_fixture.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <thread>

#include "http_client.h"

namespace lookout::testing {

void EngineFixture::SetUp() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  dir_ = make_temp_dir(std::string(info->test_suite_name()) + "-" + info->name());
  data_dir_ = dir_ + "/data";
  auto broker = engine::EmbeddedBroker::start({"mosquitto", dir_ + "/broker", 0, std::chrono::milliseconds(10000), ""});
  ASSERT_TRUE(broker.is_ok()) << broker.status().to_string();
  broker_ = std::move(*broker);
}

void EngineFixture::TearDown() {
  if (engine_.running()) engine_.terminate();
  broker_.reset();
  if (!HasFailure()) std::filesystem::remove_all(dir_);
}

void EngineFixture::start_engine(const std::vector<std::string>& extra_args) {
  std::vector<std::string> argv = {LOOKOUT_BIN,         "--broker",    broker_->uri(),
                                   "--data-dir",        data_dir_,     "--admin-port",
                                   "0",                 "--time-zone", "Asia/Shanghai",
                                   "--sender",          "lookout@it.example", "--sync-writes", "false"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  std::filesystem::remove(data_dir_ + "/admin.json");
  engine_ = Child(argv, dir_ + "/engine.log");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    ASSERT_TRUE(engine_.running()) << "lookout exited at start:\n" << engine_.log();
    auto admin = read_text(data_dir_ + "/admin.json");
    if (!admin.empty()) {
      auto j = nlohmann::json::parse(admin, nullptr, false);
      if (!j.is_discarded()) {
        auto r = ctl::http_request(j["url"], "GET", "/health", "", "");
        if (r.is_ok() && r->body.find("\"connected\"") != std::string::npos) return;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  FAIL() << "lookout did not become ready:\n" << engine_.log();
}

int EngineFixture::stop_engine() { return engine_.terminate(); }

RunResult EngineFixture::ctl(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {LOOKOUTCTL_BIN, "--data-dir", data_dir_};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv);
}

std::string EngineFixture::file(const std::string& name, const std::string& text) {
  auto path = dir_ + "/" + name;
  write_text(path, text);
  return path;
}

}  // namespace lookout::testing
