// StoreTestHooks: what tests may change in how the RocksDB store is opened (StoreOptions::
// test_hooks, LedgerOptions::store_test_hooks). An internal header: it names RocksDB, so only
// the store's own files and tests include it; ledger's public headers only forward-declare the
// struct.
//
// Immutable once handed to an open; the FileSystem it holds must be thread-safe (RocksDB calls it
// from its background threads).
#ifndef TIMELEDGER_LEDGER_STORE_TEST_HOOKS_H_
#define TIMELEDGER_LEDGER_STORE_TEST_HOOKS_H_

#include <cstddef>
#include <memory>

#include <rocksdb/file_system.h>

namespace timeledger::ledger {

struct StoreTestHooks {
  // Every file of the store is read and written through it (e.g. a rocksdb::FileSystemWrapper
  // that injects ENOSPC or EIO). Null: the default file system.
  std::shared_ptr<rocksdb::FileSystem> file_system;
  // The memtable size, so that a test reaches flushes and compactions with a few hundred
  // entries. 0: the store's own (32 MiB).
  size_t write_buffer_bytes = 0;
};

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_STORE_TEST_HOOKS_H_
