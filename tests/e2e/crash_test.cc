// The crash test: the real timeledgerd, killed with SIGKILL while gRPC writes are in flight, then
// restarted on the same data directory, several times over.
//
// Each cycle starts timeledgerd (the path comes from $TIMELEDGERD) on a loopback port it picks,
// lets client threads record entries with many calls in flight, and kills the server at a random
// moment. After the restart the test checks, over the wire only:
//   - every acknowledged entry is listed exactly as its receipt said, with the balances it gave;
//     retried with the same content (a thousand per RecordEntries call) it replays that entry,
//     so its entry_id still leads to it; a sample is also read back by seq and by entry_id;
//   - seqs run 1..N with no gap, and each entry's hash chains to the one before it (recomputed
//     here from the canonical encoding in ledger/core/records.h, as an outside verifier would);
//   - every balance and total equals a replay of the listed entries; balances sum to zero;
//   - every account statement lists exactly its entries, with running balances that agree;
//   - an entry whose call got no answer is either wholly there (listed, found by entry_id,
//     recording what was asked) or wholly absent; one that a rule refused is absent;
//   - retrying an unanswered entry_id with the same content replays it if it is there, or
//     records it once if it is not.
// The first cycle creates the bank and 200 accounts. The entries mix awards, spends, exchanges,
// donations and grants of sizes that a time bank's default rules accept; if the server's rules
// refuse one anyway (a balance at its floor or cap), that refusal is checked like any answer.
// The last server must then stop cleanly on SIGTERM.
//
// The harness is in crash_harness.h, the fixture's parts in crash_load.cc and crash_checks.cc.
#include <algorithm>
#include <chrono>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/e2e/crash_fixture.h"

namespace timeledger::crash_test {
namespace {

TEST_F(CrashTest, AcknowledgedEntriesSurviveSigkillAndNothingIsHalfWritten) {
  std::mt19937_64 rng(kSeed);
  ASSERT_NO_FATAL_FAILURE(StartServer("start"));
  ASSERT_NO_FATAL_FAILURE(CreateBankAndAccounts());
  for (int cycle = 0; cycle < kCycles; ++cycle) {
    const auto attempts = LoadAndKill(cycle, rng);
    size_t acknowledged = 0;
    for (const auto& attempt : attempts) {
      if (!attempt->status.ok()) continue;
      ++acknowledged;
      EXPECT_NE(attempt->response.entry().seq(), 0u)
          << attempt->request.entry_id() << " was acknowledged as pending";
      EXPECT_FALSE(attempt->response.replayed()) << attempt->request.entry_id();
      acks_.push_back(Ack{attempt->request, attempt->response, cycle});
    }
    ASSERT_GT(acknowledged, 0u) << "cycle " << cycle << " acknowledged nothing";

    ASSERT_NO_FATAL_FAILURE(StartServer("restart-" + std::to_string(cycle)));
    const Snapshot snapshot = ReadBack();
    std::cout << "  " << acknowledged << " acknowledged; " << snapshot.entries.size()
              << " entries after the restart" << std::endl;
    CheckJournal(snapshot);
    CheckBalances(snapshot);
    CheckStatements(snapshot);
    // Every acknowledged entry: against the listing, and retried (it replays); some of this
    // cycle's and earlier cycles' also read back one by one.
    std::vector<const Ack*> current, earlier;
    for (const Ack& ack : acks_) {
      CheckAck(snapshot, ack);
      (ack.cycle == cycle ? current : earlier).push_back(&ack);
    }
    ASSERT_NO_FATAL_FAILURE(ReplayAcks(snapshot));
    std::shuffle(current.begin(), current.end(), rng);
    std::shuffle(earlier.begin(), earlier.end(), rng);
    current.resize(std::min(current.size(), kReadBacks));
    earlier.resize(std::min(earlier.size(), kReadBacks / 2));
    current.insert(current.end(), earlier.begin(), earlier.end());
    ASSERT_NO_FATAL_FAILURE(ReadBackAcks(snapshot, current));
    const auto unanswered = CheckUnacknowledged(snapshot, attempts);
    ASSERT_NO_FATAL_FAILURE(RetryUnanswered(snapshot, unanswered));
    if (HasFailure()) break;  // the first broken cycle says enough
  }

  // The last server stops cleanly on SIGTERM, and what it leaves still adds up.
  const Snapshot last = ReadBack();
  CheckJournal(last);
  CheckBalances(last);
  EXPECT_EQ(server_->Terminate(std::chrono::seconds(20)), 0) << server_->log();
}

}  // namespace
}  // namespace timeledger::crash_test
