// How many malloc arenas a server process keeps. glibc gives each thread that allocates under
// contention an arena of its own, up to eight per core; a server's many threads (gRPC's,
// RocksDB's, the ledger's) each then keep freed memory in theirs. timeledgerd's peak RSS in a
// 200,000-account fill was 280 MiB with glibc's default, 243 MiB with two (docs/PERFORMANCE.md).
#ifndef TIMELEDGER_COMMON_MALLOC_ARENAS_H_
#define TIMELEDGER_COMMON_MALLOC_ARENAS_H_

namespace timeledger::common {

// One arena per core, at least two, unless the environment's MALLOC_ARENA_MAX says otherwise.
// Call first thing in main, before any thread starts.
void LimitMallocArenas();

}  // namespace timeledger::common

#endif  // TIMELEDGER_COMMON_MALLOC_ARENAS_H_
