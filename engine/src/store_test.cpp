#include "lookout/engine/rocks_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

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
