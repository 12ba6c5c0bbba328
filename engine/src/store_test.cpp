#include "lookout/engine/rocks_store.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace lookout::engine {
namespace {

namespace fs = std::filesystem;

class RocksStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("lookout-store-test-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(RocksStoreTest, BatchIsAtomicScanIsOrderedAndDataSurvivesReopen) {
  {
    auto store = RocksStore::open(dir_.string());
    ASSERT_TRUE(store.is_ok()) << store.status().to_string();
    Batch b;
    b.put(Table::kEvents, "inc-1/002", "b");
    b.put(Table::kEvents, "inc-1/001", "a");
    b.put(Table::kEvents, "inc-2/001", "c");
    b.put(Table::kPlans, "fire", "{}");
    ASSERT_TRUE((*store)->write(b).is_ok());
    Batch d;
    d.del(Table::kPlans, "fire");
    ASSERT_TRUE((*store)->write(d).is_ok());
  }
  auto store = RocksStore::open(dir_.string());
  ASSERT_TRUE(store.is_ok()) << store.status().to_string();
  std::vector<std::string> seen;
  ASSERT_TRUE((*store)->scan(Table::kEvents, "inc-1/", [&](std::string_view k, std::string_view v) {
    seen.push_back(std::string(k) + "=" + std::string(v));
    return true;
  }).is_ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"inc-1/001=a", "inc-1/002=b"}));
  auto missing = (*store)->get(Table::kPlans, "fire");
  ASSERT_TRUE(missing.is_ok());
  EXPECT_FALSE(missing->has_value());
  // Tables are separate: the same key in another table is another record.
  EXPECT_FALSE((*store)->get(Table::kIncidents, "inc-1/001")->has_value());
}

// A batch that need not be synced (deleting a delivered outbox entry) is applied like any
// other and survives the process: only a power failure could undo it.
TEST_F(RocksStoreTest, AnUnsyncedBatchIsAppliedAndSurvivesReopen) {
  {
    auto store = RocksStore::open(dir_.string());
    ASSERT_TRUE(store.is_ok()) << store.status().to_string();
    Batch put;
    put.put(Table::kOutbox, "00000000000000000001", "m1");
    put.put(Table::kOutbox, "00000000000000000002", "m2");
    ASSERT_TRUE((*store)->write(put).is_ok());
    Batch del;
    del.del(Table::kOutbox, "00000000000000000001");
    del.set_sync(false);
    ASSERT_TRUE((*store)->write(del).is_ok());
    EXPECT_FALSE((*store)->get(Table::kOutbox, "00000000000000000001")->has_value());
  }
  auto store = RocksStore::open(dir_.string());
  ASSERT_TRUE(store.is_ok()) << store.status().to_string();
  EXPECT_FALSE((*store)->get(Table::kOutbox, "00000000000000000001")->has_value());
  EXPECT_EQ((*store)->get(Table::kOutbox, "00000000000000000002")->value_or(""), "m2");
}

// Bytes in the store's write-ahead log files (*.log).
std::uintmax_t log_bytes(const fs::path& dir) {
  std::uintmax_t bytes = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".log") bytes += entry.file_size();
  }
  return bytes;
}

// A clean close writes the memtables to table files: the log holds nothing to replay
// on the next open (a large log made the first start after a stop take seconds).
TEST_F(RocksStoreTest, ACleanCloseLeavesNoLogToReplay) {
  {
    auto store = RocksStore::open(dir_.string());
    ASSERT_TRUE(store.is_ok()) << store.status().to_string();
    for (int i = 0; i < 100; ++i) {
      Batch b;
      b.put(Table::kIncidents, "inc-" + std::to_string(i), std::string(200, 'x'));
      b.put(Table::kEvents, "inc-" + std::to_string(i) + "/001", "opened");
      b.set_sync(i % 2 == 0);
      ASSERT_TRUE((*store)->write(b).is_ok());
    }
    EXPECT_GT(log_bytes(dir_), 0u);  // until the close, the log is where the writes are
  }
  EXPECT_EQ(log_bytes(dir_), 0u);
  auto store = RocksStore::open(dir_.string());
  ASSERT_TRUE(store.is_ok()) << store.status().to_string();
  int incidents = 0, events = 0;
  ASSERT_TRUE((*store)->scan(Table::kIncidents, "", [&](std::string_view, std::string_view v) {
    incidents += v == std::string(200, 'x');
    return true;
  }).is_ok());
  ASSERT_TRUE((*store)->scan(Table::kEvents, "", [&](std::string_view, std::string_view v) {
    events += v == "opened";
    return true;
  }).is_ok());
  EXPECT_EQ(incidents, 100);
  EXPECT_EQ(events, 100);
}

// The flush is for speed only: what a crash leaves (the files as they are while the
// store is open, the writes only in the log) opens with every write, replayed.
TEST_F(RocksStoreTest, WithoutACleanCloseTheLogIsReplayed) {
  const fs::path crashed = dir_.string() + "-crashed";
  fs::remove_all(crashed);
  {
    auto store = RocksStore::open(dir_.string());
    ASSERT_TRUE(store.is_ok()) << store.status().to_string();
    Batch b;
    b.put(Table::kIncidents, "inc-1", "open");
    b.put(Table::kOutbox, "00000000000000000001", "alert");
    ASSERT_TRUE((*store)->write(b).is_ok());
    ASSERT_GT(log_bytes(dir_), 0u);
    fs::copy(dir_, crashed, fs::copy_options::recursive);  // the disk at the moment of a crash
  }
  auto store = RocksStore::open(crashed.string());
  ASSERT_TRUE(store.is_ok()) << store.status().to_string();
  EXPECT_EQ((*store)->get(Table::kIncidents, "inc-1")->value_or(""), "open");
  EXPECT_EQ((*store)->get(Table::kOutbox, "00000000000000000001")->value_or(""), "alert");
  store->reset();
  fs::remove_all(crashed);
}

TEST_F(RocksStoreTest, RefusesADirectoryThatIsNotAStore) {
  fs::create_directories(dir_);
  std::ofstream(dir_ / "precious.txt") << "do not overwrite";
  auto store = RocksStore::open(dir_.string());
  ASSERT_FALSE(store.is_ok());
  EXPECT_EQ(store.status().code(), Status::Code::kCorruption);
  EXPECT_TRUE(fs::exists(dir_ / "precious.txt"));
}

TEST_F(RocksStoreTest, RefusesADamagedStoreLoudly) {
  {
    auto store = RocksStore::open(dir_.string());
    ASSERT_TRUE(store.is_ok());
  }
  // Truncate every table file and the manifest: the store is damaged.
  for (const auto& entry : fs::directory_iterator(dir_)) {
    auto name = entry.path().filename().string();
    if (name.rfind("MANIFEST", 0) == 0) fs::resize_file(entry.path(), 10);
  }
  auto store = RocksStore::open(dir_.string());
  ASSERT_FALSE(store.is_ok());
  EXPECT_NE(store.status().code(), Status::Code::kOk);
  EXPECT_TRUE(fs::exists(dir_ / "CURRENT"));  // nothing was replaced
}

// A RocksDB database with the default family plus `families`, and `meta` records put
// into the "meta" family (when there is one): what an older engine, or something else
// entirely, left in a directory.
void make_rocksdb(const fs::path& dir, const std::vector<std::string>& families,
                  const std::vector<std::pair<std::string, std::string>>& meta,
                  const std::vector<std::pair<std::string, std::string>>& plans = {}) {
  rocksdb::DBOptions options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors = {{rocksdb::kDefaultColumnFamilyName, {}}};
  for (const auto& f : families) descriptors.emplace_back(f, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(options, dir.string(), descriptors, &handles, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  auto family = [&](const std::string& name) -> rocksdb::ColumnFamilyHandle* {
    for (std::size_t i = 0; i < descriptors.size(); ++i) {
      if (descriptors[i].name == name) return handles[i];
    }
    return nullptr;
  };
  for (const auto& [k, v] : meta) ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), family("meta"), k, v).ok());
  for (const auto& [k, v] : plans) ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), family("plans"), k, v).ok());
  for (auto* h : handles) ASSERT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
  ASSERT_TRUE(db->Close().ok());
}

std::vector<std::string> families_of(const fs::path& dir) {
  std::vector<std::string> families;
  EXPECT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir.string(), &families).ok());
  std::sort(families.begin(), families.end());
  return families;
}

// The tables of the first store format, before "reports".
const std::vector<std::string> kFirstVersionFamilies = {"meta",      "plans",  "plan_versions", "places",
                                                        "sensors",   "incidents", "events",      "outbox"};

TEST_F(RocksStoreTest, StoreFromBeforeTheReportsTableOpensKeepsItsDataAndGetsTheTable) {
  ASSERT_NO_FATAL_FAILURE(make_rocksdb(dir_, kFirstVersionFamilies,
                                       {{"format", "lookout-store-1"}, {"incident_seq", "7"}},
                                       {{"fire", R"({"id":"fire","version":3})"}}));
  auto before = families_of(dir_);
  ASSERT_EQ(std::find(before.begin(), before.end(), "reports"), before.end());
  {
    auto store = RocksStore::open(dir_.string());
    ASSERT_TRUE(store.is_ok()) << store.status().to_string();
    EXPECT_EQ(*(*store)->get(Table::kPlans, "fire"), std::optional<std::string>(R"({"id":"fire","version":3})"));
    EXPECT_EQ(*(*store)->get(Table::kMeta, "incident_seq"), std::optional<std::string>("7"));
    EXPECT_FALSE((*store)->get(Table::kReports, "r-1")->has_value());
    Batch b;
    b.put(Table::kReports, "r-1", "{}");
    ASSERT_TRUE((*store)->write(b).is_ok());
  }
  auto families = families_of(dir_);
  EXPECT_NE(std::find(families.begin(), families.end(), "reports"), families.end());
  // Reopened as a store of this version: everything is there.
  auto store = RocksStore::open(dir_.string());
  ASSERT_TRUE(store.is_ok()) << store.status().to_string();
  EXPECT_EQ(*(*store)->get(Table::kReports, "r-1"), std::optional<std::string>("{}"));
  EXPECT_TRUE((*store)->get(Table::kPlans, "fire")->has_value());
}

TEST_F(RocksStoreTest, StoreFromBeforeTheStaffTableOpensKeepsItsDataAndGetsTheTable) {
  // A store as the engine wrote it with the reports table but before the staff roster.
  std::vector<std::string> with_reports = kFirstVersionFamilies;
  with_reports.push_back("reports");
  ASSERT_NO_FATAL_FAILURE(make_rocksdb(dir_, with_reports, {{"format", "lookout-store-1"}, {"incident_seq", "3"}},
                                       {{"fire", R"({"id":"fire","version":1})"}}));
  auto before = families_of(dir_);
  ASSERT_EQ(std::find(before.begin(), before.end(), "staff"), before.end());
  {
    auto store = RocksStore::open(dir_.string());
    ASSERT_TRUE(store.is_ok()) << store.status().to_string();
    EXPECT_EQ(*(*store)->get(Table::kMeta, "incident_seq"), std::optional<std::string>("3"));
    EXPECT_TRUE((*store)->get(Table::kPlans, "fire")->has_value());
    EXPECT_FALSE((*store)->get(Table::kStaff, "w-1")->has_value());
    Batch b;
    b.put(Table::kStaff, "w-1", "{}");
    ASSERT_TRUE((*store)->write(b).is_ok());
  }
  auto families = families_of(dir_);
  EXPECT_NE(std::find(families.begin(), families.end(), "staff"), families.end());
  auto store = RocksStore::open(dir_.string());
  ASSERT_TRUE(store.is_ok()) << store.status().to_string();
  EXPECT_EQ(*(*store)->get(Table::kStaff, "w-1"), std::optional<std::string>("{}"));
  // Tables are separate: the same key elsewhere is another record.
  EXPECT_FALSE((*store)->get(Table::kSensors, "w-1")->has_value());
}

TEST_F(RocksStoreTest, MissingTablesAreAddedOnlyToALookoutStore) {
  // The first version's tables but no format marker: damaged or not ours. Refused, and
  // left as it was (no table added).
  ASSERT_NO_FATAL_FAILURE(make_rocksdb(dir_, kFirstVersionFamilies, {}));
  auto store = RocksStore::open(dir_.string());
  ASSERT_FALSE(store.is_ok());
  EXPECT_EQ(store.status().code(), Status::Code::kCorruption);
  EXPECT_NE(store.status().message().find("format marker"), std::string::npos) << store.status().message();
  auto families = families_of(dir_);
  EXPECT_EQ(std::find(families.begin(), families.end(), "reports"), families.end());

  // Another format: refused too.
  fs::remove_all(dir_);
  ASSERT_NO_FATAL_FAILURE(make_rocksdb(dir_, kFirstVersionFamilies, {{"format", "someone-else-9"}}));
  store = RocksStore::open(dir_.string());
  ASSERT_FALSE(store.is_ok());
  EXPECT_EQ(store.status().code(), Status::Code::kCorruption);
  families = families_of(dir_);
  EXPECT_EQ(std::find(families.begin(), families.end(), "reports"), families.end());

  // A table every store has is missing: damaged, refused, not repaired.
  fs::remove_all(dir_);
  std::vector<std::string> without_events = kFirstVersionFamilies;
  std::erase(without_events, "events");
  ASSERT_NO_FATAL_FAILURE(make_rocksdb(dir_, without_events, {{"format", "lookout-store-1"}}));
  store = RocksStore::open(dir_.string());
  ASSERT_FALSE(store.is_ok());
  EXPECT_EQ(store.status().code(), Status::Code::kCorruption);
  EXPECT_NE(store.status().message().find("no \"events\" table"), std::string::npos) << store.status().message();
  families = families_of(dir_);
  EXPECT_EQ(std::find(families.begin(), families.end(), "events"), families.end());

  // Some other RocksDB database (only the default family): refused.
  fs::remove_all(dir_);
  ASSERT_NO_FATAL_FAILURE(make_rocksdb(dir_, {}, {}));
  store = RocksStore::open(dir_.string());
  ASSERT_FALSE(store.is_ok());
  EXPECT_EQ(store.status().code(), Status::Code::kCorruption);
  EXPECT_EQ(families_of(dir_), std::vector<std::string>{"default"});
}

TEST(MemoryStore, ScanStopsWhenAskedAndAtPrefixEnd) {
  MemoryStore store;
  Batch b;
  for (auto k : {"a/1", "a/2", "a/3", "b/1"}) b.put(Table::kOutbox, k, "v");
  ASSERT_TRUE(store.write(b).is_ok());
  int n = 0;
  ASSERT_TRUE(store.scan(Table::kOutbox, "a/", [&](std::string_view, std::string_view) { return ++n < 2; }).is_ok());
  EXPECT_EQ(n, 2);
  EXPECT_EQ(padded(42, 6), "000042");
}

}  // namespace
}  // namespace lookout::engine
