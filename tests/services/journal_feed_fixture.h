// JournalFeedTest: a server with the change feed (Audit.WatchJournal), a bank of sixteen members
// with every rule off (so that any two may exchange), in-process writers, and a watcher that
// follows a stream and checks every record it gets: in position order, none twice, each chain
// hash on its prior.
#ifndef TIMELEDGER_TESTS_SERVICES_JOURNAL_FEED_FIXTURE_H_
#define TIMELEDGER_TESTS_SERVICES_JOURNAL_FEED_FIXTURE_H_

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "ledger/core/sha256.h"
#include "ledger/engine/ledger.h"
#include "services/server.h"
#include "tests/support/access.h"
#include "tests/support/server_fixture.h"
#include "timeledger/v1/audit.grpc.pb.h"

namespace timeledger::services {

inline constexpr int kMembers = 16;

// The reason of a status's ErrorInfo, or "".
inline std::string ReasonOf(const grpc::Status& status) {
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return "";
  for (const auto& any : details.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info)) return info.reason();
  }
  return "";
}

// Follows one bank's feed from a position, checking each record against the one before it.
class Follower {
 public:
  explicit Follower(uint64_t start) : next_(start) {}

  // Checks `message` against what came before and takes it in. False with a test failure if a
  // record is out of order, repeated, or does not hang on its prior chain hash.
  bool Take(const v1::WatchJournalResponse& message, bool filtered = false) {
    for (int i = 0; i < message.records_size(); ++i) {
      const v1::JournalRecord& record = message.records(i);
      if (filtered ? record.position() < next_ : record.position() != next_) {
        ADD_FAILURE() << "record at " << record.position() << ", expected " << next_;
        return false;
      }
      const std::string& prior = message.prior_chain_hashes(i);
      if (!filtered && !last_chain_hash_.empty() && prior != last_chain_hash_) {
        ADD_FAILURE() << "prior hash of " << record.position() << " is not the last chain hash";
        return false;
      }
      ledger::Sha256 hash;
      const ledger::Digest leaf = ledger::Sha256::Hash(std::string(1, '\0') + record.fact());
      const ledger::Digest chain =
          hash.Update(prior).Update(absl::MakeConstSpan(leaf.data(), leaf.size())).Finish();
      if (record.chain_hash() != std::string(chain.begin(), chain.end())) {
        ADD_FAILURE() << "chain hash of " << record.position() << " does not follow its prior";
        return false;
      }
      last_chain_hash_ = record.chain_hash();
      next_ = record.position() + 1;
      if (record.type() == v1::ENTRY) ++entries_;
      records_.push_back(record.position());
    }
    if (message.next_position() < next_) {
      ADD_FAILURE() << "next_position " << message.next_position() << " went back from " << next_;
      return false;
    }
    next_ = message.next_position();
    if (message.journal_hash().size() == ledger::kDigestBytes) {
      last_chain_hash_ = message.journal_hash();
    }
    return true;
  }

  uint64_t next() const { return next_; }
  uint64_t entries() const { return entries_; }
  const std::vector<uint64_t>& positions() const { return records_; }

 private:
  uint64_t next_;
  uint64_t entries_ = 0;
  std::string last_chain_hash_;
  std::vector<uint64_t> records_;
};

class JournalFeedTest : public testing::ServerTest {
 protected:
  void Start(FeedOptions feed = FeedOptions()) {
    ledger::LedgerOptions options;
    options.sync = false;  // the feed, not the disk, is under test
    ServerOptions server_options;
    server_options.feed = feed;
    server_options.gate.coordinator = {0, 0};
    server_options.gate.partner = {0, 0};
    ASSERT_NO_FATAL_FAILURE(StartServer(options, server_options));
    ASSERT_NO_FATAL_FAILURE(MakeBank("hcct"));
    audit_ = v1::Audit::NewStub(admin_channel_);
  }

  void MakeBank(const std::string& bank_id) {
    ASSERT_TRUE(CreateBank(bank_id, "Bank " + bank_id).ok());
    ledger::Policy policy;
    policy.granularity_enabled = policy.entry_maximum_enabled = policy.floors_enabled = false;
    policy.balance_cap_enabled = policy.daily_limit_enabled = policy.backdating_enabled = false;
    policy.reciprocity_enabled = policy.staff_duty_enabled = false;
    policy.self_recorded_needs_confirmation = false;
    ASSERT_TRUE(ledger::Await<ledger::Policy>([&](auto done) {
                  ledger_->SetPolicy(ledger::BankId(bank_id), policy, 0, ledger::AdminNamed("t"),
                                     std::move(done));
                }).ok());
    for (int i = 0; i < kMembers; ++i) {
      ASSERT_TRUE(OpenAccount(bank_id, Member(i), v1::PERSON).ok());
    }
  }

  static std::string Member(int i) { return absl::StrCat("m", i); }

  absl::Status Exchange(const std::string& bank_id, const std::string& entry_id,
                        const std::string& from, const std::string& to) {
    return ledger::Await<ledger::Receipt>([&](auto done) {
             ledger_->RecordEntry(Spec(bank_id, entry_id, from, to), ledger::AdminNamed("t"),
                                  std::move(done));
           })
        .status();
  }

  // Records `count` entries in bank hcct from `writers` threads, each with up to 32 in flight;
  // returns the seconds it took. Every entry must be recorded.
  double RecordConcurrently(int writers, int count, const std::string& prefix) {
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    std::atomic<int> failed{0};
    for (int w = 0; w < writers; ++w) {
      threads.emplace_back([&, w] {
        absl::Mutex mu;
        int in_flight = 0;
        for (int i = w; i < count; i += writers) {
          {
            absl::MutexLock lock(&mu);
            mu.Await(absl::Condition(
                +[](int* n) { return *n < 32; }, &in_flight));
            ++in_flight;
          }
          ledger_->RecordEntry(Spec("hcct", absl::StrCat(prefix, "-", i), Member(i % kMembers),
                                    Member((i + 1 + w) % kMembers)),
                               ledger::AdminNamed(absl::StrCat("writer-", w)),
                               [&](absl::StatusOr<ledger::Receipt> receipt) {
                                 if (!receipt.ok()) ++failed;
                                 absl::MutexLock lock(&mu);
                                 --in_flight;
                               });
        }
        absl::MutexLock lock(&mu);
        mu.Await(absl::Condition(
            +[](int* n) { return *n == 0; }, &in_flight));
      });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(failed.load(), 0);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }

  uint64_t JournalSize(const std::string& bank_id = "hcct") {
    auto digest = ledger_->GetDigest(ledger::BankId(bank_id));
    EXPECT_TRUE(digest.ok()) << digest.status();
    return digest.ok() ? digest->tree_size : 0;
  }

  static v1::WatchJournalRequest From(uint64_t position, const std::string& bank_id = "hcct") {
    v1::WatchJournalRequest request;
    request.set_bank_id(bank_id);
    request.set_start_position(position);
    return request;
  }

  static std::unique_ptr<grpc::ClientContext> StreamContext() {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
    return context;
  }

  // Reads a stream until `enough` says so (then cancels it) or it ends; returns how it ended.
  static grpc::Status Follow(v1::Audit::Stub& stub, const v1::WatchJournalRequest& request,
                             const std::function<bool(const v1::WatchJournalResponse&)>& enough) {
    auto context = StreamContext();
    auto reader = stub.WatchJournal(context.get(), request);
    v1::WatchJournalResponse message;
    while (reader->Read(&message)) {
      if (enough(message)) {
        context->TryCancel();
        while (reader->Read(&message)) {
        }
        break;
      }
    }
    return reader->Finish();
  }

  std::unique_ptr<v1::Audit::Stub> audit_;

 private:
  static ledger::EntrySpec Spec(const std::string& bank_id, const std::string& entry_id,
                                const std::string& from, const std::string& to) {
    ledger::EntrySpec spec;
    spec.bank_id = bank_id;
    spec.entry_id = entry_id;
    spec.from_account_id = from;
    spec.to_account_id = to;
    spec.minutes = 15;
    return spec;
  }
};

}  // namespace timeledger::services

#endif  // TIMELEDGER_TESTS_SERVICES_JOURNAL_FEED_FIXTURE_H_
