// The change feed (Audit.WatchJournal) over a real server: exactly once and in order across
// disconnects, a watcher that stops reading, how streams end, who may watch what, the limits.
#include <cstdlib>
#include <future>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include <grpcpp/generic/generic_stub.h>

#include "tests/services/journal_feed_fixture.h"

namespace timeledger::services {
namespace {

// Facts the disconnect test records; TIMELEDGER_FEED_TEST_ENTRIES changes it.
int EntriesToRecord() {
  const char* env = std::getenv("TIMELEDGER_FEED_TEST_ENTRIES");
  return env == nullptr ? 100'000 : std::atoi(env);
}

TEST_F(JournalFeedTest, AWatcherGetsEveryFactOnceInOrderAcrossTenServerSideDisconnects) {
  ASSERT_NO_FATAL_FAILURE(Start());
  const int entries = EntriesToRecord();
  constexpr int kDisconnects = 10;
  const uint64_t before = JournalSize();
  const uint64_t total = before + entries;
  // The watcher asks for a disconnect at each tenth of the way and waits until it is made, so
  // that every one lands inside a stream; the main thread makes it from the server's side.
  absl::Mutex mu;
  int asked = 0, made = 0, cancelled_ends = 0;
  Follower follower(0);
  std::thread watcher([&] {
    while (follower.next() < total) {
      // Set once this stream was cancelled: it is then read to its end, the CANCELLED status,
      // even if what the server sent before the cancel takes the follower to the end (messages
      // already in the client's buffer are still read).
      bool cancelled = false;
      const grpc::Status status =
          Follow(*audit_, From(follower.next()), [&](const v1::WatchJournalResponse& message) {
            if (!follower.Take(message)) return true;
            absl::MutexLock lock(&mu);
            if (asked < kDisconnects &&
                follower.next() >=
                    before + (asked + 1) * static_cast<uint64_t>(entries) / (kDisconnects + 1)) {
              ++asked;
              mu.Await(absl::Condition(
                  +[](int* n) { return *n > 0; }, &made));
              --made;
              cancelled = true;
            }
            return !cancelled && follower.next() >= total;
          });
      if (status.error_code() == grpc::StatusCode::CANCELLED && cancelled) {
        ++cancelled_ends;
      } else if (follower.next() < total) {
        ADD_FAILURE() << "the stream ended with " << status.error_message();
        return;
      }
    }
  });
  std::thread disconnects([&] {
    struct Asked {
      const int* asked;
      int disconnects;
      bool Now() const { return *asked > disconnects; }
    };
    for (int i = 0; i < kDisconnects; ++i) {
      absl::MutexLock lock(&mu);
      const Asked ask{&asked, i};
      mu.Await(absl::Condition(&ask, &Asked::Now));
      server_->feed().CancelAllForTest();
      ++made;
    }
  });
  const double seconds = RecordConcurrently(8, entries, "e");
  disconnects.join();
  watcher.join();
  EXPECT_EQ(cancelled_ends, kDisconnects);
  EXPECT_EQ(follower.entries(), static_cast<uint64_t>(entries));
  EXPECT_EQ(follower.positions().size(), total);  // every position once: Take checked the order
  EXPECT_EQ(JournalSize(), total);
  std::printf("recorded %d entries with 8 writers in %.2f s\n", entries, seconds);
}

TEST_F(JournalFeedTest, AWatcherThatStopsReadingDoesNotSlowTheWritersAndThenCatchesUp) {
  ASSERT_NO_FATAL_FAILURE(Start());
  constexpr int kEntries = 20'000;
  const double alone = RecordConcurrently(8, kEntries, "alone");
  const uint64_t start = JournalSize();
  auto context = StreamContext();
  auto reader = audit_->WatchJournal(context.get(), From(start));
  v1::WatchJournalResponse message;
  ASSERT_TRUE(reader->Read(&message));  // the stream stands at `start`
  Follower follower(start);
  ASSERT_TRUE(follower.Take(message));
  const absl::Time stopped = absl::Now();
  const double watched = RecordConcurrently(8, kEntries, "watched");
  // Timings are the bench's; this bound only catches a writer that waits for the watcher.
  EXPECT_LT(watched, 3 * alone + 1.0) << "alone " << alone << " s";
  absl::SleepFor(absl::Seconds(10) - (absl::Now() - stopped));
  const uint64_t total = JournalSize();
  // It reads long pages (kFeedPageFactsMax) from the store; whatever it reads, each message
  // holds at most records_per_message_max facts, and Take checks that the messages sent from the
  // middle of a page hang on the chain.
  const size_t records_max = FeedOptions().records_per_message_max;
  ASSERT_LT(records_max, kFeedPageFactsMax);
  size_t messages = 0;
  while (follower.next() < total && reader->Read(&message)) {
    ASSERT_TRUE(follower.Take(message));
    EXPECT_LE(static_cast<size_t>(message.records_size()), records_max);
    ++messages;
  }
  EXPECT_GE(messages, (total - start) / records_max);
  EXPECT_EQ(follower.next(), total);
  EXPECT_EQ(follower.entries(), static_cast<uint64_t>(kEntries));
  context->TryCancel();
  while (reader->Read(&message)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
}

// A watcher far behind gets messages of at most kFeedMessageBytesMax of facts and one more, the
// most a stream holds in flight, whatever its count cap.
TEST_F(JournalFeedTest, AMessageHoldsAtMostItsBytesOfFactsAndOneMore) {
  ASSERT_NO_FATAL_FAILURE(Start());
  for (int i = 0; i < 300; ++i) {
    ledger::EntrySpec spec;
    spec.bank_id = "hcct";
    spec.entry_id = absl::StrCat("long-", i);
    spec.from_account_id = Member(i % kMembers);
    spec.to_account_id = Member((i + 1) % kMembers);
    spec.minutes = 15;
    spec.note = std::string(ledger::kNoteLengthMax, 'n');
    ASSERT_TRUE(ledger::Await<ledger::Receipt>([&](auto done) {
                  ledger_->RecordEntry(spec, ledger::AdminNamed("t"), std::move(done));
                }).ok());
  }
  const uint64_t size = JournalSize();
  Follower follower(0);
  int cut_by_bytes = 0;
  const grpc::Status status = Follow(*audit_, From(0), [&](const auto& message) {
    if (!follower.Take(message)) return true;
    size_t bytes = 0;
    for (int i = 0; i + 1 < message.records_size(); ++i) bytes += message.records(i).ByteSizeLong();
    EXPECT_LE(bytes, kFeedMessageBytesMax);
    if (message.records_size() < static_cast<int>(FeedOptions().records_per_message_max) &&
        follower.next() < size) {
      ++cut_by_bytes;
    }
    return follower.next() >= size;
  });
  EXPECT_EQ(status.error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_EQ(follower.positions().size(), size);
  EXPECT_GT(cut_by_bytes, 0);
}

TEST_F(JournalFeedTest, ARevokedTokensStreamEndsWithPermissionDenied) {
  FeedOptions feed;
  feed.check_interval = absl::Milliseconds(100);
  ASSERT_NO_FATAL_FAILURE(Start(feed));
  const std::string bearer =
      testing::IssueToken(*ledger_, ledger::PrincipalRole::kCoordinator, "sam", "hcct");
  auto stub = v1::Audit::NewStub(testing::AuthorizedChannel(target_, bearer));
  auto context = StreamContext();
  auto reader = stub->WatchJournal(context.get(), From(0));
  v1::WatchJournalResponse message;
  ASSERT_TRUE(reader->Read(&message));
  EXPECT_GT(message.records_size(), 0);
  ASSERT_TRUE(
      ledger_->tokens().Revoke(bearer.substr(3, 16), ledger::AdminNamed("t"), ledger_->Now()).ok());
  while (reader->Read(&message)) {
  }
  const grpc::Status status = reader->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOf(status), "TOKEN_REVOKED");
}

TEST_F(JournalFeedTest, APartnerOfOneBankSeesOnlyItsOwnAccountsFactsAndNothingOfAnother) {
  ASSERT_NO_FATAL_FAILURE(Start());
  ASSERT_NO_FATAL_FAILURE(MakeBank("other"));
  ASSERT_TRUE(OpenAccount("hcct", "cafe", v1::ORGANISATION).ok());
  ASSERT_TRUE(OpenAccount("other", "cafe", v1::ORGANISATION).ok());
  ASSERT_TRUE(Exchange("hcct", "to-cafe", "m1", "cafe").ok());
  ASSERT_TRUE(Exchange("hcct", "between-members", "m1", "m2").ok());
  ASSERT_TRUE(Exchange("other", "to-other-cafe", "m1", "cafe").ok());
  ASSERT_TRUE(Exchange("hcct", "from-cafe", "cafe", "m3").ok());
  const std::string bearer =
      testing::IssueToken(*ledger_, ledger::PrincipalRole::kPartner, "cafe-till", "hcct", "cafe");
  auto partner = v1::Audit::NewStub(testing::AuthorizedChannel(target_, bearer));

  const uint64_t size = JournalSize("hcct");
  Follower follower(0);
  std::vector<std::string> seen;
  const grpc::Status status = Follow(*partner, From(0), [&](const auto& message) {
    if (!follower.Take(message, /*filtered=*/true)) return true;
    for (const auto& record : message.records()) {
      EXPECT_EQ(record.bank_id(), "hcct");
      seen.push_back(record.type() == v1::ENTRY ? record.entry().entry_id()
                                                : record.account_opened().account_id());
    }
    return follower.next() >= size;
  });
  EXPECT_EQ(status.error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_EQ(seen, (std::vector<std::string>{"cafe", "to-cafe", "from-cafe"}));

  const grpc::Status other = Follow(*partner, From(0, "other"), [](const auto&) { return true; });
  EXPECT_EQ(other.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOf(other), "OUT_OF_SCOPE");
  v1::WatchJournalRequest members = From(0);
  members.set_account_id("m1");
  const grpc::Status theirs = Follow(*partner, members, [](const auto&) { return true; });
  EXPECT_EQ(theirs.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOf(theirs), "PARTNER_OWN_ACCOUNT_ONLY");
}

// The token stays live when an admin binds its name to another account; the stream, whose
// filter was fixed to the old account, ends at its next check instead of following it.
TEST_F(JournalFeedTest, APartnersStreamEndsOnceItsNameIsBoundToAnotherAccount) {
  FeedOptions feed;
  feed.check_interval = absl::Milliseconds(50);
  ASSERT_NO_FATAL_FAILURE(Start(feed));
  ASSERT_TRUE(OpenAccount("hcct", "cafe", v1::ORGANISATION).ok());
  ASSERT_TRUE(OpenAccount("hcct", "bakery", v1::ORGANISATION).ok());
  ASSERT_TRUE(Exchange("hcct", "to-cafe", "m1", "cafe").ok());
  const std::string bearer =
      testing::IssueToken(*ledger_, ledger::PrincipalRole::kPartner, "till", "hcct", "cafe");
  auto stub = v1::Audit::NewStub(testing::AuthorizedChannel(target_, bearer));
  auto context = StreamContext();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  auto reader = stub->WatchJournal(context.get(), From(0));
  v1::WatchJournalResponse message;
  int before = 0;  // cafe opened, to-cafe
  while (before < 2) {
    ASSERT_TRUE(reader->Read(&message));
    before += message.records_size();
  }
  ASSERT_EQ(before, 2);

  testing::IssueToken(*ledger_, ledger::PrincipalRole::kPartner, "till", "hcct", "bakery");
  absl::SleepFor(absl::Milliseconds(500));  // ten checks
  ASSERT_TRUE(Exchange("hcct", "cafe-after", "m2", "cafe").ok());
  ASSERT_TRUE(Exchange("hcct", "bakery-after", "m2", "bakery").ok());
  std::vector<std::string> seen;
  while (reader->Read(&message)) {
    for (const auto& record : message.records()) seen.push_back(record.entry().entry_id());
  }
  const grpc::Status status = reader->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOf(status), "TOKEN_REVOKED");
  EXPECT_EQ(seen, std::vector<std::string>{});
}

// WatchJournal is a raw method: the server parses the request itself. Bytes that are no
// WatchJournalRequest are refused with INVALID_ARGUMENT, and the feed serves the next caller.
TEST_F(JournalFeedTest, BytesThatAreNoRequestAreRefusedAsInvalid) {
  ASSERT_NO_FATAL_FAILURE(Start());
  grpc::GenericStub generic(admin_channel_);
  for (const std::string& bytes :
       {std::string("\x0a\xff\xff\xff\xff\x0f", 6),  // bank_id, longer than the message
        std::string("\x10\x80\x80\x80", 4),            // start_position, a varint cut off
        std::string("\x0f", 1)}) {                       // a tag of no wire type
    grpc::ClientContext context;
    grpc::Slice slice(bytes);
    const grpc::ByteBuffer request(&slice, 1);
    grpc::ByteBuffer response;
    std::promise<grpc::Status> done;
    generic.UnaryCall(&context, "/timeledger.v1.Audit/WatchJournal", grpc::StubOptions(), &request,
                      &response, [&done](grpc::Status status) { done.set_value(status); });
    const grpc::Status status = done.get_future().get();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << absl::BytesToHexString(bytes) << ": " << status.error_message();
    EXPECT_EQ(ReasonOf(status), "INVALID_ARGUMENT") << absl::BytesToHexString(bytes);
  }
  // And serves a request that is one.
  std::vector<uint64_t> positions;
  const grpc::Status status = Follow(*audit_, From(0), [&](const v1::WatchJournalResponse& m) {
    for (const auto& record : m.records()) positions.push_back(record.position());
    return !positions.empty();
  });
  EXPECT_FALSE(positions.empty()) << status.error_message();
}

TEST_F(JournalFeedTest, AKioskMayNotWatch) {
  ASSERT_NO_FATAL_FAILURE(Start());
  const std::string bearer =
      testing::IssueToken(*ledger_, ledger::PrincipalRole::kKiosk, "kiosk-1", "hcct");
  auto kiosk = v1::Audit::NewStub(testing::AuthorizedChannel(target_, bearer));
  const grpc::Status status = Follow(*kiosk, From(0), [](const auto&) { return true; });
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOf(status), "ROLE_NOT_ALLOWED");
}

TEST_F(JournalFeedTest, ATokenHoldsAtMostItsStreamsAtOnce) {
  FeedOptions feed;
  feed.streams_per_token_max = 2;
  ASSERT_NO_FATAL_FAILURE(Start(feed));
  const std::string bearer =
      testing::IssueToken(*ledger_, ledger::PrincipalRole::kCoordinator, "sam", "hcct");
  auto stub = v1::Audit::NewStub(testing::AuthorizedChannel(target_, bearer));
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<grpc::ClientReader<v1::WatchJournalResponse>>> readers;
  v1::WatchJournalResponse message;
  for (int i = 0; i < 2; ++i) {
    contexts.push_back(StreamContext());
    readers.push_back(stub->WatchJournal(contexts.back().get(), From(0)));
    ASSERT_TRUE(readers.back()->Read(&message));
  }
  const grpc::Status third = Follow(*stub, From(0), [](const auto&) { return true; });
  EXPECT_EQ(third.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(ReasonOf(third), "TOO_MANY_STREAMS");
  // Another token is counted apart; an ended stream frees its place.
  EXPECT_EQ(Follow(*audit_, From(0), [](const auto&) { return true; }).error_code(),
            grpc::StatusCode::CANCELLED);
  contexts[0]->TryCancel();
  while (readers[0]->Read(&message)) {
  }
  EXPECT_EQ(readers[0]->Finish().error_code(), grpc::StatusCode::CANCELLED);
  for (int i = 0; i < 100 && server_->feed().open_streams() > 1; ++i) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_EQ(Follow(*stub, From(0), [](const auto&) { return true; }).error_code(),
            grpc::StatusCode::CANCELLED);
  contexts[1]->TryCancel();
}

TEST_F(JournalFeedTest, ShutdownEndsOpenStreamsWithUnavailableAtOnce) {
  ASSERT_NO_FATAL_FAILURE(Start());
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<grpc::ClientReader<v1::WatchJournalResponse>>> readers;
  v1::WatchJournalResponse message;
  // A watcher that does not read, with more facts than gRPC's window holds in flight to it.
  RecordConcurrently(8, 20'000, "e");
  auto stalled_context = StreamContext();
  auto stalled = audit_->WatchJournal(stalled_context.get(), From(0));
  ASSERT_TRUE(stalled->Read(&message));
  // Watchers that have caught up and wait for the next fact.
  for (int i = 0; i < 3; ++i) {
    contexts.push_back(StreamContext());
    readers.push_back(audit_->WatchJournal(contexts.back().get(), From(JournalSize())));
    ASSERT_TRUE(readers.back()->Read(&message));
  }
  const absl::Time start = absl::Now();
  server_->Shutdown(absl::Seconds(30));
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  while (stalled->Read(&message)) {
  }
  const grpc::StatusCode stalled_end = stalled->Finish().error_code();
  EXPECT_TRUE(stalled_end == grpc::StatusCode::UNAVAILABLE ||
              stalled_end == grpc::StatusCode::CANCELLED)
      << stalled_end;
  for (auto& reader : readers) {
    while (reader->Read(&message)) {
    }
    const grpc::Status status = reader->Finish();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
    EXPECT_EQ(ReasonOf(status), "SHUTTING_DOWN");
  }
}

// A partner's stream is cut to its own account, whose facts may be thousands apart: a turn that
// reads its pages and finds nothing to send reads on (with a place to read ahead, as one that
// sent does), and the stream gets exactly the account's facts, in order, to the journal's end.
TEST_F(JournalFeedTest, AStreamCutToASparseAccountPassesOverThousandsOfFactsBetweenItsOwn) {
  ASSERT_NO_FATAL_FAILURE(Start());
  ASSERT_TRUE(OpenAccount("hcct", "sparse", v1::PERSON).ok());
  ASSERT_TRUE(Exchange("hcct", "sparse-1", "m1", "sparse").ok());
  RecordConcurrently(8, 12'000, "between");  // more than 8 pages of 1,000 in a row
  ASSERT_TRUE(Exchange("hcct", "sparse-2", "sparse", "m2").ok());
  RecordConcurrently(8, 3'000, "after");
  const uint64_t size = JournalSize();
  v1::WatchJournalRequest sparse = From(0);
  sparse.set_account_id("sparse");
  Follower follower(0);
  std::vector<std::string> entries;
  int opened = 0;
  const grpc::Status status = Follow(*audit_, sparse, [&](const v1::WatchJournalResponse& m) {
    if (!follower.Take(m, /*filtered=*/true)) return true;
    for (const auto& record : m.records()) {
      if (record.type() == v1::ENTRY) entries.push_back(record.entry().entry_id());
      if (record.type() == v1::ACCOUNT_OPENED) ++opened;
    }
    return follower.next() >= size;
  });
  EXPECT_EQ(status.error_code(), grpc::StatusCode::CANCELLED);  // it reached the end
  EXPECT_EQ(follower.next(), size);
  EXPECT_EQ(opened, 1);
  EXPECT_EQ(entries, (std::vector<std::string>{"sparse-1", "sparse-2"}));
}

TEST_F(JournalFeedTest, FiltersFromNowAndKeepalives) {
  FeedOptions feed;
  feed.keepalive = absl::Milliseconds(200);
  ASSERT_NO_FATAL_FAILURE(Start(feed));
  ASSERT_TRUE(Exchange("hcct", "old", "m1", "m2").ok());
  v1::WatchJournalRequest opened = From(0);
  opened.add_types(v1::ACCOUNT_OPENED);
  const uint64_t size = JournalSize();
  int accounts = 0;
  EXPECT_EQ(Follow(*audit_, opened,
                   [&](const auto& message) {
                     for (const auto& record : message.records()) {
                       EXPECT_EQ(record.type(), v1::ACCOUNT_OPENED);
                       ++accounts;
                     }
                     return message.next_position() >= size;
                   })
                .error_code(),
            grpc::StatusCode::CANCELLED);
  EXPECT_EQ(accounts, kMembers + 1);  // and the pool, opened with the bank

  v1::WatchJournalRequest now = From(0);
  now.set_from_now(true);
  int message_count = 0, keepalives = 0;
  std::vector<std::string> entries;
  std::thread later([&] {
    absl::SleepFor(absl::Milliseconds(300));
    EXPECT_TRUE(Exchange("hcct", "new", "m2", "m3").ok());
  });
  Follow(*audit_, now, [&](const v1::WatchJournalResponse& message) {
    if (message_count++ == 0) {
      EXPECT_EQ(message.next_position(), size);
    }
    for (const auto& record : message.records()) entries.push_back(record.entry().entry_id());
    if (message.records().empty() && message_count > 1) ++keepalives;
    return !entries.empty() && keepalives >= 2;
  });
  later.join();
  EXPECT_EQ(entries, std::vector<std::string>{"new"});
  EXPECT_GE(keepalives, 2);
}

}  // namespace
}  // namespace timeledger::services
