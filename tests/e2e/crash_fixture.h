// CrashTest, the fixture of the crash test (crash_test.cc): it starts and kills timeledgerd,
// loads it with calls, and checks what the restarted server holds. Its parts are defined in
// crash_load.cc and crash_checks.cc.
#ifndef TIMELEDGER_TESTS_E2E_CRASH_FIXTURE_H_
#define TIMELEDGER_TESTS_E2E_CRASH_FIXTURE_H_

#include <deque>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "tests/e2e/crash_harness.h"
#include "tests/support/temp_dir.h"
#include "timeledger/v1/accounts.grpc.pb.h"
#include "timeledger/v1/banks.grpc.pb.h"
#include "timeledger/v1/ledger.grpc.pb.h"

namespace timeledger::crash_test {

class CrashTest : public ::testing::Test {
 protected:
  // crash_load.cc: the server, the bank, the load and the kill, and what is read back.
  void SetUp() override;
  void StartServer(const std::string& what);
  void CreateBankAndAccounts();
  void OpenAccount(const std::string& id, v1::AccountKind kind);
  // A request the default rules of a time bank accept, unless a balance is at its floor or cap.
  v1::RecordEntryRequest RandomRequest(std::mt19937_64& rng, const std::string& entry_id);
  // Records entries from kClientThreads threads until the server is killed, after a random time.
  // Returns every attempt.
  std::vector<std::unique_ptr<Attempt>> LoadAndKill(int cycle, std::mt19937_64& rng);
  Snapshot ReadBack();

  // crash_checks.cc: what must hold after each restart.
  // Seqs dense from 1, entry_ids unique, every hash chained to the previous entry's.
  void CheckJournal(const Snapshot& snapshot);
  // Balances and totals equal the replay; they sum to zero.
  void CheckBalances(const Snapshot& snapshot);
  // Each account's statement lists exactly the entries touching it, with running balances.
  void CheckStatements(const Snapshot& snapshot);
  grpc::Status GetEntry(uint64_t seq, const std::string& entry_id, v1::Entry* entry);
  // The receipt's entry is in the listing unchanged, and its balances were the accounts'
  // balances right after it.
  void CheckAck(const Snapshot& snapshot, const Ack& ack);
  // Records every acknowledged request again, a thousand per RecordEntries call: each must
  // replay its entry, so every entry_id still leads to its entry and nothing is written twice.
  void ReplayAcks(const Snapshot& snapshot);
  // Reads each acknowledged entry back by seq and by entry_id, many calls at once, and compares
  // with the listing.
  void ReadBackAcks(const Snapshot& snapshot, const std::vector<const Ack*>& acks);
  static bool RecordsRequest(const v1::Entry& entry, const v1::RecordEntryRequest& request);
  // An unanswered call's entry is wholly there (listed, found by entry_id, recording the request)
  // or wholly absent; an entry a rule refused is absent. Returns the unanswered attempts.
  std::vector<const Attempt*> CheckUnacknowledged(
      const Snapshot& snapshot, const std::vector<std::unique_ptr<Attempt>>& attempts);
  grpc::Status Record(const v1::RecordEntryRequest& request, v1::RecordEntryResponse* response);
  // Retries each unanswered request with the same content: a written one replays, a missing one
  // is recorded now (or refused by a rule, and stays missing); a second retry replays that.
  void RetryUnanswered(const Snapshot& snapshot, const std::vector<const Attempt*>& unanswered);

  timeledger::testing::TempDir dir_;
  std::string binary_;
  std::string data_dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<v1::Banks::Stub> banks_;
  std::unique_ptr<v1::Accounts::Stub> accounts_;
  std::unique_ptr<v1::Ledger::Stub> ledger_;
  std::deque<Ack> acks_;  // every acknowledged entry so far
  // A generator of its own, so each cycle's kill comes at the same moment in every run.
  std::mt19937_64 kill_rng_{kSeed + 1};
  int ack_failures_ = 0;  // reported in full for the first few only
};

}  // namespace timeledger::crash_test

#endif  // TIMELEDGER_TESTS_E2E_CRASH_FIXTURE_H_
