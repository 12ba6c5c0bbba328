#include "process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>
#include <thread>
#include <utility>

extern char** environ;

namespace lookout::testing {

namespace {

pid_t spawn(const std::vector<std::string>& argv, const std::string& out_file, const std::string& err_file,
            const std::vector<std::string>& extra_env) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (err_file == out_file) {
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
  } else {
    posix_spawn_file_actions_addopen(&actions, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  }
  std::vector<std::string> args = argv;
  std::vector<char*> cargs;
  for (auto& a : args) cargs.push_back(a.data());
  cargs.push_back(nullptr);
  // extra_env ("NAME=value") replaces the variable of that name: getenv() finds the
  // first of duplicates, which would be the inherited one.
  auto name_of = [](std::string_view e) { return e.substr(0, e.find('=')); };
  std::vector<std::string> env_store;
  for (char** e = environ; *e; ++e) {
    bool replaced = false;
    for (const auto& x : extra_env) replaced = replaced || name_of(x) == name_of(*e);
    if (!replaced) env_store.emplace_back(*e);
  }
  for (const auto& e : extra_env) env_store.push_back(e);
  std::vector<char*> env;
  for (auto& e : env_store) env.push_back(e.data());
  env.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, args[0].c_str(), &actions, nullptr, cargs.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

int wait_exit(pid_t pid, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (true) {
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (r < 0) return -1;
    if (std::chrono::steady_clock::now() >= deadline) return -2;  // still running
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_text(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

std::string make_temp_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("lookout-it-" + std::to_string(::getpid()) + "-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

RunResult run(const std::vector<std::string>& argv, std::chrono::seconds timeout,
              const std::vector<std::string>& extra_env) {
  auto dir = std::filesystem::temp_directory_path();
  auto stem = (dir / ("lookout-run-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand()))).string();
  RunResult r;
  pid_t pid = spawn(argv, stem + ".out", stem + ".err", extra_env);
  if (pid < 0) return r;
  int code = wait_exit(pid, timeout);
  if (code == -2) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    code = -1;
  }
  r.exit_code = code;
  r.out = read_text(stem + ".out");
  r.err = read_text(stem + ".err");
  std::filesystem::remove(stem + ".out");
  std::filesystem::remove(stem + ".err");
  return r;
}

Child::Child(const std::vector<std::string>& argv, const std::string& log_file,
             const std::vector<std::string>& extra_env)
    : log_file_(log_file) {
  pid_ = spawn(argv, log_file, log_file, extra_env);
}

Child::~Child() {
  if (pid_ > 0) kill_hard();
}

Child::Child(Child&& other) noexcept { *this = std::move(other); }

Child& Child::operator=(Child&& other) noexcept {
  if (this != &other) {
    if (pid_ > 0) kill_hard();
    pid_ = std::exchange(other.pid_, -1);
    log_file_ = std::move(other.log_file_);
    exit_code_ = other.exit_code_;
  }
  return *this;
}

bool Child::running() {
  if (pid_ <= 0) return false;
  int code = wait_exit(pid_, std::chrono::milliseconds(0));
  if (code == -2) return true;
  exit_code_ = code;
  pid_ = -1;
  return false;
}

int Child::terminate(std::chrono::milliseconds grace) {
  if (pid_ <= 0) return exit_code_;
  ::kill(pid_, SIGTERM);
  int code = wait_exit(pid_, grace);
  if (code == -2) {
    kill_hard();
    return -1;
  }
  pid_ = -1;
  exit_code_ = code;
  return code;
}

void Child::kill_hard() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
  exit_code_ = -1;
}

std::string Child::log() const { return read_text(log_file_); }

}  // namespace lookout::testing
