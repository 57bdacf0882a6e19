#include "ledger/verify/account_models.h"

#include <random>
#include <utility>

namespace timeledger::ledger::verify_internal {

void AccountModels::Reserve(size_t count) {
  index_.reserve(count);
  ids_.reserve(count);
  models_.reserve(count);
  figures_.reserve(count);
}

bool AccountModels::Add(const std::string& account_id, AccountModel model) {
  if (!index_.emplace(account_id, static_cast<uint32_t>(ids_.size())).second) return false;
  ids_.push_back(account_id);
  models_.push_back(std::move(model));
  figures_.emplace_back();
  return true;
}

namespace {

inline uint64_t Rotate(uint64_t x, int bits) { return (x << bits) | (x >> (64 - bits)); }

struct SipState {
  uint64_t v0, v1, v2, v3;

  void Round() {
    v0 += v1;
    v1 = Rotate(v1, 13) ^ v0;
    v0 = Rotate(v0, 32);
    v2 += v3;
    v3 = Rotate(v3, 16) ^ v2;
    v0 += v3;
    v3 = Rotate(v3, 21) ^ v0;
    v2 += v1;
    v1 = Rotate(v1, 17) ^ v2;
    v2 = Rotate(v2, 32);
  }
  void Absorb(uint64_t m) {
    v3 ^= m;
    Round();
    Round();
    v0 ^= m;
  }
};

}  // namespace

PostingPrint::PostingPrint() {
  std::random_device random;
  k0_ = (uint64_t{random()} << 32) ^ random();
  k1_ = (uint64_t{random()} << 32) ^ random();
}

uint64_t PostingPrint::operator()(uint64_t seq, int64_t balance_after) const {
  // SipHash-2-4 (Aumasson and Bernstein) of the 16 bytes seq || balance_after.
  SipState s{k0_ ^ 0x736f6d6570736575ULL, k1_ ^ 0x646f72616e646f6dULL, k0_ ^ 0x6c7967656e657261ULL,
             k1_ ^ 0x7465646279746573ULL};
  s.Absorb(seq);
  s.Absorb(static_cast<uint64_t>(balance_after));
  s.Absorb(uint64_t{16} << 56);
  s.v2 ^= 0xff;
  for (int i = 0; i < 4; ++i) s.Round();
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

}  // namespace timeledger::ledger::verify_internal
