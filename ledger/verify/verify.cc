#include "ledger/verify/verify.h"

#include <filesystem>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"

#include "ledger/core/errors.h"
#include "ledger/verify/entry_walker.h"
#include "ledger/verify/findings.h"
#include "ledger/verify/journal_reader.h"
#include "ledger/verify/journal_walker.h"
#include "ledger/verify/posting_scan.h"
#include "ledger/verify/state_checks.h"

namespace timeledger::ledger {
namespace {

using verify_internal::CompareState;
using verify_internal::EntryWalker;
using verify_internal::Hex;
using verify_internal::JournalChunk;
using verify_internal::JournalReader;
using verify_internal::JournalWalker;
using verify_internal::kNoPosition;
using verify_internal::PostingPrint;
using verify_internal::PostingScan;

// Feeds the journal, as the reader hands it over, to both sides, until it ends or neither side
// takes more; then tells each side why it ended.
void Walk(JournalReader& reader, JournalWalker& journal, EntryWalker& entries) {
  reader.Start();
  bool probed = false;
  absl::Status read_status;
  while (const JournalChunk* chunk = reader.Next()) {
    if (!probed) {
      probed = true;
      if (!reader.probe_status().ok()) journal.Refuse(reader.probe_status());
    }
    for (size_t i = 0; i < chunk->count && (journal.running() || entries.running()); ++i) {
      const bool journal_took = journal.running();
      if (journal_took) journal.Take(*chunk, i);
      const bool decoded = journal_took && journal.took_entry();
      entries.Take(chunk->records[i], decoded ? &journal.fact().entry : nullptr);
    }
    if (chunk->last) read_status = chunk->read_status;
    if (!journal.running() && !entries.running()) break;
  }
  reader.Stop();
  if (!probed && !reader.probe_status().ok()) journal.Refuse(reader.probe_status());
  journal.Finish(read_status, reader);
  entries.Finish(read_status);
}

BankVerification VerifyBank(StoreReader& snapshot, const Bank& bank, const ChainHead& head,
                            const Policy& policy) {
  BankVerification result;
  result.bank_id = bank.bank_id;
  const PostingPrint print;
  JournalReader reader(snapshot, bank.bank_id);
  JournalWalker journal(snapshot, bank, head, print);
  EntryWalker entries(snapshot, bank.bank_id, head, print);
  PostingScan postings(snapshot, bank.bank_id, print);
  std::thread posting_thread([&] { postings.Run(); });
  Walk(reader, journal, entries);
  posting_thread.join();
  const absl::Status& journal_status = journal.status();
  const absl::Status entry_status = entries.Reconcile(journal, postings);

  result.journal_size = journal.size();
  result.entry_count = entries.count();
  result.root_hash = journal.tree().Root();
  result.journal_hash = journal.chain_hash();
  result.entry_hash = entries.last_hash();
  // The first inconsistency in journal order: the entry side's counts only where it knows the
  // position; the journal side stops the entry side when it stops, so it comes first otherwise.
  // At the same position the entry side's is the more precise: an entry altered inside its fact
  // breaks the journal's chain there too, and the finding names the entry.
  if (!journal_status.ok() && (entry_status.ok() || entries.failed_at() == kNoPosition ||
                               journal.failed_at() < entries.failed_at())) {
    result.status = journal_status;
  } else if (!entry_status.ok()) {
    result.status = entry_status;
  } else {
    result.status = CompareState(snapshot, bank.bank_id, journal, policy, &result.account_count);
    // The count the head carries is what opening believes without reading the accounts.
    if (result.status.ok() && head.has_account_count &&
        head.account_count != result.account_count) {
      result.status = verify_internal::Finding(
          bank.bank_id, Reason::kChainHeadMismatch, verify_internal::Where{},
          "the chain head's number of accounts differs from the accounts in the journal",
          absl::StrCat(result.account_count, " accounts"),
          absl::StrCat(head.account_count, " accounts"));
    }
  }
  return result;
}

}  // namespace

VerifyReport VerifySnapshot(StoreReader& snapshot, const VerifyOptions& options) {
  const absl::Time start = absl::Now();
  VerifyReport report;
  struct Listed {
    Bank bank;
    ChainHead head;
    Policy policy;
  };
  std::vector<Listed> banks;
  report.status = snapshot.ForEachBank(
      [&](const Bank& bank, const ChainHead& head, const Policy& policy) -> absl::Status {
        if (options.bank_id.empty() || options.bank_id.value() == bank.bank_id) {
          banks.push_back(Listed{bank, head, policy});
        }
        return absl::OkStatus();
      });
  if (report.status.ok() && !options.bank_id.empty() && banks.empty()) {
    report.status =
        Refuse(Reason::kBankNotFound, absl::StrCat("there is no bank ", options.bank_id.value()),
               {{"bank_id", options.bank_id}});
  }
  if (!report.status.ok()) {
    report.elapsed = absl::Now() - start;
    return report;
  }
  for (const Listed& listed : banks) {
    BankVerification bank = VerifyBank(snapshot, listed.bank, listed.head, listed.policy);
    report.facts += bank.journal_size;
    report.entries += bank.entry_count;
    if (report.status.ok() && !bank.status.ok()) report.status = bank.status;
    report.banks.push_back(std::move(bank));
  }
  report.elapsed = absl::Now() - start;
  return report;
}

VerifyReport VerifyStoreOffline(const StoreOptions& options, const VerifyOptions& verify) {
  StoreOptions read_only = options;
  read_only.read_only = true;
  auto store = OpenRocksDbStore(read_only);
  if (!store.ok()) {
    VerifyReport report;
    report.status = store.status();
    return report;
  }
  auto snapshot = (*store)->NewSnapshot(BlockCache::kBypass);
  VerifyReport report = VerifySnapshot(*snapshot, verify);
  snapshot.reset();
  return report;
}

std::string FormatVerifyReport(const VerifyReport& report) {
  std::string out;
  for (const BankVerification& bank : report.banks) {
    if (bank.status.ok()) {
      absl::StrAppend(&out, "bank ", bank.bank_id, ": OK, ", bank.journal_size, " facts, ",
                      bank.entry_count, " entries, ", bank.account_count, " accounts, root ",
                      Hex(bank.root_hash), "\n");
    } else {
      absl::StrAppend(&out, "bank ", bank.bank_id, ": DAMAGED ", ReasonOf(bank.status), ": ",
                      bank.status.message(), "\n");
    }
  }
  const double seconds = absl::ToDoubleSeconds(report.elapsed);
  if (report.ok()) {
    absl::StrAppend(&out, "verified ", report.banks.size(), " bank(s), ", report.facts, " facts, ",
                    report.entries, " entries in ", absl::FormatDuration(report.elapsed));
    if (seconds > 0) {
      absl::StrAppend(&out, " (", static_cast<uint64_t>(report.entries / seconds), " entries/s)");
    }
    absl::StrAppend(&out, ": OK\n");
  } else {
    absl::StrAppend(&out, "verification FAILED: ",
                    ReasonOf(report.status).empty() ? absl::StatusCodeToString(report.status.code())
                                                    : ReasonOf(report.status),
                    ": ", report.status.message(), "\n");
  }
  return out;
}

}  // namespace timeledger::ledger
