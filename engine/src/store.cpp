#include "lookout/engine/store.h"

#include <cstdio>

namespace lookout::engine {

std::string_view table_name(Table table) {
  switch (table) {
    case Table::kMeta: return "meta";
    case Table::kPlans: return "plans";
    case Table::kPlanVersions: return "plan_versions";
    case Table::kPlaces: return "places";
    case Table::kSensors: return "sensors";
    case Table::kIncidents: return "incidents";
    case Table::kEvents: return "events";
    case Table::kOutbox: return "outbox";
    case Table::kReports: return "reports";
    case Table::kStaff: return "staff";
    case Table::kAssignments: return "assignments";
    case Table::kSilences: return "silences";
  }
  return "unknown";
}

std::string padded(std::uint64_t n, int width) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%0*llu", width, static_cast<unsigned long long>(n));
  return buf;
}

StatusOr<std::optional<std::string>> MemoryStore::get(Table table, std::string_view key) {
  auto t = tables_.find(table);
  if (t == tables_.end()) return std::optional<std::string>();
  auto it = t->second.find(key);
  if (it == t->second.end()) return std::optional<std::string>();
  return std::optional<std::string>(it->second);
}

Status MemoryStore::write(const Batch& batch) {
  for (const auto& op : batch.ops()) {
    auto& t = tables_[op.table];
    if (op.value) {
      t.insert_or_assign(op.key, *op.value);
    } else {
      t.erase(op.key);
    }
  }
  return Status::ok();
}

Status MemoryStore::scan(Table table, std::string_view prefix,
                         const std::function<bool(std::string_view, std::string_view)>& fn) {
  auto t = tables_.find(table);
  if (t == tables_.end()) return Status::ok();
  for (auto it = t->second.lower_bound(prefix); it != t->second.end(); ++it) {
    if (it->first.compare(0, prefix.size(), prefix) != 0) break;
    if (!fn(it->first, it->second)) break;
  }
  return Status::ok();
}

std::size_t MemoryStore::size(Table table) const {
  auto t = tables_.find(table);
  return t == tables_.end() ? 0 : t->second.size();
}

}  // namespace lookout::engine
