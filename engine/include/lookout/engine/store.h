// The storage seam. The core stores everything through this small interface; the
// RocksDB adapter (rocks_store.h) is the real one, MemoryStore the twin for tests and
// drills. Multi-record changes go in one Batch, applied atomically.
//
// Keys are byte strings ordered bytewise within a table; values are opaque (the engine
// stores JSON). Errors come back as Status, never as exceptions.
//
// Thread-safety: implementations are safe to call from one thread at a time (the
// core's strand); RocksStore happens to be thread-safe, MemoryStore is not.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lookout/base/status.h"

namespace lookout::engine {

// One table (a RocksDB column family) per kind of record.
enum class Table {
  kMeta,          // counters and format version
  kPlans,         // plan id -> current version summary
  kPlanVersions,  // plan id / version (8 digits) -> plan source and metadata
  kPlaces,        // place path -> PlaceInfo
  kSensors,       // sensor id -> SensorInfo
  kIncidents,     // incident id -> incident state
  kEvents,        // incident id / sequence (12 digits) -> timeline entry
  kOutbox,        // sequence (20 digits) -> message waiting to be published
  kReports,       // report id -> the report as received, its receipt status and incident
  kStaff,         // staff id -> StaffMember (the staff roster)
  kAssignments,   // assignment id -> Assignment
  kSilences,      // silence id -> Silence
  // New tables go at the end: a store written before them opens and gets them added.
};
inline constexpr Table kAllTables[] = {Table::kMeta,      Table::kPlans,     Table::kPlanVersions, Table::kPlaces,
                                       Table::kSensors,   Table::kIncidents, Table::kEvents,       Table::kOutbox,
                                       Table::kReports,   Table::kStaff,     Table::kAssignments,  Table::kSilences};
std::string_view table_name(Table table);

// A set of puts and deletes applied all together or not at all.
class Batch {
 public:
  struct Op {
    Table table;
    std::string key;
    std::optional<std::string> value;  // nullopt: delete
  };
  void put(Table table, std::string key, std::string value) { ops_.push_back({table, std::move(key), std::move(value)}); }
  void del(Table table, std::string key) { ops_.push_back({table, std::move(key), std::nullopt}); }
  const std::vector<Op>& ops() const { return ops_; }
  bool empty() const { return ops_.empty(); }
  // A batch whose loss at a power failure only means work done again (deleting a
  // delivered outbox entry: it is published once more) need not wait for the disk. The
  // next synced write syncs it too (RocksDB's log is written in order).
  void set_sync(bool sync) { sync_ = sync; }
  bool sync() const { return sync_; }

 private:
  std::vector<Op> ops_;
  bool sync_ = true;
};

class Store {
 public:
  virtual ~Store() = default;
  // nullopt when the key is absent.
  virtual StatusOr<std::optional<std::string>> get(Table table, std::string_view key) = 0;
  // Applies the batch atomically and, when the store is configured to sync, durably.
  virtual Status write(const Batch& batch) = 0;
  // Calls `fn` for each key starting with `prefix`, in key order, until it returns false.
  virtual Status scan(Table table, std::string_view prefix,
                      const std::function<bool(std::string_view key, std::string_view value)>& fn) = 0;
};

// In memory, for unit tests and virtual-time drills.
class MemoryStore final : public Store {
 public:
  StatusOr<std::optional<std::string>> get(Table table, std::string_view key) override;
  Status write(const Batch& batch) override;
  Status scan(Table table, std::string_view prefix,
              const std::function<bool(std::string_view, std::string_view)>& fn) override;
  std::size_t size(Table table) const;

 private:
  std::map<Table, std::map<std::string, std::string, std::less<>>> tables_;
};

// Keys with fixed-width decimal numbers sort in numeric order.
std::string padded(std::uint64_t n, int width);

}  // namespace lookout::engine
