// A main() for the fuzz targets without libFuzzer (the normal g++ build, CTest).
//
//   <target> [--mutations N] [--seed S] PATH...
//
// Runs LLVMFuzzerTestOneInput on every file named (a directory: every regular file in
// it and below, in name order), then on N inputs made by mutating those files with a
// fixed-seed generator: the same N, seed and files give the same inputs on every run.
// Replaying a crash file found by tools/fuzz.sh is `<target> crash-file`.
//
// When an input crashes (a signal, an uncaught exception, std::abort), it is written to
// crash-<target>-<index> in the working directory and the path is printed, so that the
// failure can be replayed alone and added to the corpus.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

// ---- the input being run, for the crash handlers --------------------------------------

const std::string* g_current = nullptr;
char g_crash_path[512] = "";
char g_label[256] = "";

void write_all(int fd, const char* p, std::size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w <= 0) return;
    p += w;
    n -= static_cast<std::size_t>(w);
  }
}
void say(const char* text) { write_all(2, text, std::strlen(text)); }

// Async-signal-safe: open, write, close only.
void save_current_input() {
  if (g_current == nullptr || g_crash_path[0] == '\0') return;
  int fd = ::open(g_crash_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    say("fuzz: cannot write the crashing input\n");
    return;
  }
  write_all(fd, g_current->data(), g_current->size());
  ::close(fd);
  say("fuzz: crashing input (");
  say(g_label);
  say(") written to ");
  say(g_crash_path);
  say("\n");
}

extern "C" void on_signal(int sig) {
  save_current_input();
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

void on_terminate() {
  save_current_input();
  if (auto e = std::current_exception()) {
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      say("fuzz: uncaught exception: ");
      say(ex.what());
      say("\n");
    } catch (...) {
      say("fuzz: uncaught exception of an unknown type\n");
    }
  }
  ::signal(SIGABRT, SIG_DFL);
  std::abort();
}

// ---- deterministic mutations ------------------------------------------------------------

// splitmix64: small, fast, and the same sequence everywhere.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform enough in [0, n) for n > 0.
  std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(next() % n); }
  bool chance(unsigned percent) { return below(100) < percent; }

 private:
  std::uint64_t state_;
};

// Tokens that decoders of JSON, YAML, CSV and the condition language tend to get wrong.
const std::vector<std::string>& interesting_tokens() {
  static const std::vector<std::string> tokens = {
      "NaN", "nan", "-nan", "Infinity", "-Infinity", "inf", ".inf", "-.inf", ".nan", "1e999", "-1e999", "1e308",
      "-1e308", "4.9e-324", "-0", "-0.0", "0", "1", "-1", "268435456", "268435455", "9223372036854775807",
      "-9223372036854775808", "18446744073709551615", "18446744073709551616", "2147483648", "-2147483649",
      "0x10", "1_000", "00:00", "24:00", "23:59", "99:99", "null", "true", "false", "~", "\"\"", "''", "\"",
      "'", "\\", "\\u0000", "\\ud800", "\\udfff", "\\ud83d\\ude92", std::string("\0", 1), "\xff\xfe",
      "\xef\xbb\xbf", "\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x80\xae", "\r\n", "\n", "\t",
      " ", ",", ";", ":", "::", "[", "]", "{", "}", "[]", "{}", "()", "(", ")", "- ", "? ", ": ", "&a", "*a",
      "!!str", "!!binary", "<<", "---", "...", "|", ">", "#", "%YAML 1.2", "/", "//", "**", "*", "..", "#report:",
      "#status:", "and", "or", "not", "for", "clear", "within", "of", "any", "during", "on", "weekdays", "absent(",
      "offline(", "reports(", "avg(", "rate(", "count(", "level(", "place.", "sensor.", "==", "!=", ">=", "<=",
      "1d", "365d", "366d", "0s", "1h30m", "99999999999d", "Cel", "%LEL", "ppm", "Asia/Shanghai", "UTC",
      "Etc/GMT+14", "../", "2026-11-21T21:04:05+08:00", "2026-02-30T00:00:00Z", "9999-12-31T23:59:59Z",
      "0000-01-01T00:00:00-23:59", "mon-fri 08:00-18:00", "daily 20:00-08:00", "sun-mon 00:00-00:00",
  };
  return tokens;
}

std::string repeated(std::string_view unit, std::size_t times) {
  std::string out;
  out.reserve(unit.size() * times);
  for (std::size_t i = 0; i < times; ++i) out += unit;
  return out;
}

// A long or deeply nested piece of text.
std::string big_token(SplitMix64& rng) {
  static const char* const units[] = {"A", "[", "{", "[[", "{\"a\":", "- ", "(", "not ", "a/", "\xe7\x81\xab", "9"};
  const std::size_t count = std::size(units);
  std::string_view unit = units[rng.below(count)];
  // Mostly a few thousand, sometimes past the 64 KiB payload limits.
  std::size_t times = rng.chance(10) ? 70000 / unit.size() : 1 + rng.below(4000);
  return repeated(unit, times);
}

std::string mutate_once(std::string s, const std::vector<std::string>& corpus, SplitMix64& rng) {
  const std::size_t pos = rng.below(s.size() + 1);
  switch (rng.below(9)) {
    case 0:  // flip one bit
      if (!s.empty()) s[rng.below(s.size())] ^= static_cast<char>(1u << rng.below(8));
      break;
    case 1:  // set one byte
      if (!s.empty()) s[rng.below(s.size())] = static_cast<char>(rng.below(256));
      break;
    case 2:  // insert random bytes
      for (std::size_t i = 0, n = 1 + rng.below(4); i < n; ++i) s.insert(pos, 1, static_cast<char>(rng.below(256)));
      break;
    case 3:  // delete a range
      if (!s.empty()) s.erase(pos == s.size() ? pos - 1 : pos, 1 + rng.below(std::min<std::size_t>(s.size(), 16)));
      break;
    case 4: {  // duplicate a range
      if (s.empty()) break;
      std::size_t from = rng.below(s.size());
      std::string chunk = s.substr(from, 1 + rng.below(64));
      s.insert(pos, chunk);
      break;
    }
    case 5: {  // splice: this input's head with another's tail
      const std::string& other = corpus[rng.below(corpus.size())];
      std::size_t cut = rng.below(other.size() + 1);
      s = s.substr(0, pos) + other.substr(cut);
      break;
    }
    case 6:  // insert a token
      s.insert(pos, interesting_tokens()[rng.below(interesting_tokens().size())]);
      break;
    case 7: {  // replace a range with a token
      const std::string& t = interesting_tokens()[rng.below(interesting_tokens().size())];
      s.replace(std::min(pos, s.size()), rng.below(8), t);
      break;
    }
    default:  // insert something long or deeply nested (rarely)
      if (rng.chance(30)) {
        s.insert(pos, big_token(rng));
      } else {
        s.insert(pos, interesting_tokens()[rng.below(interesting_tokens().size())]);
      }
      break;
  }
  return s;
}

// ---- files ----------------------------------------------------------------------------------

bool read_file(const fs::path& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

std::vector<fs::path> input_files(const std::vector<std::string>& args, bool& ok) {
  std::vector<fs::path> files;
  for (const auto& a : args) {
    std::error_code ec;
    if (fs::is_directory(a, ec)) {
      std::vector<fs::path> found;
      for (const auto& e : fs::recursive_directory_iterator(a, ec)) {
        if (e.is_regular_file()) found.push_back(e.path());
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::is_regular_file(a, ec)) {
      files.emplace_back(a);
    } else {
      std::fprintf(stderr, "fuzz: %s: no such file or directory\n", a.c_str());
      ok = false;
    }
  }
  return files;
}

int usage(const char* self) {
  std::fprintf(stderr,
               "usage: %s [--mutations N] [--seed S] PATH...\n"
               "  Runs the fuzz target on every file of PATH (files or directories), then on N\n"
               "  deterministic mutations of them (default 0). A crashing input is written to\n"
               "  crash-<target>-<index> in the working directory.\n",
               self);
  return 2;
}

void run_one(const std::string& input, const std::string& label) {
  g_current = &input;
  std::snprintf(g_label, sizeof g_label, "%s", label.c_str());
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
  g_current = nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string self = fs::path(argv[0]).filename().string();
  std::size_t mutations = 0;
  std::uint64_t seed = 0x10C0D7;  // "lookout"
  std::vector<std::string> paths;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if ((a == "--mutations" || a == "--seed") && i + 1 < argc) {
      char* end = nullptr;
      const unsigned long long v = std::strtoull(argv[++i], &end, 10);
      if (end == argv[i] || *end != '\0') return usage(argv[0]);
      if (a == "--mutations") {
        mutations = static_cast<std::size_t>(v);
      } else {
        seed = static_cast<std::uint64_t>(v);
      }
    } else if (a == "-h" || a == "--help" || a.starts_with("-")) {
      return usage(argv[0]);
    } else {
      paths.emplace_back(a);
    }
  }
  if (paths.empty()) return usage(argv[0]);

  bool ok = true;
  const auto files = input_files(paths, ok);
  if (!ok) return 2;
  std::vector<std::string> corpus;
  corpus.reserve(files.size());
  for (const auto& f : files) {
    std::string text;
    if (!read_file(f, text)) {
      std::fprintf(stderr, "fuzz: %s: cannot be read\n", f.c_str());
      return 2;
    }
    corpus.push_back(std::move(text));
  }

  std::set_terminate(on_terminate);
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) ::signal(sig, on_signal);

  const auto start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < corpus.size(); ++i) {
    std::snprintf(g_crash_path, sizeof g_crash_path, "crash-%s-file-%zu", self.c_str(), i);
    run_one(corpus[i], files[i].string());
  }
  if (mutations > 0 && corpus.empty()) corpus.emplace_back();
  SplitMix64 rng(seed);
  for (std::size_t i = 0; i < mutations; ++i) {
    std::string input = corpus[rng.below(corpus.size())];
    for (std::size_t n = 1 + rng.below(4); n > 0; --n) input = mutate_once(std::move(input), corpus, rng);
    std::snprintf(g_crash_path, sizeof g_crash_path, "crash-%s-mutation-%zu", self.c_str(), i);
    run_one(input, "mutation " + std::to_string(i) + " of seed " + std::to_string(seed));
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%s: %zu files, %zu mutations, no crash, %.2f s\n", self.c_str(), files.size(), mutations, seconds);
  return 0;
}
