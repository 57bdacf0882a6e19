// What the crash test checks after each restart, over the wire only: the journal, the balances,
// the statements, every acknowledged entry, and every call that got no answer.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/crash_fixture.h"
#include "tests/support/access.h"

namespace timeledger::crash_test {

// Seqs dense from 1, entry_ids unique, every hash chained to the previous entry's.
void CrashTest::CheckJournal(const Snapshot& snapshot) {
  std::string previous(32, '\0');
  int problems = 0;
  for (size_t i = 0; i < snapshot.entries.size() && problems < 10; ++i) {
    const v1::Entry& entry = snapshot.entries[i];
    if (entry.seq() != i + 1) {
      ADD_FAILURE() << "position " << i + 1 << " of the listing holds seq " << entry.seq();
      ++problems;
    }
    if (entry.hash() != ChainVerifier::Hash(previous, entry)) {
      ADD_FAILURE() << "entry " << entry.seq() << " (" << entry.entry_id()
                    << ") does not chain to the entry before it";
      ++problems;
    }
    previous = entry.hash();
  }
  EXPECT_EQ(snapshot.seq_of.size(), snapshot.entries.size()) << "an entry_id was used twice";
  v1::GetBankRequest request;
  request.set_bank_id(kBank);
  v1::Bank bank;
  grpc::ClientContext context;
  context.set_deadline(Deadline());
  const grpc::Status status = banks_->GetBank(&context, request, &bank);
  ASSERT_TRUE(status.ok()) << Describe(status);
  EXPECT_EQ(bank.entry_count(), snapshot.entries.size());
}

// Balances and totals equal the replay; they sum to zero.
void CrashTest::CheckBalances(const Snapshot& snapshot) {
  EXPECT_EQ(snapshot.accounts.size(), static_cast<size_t>(kPersons + 3));
  int64_t sum = 0;
  std::map<std::string, int64_t> earned, spent, count;
  for (const v1::Entry& entry : snapshot.entries) {
    spent[entry.from_account_id()] += entry.minutes();
    earned[entry.to_account_id()] += entry.minutes();
    ++count[entry.from_account_id()];
    ++count[entry.to_account_id()];
  }
  for (const auto& [id, account] : snapshot.accounts) {
    sum += account.balance_minutes();
    EXPECT_EQ(account.balance_minutes(), snapshot.replayed.at(id)) << id;
    EXPECT_EQ(account.earned_minutes(), earned[id]) << id;
    EXPECT_EQ(account.spent_minutes(), spent[id]) << id;
    EXPECT_EQ(account.entry_count(), static_cast<uint64_t>(count[id])) << id;
  }
  EXPECT_EQ(sum, 0) << "the balances do not sum to zero";
  EXPECT_EQ(snapshot.replayed.size(), snapshot.accounts.size()) << "an entry names no account";
}

// Each account's statement lists exactly the entries touching it, with running balances.
void CrashTest::CheckStatements(const Snapshot& snapshot) {
  std::map<std::string, std::vector<uint64_t>> expected;
  for (const v1::Entry& entry : snapshot.entries) {
    expected[entry.from_account_id()].push_back(entry.seq());
    expected[entry.to_account_id()].push_back(entry.seq());
  }
  for (const auto& [id, account] : snapshot.accounts) {
    std::vector<uint64_t> seqs;
    std::string token;
    bool balances_agree = true;
    for (int pages = 0; pages < 10'000; ++pages) {
      v1::ListEntriesRequest request;
      request.set_bank_id(kBank);
      request.set_account_id(id);
      request.set_page_size(kPageSize);
      request.set_page_token(token);
      v1::ListEntriesResponse response;
      grpc::ClientContext context;
      context.set_deadline(Deadline());
      const grpc::Status status = ledger_->ListEntries(&context, request, &response);
      ASSERT_TRUE(status.ok()) << "statement of " << id << ": " << Describe(status);
      for (const auto& row : response.rows()) {
        const uint64_t seq = row.entry().seq();
        seqs.push_back(seq);
        if (seq == 0 || seq > snapshot.after.size()) continue;
        const auto& [from, to] = snapshot.after[seq - 1];
        const int64_t want = row.entry().from_account_id() == id ? from : to;
        balances_agree = balances_agree && row.running_balance_minutes() == want;
      }
      token = response.next_page_token();
      if (token.empty()) break;
    }
    EXPECT_EQ(seqs, expected[id]) << "statement of " << id;
    EXPECT_TRUE(balances_agree) << "statement of " << id << ": running balances disagree";
  }
}

grpc::Status CrashTest::GetEntry(uint64_t seq, const std::string& entry_id, v1::Entry* entry) {
  v1::GetEntryRequest request;
  request.set_bank_id(kBank);
  if (seq != 0) request.set_seq(seq);
  if (!entry_id.empty()) request.set_entry_id(entry_id);
  grpc::ClientContext context;
  context.set_deadline(Deadline());
  return ledger_->GetEntry(&context, request, entry);
}

// The receipt's entry is in the listing unchanged, and its balances were the accounts'
// balances right after it.
void CrashTest::CheckAck(const Snapshot& snapshot, const Ack& ack) {
  const v1::Entry& receipt = ack.response.entry();
  const std::string what = "acknowledged " + ack.request.entry_id() + " (cycle " +
                           std::to_string(ack.cycle) + ", seq " + std::to_string(receipt.seq()) +
                           ")";
  std::string problem;
  if (receipt.seq() == 0 || receipt.seq() > snapshot.entries.size()) {
    problem = " is missing after the restart";
  } else if (const v1::Entry& listed = snapshot.entries[receipt.seq() - 1];
             !MessageDifferencer::Equals(receipt, listed)) {
    problem = " differs:\nreceipt " + receipt.ShortDebugString() + "\nlisted  " +
              listed.ShortDebugString();
  } else if (!ack.response.replayed() &&
             (ack.response.from_balance_minutes() != snapshot.after[receipt.seq() - 1].first ||
              ack.response.to_balance_minutes() != snapshot.after[receipt.seq() - 1].second)) {
    problem = " has receipt balances that are not those right after it";
  }
  if (!problem.empty() && ack_failures_++ < 10) ADD_FAILURE() << what << problem;
}

// Records every acknowledged request again, a thousand per RecordEntries call: each must
// replay its entry, so every entry_id still leads to its entry and nothing is written twice.
void CrashTest::ReplayAcks(const Snapshot& snapshot) {
  int failures = 0;
  for (size_t start = 0; start < acks_.size(); start += kPageSize) {
    v1::RecordEntriesRequest request;
    const size_t end = std::min(acks_.size(), start + kPageSize);
    for (size_t i = start; i < end; ++i) *request.add_entries() = acks_[i].request;
    v1::RecordEntriesResponse response;
    grpc::ClientContext context;
    context.set_deadline(Deadline());
    const grpc::Status status = ledger_->RecordEntries(&context, request, &response);
    ASSERT_TRUE(status.ok()) << "RecordEntries: " << Describe(status);
    ASSERT_EQ(static_cast<size_t>(response.results_size()), end - start);
    for (size_t i = start; i < end; ++i) {
      const auto& result = response.results(static_cast<int>(i - start));
      const uint64_t seq = acks_[i].response.entry().seq();
      const bool same =
          result.has_receipt() && result.receipt().replayed() && seq >= 1 &&
          seq <= snapshot.entries.size() &&
          MessageDifferencer::Equals(result.receipt().entry(), snapshot.entries[seq - 1]);
      if (!same && failures++ < 10) {
        ADD_FAILURE() << "acknowledged " << acks_[i].request.entry_id() << " (seq " << seq
                      << ") does not replay: " << result.ShortDebugString();
      }
    }
  }
}

// Reads each acknowledged entry back by seq and by entry_id, many calls at once, and compares
// with the listing.
void CrashTest::ReadBackAcks(const Snapshot& snapshot, const std::vector<const Ack*>& acks) {
  struct Read {
    const Ack* ack;
    bool by_id;
    grpc::ClientContext context;
    v1::GetEntryRequest request;
    v1::Entry entry;
    grpc::Status status;
  };
  std::vector<std::unique_ptr<Read>> reads;
  Window window(64);
  for (const Ack* ack : acks) {
    for (bool by_id : {false, true}) {
      auto read = std::make_unique<Read>();
      read->ack = ack;
      read->by_id = by_id;
      read->request.set_bank_id(kBank);
      if (by_id) {
        read->request.set_entry_id(ack->request.entry_id());
      } else {
        read->request.set_seq(ack->response.entry().seq());
      }
      read->context.set_deadline(Deadline());
      Read* raw = read.get();
      reads.push_back(std::move(read));
      window.Acquire();
      ledger_->async()->GetEntry(&raw->context, &raw->request, &raw->entry,
                                 [raw, &window](grpc::Status status) {
                                   raw->status = std::move(status);
                                   window.Release();
                                 });
    }
  }
  ASSERT_TRUE(window.Drain(std::chrono::seconds(60))) << "reads still in flight after 60 s";
  int failures = 0;
  for (const auto& read : reads) {
    const uint64_t seq = read->ack->response.entry().seq();
    const bool same = read->status.ok() && seq >= 1 && seq <= snapshot.entries.size() &&
                      MessageDifferencer::Equals(read->entry, snapshot.entries[seq - 1]);
    if (!same && failures++ < 10) {
      ADD_FAILURE() << "acknowledged " << read->ack->request.entry_id() << ": GetEntry by "
                    << (read->by_id ? "entry_id" : "seq") << " gives "
                    << (read->status.ok() ? read->entry.ShortDebugString()
                                          : Describe(read->status));
    }
  }
}

bool CrashTest::RecordsRequest(const v1::Entry& entry, const v1::RecordEntryRequest& request) {
  return entry.entry_id() == request.entry_id() && entry.kind() == request.kind() &&
         entry.from_account_id() == request.from_account_id() &&
         entry.to_account_id() == request.to_account_id() && entry.minutes() == request.minutes() &&
         entry.activity() == request.activity() && entry.note() == request.note() &&
         (!request.has_occurred_at() ||
          MessageDifferencer::Equals(entry.occurred_at(), request.occurred_at()));
}

// An unanswered call's entry is wholly there (listed, found by entry_id, recording the request)
// or wholly absent; an entry a rule refused is absent. Returns the unanswered attempts.
std::vector<const Attempt*> CrashTest::CheckUnacknowledged(
    const Snapshot& snapshot, const std::vector<std::unique_ptr<Attempt>>& attempts) {
  std::vector<const Attempt*> unanswered;
  int present = 0, absent = 0, refused = 0;
  for (const auto& attempt : attempts) {
    if (attempt->status.ok()) continue;
    const std::string& id = attempt->request.entry_id();
    const bool refusal = attempt->status.error_code() == grpc::StatusCode::FAILED_PRECONDITION;
    if (!refusal && (attempt->answered_before_kill || !ReasonOf(attempt->status).empty())) {
      ADD_FAILURE() << id << " failed, and not for the kill: " << Describe(attempt->status);
      continue;
    }
    auto listed = snapshot.seq_of.find(id);
    v1::Entry found;
    const grpc::Status lookup = GetEntry(0, id, &found);
    if (refusal) {
      ++refused;
      EXPECT_EQ(listed, snapshot.seq_of.end()) << "refused " << id << " was written";
      EXPECT_EQ(lookup.error_code(), grpc::StatusCode::NOT_FOUND) << "refused " << id;
      continue;
    }
    unanswered.push_back(attempt.get());
    if (listed == snapshot.seq_of.end()) {
      ++absent;
      EXPECT_EQ(lookup.error_code(), grpc::StatusCode::NOT_FOUND)
          << "unanswered " << id << " is not listed, yet GetEntry gives " << Describe(lookup);
      continue;
    }
    ++present;
    const v1::Entry& entry = snapshot.entries[listed->second - 1];
    EXPECT_TRUE(RecordsRequest(entry, attempt->request))
        << "unanswered " << id << " was recorded as something else: " << entry.ShortDebugString();
    EXPECT_TRUE(lookup.ok() && MessageDifferencer::Equals(found, entry))
        << "unanswered " << id << " is listed but GetEntry gives " << Describe(lookup);
  }
  std::cout << "  unanswered: " << present << " written, " << absent
            << " not written; refused by a rule: " << refused << std::endl;
  return unanswered;
}

grpc::Status CrashTest::Record(const v1::RecordEntryRequest& request,
                               v1::RecordEntryResponse* response) {
  grpc::ClientContext context;
  context.set_deadline(Deadline());
  return ledger_->RecordEntry(&context, request, response);
}

// Retries each unanswered request with the same content: a written one replays, a missing one
// is recorded now (or refused by a rule, and stays missing); a second retry replays that.
void CrashTest::RetryUnanswered(const Snapshot& snapshot,
                                const std::vector<const Attempt*>& unanswered) {
  for (const Attempt* attempt : unanswered) {
    const std::string& id = attempt->request.entry_id();
    auto listed = snapshot.seq_of.find(id);
    v1::RecordEntryResponse first;
    grpc::Status status = Record(attempt->request, &first);
    if (listed != snapshot.seq_of.end()) {
      ASSERT_TRUE(status.ok()) << "retry of written " << id << ": " << Describe(status);
      EXPECT_TRUE(first.replayed()) << "retry of written " << id << " recorded it again";
      EXPECT_EQ(first.entry().seq(), listed->second) << id;
      continue;
    }
    if (!status.ok()) {
      EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
          << "retry of missing " << id << ": " << Describe(status);
      continue;
    }
    EXPECT_FALSE(first.replayed()) << "retry of missing " << id << " claims to replay";
    EXPECT_GT(first.entry().seq(), snapshot.entries.size()) << id;
    v1::RecordEntryResponse second;
    status = Record(attempt->request, &second);
    ASSERT_TRUE(status.ok()) << "second retry of " << id << ": " << Describe(status);
    EXPECT_TRUE(second.replayed()) << id;
    EXPECT_EQ(second.entry().seq(), first.entry().seq()) << id << " recorded twice";
    acks_.push_back(Ack{attempt->request, first, attempt->cycle});
  }
}

}  // namespace timeledger::crash_test
