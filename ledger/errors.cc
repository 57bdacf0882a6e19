#include "ledger/errors.h"

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace timeledger::ledger {
namespace {

constexpr absl::string_view kReasonUrl = "timeledger/reason";
constexpr absl::string_view kFigureUrlPrefix = "timeledger/figure/";

}  // namespace

absl::Status Refusal(absl::StatusCode code, absl::string_view reason, absl::string_view message,
                     Figures figures) {
  absl::Status status(code, message);
  status.SetPayload(kReasonUrl, absl::Cord(reason));
  for (const auto& [name, value] : figures) {
    status.SetPayload(absl::StrCat(kFigureUrlPrefix, name), absl::Cord(value));
  }
  return status;
}

absl::Status InvalidArgument(absl::string_view reason, absl::string_view message,
                             Figures figures) {
  return Refusal(absl::StatusCode::kInvalidArgument, reason, message, figures);
}

absl::Status NotFound(absl::string_view reason, absl::string_view message, Figures figures) {
  return Refusal(absl::StatusCode::kNotFound, reason, message, figures);
}

absl::Status FailedPrecondition(absl::string_view reason, absl::string_view message,
                                Figures figures) {
  return Refusal(absl::StatusCode::kFailedPrecondition, reason, message, figures);
}

absl::Status AlreadyExists(absl::string_view reason, absl::string_view message,
                           Figures figures) {
  return Refusal(absl::StatusCode::kAlreadyExists, reason, message, figures);
}

absl::Status Unavailable(absl::string_view reason, absl::string_view message, Figures figures) {
  return Refusal(absl::StatusCode::kUnavailable, reason, message, figures);
}

std::string ReasonOf(const absl::Status& status) {
  auto payload = status.GetPayload(kReasonUrl);
  return payload ? std::string(*payload) : std::string();
}

std::map<std::string, std::string> FiguresOf(const absl::Status& status) {
  std::map<std::string, std::string> figures;
  status.ForEachPayload([&](absl::string_view url, const absl::Cord& value) {
    if (absl::StartsWith(url, kFigureUrlPrefix)) {
      figures[std::string(url.substr(kFigureUrlPrefix.size()))] = std::string(value);
    }
  });
  return figures;
}

absl::Status WithFigure(absl::Status status, absl::string_view name, std::string value) {
  status.SetPayload(absl::StrCat(kFigureUrlPrefix, name), absl::Cord(value));
  return status;
}

}  // namespace timeledger::ledger
