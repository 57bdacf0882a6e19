// What the property test's worker threads ask for: valid, invalid and mismatched entries,
// retries of acknowledged ones and ids every thread races for.
#include "tests/ledger/engine/ledger_property_model.h"

namespace timeledger::ledger::property {

std::string Worker::Person(const std::string& bank, bool allow_volatile) {
  if (bank == kOtherBank) return PersonId(Uniform(0, kOtherPersons - 1));
  return PersonId(Uniform(allow_volatile ? 0 : kVolatile, kPersons - 1));
}

std::string Worker::Organisation(const std::string& bank) {
  if (bank == kOtherBank) return "hall";
  return Chance(50) ? "centre" : "cafe";
}

int64_t Worker::Minutes(const std::string& bank, EntryKind kind) {
  if (bank == kOtherBank) return Chance(3) ? kEntryMinutesMax : Uniform(1, 240);
  if (!IsTimeGiven(kind)) return Uniform(1, 240);
  return Chance(3) ? kEntryMax : kUnit * Uniform(1, 16);
}

absl::Time Worker::OccurredAt() {
  if (Chance(10)) return absl::InfinitePast();  // "now"
  return absl::Now() - absl::Seconds(Uniform(0, 45 * 86400));
}

EntrySpec Worker::ValidSpec(const std::string& bank, bool allow_volatile) {
  EntrySpec spec;
  spec.bank_id = bank;
  spec.entry_id = FreshId();
  const int kind = Uniform(0, 99);
  if (kind < 40) {
    spec.kind = EntryKind::kExchange;
    spec.from_account_id = Person(bank, allow_volatile);
    do {
      spec.to_account_id = Person(bank, allow_volatile);
    } while (spec.to_account_id == spec.from_account_id);
  } else if (kind < 60) {
    spec.kind = EntryKind::kAward;
    spec.from_account_id = Organisation(bank);
    spec.to_account_id = Person(bank, allow_volatile);
  } else if (kind < 75) {
    spec.kind = EntryKind::kSpend;
    spec.from_account_id = Person(bank, allow_volatile);
    spec.to_account_id = Organisation(bank);
  } else if (kind < 87) {
    spec.kind = EntryKind::kDonation;
    spec.from_account_id = Chance(20) ? Organisation(bank) : Person(bank, allow_volatile);
    spec.to_account_id = kPoolAccountId;
  } else {
    spec.kind = EntryKind::kGrant;
    spec.from_account_id = kPoolAccountId;
    spec.to_account_id = Chance(20) ? Organisation(bank) : Person(bank, allow_volatile);
  }
  spec.minutes = Minutes(bank, spec.kind);
  static const std::vector<std::string> kActivities = {"gardening", "mentoring", "film night",
                                                       "minibus", ""};
  spec.activity = OneOf(kActivities);
  if (Chance(20)) spec.note = "caf\xc3\xa9 slip \xe2\x9c\x93";
  spec.occurred_at = OccurredAt();
  return spec;
}

EntrySpec Worker::SafeSpec() {
  if (Chance(50)) return ValidSpec(kOtherBank, false);
  EntrySpec spec = ValidSpec(kBank, false);
  spec.from_account_id = Chance(50) ? "centre" : "cafe";
  if (Chance(30)) {
    spec.kind = EntryKind::kDonation;
    spec.to_account_id = kPoolAccountId;
  } else {
    spec.kind = Chance(50) ? EntryKind::kExchange : EntryKind::kAward;
    spec.to_account_id = spec.from_account_id == "centre" ? "cafe" : "centre";
  }
  spec.minutes = Minutes(kBank, spec.kind);
  return spec;
}

bool Worker::IsVolatile(const std::string& bank, const std::string& id) {
  if (bank != kBank) return false;
  for (int i = 0; i < kVolatile; ++i) {
    if (id == PersonId(i)) return true;
  }
  return false;
}

EntryAttempt Worker::FreshValid(const std::string& bank) {
  EntryAttempt attempt;
  attempt.spec = ValidSpec(bank, /*allow_volatile=*/true);
  attempt.expect.ok_allowed = true;
  attempt.expect.fresh_id = true;
  if (bank == kBank) attempt.expect.reasons = RuleReasons();
  std::vector<std::string> candidates;
  for (const std::string& id : {attempt.spec.from_account_id, attempt.spec.to_account_id}) {
    if (IsVolatile(bank, id)) candidates.push_back(id);
  }
  if (!candidates.empty()) {
    attempt.expect.reasons.insert("ACCOUNT_SUSPENDED");
    attempt.expect.suspended_candidates = absl::StrJoin(candidates, ",");
  }
  return attempt;
}

EntryAttempt Worker::Invalid() {
  const std::string bank = RandomBank();
  EntryAttempt attempt;
  attempt.spec = ValidSpec(bank, /*allow_volatile=*/false);
  attempt.expect.fresh_id = true;
  EntrySpec& spec = attempt.spec;
  auto hcct_award = [&](int64_t minutes) {
    spec.bank_id = kBank;
    spec.kind = EntryKind::kAward;
    spec.from_account_id = "centre";
    spec.to_account_id = Person(kBank, false);
    spec.minutes = minutes;
  };
  std::string reason;
  switch (Uniform(0, 17)) {
    case 0:
      spec.minutes = 0;
      reason = "INVALID_MINUTES";
      break;
    case 1:
      spec.minutes = -30;
      reason = "INVALID_MINUTES";
      break;
    case 2:
      spec.minutes = kEntryMinutesMax + 1;
      reason = "INVALID_MINUTES";
      break;
    case 3:
      spec.to_account_id = spec.from_account_id;
      reason = "SELF_TRANSFER";
      break;
    case 4:
      spec.to_account_id = "nobody";
      reason = "ACCOUNT_NOT_FOUND";
      break;
    case 5:  // an account of the other bank only: banks do not share accounts
      spec.bank_id = kOtherBank;
      spec.kind = EntryKind::kExchange;
      spec.from_account_id = PersonId(Uniform(kOtherPersons, kPersons - 1));
      spec.to_account_id = PersonId(Uniform(0, kOtherPersons - 1));
      reason = "ACCOUNT_NOT_FOUND";
      break;
    case 6:
      spec.bank_id = "atlantis";
      reason = "BANK_NOT_FOUND";
      break;
    case 7:
      spec.kind = EntryKind::kReversal;
      reason = "REVERSAL_NOT_RECORDABLE";
      break;
    case 8:
      spec.occurred_at = absl::Now() + absl::Hours(2);
      reason = "OCCURRED_IN_FUTURE";
      break;
    case 9:
      spec.occurred_at = absl::FromUnixSeconds(kOccurredAtMinUnixSeconds - 86400);
      reason = "INVALID_OCCURRED_AT";
      break;
    case 10:
      spec.entry_id = Chance(50) ? "-starts-badly" : "has space";
      attempt.expect.fresh_id = false;
      reason = "INVALID_ID";
      break;
    case 11:
      spec.activity = std::string(kActivityLengthMax + 1, 'a');
      reason = "INVALID_TEXT";
      break;
    case 12:
      spec.note = "line one\nline two";
      reason = "INVALID_TEXT";
      break;
    case 13:  // a closed account neither earns nor pays
      spec.bank_id = kBank;
      spec.kind = EntryKind::kExchange;
      spec.from_account_id = Person(kBank, false);
      spec.to_account_id = kClosed;
      if (Chance(50)) std::swap(spec.from_account_id, spec.to_account_id);
      reason = "ACCOUNT_CLOSED";
      break;
    case 14:
      hcct_award(kUnit + 5);
      reason = "GRANULARITY";
      break;
    case 15:
      hcct_award(kEntryMax + kUnit);
      reason = "ENTRY_MAXIMUM";
      break;
    case 16:
      spec.occurred_at = absl::Now() - absl::Hours(24 * (kBackdateDays + 30));
      reason = "BACKDATED";
      break;
    default:
      hcct_award(kUnit * 2);
      spec.to_account_id = PersonId(kStaffOnDuty);
      spec.activity = kDutyActivity;
      reason = "STAFF_ON_DUTY";
      break;
  }
  attempt.expect.reasons.insert(reason);
  return attempt;
}

EntryAttempt Worker::Mismatch() {
  const std::string bank = RandomBank();
  EntryAttempt attempt;
  attempt.spec = ValidSpec(bank, /*allow_volatile=*/false);
  attempt.expect.fresh_id = true;
  attempt.expect.reasons.insert("KIND_MISMATCH");
  EntrySpec& spec = attempt.spec;
  const std::string a = Person(bank, false);
  std::string b;
  do {
    b = Person(bank, false);
  } while (b == a);
  spec.from_account_id = a;
  spec.to_account_id = b;
  switch (Uniform(0, 5)) {
    case 0:
      spec.kind = EntryKind::kDonation;
      break;
    case 1:
      spec.kind = EntryKind::kGrant;
      break;
    case 2:
      spec.kind = EntryKind::kAward;
      break;
    case 3:
      spec.kind = EntryKind::kSpend;
      break;
    case 4:
      spec.kind = EntryKind::kExchange;
      spec.from_account_id = kPoolAccountId;
      break;
    default:
      spec.kind = EntryKind::kAward;
      spec.from_account_id = kPoolAccountId;
      spec.to_account_id = Organisation(bank);
      break;
  }
  return attempt;
}

std::optional<Acked> Worker::SomeAcked() {
  std::lock_guard<std::mutex> lock(acked_mu_);
  if (acked_.empty()) return std::nullopt;
  return OneOf(acked_);
}

EntryAttempt Worker::RetrySame() {
  auto acked = SomeAcked();
  if (!acked) return FreshValid(kOtherBank);
  EntryAttempt attempt;
  attempt.spec = acked->spec;
  attempt.expect.ok_allowed = true;
  attempt.expect.must_replay = true;
  attempt.expect.replay_seq = acked->seq;
  return attempt;
}

EntryAttempt Worker::RetryOther() {
  auto acked = SomeAcked();
  if (!acked) return FreshValid(kOtherBank);
  EntryAttempt attempt;
  attempt.spec = acked->spec;
  switch (Uniform(0, 3)) {
    case 0:
      attempt.spec.minutes = attempt.spec.minutes % kEntryMinutesMax + 1;
      break;
    case 1:
      attempt.spec.note += "!";
      break;
    case 2:
      attempt.spec.activity = attempt.spec.activity == "tea" ? "coffee" : "tea";
      break;
    default: {
      std::lock_guard<std::mutex> lock(acked_mu_);
      if (!acked_reversals_.empty()) {
        const AckedReversal& reversal = OneOf(acked_reversals_);
        attempt.spec.bank_id = kBank;
        attempt.spec.entry_id = reversal.entry_id.empty()
                                    ? absl::StrCat("reversal-of-", reversal.reversed_seq)
                                    : reversal.entry_id;
        // A reversal's default key is the ledger's own name: refused before it is looked up.
        if (reversal.entry_id.empty()) {
          attempt.expect.reasons.insert("RESERVED_ENTRY_ID");
          return attempt;
        }
      } else {
        attempt.spec.minutes = attempt.spec.minutes % kEntryMinutesMax + 1;
      }
      break;
    }
  }
  attempt.expect.reasons.insert("ENTRY_ID_REUSED");
  return attempt;
}

EntryAttempt Worker::Contested() {
  const int k = Uniform(0, kContestedIds - 1);
  EntryAttempt attempt;
  attempt.spec.bank_id = kOtherBank;
  attempt.spec.entry_id = absl::StrCat("contested-", k);
  attempt.spec.kind = EntryKind::kExchange;
  attempt.spec.from_account_id = PersonId(k % 4);
  attempt.spec.to_account_id = PersonId(4 + k % 4);
  attempt.spec.minutes = 10 + k + Uniform(0, 1);
  attempt.spec.activity = "contested";
  attempt.expect.ok_allowed = true;
  attempt.expect.reasons.insert("ENTRY_ID_REUSED");
  return attempt;
}

}  // namespace timeledger::ledger::property
