// Translation between the messages of timeledger/v1/catalogue.proto and
// ledger/rules/qualifications.h.
//
// Pure functions, thread-safe. From-proto functions return InvalidArgument (INVALID_ENUM,
// INVALID_TIMESTAMP, MISSING_DETAILS) for what the domain cannot represent.
#ifndef TIMELEDGER_SERVICES_CATALOGUE_CONVERT_H_
#define TIMELEDGER_SERVICES_CATALOGUE_CONVERT_H_

#include "absl/status/statusor.h"

#include "ledger/rules/qualifications.h"
#include "timeledger/v1/catalogue.pb.h"

namespace timeledger::services {

absl::StatusOr<ledger::CatalogueKind> FromProto(v1::CatalogueKind kind);
absl::StatusOr<ledger::CatalogueItem> FromProto(const v1::CatalogueItem& item);
absl::StatusOr<ledger::AwardSpec> FromProto(const v1::AwardQualificationRequest& request);
ledger::RedeemSpec FromProto(const v1::RedeemOfferRequest& request);

void ToProto(const ledger::CatalogueItem& item, v1::CatalogueItem* out);
void ToProto(const ledger::Award& award, v1::Award* out);
void ToProto(const ledger::AwardReceipt& receipt, v1::AwardQualificationResponse* out);
void ToProto(const ledger::Redemption& redemption, v1::RedeemOfferResponse* out);
void ToProto(const ledger::HoldingView& view, v1::Holding* out);

}  // namespace timeledger::services

#endif  // TIMELEDGER_SERVICES_CATALOGUE_CONVERT_H_
