#include "ledger/verify/qualification_replay.h"

#include "absl/strings/str_cat.h"

namespace timeledger::ledger {
namespace {

ReplayProblem Problem(Reason reason, std::string what, std::string expected = "",
                      std::string found = "") {
  ReplayProblem problem;
  problem.reason = reason;
  problem.what = std::move(what);
  problem.expected = std::move(expected);
  problem.found = std::move(found);
  return problem;
}

std::string Describe(const Entry& entry) {
  return absl::StrCat(EntryKindName(entry.kind), " ", entry.entry_id, " of ", entry.minutes,
                      " minutes from ", entry.from_account_id, " to ", entry.to_account_id);
}

std::string ExpectedReward(const Award& award) {
  return absl::StrCat("qualification_reward ", RewardEntryId(award.award_id), " of ",
                      award.reward_minutes, " minutes from ", award.paid_by, " to ",
                      award.account_id);
}

}  // namespace

std::optional<ReplayProblem> QualificationReplay::Apply(const Fact& fact) {
  if (awaiting_reward_.has_value()) {
    return Problem(Reason::kAwardMismatch, "an award that pays is not followed by its reward entry",
                   ExpectedReward(*awaiting_reward_), FactTypeName(fact.type));
  }
  switch (fact.type) {
    case FactType::kCatalogueItem:
      return ApplyItem(fact);
    case FactType::kQualificationAwarded:
      return ApplyAwardFact(fact.award);
    case FactType::kOfferRedeemed:
      return ApplyRedeemed(fact);
    default:
      return std::nullopt;
  }
}

std::optional<ReplayProblem> QualificationReplay::ApplyItem(const Fact& fact) {
  const CatalogueItem& item = fact.catalogue_item;
  const auto key = std::make_pair(item.kind, item.code);
  auto it = catalogue_.find(key);
  const uint64_t expected_version = it == catalogue_.end() ? 1 : it->second.version + 1;
  if (item.version != expected_version || item.changed_at != fact.at ||
      item.changed_by != fact.principal) {
    return Problem(Reason::kCatalogueMismatch,
                   absl::StrCat("the ", CatalogueKindName(item.kind), " ", item.code,
                                " changes out of order, or not when and by whom its fact says"),
                   absl::StrCat("version ", expected_version),
                   absl::StrCat("version ", item.version));
  }
  if (it != catalogue_.end() && it->second.retired) {
    return Problem(Reason::kCatalogueMismatch,
                   absl::StrCat("the ", CatalogueKindName(item.kind), " ", item.code,
                                " changes after it was retired"));
  }
  catalogue_[key] = item;
  return std::nullopt;
}

Holding& QualificationReplay::HoldingOf(const std::string& bank_id, const std::string& account_id,
                                        const std::string& code) {
  Holding& holding = holdings_[{account_id, code}];
  holding.bank_id = bank_id;
  holding.account_id = account_id;
  holding.qualification_code = code;
  return holding;
}

std::optional<ReplayProblem> QualificationReplay::ApplyAwardFact(const Award& award) {
  auto problem = [&](std::string what, std::string expected = "", std::string found = "") {
    ReplayProblem p =
        Problem(Reason::kAwardMismatch, std::move(what), std::move(expected), std::move(found));
    p.account_id = award.account_id;
    return p;
  };
  if (awards_.contains(award.award_id)) return problem("the award_id is used twice");
  auto qualification = catalogue_.find({CatalogueKind::kQualification, award.qualification_code});
  if (qualification == catalogue_.end()) {
    return problem(absl::StrCat("the award is of ", award.qualification_code,
                                ", which the catalogue does not hold"));
  }
  auto held = holdings_.find({award.account_id, award.qualification_code});
  const AwardDecision decision = DecideAward(
      qualification->second, held == holdings_.end() ? nullptr : &held->second, award.attained_at);
  const std::string paid_by =
      decision.reward_minutes > 0 ? qualification->second.reward_account_id : std::string();
  if (decision.outcome != award.outcome || decision.reward_minutes != award.reward_minutes ||
      decision.expires_at != award.expires_at || paid_by != award.paid_by ||
      (award.reward_minutes == 0) != (award.reward_seq == 0)) {
    return problem("the award does not pay what the catalogue and the member's holding call for",
                   absl::StrCat(AwardOutcomeName(decision.outcome), " paying ",
                                decision.reward_minutes, " minutes"),
                   absl::StrCat(AwardOutcomeName(award.outcome), " paying ", award.reward_minutes,
                                " minutes"));
  }
  awards_[award.award_id] = award;
  ApplyAward(award, &HoldingOf(award.bank_id, award.account_id, award.qualification_code));
  if (award.reward_minutes > 0) awaiting_reward_ = award;
  return std::nullopt;
}

std::optional<ReplayProblem> QualificationReplay::OnEntry(const Entry& entry) {
  last_entry_ = entry;
  if (awaiting_reward_.has_value()) {
    const Award award = *std::move(awaiting_reward_);
    awaiting_reward_.reset();
    if (entry.kind != EntryKind::kQualificationReward || entry.seq != award.reward_seq ||
        entry.entry_id != RewardEntryId(award.award_id) || entry.minutes != award.reward_minutes ||
        entry.from_account_id != award.paid_by || entry.to_account_id != award.account_id) {
      ReplayProblem p =
          Problem(Reason::kAwardMismatch, "the entry after an award that pays is not its reward",
                  ExpectedReward(award), Describe(entry));
      p.seq = entry.seq;
      return p;
    }
    return std::nullopt;
  }
  if (entry.kind == EntryKind::kQualificationReward) {
    ReplayProblem p = Problem(Reason::kAwardMismatch,
                              "a qualification reward entry follows no award that pays it");
    p.seq = entry.seq;
    return p;
  }
  return std::nullopt;
}

std::optional<ReplayProblem> QualificationReplay::ApplyRedeemed(const Fact& fact) {
  auto offer = catalogue_.find({CatalogueKind::kOffer, fact.offer_code});
  ReplayProblem p = Problem(Reason::kRedemptionMismatch, "");
  p.seq = fact.seq;
  p.account_id = fact.account_id;
  if (offer == catalogue_.end() || offer->second.retired) {
    p.what = absl::StrCat("offer ", fact.offer_code, " is redeemed but not in the catalogue");
    return p;
  }
  const CatalogueItem& item = offer->second;
  if (!last_entry_.has_value() || last_entry_->seq != fact.seq ||
      last_entry_->kind != EntryKind::kSpend || last_entry_->from_account_id != fact.account_id ||
      last_entry_->to_account_id != item.organisation_account_id ||
      last_entry_->minutes != item.price_minutes || last_entry_->activity != item.code ||
      fact.qualification_code != item.leads_to_qualification) {
    p.what = "the redemption is not the SPEND entry before it at the offer's price";
    p.expected =
        absl::StrCat("spend of ", item.price_minutes, " minutes to ", item.organisation_account_id);
    p.found = last_entry_.has_value() ? Describe(*last_entry_) : "no entry";
    return p;
  }
  if (!item.leads_to_qualification.empty()) {
    ApplyCourseStarted(item.code, fact.at,
                       &HoldingOf(fact.bank_id, fact.account_id, item.leads_to_qualification));
  }
  return std::nullopt;
}

std::optional<ReplayProblem> QualificationReplay::Finish() const {
  if (!awaiting_reward_.has_value()) return std::nullopt;
  return Problem(Reason::kAwardMismatch, "the journal ends before the reward of its last award",
                 ExpectedReward(*awaiting_reward_), "nothing");
}

absl::StatusOr<std::optional<ReplayProblem>> QualificationReplay::Compare(
    StoreReader& snapshot, const std::string& bank_id) const {
  std::optional<ReplayProblem> problem;
  size_t items = 0, holdings = 0, awards = 0;
  auto differ = [&](Reason reason, std::string what, std::string account_id = "") {
    problem = Problem(reason, std::move(what));
    problem->account_id = std::move(account_id);
    return absl::CancelledError();  // stops the scan; the problem says why
  };
  auto status = snapshot.ForEachCatalogueItem(bank_id, [&](const CatalogueItem& stored) {
    ++items;
    auto it = catalogue_.find({stored.kind, stored.code});
    if (it == catalogue_.end() || EncodeCatalogueItem(it->second) != EncodeCatalogueItem(stored)) {
      return differ(Reason::kCatalogueMismatch,
                    absl::StrCat("the stored ", CatalogueKindName(stored.kind), " ", stored.code,
                                 " differs from the journal"));
    }
    return absl::OkStatus();
  });
  if (status.ok()) {
    status = snapshot.ForEachHolding(bank_id, [&](const Holding& stored) {
      ++holdings;
      auto it = holdings_.find({stored.account_id, stored.qualification_code});
      if (it == holdings_.end() || EncodeHolding(it->second) != EncodeHolding(stored)) {
        return differ(Reason::kHoldingMismatch,
                      absl::StrCat("what the account holds of ", stored.qualification_code,
                                   " differs from the journal"),
                      stored.account_id);
      }
      return absl::OkStatus();
    });
  }
  if (status.ok()) {
    status = snapshot.ForEachAward(bank_id, [&](const Award& stored) {
      ++awards;
      auto it = awards_.find(stored.award_id);
      if (it == awards_.end() || EncodeAward(it->second) != EncodeAward(stored)) {
        return differ(
            Reason::kAwardMismatch,
            absl::StrCat("the stored award ", stored.award_id, " differs from the journal"),
            stored.account_id);
      }
      return absl::OkStatus();
    });
  }
  if (problem.has_value()) return problem;
  if (!status.ok()) return status;
  if (items != catalogue_.size() || holdings != holdings_.size() || awards != awards_.size()) {
    return std::optional<ReplayProblem>(
        Problem(Reason::kQualificationsMissing,
                "the journal records catalogue items, holdings or awards that are not stored",
                absl::StrCat(catalogue_.size(), " items, ", holdings_.size(), " holdings, ",
                             awards_.size(), " awards"),
                absl::StrCat(items, " items, ", holdings, " holdings, ", awards, " awards")));
  }
  return std::optional<ReplayProblem>();
}

}  // namespace timeledger::ledger
