// The core's staff roster: import (all or nothing), storage, and loading it again
// after a restart.
#include <gtest/gtest.h>

#include "lookout/base/time_format.h"
#include "lookout/engine/core.h"
#include "test_support.h"

namespace lookout::engine {
namespace {

using testing::QueuedPoster;
using testing::RecordingTransport;

constexpr const char* kRoster = R"(staff:
  - id: w-zhang
    name: Zhang Wei
    roles: [grid_worker, fire_warden]
    kind: grid_worker
    home: xc/hl/qy/g03
    shifts: [mon-fri 08:00-18:00]
  - id: duty-qy
    name: Duty officer
    roles: [duty_officer]
    kind: community_worker
    home: xc/hl/qy
    time_zone: Europe/London
    on_call: always
)";

// A store whose writes fail while `failing` is set.
class SwitchableStore final : public Store {
 public:
  explicit SwitchableStore(Store& inner) : inner_(inner) {}
  StatusOr<std::optional<std::string>> get(Table t, std::string_view k) override { return inner_.get(t, k); }
  Status write(const Batch& b) override { return failing ? Status::io_error("injected") : inner_.write(b); }
  Status scan(Table t, std::string_view p, const std::function<bool(std::string_view, std::string_view)>& fn) override {
    return inner_.scan(t, p, fn);
  }
  bool failing = false;

 private:
  Store& inner_;
};

class CoreStaffTest : public ::testing::Test {
 protected:
  CoreStaffTest() : clock_(parse_iso8601("2026-11-23T02:00:00Z").value()), store_(memory_) {}

  std::unique_ptr<Core> make_core() {
    CoreOptions o;
    o.zone = find_time_zone("Asia/Shanghai").value();
    auto core = std::make_unique<Core>(o, clock_, store_, transport_, poster_.poster());
    auto s = core->open();
    EXPECT_TRUE(s.is_ok()) << s.to_string();
    return core;
  }

  ManualClock clock_;
  MemoryStore memory_;
  SwitchableStore store_;
  RecordingTransport transport_;
  QueuedPoster poster_;
};

TEST_F(CoreStaffTest, ImportStoresTheRosterAndARestartLoadsIt) {
  {
    auto core = make_core();
    EXPECT_EQ(core->staff().size(), 0u);
    Diagnostics d;
    auto n = core->import_staff(kRoster, "staff.yaml", d);
    ASSERT_TRUE(n.is_ok()) << n.status().to_string() << to_string(d);
    EXPECT_EQ(*n, 2u);
    EXPECT_TRUE(d.empty());
    ASSERT_EQ(core->staff().size(), 2u);
    const auto* zhang = core->staff().find("w-zhang");
    ASSERT_NE(zhang, nullptr);
    // No time zone in the file: the engine's.
    EXPECT_EQ(zhang->time_zone, find_time_zone("Asia/Shanghai").value()->name());
    EXPECT_EQ(core->staff().find("duty-qy")->time_zone, "Europe/London");
    // Monday 23 November 10:00 in Shanghai.
    EXPECT_TRUE(core->staff().on_duty(*zhang, clock_.now()));
    EXPECT_EQ(memory_.size(Table::kStaff), 2u);
  }
  auto core = make_core();
  ASSERT_EQ(core->staff().size(), 2u);
  auto all = core->staff().all();
  EXPECT_EQ(all[0]->id, "duty-qy");
  EXPECT_EQ(all[1]->id, "w-zhang");
  EXPECT_EQ(all[1]->roles, (std::vector<std::string>{"grid_worker", "fire_warden"}));
  EXPECT_TRUE(all[0]->on_call_always);
  // Importing again replaces members by id and keeps the others.
  Diagnostics d;
  auto n = core->import_staff(
      "id,name,roles,kind,home,shifts\nw-zhang,Zhang Wei,grid_worker,grid_worker,xc/hl/qy/g03,sat 09:00-12:00\n",
      "staff.csv", d);
  ASSERT_TRUE(n.is_ok()) << to_string(d);
  EXPECT_EQ(core->staff().size(), 2u);
  EXPECT_EQ(core->staff().find("w-zhang")->roles, std::vector<std::string>{"grid_worker"});
  EXPECT_FALSE(core->staff().on_duty(*core->staff().find("w-zhang"), clock_.now()));
}

TEST_F(CoreStaffTest, ABadFileImportsNothing) {
  auto core = make_core();
  Diagnostics d;
  ASSERT_TRUE(core->import_staff(kRoster, "staff.yaml", d).is_ok());
  // The first member is fine and would replace w-zhang; the second is wrong.
  const char* bad = R"(staff:
  - id: w-zhang
    name: Zhang Wei (moved)
    roles: [grid_worker]
    kind: grid_worker
    home: xc/hl/qy/g01
    shifts: [daily 08:00-20:00]
  - id: w-new
    name: New person
    roles: [grid_worker]
    kind: grid_worker
    home: xc/hl/qy/g01
)";
  auto r = core->import_staff(bad, "staff-v2.yaml", d);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "the staff file has 1 error(s); nothing was imported");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].to_string(),
            "staff-v2.yaml:8:5: this staff member has no shifts; expected shifts, e.g. mon-fri 08:00-18:00, or "
            "on_call: always for a member who can be called at any time");
  EXPECT_EQ(core->staff().size(), 2u);
  EXPECT_EQ(core->staff().find("w-zhang")->home.str(), "xc/hl/qy/g03");
  EXPECT_EQ(core->staff().find("w-new"), nullptr);
  EXPECT_EQ(memory_.size(Table::kStaff), 2u);
  auto stored = memory_.get(Table::kStaff, "w-zhang");
  ASSERT_TRUE(stored.is_ok() && stored->has_value());
  EXPECT_EQ(sensors::staff_from_json(**stored).value().home.str(), "xc/hl/qy/g03");
}

TEST_F(CoreStaffTest, AFailedWriteChangesNothing) {
  auto core = make_core();
  store_.failing = true;
  Diagnostics d;
  auto r = core->import_staff(kRoster, "staff.yaml", d);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), Status::Code::kIoError);
  EXPECT_TRUE(d.empty());
  EXPECT_EQ(core->staff().size(), 0u);
  EXPECT_EQ(core->stats().store_errors, 1u);
}

TEST_F(CoreStaffTest, ADamagedStoredMemberRefusesToOpen) {
  Batch b;
  b.put(Table::kStaff, "w-1", R"({"id":"w-1","name":"X"})");
  ASSERT_TRUE(memory_.write(b).is_ok());
  CoreOptions o;
  Core core(o, clock_, store_, transport_, poster_.poster());
  auto s = core.open();
  EXPECT_EQ(s.code(), Status::Code::kCorruption);
  EXPECT_NE(s.to_string().find("stored staff member w-1"), std::string::npos) << s.to_string();
}

}  // namespace
}  // namespace lookout::engine
