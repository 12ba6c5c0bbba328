// The Store on RocksDB: one column family per Table, WriteBatch for Batch, and
// (by default) a synced write-ahead log so that a write that returned OK survives a
// crash or power loss. See docs/durability.md.
#pragma once

#include <memory>
#include <string>

#include "lookout/engine/store.h"

namespace lookout::engine {

struct RocksStoreOptions {
  bool sync_writes = true;       // fsync the WAL on every write
  bool create_if_missing = true; // a fresh directory becomes an empty store
};

class RocksStore final : public Store {
 public:
  // Opens (or creates) the store in `path`. A directory that holds something that is
  // not a Lookout store, or a damaged store, is refused with kCorruption or kIoError:
  // never silently replaced by an empty one.
  static StatusOr<std::unique_ptr<RocksStore>> open(const std::string& path, RocksStoreOptions options = {});
  // Closes the store, first writing what is only in the log to table files, so that the
  // next open has no log to replay (a crash leaves the log, replayed by the next open).
  ~RocksStore() override;

  StatusOr<std::optional<std::string>> get(Table table, std::string_view key) override;
  Status write(const Batch& batch) override;
  Status scan(Table table, std::string_view prefix,
              const std::function<bool(std::string_view, std::string_view)>& fn) override;

 private:
  struct Impl;
  explicit RocksStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace lookout::engine
