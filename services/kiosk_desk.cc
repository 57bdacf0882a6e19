#include "services/kiosk_desk.h"

#include <sodium.h>

#include <algorithm>
#include <deque>
#include <memory>
#include <optional>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

#include "ledger/core/errors.h"
#include "ledger/core/given_received.h"

namespace timeledger::ledger {
namespace {

constexpr size_t kSessionIdBytes = 32;

absl::Status SessionEnded() {
  return Refuse(Reason::kSessionEnded, "the kiosk session has ended; sign in again");
}

absl::Status Busy() {
  return Refuse(Reason::kBusy, "the kiosk desk is busy checking other PINs; try again shortly");
}

std::string NewSessionId() {
  unsigned char bytes[kSessionIdBytes];
  randombytes_buf(bytes, sizeof bytes);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

// Adds an entry of the member's to the month it occurred in, if that month is shown. A reversal
// takes its original's minutes back out of the month the reversal occurred in.
void AddToMonths(const Entry& entry, const Entry* original, const std::string& account_id,
                 const absl::TimeZone& zone, std::vector<MonthGiveTake>* months) {
  const absl::CivilMonth month(absl::ToCivilDay(entry.occurred_at, zone));
  auto it = std::find_if(months->begin(), months->end(),
                         [&](const MonthGiveTake& m) { return m.month == month; });
  if (it == months->end()) return;
  const GivenReceived sums = GivenReceivedBy(entry, original, account_id);
  it->given_minutes += sums.given_minutes;
  it->received_minutes += sums.received_minutes;
  const EntryKind counted_kind = original != nullptr ? original->kind : entry.kind;
  if (counted_kind == EntryKind::kSpend) it->spent_minutes += sums.received_minutes;
}

// Which part of the catalogue names an entry's activity: a spend buys an offer, a reward is for
// a qualification, time given is for an activity.
std::optional<CatalogueKind> ActivityCatalogueKind(EntryKind kind) {
  switch (kind) {
    case EntryKind::kSpend:
      return CatalogueKind::kOffer;
    case EntryKind::kQualificationReward:
      return CatalogueKind::kQualification;
    case EntryKind::kExchange:
    case EntryKind::kAward:
      return CatalogueKind::kActivity;
    default:
      return std::nullopt;
  }
}

}  // namespace

KioskDesk::KioskDesk(Ledger* ledger) : ledger_(ledger) {
  if (sodium_init() < 0) std::abort();  // libsodium cannot work on this machine at all
  // An unknown card is checked against this, so that it takes as long as a known one.
  auto dummy = HashPin("00000000");
  if (dummy.ok()) dummy_hash_ = *dummy;
}

KioskDesk::~KioskDesk() {
  absl::MutexLock lock(&sessions_mu_);
  sessions_mu_.Await(absl::Condition(
      +[](size_t* in_flight) { return *in_flight == 0; }, &checks_in_flight_));
}

void KioskDesk::SetPin(std::string bank_id, std::string account_id, std::string pin,
                       const Principal& caller, Callback<MemberCard> done) {
  if (auto s = ValidatePin(pin); !s.ok()) return std::move(done)(s);
  // The job owns `done` until it runs; if the queue is full it is handed back here.
  auto shared_done = std::make_shared<Callback<MemberCard>>(std::move(done));
  const bool queued = worker_.Submit([this, bank_id, account_id, pin, caller, shared_done] {
    auto hash = HashPin(pin);
    if (!hash.ok()) return std::move(*shared_done)(hash.status());
    ledger_->SetMemberPin(BankId(bank_id), AccountId(account_id), *hash, caller,
                          std::move(*shared_done));
  });
  if (!queued) std::move (*shared_done)(Busy());
}

void KioskDesk::SignIn(std::string bank_id, std::string card_number, std::string pin,
                       std::string kiosk, Callback<KioskSession> done) {
  CheckCard(std::move(bank_id), std::move(card_number), std::move(pin),
            [this, kiosk = std::move(kiosk),
             done = std::move(done)](absl::StatusOr<Account> holder) mutable {
              if (!holder.ok()) {
                CountRefusedSignIn(holder.status());
                return std::move(done)(holder.status());
              }
              auto session =
                  OpenSession(holder->bank_id, holder->account_id, holder->display_name, kiosk);
              if (session.ok()) {
                stats_.signed_in.fetch_add(1, std::memory_order_relaxed);
              } else {
                CountRefusedSignIn(session.status());
              }
              std::move(done)(std::move(session));
            });
}

void KioskDesk::CheckPayerCard(std::string bank_id, std::string card_number, std::string pin,
                               Callback<std::string> done) {
  CheckCard(std::move(bank_id), std::move(card_number), std::move(pin),
            [done = std::move(done)](absl::StatusOr<Account> holder) mutable {
              if (!holder.ok()) return std::move(done)(holder.status());
              std::move(done)(holder->account_id);
            });
}

void KioskDesk::CountRefusedSignIn(const absl::Status& refusal) {
  std::atomic<uint64_t>& count = HasReason(refusal, Reason::kCardOrPinWrong)
                                     ? stats_.card_or_pin_wrong
                                 : HasReason(refusal, Reason::kCardLocked) ? stats_.card_locked
                                                                           : stats_.refused_other;
  count.fetch_add(1, std::memory_order_relaxed);
}

void KioskDesk::CheckCard(std::string bank_id, std::string card_number, std::string pin,
                          Callback<Account> done) {
  if (auto s = ValidateCardNumber(card_number, /*allow_empty=*/false); !s.ok()) {
    return std::move(done)(s);
  }
  if (auto s = ValidatePin(pin); !s.ok()) return std::move(done)(s);
  {
    absl::MutexLock lock(&sessions_mu_);
    ++checks_in_flight_;
  }
  // Runs `done` (on whichever thread answers), then lets the destructor go on.
  auto shared_done = std::make_shared<Callback<Account>>(
      [this, done = std::move(done)](absl::StatusOr<Account> holder) mutable {
        if (!holder.ok() && HasReason(holder.status(), Reason::kCardLocked)) {
          stats_.lockouts.fetch_add(1, std::memory_order_relaxed);
        }
        std::move(done)(std::move(holder));
        absl::MutexLock lock(&sessions_mu_);
        --checks_in_flight_;  // the destructor's Await sees it
      });
  const bool queued = worker_.Submit([this, bank_id, card_number, pin, shared_done] {
    auto check = CheckPin(bank_id, card_number, pin);
    if (!check.ok()) return std::move(*shared_done)(check.status());
    ledger_->CheckMemberPin(BankId(bank_id), card_number, *std::move(check),
                            std::move(*shared_done));
  });
  if (!queued) std::move (*shared_done)(Busy());
}

absl::StatusOr<PinCheck> KioskDesk::CheckPin(const std::string& bank_id,
                                             const std::string& card_number,
                                             const std::string& pin) const {
  PinCheck check;
  auto holder = ledger_->FindCardHolder(BankId(bank_id), card_number);
  if (!holder.ok()) return holder.status();
  if (holder->has_value()) {
    auto card = ledger_->GetMemberCard(BankId(bank_id), **holder);
    if (!card.ok()) return card.status();
    if (card->has_value()) check.pin_hash = (*card)->pin_hash;
  }
  // An unknown card, or one without a PIN, is checked against the dummy hash, so that it takes
  // as long as a known one.
  const bool matches = PinMatches(check.pin_hash.empty() ? dummy_hash_ : check.pin_hash, pin);
  check.matches = matches && !check.pin_hash.empty();
  return check;
}

absl::StatusOr<KioskSession> KioskDesk::OpenSession(const std::string& bank_id,
                                                    const std::string& account_id,
                                                    const std::string& display_name,
                                                    const std::string& kiosk) {
  const absl::Time now = ledger_->Now();
  KioskSession session{
      NewSessionId(), bank_id, account_id, display_name, kiosk, now, now + kKioskSessionLifetime};
  absl::MutexLock lock(&sessions_mu_);
  absl::erase_if(sessions_, [&](const auto& item) { return item.second.expires_at <= now; });
  if (sessions_.size() >= kKioskSessionsMax) return Busy();
  sessions_.emplace(session.session_id, session);
  return session;
}

void KioskDesk::SignOut(const std::string& session_id, const std::string& kiosk) {
  absl::MutexLock lock(&sessions_mu_);
  auto it = sessions_.find(session_id);
  if (it != sessions_.end() && it->second.kiosk == kiosk) sessions_.erase(it);
}

absl::StatusOr<KioskSession> KioskDesk::Resolve(const std::string& session_id,
                                                const std::string& kiosk) {
  absl::MutexLock lock(&sessions_mu_);
  auto it = sessions_.find(session_id);
  if (it == sessions_.end()) return SessionEnded();
  const absl::Time now = ledger_->Now();
  if (it->second.expires_at <= now) {
    sessions_.erase(it);
    return SessionEnded();
  }
  if (it->second.kiosk != kiosk) {
    return Refuse(Reason::kSessionOfAnotherKiosk, "this session was opened at another kiosk");
  }
  it->second.expires_at = now + kKioskSessionLifetime;  // each use keeps it open
  return it->second;
}

absl::StatusOr<MemberSummary> KioskDesk::Summary(const std::string& session_id,
                                                 const std::string& kiosk) {
  auto session = Resolve(session_id, kiosk);
  if (!session.ok()) return session.status();
  MemberSummary summary;
  summary.session_expires_at = session->expires_at;
  auto bank = ledger_->GetBank(BankId(session->bank_id));
  if (!bank.ok()) return bank.status();
  summary.bank = bank->bank;
  auto standing =
      ledger_->GetAccountStanding(BankId(session->bank_id), AccountId(session->account_id));
  if (!standing.ok()) return standing.status();
  summary.standing = *std::move(standing);
  summary.as_of = ledger_->Now();
  if (auto s = AddEntries(*session, &summary); !s.ok()) return s;
  if (auto s = AddAwaiting(*session, &summary); !s.ok()) return s;
  if (auto s = AddQualifications(*session, &summary); !s.ok()) return s;
  auto card = ledger_->GetMemberCard(BankId(session->bank_id), AccountId(session->account_id));
  if (!card.ok()) return card.status();
  if (card->has_value()) summary.language = (*card)->language;
  return summary;
}

std::string KioskDesk::NameOf(const std::string& bank_id, const std::string& account_id) const {
  auto account = ledger_->GetAccount(BankId(bank_id), AccountId(account_id));
  return account.ok() ? account->display_name : std::string();
}

void KioskDesk::NameOther(const std::string& bank_id, MemberEntry* row) const {
  auto account = ledger_->GetAccount(BankId(bank_id), AccountId(row->other_account_id));
  if (!account.ok()) return;
  row->other_display_name = account->display_name;
  row->other_erased = account->personal_data_erased;
}

std::string KioskDesk::TitleOf(const std::string& bank_id, const Entry& entry) const {
  const std::optional<CatalogueKind> kind = ActivityCatalogueKind(entry.kind);
  if (!kind.has_value() || entry.activity.empty()) return "";
  auto item = ledger_->GetCatalogueItem(BankId(bank_id), *kind, entry.activity);
  return item.ok() ? item->title : std::string();
}

absl::Status KioskDesk::AddEntries(const KioskSession& session, MemberSummary* summary) const {
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(summary->bank.time_zone, &zone)) zone = absl::UTCTimeZone();
  const absl::CivilMonth this_month(absl::ToCivilDay(summary->as_of, zone));
  for (int i = kMonthsShown - 1; i >= 0; --i) summary->months.push_back({this_month - i, 0, 0});

  auto view = ledger_->NewReadView();
  auto head = view->GetChainHead(session.bank_id);
  if (!head.ok()) return head.status();
  size_t visited = 0;
  std::deque<MemberEntry> recent;  // newest first
  auto status = view->ForEachPosting(
      session.bank_id, session.account_id, 0, head->next_seq - 1,
      [&](const Entry& entry, int64_t balance_after) -> absl::Status {
        if (++visited > kSummaryEntriesMax) {
          return Refuse(Reason::kSummaryTooLong, "the member has too many entries to show",
                        {{"limit", std::to_string(kSummaryEntriesMax)}});
        }
        MemberEntry row;
        row.entry = entry;
        row.balance_after_minutes = balance_after;
        row.earned = entry.to_account_id == session.account_id;
        row.other_account_id = row.earned ? entry.from_account_id : entry.to_account_id;
        row.original_kind = entry.kind;
        std::optional<Entry> original;
        if (entry.kind == EntryKind::kReversal) {
          auto found = view->GetEntry(session.bank_id, entry.reverses_seq);
          if (!found.ok()) return found.status();
          original = *found;
          if (original.has_value()) row.original_kind = original->kind;
        }
        AddToMonths(entry, original.has_value() ? &*original : nullptr, session.account_id, zone,
                    &summary->months);
        recent.push_front(std::move(row));
        if (recent.size() > kRecentEntriesShown) recent.pop_back();
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  for (MemberEntry& row : recent) {
    NameOther(session.bank_id, &row);
    row.activity_title = TitleOf(session.bank_id, row.entry);
    summary->recent.push_back(std::move(row));
  }
  return absl::OkStatus();
}

absl::Status KioskDesk::AddQualifications(const KioskSession& session,
                                          MemberSummary* summary) const {
  auto page = ledger_->ListQualifications(BankId(session.bank_id), AccountId(session.account_id),
                                          kQualificationExpiringSoonDays,
                                          static_cast<int64_t>(kQualificationsShown), "");
  if (!page.ok()) return page.status();
  for (const HoldingView& view : page->items) {
    if (view.status == HoldingStatus::kExpired) continue;
    MemberQualification shown;
    shown.code = view.holding.qualification_code;
    shown.status = view.status;
    if (view.status != HoldingStatus::kInProgress) shown.valid_until = view.holding.valid_until();
    auto item = ledger_->GetCatalogueItem(BankId(session.bank_id), CatalogueKind::kQualification,
                                          shown.code);
    shown.title = item.ok() ? item->title : shown.code;
    summary->qualifications.push_back(std::move(shown));
  }
  return absl::OkStatus();
}

absl::Status KioskDesk::AddAwaiting(const KioskSession& session, MemberSummary* summary) const {
  auto pending =
      ledger_->ListPending(BankId(session.bank_id), AccountId(session.account_id), kPageSizeMax);
  if (!pending.ok()) return pending.status();
  for (PendingEntry& item : *pending) {
    if (item.confirm_by != session.account_id) continue;
    if (summary->awaiting.size() >= kAwaitingShownMax) break;
    MemberPending row;
    row.earns = item.entry.to_account_id == session.account_id;
    row.other_display_name =
        NameOf(session.bank_id, row.earns ? item.entry.from_account_id : item.entry.to_account_id);
    row.activity_title = TitleOf(session.bank_id, item.entry);
    row.pending = std::move(item);
    summary->awaiting.push_back(std::move(row));
  }
  return absl::OkStatus();
}

void KioskDesk::Confirm(const std::string& session_id, const std::string& kiosk,
                        const std::string& entry_id, Callback<Receipt> done) {
  auto session = Resolve(session_id, kiosk);
  if (!session.ok()) return std::move(done)(session.status());
  // The writer finds only the entries that wait for this member (MemberAtKiosk).
  ledger_->ConfirmEntry(BankId(session->bank_id), EntryId(entry_id),
                        MemberAtKiosk(session->bank_id, session->account_id), std::move(done));
}

void KioskDesk::Reject(const std::string& session_id, const std::string& kiosk,
                       const std::string& entry_id, Callback<PendingEntry> done) {
  auto session = Resolve(session_id, kiosk);
  if (!session.ok()) return std::move(done)(session.status());
  ledger_->RejectEntry(BankId(session->bank_id), EntryId(entry_id),
                       "rejected by the member at a kiosk",
                       MemberAtKiosk(session->bank_id, session->account_id), std::move(done));
}

}  // namespace timeledger::ledger
