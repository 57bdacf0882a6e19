#include "ledger/core/types.h"

#include <algorithm>

namespace timeledger::ledger {

const char* AccountKindName(AccountKind kind) {
  switch (kind) {
    case AccountKind::kPerson:
      return "person";
    case AccountKind::kOrganisation:
      return "organisation";
    case AccountKind::kPool:
      return "pool";
  }
  return "unknown";
}

const char* RoleName(Role role) {
  switch (role) {
    case Role::kMember:
      return "member";
    case Role::kVolunteer:
      return "volunteer";
    case Role::kStaff:
      return "staff";
  }
  return "unknown";
}

const char* AccountStatusName(AccountStatus status) {
  switch (status) {
    case AccountStatus::kActive:
      return "active";
    case AccountStatus::kSuspended:
      return "suspended";
    case AccountStatus::kClosed:
      return "closed";
  }
  return "unknown";
}

const char* EntryKindName(EntryKind kind) {
  switch (kind) {
    case EntryKind::kExchange:
      return "exchange";
    case EntryKind::kAward:
      return "award";
    case EntryKind::kSpend:
      return "spend";
    case EntryKind::kDonation:
      return "donation";
    case EntryKind::kGrant:
      return "grant";
    case EntryKind::kReversal:
      return "reversal";
    case EntryKind::kQualificationReward:
      return "qualification_reward";
  }
  return "unknown";
}

const char* PendingStateName(PendingState state) {
  switch (state) {
    case PendingState::kPending:
      return "pending";
    case PendingState::kConfirmed:
      return "confirmed";
    case PendingState::kRejected:
      return "rejected";
    case PendingState::kExpired:
      return "expired";
  }
  return "unknown";
}

bool Account::HasRole(Role role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

}  // namespace timeledger::ledger
