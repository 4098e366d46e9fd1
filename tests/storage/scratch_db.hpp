// A fresh SQLite database file per test, in its own temporary folder.
#pragma once

#include "storage/database.hpp"

#include <atomic>
#include <filesystem>
#include <string>
#include <unistd.h>

namespace callscribe::storage::test {

struct scratch_db {
  std::filesystem::path dir;
  std::string url;
  database db;

  scratch_db()
      : dir(make_dir()), url("sqlite:" + (dir / "sub" / "callscribe.db").string()), db(open_migrated(url)) {}
  ~scratch_db() {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }

  // Another connection to the same file, as another actor would hold.
  database another() { return database::open(url); }

private:
  static std::filesystem::path make_dir() {
    static std::atomic<int> counter{0};
    auto dir = std::filesystem::temp_directory_path() /
               ("callscribe-storage-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
  }
  static database open_migrated(const std::string& url) {
    auto db = database::open(url);
    db.migrate();
    return db;
  }
};

} // namespace callscribe::storage::test
