#include "lookout/engine/rocks_store.h"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/options_util.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <vector>

namespace lookout::engine {

namespace {

Status from_rocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return Status::ok();
  std::string msg = std::string(what) + ": " + s.ToString();
  if (s.IsCorruption()) return Status::corruption(msg);
  if (s.IsNotFound()) return Status::not_found(msg);
  if (s.IsInvalidArgument()) return Status::invalid_argument(msg);
  return Status::io_error(msg);
}

constexpr std::string_view kFormatKey = "format";
// Every store has the tables up to this one (the first version created them all); a
// table after it may be missing from a store written before it existed.
constexpr Table kLastFirstVersionTable = Table::kOutbox;
constexpr std::string_view kFormatValue = "lookout-store-1";

}  // namespace

struct RocksStore::Impl {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;  // index: Table value
  rocksdb::WriteOptions write_options;

  ~Impl() {
    if (db) {
      // A clean close: write the memtables to table files, so that the next open does
      // not replay the write-ahead log (with the log on, RocksDB's own close does not
      // flush; replaying a large log made the first start after a stop take seconds).
      // Durability does not depend on it: every write is already in the log, and if
      // this flush fails, or the process dies before it, the next open replays the log.
      std::vector<rocksdb::ColumnFamilyHandle*> tables;
      for (auto* h : handles) {
        if (h) tables.push_back(h);
      }
      rocksdb::FlushOptions flush;
      flush.wait = true;
      flush.allow_write_stall = true;  // nothing writes any more
      (void)db->Flush(flush, tables);
      for (auto* h : handles) {
        if (h) (void)db->DestroyColumnFamilyHandle(h);
      }
      (void)db->Close();
    }
  }
  rocksdb::ColumnFamilyHandle* cf(Table t) { return handles.at(static_cast<std::size_t>(t)); }
};

RocksStore::RocksStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RocksStore::~RocksStore() = default;

StatusOr<std::unique_ptr<RocksStore>> RocksStore::open(const std::string& path, RocksStoreOptions options) {
  namespace fs = std::filesystem;
  std::error_code ec;
  bool exists = fs::exists(path, ec);
  bool is_store = exists && fs::exists(fs::path(path) / "CURRENT", ec);
  if (exists && !is_store && fs::is_directory(path, ec) && !fs::is_empty(path, ec)) {
    return Status::corruption("\"" + path +
                              "\" is not empty and holds no store (no CURRENT file); refusing to create a store over it");
  }
  if (!is_store && !options.create_if_missing) {
    return Status::not_found("no store in \"" + path + "\"");
  }

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = !is_store;
  db_options.create_missing_column_families = !is_store;
  db_options.paranoid_checks = true;
  db_options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  db_options.keep_log_file_num = 3;

  // The tables to open (all of them for a new store) and those to add afterwards.
  std::vector<Table> opened;
  std::vector<Table> missing;
  if (is_store) {
    // Check what the store holds before opening: a store from something else, or one
    // missing a table every store has, is refused rather than "repaired".
    std::vector<std::string> families;
    auto s = rocksdb::DB::ListColumnFamilies(db_options, path, &families);
    if (!s.ok()) return from_rocks(s, "reading the store's column families in \"" + path + "\"");
    for (Table t : kAllTables) {
      if (std::find(families.begin(), families.end(), std::string(table_name(t))) != families.end()) {
        opened.push_back(t);
      } else if (t <= kLastFirstVersionTable) {
        return Status::corruption("the store in \"" + path + "\" has no \"" + std::string(table_name(t)) +
                                  "\" table; it is damaged or not a Lookout store");
      } else {
        missing.push_back(t);  // written by an engine from before this table
      }
    }
  } else {
    opened.assign(std::begin(kAllTables), std::end(kAllTables));
  }

  // Table files in 16 KiB blocks (RocksDB's default is 4 KiB, for stores read by key):
  // the engine reads its tables whole when it starts, and a scan pays per block (read,
  // checksum, decompress). 100k sensors and incidents: 195 ms to scan in 4 KiB blocks,
  // 112 ms in 16 KiB ones, and 12 MB on disk instead of 18. Only the block size of the
  // files written from now on; files written before keep theirs (each file says its own),
  // and any engine reads both.
  rocksdb::BlockBasedTableOptions table_options;
  table_options.block_size = 16 * 1024;
  rocksdb::ColumnFamilyOptions cf_options;
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table_options));

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, cf_options);
  for (Table t : opened) descriptors.emplace_back(std::string(table_name(t)), cf_options);

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::Open(db_options, path, descriptors, &handles, &raw);
  if (!s.ok()) return from_rocks(s, "opening the store in \"" + path + "\"");

  auto impl = std::make_unique<Impl>();
  impl->db.reset(raw);
  // handles[0] is the default family; the others follow in `opened` order.
  (void)impl->db->DestroyColumnFamilyHandle(handles[0]);
  impl->handles.assign(std::size(kAllTables), nullptr);
  for (std::size_t i = 0; i < opened.size(); ++i) impl->handles[static_cast<std::size_t>(opened[i])] = handles[i + 1];
  impl->write_options.sync = options.sync_writes;

  std::string format;
  s = impl->db->Get(rocksdb::ReadOptions(), impl->cf(Table::kMeta), std::string(kFormatKey), &format);
  if (s.IsNotFound()) {
    if (is_store) return Status::corruption("the store in \"" + path + "\" has no format marker; it is damaged");
    s = impl->db->Put(impl->write_options, impl->cf(Table::kMeta), std::string(kFormatKey), std::string(kFormatValue));
    if (!s.ok()) return from_rocks(s, "initialising the store");
  } else if (!s.ok()) {
    return from_rocks(s, "reading the store's format marker");
  } else if (format != kFormatValue) {
    return Status::corruption("the store in \"" + path + "\" has format \"" + format + "\"; this engine reads \"" +
                              std::string(kFormatValue) + "\"");
  }
  // A Lookout store from an engine before some table: add the table, empty. Only now,
  // once the format marker says the store is ours.
  for (Table t : missing) {
    rocksdb::ColumnFamilyHandle* handle = nullptr;
    s = impl->db->CreateColumnFamily(cf_options, std::string(table_name(t)), &handle);
    if (!s.ok()) return from_rocks(s, "adding the \"" + std::string(table_name(t)) + "\" table to the store");
    impl->handles[static_cast<std::size_t>(t)] = handle;
  }
  return std::unique_ptr<RocksStore>(new RocksStore(std::move(impl)));
}

StatusOr<std::optional<std::string>> RocksStore::get(Table table, std::string_view key) {
  std::string value;
  auto s = impl_->db->Get(rocksdb::ReadOptions(), impl_->cf(table), rocksdb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return from_rocks(s, "reading " + std::string(table_name(table)));
  return std::optional<std::string>(std::move(value));
}

Status RocksStore::write(const Batch& batch) {
  rocksdb::WriteBatch wb;
  for (const auto& op : batch.ops()) {
    rocksdb::Status s = op.value ? wb.Put(impl_->cf(op.table), op.key, *op.value) : wb.Delete(impl_->cf(op.table), op.key);
    if (!s.ok()) return from_rocks(s, "building a write batch");
  }
  if (!batch.sync() && impl_->write_options.sync) {
    rocksdb::WriteOptions unsynced = impl_->write_options;
    unsynced.sync = false;
    return from_rocks(impl_->db->Write(unsynced, &wb), "writing to the store");
  }
  return from_rocks(impl_->db->Write(impl_->write_options, &wb), "writing to the store");
}

Status RocksStore::scan(Table table, std::string_view prefix,
                        const std::function<bool(std::string_view, std::string_view)>& fn) {
  rocksdb::ReadOptions read;
  // A whole table (the engine's start-up) is read once: through the block cache, it would
  // only evict what is hot, and inserting each block cost half the scan's time (a 76 MB
  // store of 100k sensors and incidents: 255 ms, 145 ms without).
  if (prefix.empty()) read.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(read, impl_->cf(table)));
  for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size())); it->Valid(); it->Next()) {
    auto key = it->key();
    if (!key.starts_with(rocksdb::Slice(prefix.data(), prefix.size()))) break;
    if (!fn(std::string_view(key.data(), key.size()), std::string_view(it->value().data(), it->value().size()))) break;
  }
  return from_rocks(it->status(), "scanning " + std::string(table_name(table)));
}

}  // namespace lookout::engine
