// Child processes for black-box tests: the real lookout and lookoutctl binaries.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace lookout::testing {

struct RunResult {
  int exit_code = -1;  // -1: killed by a signal or not started
  std::string out;
  std::string err;
};

// Runs a program to completion (killed after `timeout`), capturing its output.
// `extra_env` entries ("NAME=value") are added to the environment, replacing any
// inherited variable of the same name.
RunResult run(const std::vector<std::string>& argv, std::chrono::seconds timeout = std::chrono::seconds(60),
              const std::vector<std::string>& extra_env = {});

// A long-running child (the engine) with its output in a log file.
class Child {
 public:
  Child() = default;
  // `extra_env` as for run().
  Child(const std::vector<std::string>& argv, const std::string& log_file,
        const std::vector<std::string>& extra_env = {});
  ~Child();
  Child(Child&& other) noexcept;
  Child& operator=(Child&& other) noexcept;

  pid_t pid() const { return pid_; }
  bool running();
  // SIGTERM, then wait up to `grace` before SIGKILL; returns the exit code (-1 if killed).
  int terminate(std::chrono::milliseconds grace = std::chrono::milliseconds(10000));
  void kill_hard();
  std::string log() const;

 private:
  pid_t pid_ = -1;
  std::string log_file_;
  int exit_code_ = -1;
};

std::string read_text(const std::string& path);
void write_text(const std::string& path, const std::string& text);
// A fresh directory under the system temp directory, named after the test.
std::string make_temp_dir(const std::string& name);

}  // namespace lookout::testing
