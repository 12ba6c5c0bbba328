// Store, restart and memory benchmarks (docs/benchmarks.md, "Store, restart and memory").
//
//   lookout-store-bench commits --incidents N [--dir D]
//       A Core on a RocksStore with synced writes (as the daemon runs it) in a fresh
//       directory; N smoke detectors, each at its own place, and one plan. One alerting
//       reading per detector: each opens a new incident, i.e. one synced store batch
//       (incident, timeline entry, counters, outbox). Reports the time around each
//       Core::on_message that opens one (p50/p99/max) and commits per second, next to a
//       baseline measured in the same run on the same disk: raw RocksDB single-key
//       Put()s with sync=true (the fsync floor).
//   lookout-store-bench restart --incidents N [--runs R] [--dir D]
//       Prepares a store with N sensors and N open incidents (unsynced writes), closes it,
//       then R times in this process: (a) RocksStore::open, (b) Core construction +
//       Core::open() (registries, plans, incidents loaded, timers re-armed). Also times
//       a bare scan of the sensor and incident tables (no parsing), to split reading from
//       rebuilding. Medians reported. With --from D: no preparation, the store that
//       `prepare --incidents N --dir D` wrote is reopened (e.g. to profile only restarts).
//   lookout-store-bench prepare --incidents N --dir D
//       Only the preparation: a store in D for the real daemon (tools/bench/restart.sh).
//   lookout-store-bench memory --sensors N --incidents M
//       The Core's own memory: registers N sensors, then opens M incidents (M <= N), on a
//       store that keeps nothing (so RocksDB's memtables and caches are not counted), and
//       reports the growth of VmRSS and of malloc's bytes in use (mallinfo2) per sensor
//       and per incident.
#include <CLI/CLI.hpp>
#include <malloc.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "lookout/base/clock.h"
#include "lookout/base/diagnostic.h"
#include "lookout/engine/core.h"
#include "lookout/engine/rocks_store.h"
#include "lookout/engine/store.h"
#include "lookout/engine/transport.h"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using lookout::Diagnostics;
using lookout::ManualClock;
using lookout::Status;
using lookout::engine::Batch;
using lookout::engine::Core;
using lookout::engine::CoreOptions;
using lookout::engine::InboundMessage;
using lookout::engine::OutboundMessage;
using lookout::engine::RocksStore;
using lookout::engine::RocksStoreOptions;
using lookout::engine::Store;
using lookout::engine::Table;
using lookout::engine::Transport;
using SteadyClock = std::chrono::steady_clock;

constexpr std::size_t kSensorsPerImport = 50'000;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "lookout-store-bench: %s\n", what.c_str());
  std::exit(1);
}

double ms_since(SteadyClock::time_point t0) {
  return std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count();
}

// A transport that delivers everything at once: the completion is posted (queued) like
// the broker's acknowledgement would be, so the outbox empties as in a healthy engine.
class DeliveringTransport final : public Transport {
 public:
  Status start(std::vector<std::string>, MessageHandler, ConnectionHandler) override { return Status::ok(); }
  void publish(OutboundMessage, DeliveryHandler on_done) override {
    ++published;
    if (on_done) on_done(Status::ok());
  }
  void stop(const OutboundMessage&, std::chrono::milliseconds) override {}
  bool connected() const override { return true; }
  std::uint64_t published = 0;
};

// Work posted to "the strand", run when drained (outside the timed sections).
struct Poster {
  std::deque<std::function<void()>> queue;
  Core::Post post() {
    return [this](std::function<void()> fn) { queue.push_back(std::move(fn)); };
  }
  void drain() {
    while (!queue.empty()) {
      auto fn = std::move(queue.front());
      queue.pop_front();
      fn();
    }
  }
};

// A store that keeps nothing: the memory benchmark counts the Core's own memory.
class DiscardStore final : public Store {
 public:
  lookout::StatusOr<std::optional<std::string>> get(Table, std::string_view) override {
    return std::optional<std::string>();
  }
  Status write(const Batch&) override { return Status::ok(); }
  Status scan(Table, std::string_view, const std::function<bool(std::string_view, std::string_view)>&) override {
    return Status::ok();
  }
};

// The plan: smoke at any place under d/, one level, reminders every 10 minutes (so that
// each open incident has a timer to re-arm after a restart).
constexpr const char* kPlan = R"(id: smoke
title: Bench smoke plan
places: ["d/**"]
renotify: {every: 10m, times: 3}
levels:
  III:
    when: smoke >= 0.5
    alert:
      category: Fire
      event: Smoke detected
      headline: "Smoke in {place}"
)";

std::string sensor_id(std::size_t i) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "s%07zu", i);
  return buf;
}
// Each sensor at its own place: d/cCCCC/bBBBB (1000 buildings per community).
std::string sensor_place(std::size_t i) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "d/c%04zu/b%04zu", i / 1000, i % 1000);
  return buf;
}

// Wall-clock start (whole seconds), so that a store prepared for the real daemon has
// its reminder timers in the future.
lookout::Time start_time() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

void setup_registry(Core& core, std::size_t sensors) {
  Diagnostics d;
  auto r = core.apply_plan(kPlan, "smoke.yaml", d);
  if (!r.is_ok()) die("plan: " + r.status().to_string() + " " + lookout::to_string(d));
  std::string yaml;
  for (std::size_t first = 0; first < sensors; first += kSensorsPerImport) {
    std::size_t last = std::min(sensors, first + kSensorsPerImport);
    yaml.clear();
    yaml.reserve((last - first) * 96 + 16);
    yaml += "sensors:\n";
    for (std::size_t i = first; i < last; ++i) {
      yaml += "  - {id: ";
      yaml += sensor_id(i);
      yaml += ", place: ";
      yaml += sensor_place(i);
      yaml += ", kind: smoke_detector, quantities: [smoke]}\n";
    }
    auto n = core.import_sensors(yaml, "sensors.yaml", d);
    if (!n.is_ok()) die("sensors: " + n.status().to_string() + " " + lookout::to_string(d));
  }
}

InboundMessage alarm(std::size_t i) {
  return InboundMessage{"lookout/v1/sensors/" + sensor_id(i), R"([{"n":"smoke","u":"/","v":0.6}])", 1, false, false};
}

struct Percentiles {
  double p50 = 0, p99 = 0, max = 0, mean = 0;
};
Percentiles percentiles(std::vector<double> v) {
  Percentiles p;
  if (v.empty()) return p;
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))]; };
  p.p50 = at(0.5);
  p.p99 = at(0.99);
  p.max = v.back();
  double sum = 0;
  for (double x : v) sum += x;
  p.mean = sum / static_cast<double>(v.size());
  return p;
}
double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

fs::path make_dir(const std::string& given, const char* what) {
  fs::path dir = given.empty() ? fs::temp_directory_path() / ("lookout-store-bench-" + std::string(what) + "-" +
                                                               std::to_string(::getpid()))
                               : fs::path(given);
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir, ec);
  if (ec) die("cannot create " + dir.string() + ": " + ec.message());
  return dir;
}

// Opens N incidents (one per sensor) on the core; returns the time around each
// on_message in microseconds. The posted delivery completions run untimed.
std::vector<double> open_incidents(Core& core, Poster& poster, std::size_t n) {
  std::vector<InboundMessage> messages;
  messages.reserve(n);
  for (std::size_t i = 0; i < n; ++i) messages.push_back(alarm(i));
  std::vector<double> us;
  us.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    auto t0 = SteadyClock::now();
    core.on_message(messages[i]);
    us.push_back(std::chrono::duration<double, std::micro>(SteadyClock::now() - t0).count());
    poster.drain();
  }
  if (core.stats().incidents_opened != n) {
    die("expected " + std::to_string(n) + " incidents opened, got " + std::to_string(core.stats().incidents_opened) +
        " (dead letters: " + std::to_string(core.stats().dead_letters) + ")");
  }
  return us;
}

// ---------------------------------------------------------------- commits

// Raw RocksDB, one key per synced Put (same disk, its own directory): the fsync floor.
std::vector<double> raw_baseline(const fs::path& path, std::size_t writes, const char* when) {
  rocksdb::Options o;
  o.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::Open(o, path.string(), &raw);
  if (!s.ok()) die("raw rocksdb: " + s.ToString());
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::WriteOptions wo;
  wo.sync = true;
  std::string value(400, 'x');  // about an incident record's size
  std::vector<double> us;
  us.reserve(writes);
  auto t0 = SteadyClock::now();
  for (std::size_t i = 0; i < writes; ++i) {
    auto k = sensor_id(i);
    auto w0 = SteadyClock::now();
    if (auto ws = db->Put(wo, k, value); !ws.ok()) die("raw put: " + ws.ToString());
    us.push_back(std::chrono::duration<double, std::micro>(SteadyClock::now() - w0).count());
  }
  double total = ms_since(t0);
  auto p = percentiles(us);
  std::printf("baseline raw RocksDB synced Put (%s): %zu writes, %.0f writes/s, latency us p50 %.0f p99 %.0f max %.0f\n",
              when, writes, static_cast<double>(writes) / (total / 1000), p.p50, p.p99, p.max);
  return us;
}


int run_commits(std::size_t n, const std::string& dir_arg, std::size_t baseline_writes) {
  auto dir = make_dir(dir_arg, "commits");
  std::printf("commits: %zu incidents, store in %s\n", n, dir.c_str());

  // The baseline before and after the engine's run: the disk is shared, so its speed
  // drifts; both are printed and the ratio uses all of their writes.
  std::vector<double> raw_us = raw_baseline(dir / "raw-before", baseline_writes, "before");

  auto store = RocksStore::open((dir / "store").string(), RocksStoreOptions{true, true});
  if (!store.is_ok()) die("open: " + store.status().to_string());
  ManualClock clock(start_time());
  DeliveringTransport transport;
  Poster poster;
  auto core = std::make_unique<Core>(CoreOptions{}, clock, **store, transport, poster.post());
  if (auto s = core->open(); !s.is_ok()) die("core open: " + s.to_string());
  setup_registry(*core, n);
  poster.drain();

  auto t0 = SteadyClock::now();
  auto us = open_incidents(*core, poster, n);
  double total_ms = ms_since(t0);
  double timed_ms = 0;
  for (double x : us) timed_ms += x / 1000;
  core.reset();
  store->reset();
  auto after = raw_baseline(dir / "raw-after", baseline_writes, "after");
  raw_us.insert(raw_us.end(), after.begin(), after.end());
  auto p = percentiles(us);
  auto raw = percentiles(raw_us);
  std::printf("engine incident commits (synced): %zu, %.0f commits/s (time in on_message), %.0f/s end to end "
              "(with delivery completions)\n",
              n, static_cast<double>(n) / (timed_ms / 1000), static_cast<double>(n) / (total_ms / 1000));
  std::printf("engine commit latency us: p50 %.0f p99 %.0f max %.0f mean %.0f\n", p.p50, p.p99, p.max, p.mean);
  std::printf("raw baseline (both) latency us: p50 %.0f p99 %.0f; ratio engine/raw p50 %.2f, mean %.2f\n", raw.p50, raw.p99,
              p.p50 / raw.p50, p.mean / raw.mean);
  std::printf("published %llu messages\n", static_cast<unsigned long long>(transport.published));
  if (dir_arg.empty()) fs::remove_all(dir);
  return 0;
}

// ---------------------------------------------------------------- restart

void prepare(const fs::path& store_dir, std::size_t n) {
  auto t0 = SteadyClock::now();
  auto store = RocksStore::open(store_dir.string(), RocksStoreOptions{false, true});
  if (!store.is_ok()) die("open: " + store.status().to_string());
  ManualClock clock(start_time());
  DeliveringTransport transport;
  Poster poster;
  {
    Core core(CoreOptions{}, clock, **store, transport, poster.post());
    if (auto s = core.open(); !s.is_ok()) die("core open: " + s.to_string());
    setup_registry(core, n);
    poster.drain();
    open_incidents(core, poster, n);
    if (core.stats().outbox_pending != 0) die("outbox not empty after preparing");
  }
  std::printf("prepared %zu sensors and %zu open incidents in %s (%.1f s)\n", n, n, store_dir.c_str(),
              ms_since(t0) / 1000);
}

int run_prepare(std::size_t n, const std::string& dir) {
  if (dir.empty()) die("prepare needs --dir");
  auto d = make_dir(dir, "prepare");
  prepare(d, n);
  return 0;
}

int run_restart(std::size_t n, std::size_t runs, const std::string& dir_arg, const std::string& from) {
  fs::path dir, store_dir;
  if (from.empty()) {
    dir = make_dir(dir_arg, "restart");
    store_dir = dir / "store";
    prepare(store_dir, n);
  } else {
    store_dir = from;
  }
  std::vector<double> open_ms, core_ms, total_ms, scan_ms, staffing_ms;
  for (std::size_t r = 0; r < runs; ++r) {
    // Later than the preparation, before the first reminder is due.
    ManualClock clock(start_time() + 1min);
    DeliveringTransport transport;
    Poster poster;
    auto t0 = SteadyClock::now();
    auto store = RocksStore::open(store_dir.string(), RocksStoreOptions{true, true});
    if (!store.is_ok()) die("open: " + store.status().to_string());
    double a = ms_since(t0);
    auto t1 = SteadyClock::now();
    auto core = std::make_unique<Core>(CoreOptions{}, clock, **store, transport, poster.post());
    if (auto s = core->open(); !s.is_ok()) die("core open: " + s.to_string());
    double b = ms_since(t1);
    double total = ms_since(t0);
    std::size_t open = 0;
    for (const auto* in : core->incidents()) open += in->state == "open";
    if (open != n || core->sensors().size() != n) die("restart rebuilt " + std::to_string(open) + " open incidents");
    // Not in the restart's time (the daemon is online by then): the first staffing pass,
    // due at once after a start with open incidents, which readings then wait behind.
    auto t3 = SteadyClock::now();
    clock.advance(lookout::Duration::zero());
    poster.drain();
    double d = ms_since(t3);
    staffing_ms.push_back(d);
    core.reset();
    // Untimed: the freed Core's memory back to the system (malloc would otherwise sort
    // its millions of freed blocks during the bare scan), so that each run starts on a
    // heap nearly as empty as a new process's.
    ::malloc_trim(0);
    // The bare read: every sensor and incident record, not parsed.
    auto t2 = SteadyClock::now();
    std::size_t bytes = 0;
    for (Table t : {Table::kSensors, Table::kIncidents}) {
      auto s = (*store)->scan(t, "", [&](std::string_view k, std::string_view v) {
        bytes += k.size() + v.size();
        return true;
      });
      if (!s.is_ok()) die("scan: " + s.to_string());
    }
    double c = ms_since(t2);
    store->reset();
    std::printf("run %zu: store open %.1f ms, core open %.1f ms, total %.1f ms (bare scan of sensors+incidents %.1f ms, "
                "%.1f MB)\n",
                r + 1, a, b, total, c, static_cast<double>(bytes) / 1e6);
    open_ms.push_back(a);
    core_ms.push_back(b);
    total_ms.push_back(total);
    scan_ms.push_back(c);
  }
  std::printf("restart %zu open incidents, median of %zu: store open %.1f ms, core open %.1f ms, total %.1f ms, "
              "bare scan %.1f ms; then the first staffing pass %.1f ms\n",
              n, runs, median(open_ms), median(core_ms), median(total_ms), median(scan_ms), median(staffing_ms));
  if (from.empty() && dir_arg.empty()) fs::remove_all(dir);
  return 0;
}

// ---------------------------------------------------------------- memory

struct Mem {
  double rss_kb = 0;
  double heap = 0;  // bytes in use by malloc (small blocks + mmapped)
};
Mem mem_now() {
  ::malloc_trim(0);
  Mem m;
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) m.rss_kb = std::atof(line.c_str() + 6);
  }
  struct mallinfo2 mi = ::mallinfo2();
  m.heap = static_cast<double>(mi.uordblks + mi.hblkhd);
  return m;
}

int run_memory(std::size_t sensors, std::size_t incidents) {
  if (incidents > sensors) die("--incidents must not exceed --sensors");
  ManualClock clock(start_time());
  DiscardStore store;
  DeliveringTransport transport;
  Poster poster;
  Core core(CoreOptions{}, clock, store, transport, poster.post());
  if (auto s = core.open(); !s.is_ok()) die("core open: " + s.to_string());
  // The plan first: the baseline is an engine with its plan and no sensors.
  Diagnostics d;
  if (auto r = core.apply_plan(kPlan, "smoke.yaml", d); !r.is_ok()) die("plan: " + r.status().to_string());
  auto m0 = mem_now();
  {
    std::string yaml;
    for (std::size_t first = 0; first < sensors; first += kSensorsPerImport) {
      std::size_t last = std::min(sensors, first + kSensorsPerImport);
      yaml.clear();
      yaml += "sensors:\n";
      for (std::size_t i = first; i < last; ++i) {
        yaml += "  - {id: " + sensor_id(i) + ", place: " + sensor_place(i) + ", kind: smoke_detector, quantities: [smoke]}\n";
      }
      auto n = core.import_sensors(yaml, "sensors.yaml", d);
      if (!n.is_ok()) die("sensors: " + n.status().to_string());
    }
  }
  poster.drain();
  auto m1 = mem_now();
  {
    for (std::size_t i = 0; i < incidents; ++i) {
      core.on_message(alarm(i));
      poster.drain();
    }
    if (core.stats().incidents_opened != incidents) die("not every alarm opened an incident");
  }
  auto m2 = mem_now();
  auto per = [](double bytes, std::size_t n) { return n ? bytes / static_cast<double>(n) : 0.0; };
  std::printf("memory: %zu sensors, %zu incidents\n", sensors, incidents);
  std::printf("baseline (core + plan): VmRSS %.1f MB, heap in use %.1f MB\n", m0.rss_kb / 1024, m0.heap / 1048576);
  std::printf("per sensor:   VmRSS %.0f B, heap %.0f B (total +%.1f MB RSS)\n", per((m1.rss_kb - m0.rss_kb) * 1024, sensors),
              per(m1.heap - m0.heap, sensors), (m1.rss_kb - m0.rss_kb) / 1024);
  std::printf("per incident: VmRSS %.0f B, heap %.0f B (total +%.1f MB RSS)\n",
              per((m2.rss_kb - m1.rss_kb) * 1024, incidents), per(m2.heap - m1.heap, incidents),
              (m2.rss_kb - m1.rss_kb) / 1024);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::warn);  // every incident logs a line at info
  CLI::App app{"lookout-store-bench: durable commits, restart and memory (docs/benchmarks.md)"};
  app.require_subcommand(1);
  std::size_t incidents = 10'000, sensors = 100'000, runs = 5, baseline = 2'000;
  std::string dir, from;
  auto* commits = app.add_subcommand("commits", "synced incident commits per second and their latency");
  commits->add_option("--incidents", incidents, "incidents to open (one synced commit each)");
  commits->add_option("--baseline-writes", baseline, "raw RocksDB synced Puts for the baseline");
  commits->add_option("--dir", dir, "directory for the stores (default: a fresh one under TMPDIR, removed after)");
  auto* restart = app.add_subcommand("restart", "store open + state rebuilt with N open incidents");
  restart->add_option("--incidents", incidents, "open incidents in the store");
  restart->add_option("--runs", runs, "restarts to time");
  restart->add_option("--dir", dir, "directory for the store (default: a fresh one under TMPDIR, removed after)");
  restart->add_option("--from", from, "reopen this store (written by prepare with the same --incidents) instead of preparing one");
  auto* prep = app.add_subcommand("prepare", "write a store with N open incidents into --dir (for restart.sh)");
  prep->add_option("--incidents", incidents, "open incidents");
  prep->add_option("--dir", dir, "store directory (replaced)")->required();
  auto* memory = app.add_subcommand("memory", "memory per registered sensor and per open incident");
  memory->add_option("--sensors", sensors, "sensors to register");
  memory->add_option("--incidents", incidents, "incidents to open");
  CLI11_PARSE(app, argc, argv);
  if (commits->parsed()) return run_commits(incidents, dir, baseline);
  if (restart->parsed()) return run_restart(incidents, runs, dir, from);
  if (prep->parsed()) return run_prepare(incidents, dir);
  if (memory->parsed()) return run_memory(sensors, incidents);
  return 1;
}
