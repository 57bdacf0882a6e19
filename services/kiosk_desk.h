// KioskDesk: members signing in at a kiosk with card and PIN, and what a signed-in member may see
// and do there (ledger/rules/kiosk.h has the rules and limits).
//
// PINs are hashed and checked with Argon2id (libsodium crypto_pwhash_str: salted, 64 MiB, slow
// on purpose) on the desk's own worker thread, never on the ledger's writer or a caller's thread;
// at most kPinJobsWaitingMax jobs wait (more: Unavailable BUSY). What a PIN's check means (the
// lock, the count of wrong PINs, whether the member gets in) is decided by the ledger's writer
// (Ledger::CheckMemberPin), so concurrent wrong PINs cannot be raced past the lockout.
//
// A session is an opaque random id (256 bits, hex), bound to the principal of the kiosk that
// signed the member in and to that one member, ending kKioskSessionLifetime after its last use
// or at sign-out. Sessions are operational state kept in memory only: a restart of the server signs
// every kiosk member out. The kiosk's principal is its authenticated token's: the Kiosk service
// binds sessions to the kiosk's name within its bank ("kiosk-1@holy-cross").
//
// Borrows the Ledger, which must outlive it. Thread-safe; destroying it drains its worker.
#ifndef TIMELEDGER_LEDGER_KIOSK_DESK_H_
#define TIMELEDGER_LEDGER_KIOSK_DESK_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

#include "ledger/core/worker.h"
#include "ledger/engine/ledger.h"
#include "ledger/rules/kiosk.h"
#include "ledger/rules/qualifications.h"

namespace timeledger::ledger {

// A member signed in at a kiosk.
struct KioskSession {
  std::string session_id;
  std::string bank_id;
  std::string account_id;
  std::string display_name;
  std::string kiosk;  // the principal of the kiosk it is bound to
  absl::Time signed_in_at;
  absl::Time expires_at;
};

// One of the member's entries, with the balance after it and the other party's name.
struct MemberEntry {
  Entry entry;
  int64_t balance_after_minutes = 0;
  bool earned = false;             // the member is the one who earned (the entry's to)
  std::string other_account_id;    // the other party
  std::string other_display_name;  // "" if unknown
  bool other_erased = false;       // the other party's personal data was erased
  EntryKind original_kind = EntryKind::kExchange;  // for a reversal, the kind it undid
  std::string activity_title;  // the catalogue's title of entry.activity, "" if none
};

// Time given (earned by exchange or award) and received (paid by exchange or spend) in one
// calendar month of the bank's time zone, net of reversals; of what was received, the part spent
// on offers (spend) apart, so that the kiosk does not say it came from people.
struct MonthGiveTake {
  absl::CivilMonth month;
  int64_t given_minutes = 0;
  int64_t received_minutes = 0;
  int64_t spent_minutes = 0;
};

// A pending entry waiting for this member, with the other party's name.
struct MemberPending {
  PendingEntry pending;
  bool earns = false;  // the member would earn (else pay) if confirmed
  std::string other_display_name;
  std::string activity_title;  // as MemberEntry's
};

// What a signed-in member sees.
// A qualification as the member sees it at the kiosk: held (perhaps ending soon), or a course
// towards it under way. Expired ones are not shown.
struct MemberQualification {
  std::string code;
  std::string title;
  HoldingStatus status = HoldingStatus::kValid;     // kValid, kExpiring or kInProgress
  absl::Time valid_until = absl::InfiniteFuture();  // InfiniteFuture: it does not expire
};

struct MemberSummary {
  Bank bank;
  AccountStanding standing;
  absl::Time as_of;
  absl::Time session_expires_at;
  std::vector<MemberEntry> recent;      // newest first, at most kRecentEntriesShown
  std::vector<MonthGiveTake> months;    // oldest first, kMonthsShown, the last this month
  std::vector<MemberPending> awaiting;  // waiting for this member's confirmation
  std::vector<MemberQualification> qualifications;  // in code order, at most kQualificationsShown
  std::string language;  // the member's kiosk language (kiosk.h), "" if none is set
};
inline constexpr size_t kRecentEntriesShown = 10;
inline constexpr int kMonthsShown = 12;
inline constexpr size_t kAwaitingShownMax = 20;
inline constexpr size_t kQualificationsShown = 20;
inline constexpr int64_t kQualificationExpiringSoonDays = 60;  // "renew soon" at the kiosk

// What the desk counts for timeledgerd's metrics (services/server_metrics.h). Relaxed atomics,
// read at any time.
struct KioskDeskStats {
  std::atomic<uint64_t> signed_in{0};          // sign-ins that opened a session
  std::atomic<uint64_t> card_or_pin_wrong{0};  // sign-ins refused CARD_OR_PIN_WRONG
  std::atomic<uint64_t> card_locked{0};        // sign-ins refused CARD_LOCKED
  std::atomic<uint64_t> refused_other{0};      // sign-ins refused for any other reason
  // Card checks (a sign-in, or a payer's card at a till) refused CARD_LOCKED: the wrong PIN that
  // locks a card, and every try while it stays locked.
  std::atomic<uint64_t> lockouts{0};
};

class KioskDesk {
 public:
  explicit KioskDesk(Ledger* ledger);
  KioskDesk(const KioskDesk&) = delete;
  KioskDesk& operator=(const KioskDesk&) = delete;
  ~KioskDesk();

  // A coordinator sets a member's PIN: validated (InvalidArgument INVALID_PIN), hashed on the
  // worker, then written as a pin_set fact; a lock on the member's card is lifted. `done` runs on
  // the worker or the writer thread. Unavailable BUSY if too many PIN jobs wait.
  void SetPin(std::string bank_id, std::string account_id, std::string pin, const Principal& caller,
              Callback<MemberCard> done);

  // Signs a member in with card and PIN at the kiosk `kiosk`. Errors: InvalidArgument
  // (malformed card or PIN), Unauthenticated CARD_OR_PIN_WRONG (figure attempts_left for a known
  // card), FailedPrecondition CARD_LOCKED (figures locked_until, retry_after_seconds), PIN_NOT_SET,
  // ACCOUNT_CLOSED, Unavailable BUSY. `done` runs on the worker or the writer thread.
  void SignIn(std::string bank_id, std::string card_number, std::string pin, std::string kiosk,
              Callback<KioskSession> done);
  // Checks a member's card and PIN typed at a partner's till, as their consent to a SPEND
  // (Policy::partner_spend_consent): the same check, wrong-PIN count and lockout as SignIn, but
  // no session. `done` gets the card holder's account_id, or SignIn's errors; it runs on the
  // worker or the writer thread.
  void CheckPayerCard(std::string bank_id, std::string card_number, std::string pin,
                      Callback<std::string> done);
  const KioskDeskStats& stats() const { return stats_; }

  // Ends the session if `kiosk` holds it; ending an unknown or ended session is OK.
  void SignOut(const std::string& session_id, const std::string& kiosk);

  // The session, if it is open and bound to `kiosk`, kept open for another lifetime from now.
  // Unauthenticated SESSION_ENDED (unknown, ended or expired), PermissionDenied
  // SESSION_OF_ANOTHER_KIOSK.
  absl::StatusOr<KioskSession> Resolve(const std::string& session_id, const std::string& kiosk);

  // The signed-in member's balance, last entries, give and take by month and pending entries.
  absl::StatusOr<MemberSummary> Summary(const std::string& session_id, const std::string& kiosk);
  // Confirms or rejects a pending entry that waits for the signed-in member (NotFound
  // PENDING_NOT_FOUND for any other); the member is the principal recorded.
  void Confirm(const std::string& session_id, const std::string& kiosk, const std::string& entry_id,
               Callback<Receipt> done);
  void Reject(const std::string& session_id, const std::string& kiosk, const std::string& entry_id,
              Callback<PendingEntry> done);

 private:
  // Checks `pin` on the worker, then has the writer decide (Ledger::CheckMemberPin); `done` gets
  // the card holder's account.
  void CheckCard(std::string bank_id, std::string card_number, std::string pin,
                 Callback<Account> done);
  void CountRefusedSignIn(const absl::Status& refusal);
  // `pin` checked against the hash the card has now (committed). Runs on the worker only.
  absl::StatusOr<PinCheck> CheckPin(const std::string& bank_id, const std::string& card_number,
                                    const std::string& pin) const;
  absl::StatusOr<KioskSession> OpenSession(const std::string& bank_id,
                                           const std::string& account_id,
                                           const std::string& display_name,
                                           const std::string& kiosk);
  // The member's last entries (with the other party's names) and give and take by month; the
  // pending entries waiting for the member.
  absl::Status AddEntries(const KioskSession& session, MemberSummary* summary) const;
  absl::Status AddAwaiting(const KioskSession& session, MemberSummary* summary) const;
  absl::Status AddQualifications(const KioskSession& session, MemberSummary* summary) const;
  std::string NameOf(const std::string& bank_id, const std::string& account_id) const;
  // The other party of `row`: its name, and whether it was erased.
  void NameOther(const std::string& bank_id, MemberEntry* row) const;
  // The catalogue's title of an entry's activity (ActivityCatalogueKind), "" if it has none.
  std::string TitleOf(const std::string& bank_id, const Entry& entry) const;

  Ledger* ledger_;
  std::string dummy_hash_;  // checked against for unknown cards, so they take as long

  absl::Mutex sessions_mu_;
  absl::flat_hash_map<std::string, KioskSession> sessions_ ABSL_GUARDED_BY(sessions_mu_);
  // Card checks accepted whose answer has not come back from the writer yet; the destructor
  // waits for none, since an answer opens a session here.
  size_t checks_in_flight_ ABSL_GUARDED_BY(sessions_mu_) = 0;
  KioskDeskStats stats_;

  Worker worker_{kPinJobsWaitingMax};  // last: drained before the rest goes
};

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_KIOSK_DESK_H_
