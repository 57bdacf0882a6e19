// Building the kiosk's JSON answers as protobuf Structs: one value of each kind. Pure; thread-safe.
#ifndef TIMELEDGER_CLIENTS_KIOSK_JSON_VALUES_H_
#define TIMELEDGER_CLIENTS_KIOSK_JSON_VALUES_H_

#include <cstdint>
#include <string>
#include <utility>

#include "google/protobuf/struct.pb.h"

namespace timeledger::kiosk::json {

inline google::protobuf::Value Str(const std::string& text) {
  google::protobuf::Value value;
  value.set_string_value(text);
  return value;
}

inline google::protobuf::Value Num(int64_t number) {
  google::protobuf::Value value;
  value.set_number_value(static_cast<double>(number));
  return value;
}

inline google::protobuf::Value Bool(bool flag) {
  google::protobuf::Value value;
  value.set_bool_value(flag);
  return value;
}

inline google::protobuf::Value Obj(google::protobuf::Struct object) {
  google::protobuf::Value value;
  *value.mutable_struct_value() = std::move(object);
  return value;
}

}  // namespace timeledger::kiosk::json

#endif  // TIMELEDGER_CLIENTS_KIOSK_JSON_VALUES_H_
