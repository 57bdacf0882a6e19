#include "services/journal_record_convert.h"

#include <cstdint>
#include <memory>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"

#include "ledger/core/check.h"
#include "ledger/core/merkle.h"
#include "ledger/journal/journal.h"
#include "services/catalogue_convert.h"
#include "services/convert.h"

namespace timeledger::services {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

void SetDigest(const ledger::Digest& digest, std::string* out) {
  out->assign(reinterpret_cast<const char*>(digest.data()), digest.size());
}

absl::string_view View(const ledger::Digest& digest) {
  return absl::string_view(reinterpret_cast<const char*>(digest.data()), digest.size());
}

void FillEntryFact(const ledger::Entry& entry, v1::EntryFact* out) {
  out->set_seq(entry.seq);
  out->set_entry_id(entry.entry_id);
  out->set_kind(static_cast<v1::EntryKind>(entry.kind));
  out->set_from_account_id(entry.from_account_id);
  out->set_to_account_id(entry.to_account_id);
  out->set_minutes(entry.minutes);
  out->set_activity(entry.activity);
  out->set_note(entry.note);
  ToProto(entry.occurred_at, out->mutable_occurred_at());
  ToProto(entry.recorded_at, out->mutable_recorded_at());
  out->set_recorded_by(entry.recorded_by);
  out->set_reverses_seq(entry.reverses_seq);
  out->set_imported(entry.imported);
}

// The generated message `message` is, as an M.
template <class M>
M* As(google::protobuf::Message* message) {
  auto* typed = dynamic_cast<M*>(message);
  TL_CHECK(typed != nullptr);
  return typed;
}

// The records nested in facts, each into the message audit.proto gives it.
void FillRecord(const ledger::Policy& policy, ledger::PolicyRecord,
                google::protobuf::Message* out) {
  ToProto(policy, As<v1::Policy>(out));
}
void FillRecord(const ledger::Entry& entry, ledger::StoredEntryRecord,
                google::protobuf::Message* out) {
  auto* fact = As<v1::EntryFact>(out);
  FillEntryFact(entry, fact);
  SetDigest(entry.hash, fact->mutable_hash());
}
void FillRecord(const ledger::Entry& entry, ledger::CanonicalEntryRecord,
                google::protobuf::Message* out) {
  FillEntryFact(entry, As<v1::EntryFact>(out));
}
void FillRecord(const ledger::CatalogueItem& item, ledger::CatalogueItemRecord,
                google::protobuf::Message* out) {
  ToProto(item, As<v1::CatalogueItem>(out));
}
void FillRecord(const ledger::Award& award, ledger::AwardRecord, google::protobuf::Message* out) {
  ToProto(award, As<v1::Award>(out));
}

// Sets the body of a fact as the JournalRecord.body field named after its type, each field of the
// body into the field of the same name (ledger/journal/fact.h VisitBody), through reflection: a
// new type of fact needs nothing here, only its message in audit.proto.
class BodyToProto {
 public:
  using FieldDescriptor = google::protobuf::FieldDescriptor;

  explicit BodyToProto(v1::JournalRecord* record) : record_(record) {}

  void Name(const char* type_name) {
    const FieldDescriptor* field = record_->GetDescriptor()->FindFieldByName(type_name);
    TL_CHECK(field != nullptr && field->containing_oneof() != nullptr);
    body_ = record_->GetReflection()->MutableMessage(record_, field);
  }
  void Str(const char* name, const std::string& value, size_t) {
    body_->GetReflection()->SetString(body_, Field(name, FieldDescriptor::CPPTYPE_STRING), value);
  }
  void U64(const char* name, uint64_t value) {
    body_->GetReflection()->SetUInt64(body_, Field(name, FieldDescriptor::CPPTYPE_UINT64), value);
  }
  void Time(const char* name, absl::Time value) {
    ToProto(value, As<google::protobuf::Timestamp>(Message(name)));
  }
  bool Optional(bool present) { return present; }
  template <class E>
  void Enum(const char* name, E value, E, E) {
    body_->GetReflection()->SetEnumValue(body_, Field(name, FieldDescriptor::CPPTYPE_ENUM),
                                         static_cast<int>(value));
  }
  template <class E>
  void Enums(const char* name, const std::vector<E>& values, E, E, size_t) {
    const FieldDescriptor* field = Field(name, FieldDescriptor::CPPTYPE_ENUM);
    TL_CHECK(field->is_repeated());
    for (E value : values) {
      body_->GetReflection()->AddEnumValue(body_, field, static_cast<int>(value));
    }
  }
  template <class T, class R>
  void Record(const char* name, const T& value, R codec) {
    FillRecord(value, codec, *name == '\0' ? body_ : Message(name));
  }
  void Personal(const char* name, const std::string& value, const ledger::PersonalSeal&, size_t,
                ledger::PersonalField) {
    Str(name, value, 0);
  }

 private:
  const FieldDescriptor* Field(const char* name, FieldDescriptor::CppType type) const {
    TL_CHECK(body_ != nullptr);
    const FieldDescriptor* field = body_->GetDescriptor()->FindFieldByName(name);
    TL_CHECK(field != nullptr && field->cpp_type() == type);
    return field;
  }
  google::protobuf::Message* Message(const char* name) {
    return body_->GetReflection()->MutableMessage(body_,
                                                  Field(name, FieldDescriptor::CPPTYPE_MESSAGE));
  }

  v1::JournalRecord* record_;
  google::protobuf::Message* body_ = nullptr;
};


// --- The wire writer ----------------------------------------------------------------------------
// Protocol buffers' encoding (https://protobuf.dev/programming-guides/encoding/), as proto3 writes
// it: a scalar that holds its default is left out; a message field that is set is written even
// if empty; repeated scalars are packed.

enum WireType : uint32_t { kVarint = 0, kLengthDelimited = 2 };

void AppendVarint(uint64_t value, std::string* out) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

void AppendTag(int number, WireType type, std::string* out) {
  AppendVarint((static_cast<uint64_t>(number) << 3) | type, out);
}

// A varint field (uint64, int64, int32 and enums, as two's complement), unless 0.
void AppendVarintField(int number, uint64_t value, std::string* out) {
  if (value == 0) return;
  AppendTag(number, kVarint, out);
  AppendVarint(value, out);
}

// A string or bytes field, unless empty.
void AppendBytesField(int number, absl::string_view bytes, std::string* out) {
  if (bytes.empty()) return;
  AppendTag(number, kLengthDelimited, out);
  AppendVarint(bytes.size(), out);
  out->append(bytes.data(), bytes.size());
}

// A message field (set, so written even if its bytes are empty).
void AppendMessageField(int number, absl::string_view bytes, std::string* out) {
  AppendTag(number, kLengthDelimited, out);
  AppendVarint(bytes.size(), out);
  out->append(bytes.data(), bytes.size());
}

// A google.protobuf.Timestamp field, as ToProto(absl::Time) sets it.
void AppendTimeField(int number, absl::Time time, std::string* out) {
  google::protobuf::Timestamp timestamp;
  ToProto(time, &timestamp);
  std::string bytes;  // 12 bytes at most after 1970 (no allocation), 17 before
  AppendVarintField(google::protobuf::Timestamp::kSecondsFieldNumber,
                    static_cast<uint64_t>(timestamp.seconds()), &bytes);
  AppendVarintField(google::protobuf::Timestamp::kNanosFieldNumber,
                    static_cast<uint64_t>(static_cast<int64_t>(timestamp.nanos())), &bytes);
  AppendMessageField(number, bytes, out);
}

// The field `name` of `message`, of the C++ type `type`. Found by name once per thread: the
// cache holds one entry per (message, name) that the code names, a fixed set.
const FieldDescriptor* FieldOf(const Descriptor* message, const char* name,
                               FieldDescriptor::CppType type) {
  thread_local absl::flat_hash_map<std::pair<const Descriptor*, const char*>,
                                   const FieldDescriptor*>
      fields;
  auto [it, inserted] = fields.try_emplace(std::make_pair(message, name), nullptr);
  if (inserted) {
    it->second = message->FindFieldByName(name);
    TL_CHECK(it->second != nullptr && it->second->cpp_type() == type);
  }
  return it->second;
}

// An empty message of type `type`, this thread's, for filling and serialising a nested record
// (its strings keep their memory from one fact to the next).
google::protobuf::Message* ScratchMessage(const Descriptor* type) {
  thread_local absl::flat_hash_map<const Descriptor*, std::unique_ptr<google::protobuf::Message>>
      messages;  // one per message type nested as a record: a fixed set
  auto& message = messages[type];
  if (message == nullptr) {
    message.reset(
        google::protobuf::MessageFactory::generated_factory()->GetPrototype(type)->New());
  }
  message->Clear();
  return message.get();
}

// Writes the body of a fact (VisitBody's calls) as the serialised message of its type, into
// `bytes`; BodyToProto's twin.
class BodyToWire {
 public:
  explicit BodyToWire(std::string* bytes) : bytes_(bytes) {}

  // The JournalRecord field that holds the body.
  int number() const { return number_; }

  void Name(const char* type_name) {
    const FieldDescriptor* field = FieldOf(v1::JournalRecord::descriptor(), type_name,
                                           FieldDescriptor::CPPTYPE_MESSAGE);
    TL_CHECK(field->containing_oneof() != nullptr);
    number_ = field->number();
    body_ = field->message_type();
  }
  void Str(const char* name, const std::string& value, size_t) {
    AppendBytesField(Number(name, FieldDescriptor::CPPTYPE_STRING), value, bytes_);
  }
  void U64(const char* name, uint64_t value) {
    AppendVarintField(Number(name, FieldDescriptor::CPPTYPE_UINT64), value, bytes_);
  }
  void Time(const char* name, absl::Time value) {
    AppendTimeField(Number(name, FieldDescriptor::CPPTYPE_MESSAGE), value, bytes_);
  }
  bool Optional(bool present) { return present; }
  template <class E>
  void Enum(const char* name, E value, E, E) {
    AppendVarintField(Number(name, FieldDescriptor::CPPTYPE_ENUM), EnumValue(value), bytes_);
  }
  template <class E>
  void Enums(const char* name, const std::vector<E>& values, E, E, size_t) {
    const FieldDescriptor* field = FieldOf(body_, name, FieldDescriptor::CPPTYPE_ENUM);
    TL_CHECK(field->is_repeated() && field->is_packed());
    if (values.empty()) return;
    std::string packed;
    for (E value : values) AppendVarint(EnumValue(value), &packed);
    AppendBytesField(field->number(), packed, bytes_);
  }
  template <class T, class R>
  void Record(const char* name, const T& value, R codec) {
    TL_CHECK(body_ != nullptr);
    if (*name == '\0') {  // the body itself
      google::protobuf::Message* message = ScratchMessage(body_);
      FillRecord(value, codec, message);
      TL_CHECK(message->AppendToString(bytes_));
      return;
    }
    const FieldDescriptor* field = FieldOf(body_, name, FieldDescriptor::CPPTYPE_MESSAGE);
    google::protobuf::Message* message = ScratchMessage(field->message_type());
    FillRecord(value, codec, message);
    AppendTag(field->number(), kLengthDelimited, bytes_);
    AppendVarint(message->ByteSizeLong(), bytes_);
    TL_CHECK(message->AppendPartialToString(bytes_));  // the size is cached by ByteSizeLong
  }
  void Personal(const char* name, const std::string& value, const ledger::PersonalSeal&, size_t,
                ledger::PersonalField) {
    Str(name, value, 0);
  }

 private:
  template <class E>
  static uint64_t EnumValue(E value) {
    return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int>(value)));
  }
  int Number(const char* name, FieldDescriptor::CppType type) const {
    TL_CHECK(body_ != nullptr);
    return FieldOf(body_, name, type)->number();
  }

  std::string* bytes_;
  const Descriptor* body_ = nullptr;
  int number_ = 0;
};

}  // namespace

void ToProto(const ledger::JournalRecord& record, const ledger::Fact& fact,
             v1::JournalRecord* out) {
  out->set_position(record.position);
  out->set_type(static_cast<v1::FactType>(fact.type));
  out->set_bank_id(fact.bank_id);
  ToProto(fact.at, out->mutable_at());
  out->set_principal(fact.principal);
  out->set_fact(record.fact);
  SetDigest(record.leaf_hash.has_value() ? *record.leaf_hash : ledger::MerkleLeafHash(record.fact),
            out->mutable_leaf_hash());
  SetDigest(record.chain_hash, out->mutable_chain_hash());
  BodyToProto body(out);
  TL_CHECK(ledger::VisitBody(fact, body));
  ledger::ForEachPersonal(fact, [out](ledger::PersonalField field, const std::string& value,
                                      const ledger::PersonalSeal& seal, size_t) {
    if (!seal.committed()) return;
    auto* personal = out->add_personal();
    personal->set_field(static_cast<v1::PersonalField>(field));
    personal->set_erased(seal.state == ledger::PersonalState::kErased);
    if (personal->erased()) return;
    personal->set_salt(reinterpret_cast<const char*>(seal.salt.data()), seal.salt.size());
    personal->set_value(value);
  });
}


void AppendJournalRecord(const ledger::JournalRecord& record, const ledger::Fact& fact,
                         std::string* out) {
  thread_local std::string body, personal;  // this thread's scratch, kept between facts
  body.clear();
  BodyToWire body_writer(&body);
  TL_CHECK(ledger::VisitBody(fact, body_writer));

  // The fields in their numbers' order, as a message serialises.
  AppendVarintField(v1::JournalRecord::kPositionFieldNumber, record.position, out);
  AppendVarintField(v1::JournalRecord::kTypeFieldNumber, static_cast<uint64_t>(fact.type), out);
  AppendBytesField(v1::JournalRecord::kBankIdFieldNumber, fact.bank_id, out);
  AppendTimeField(v1::JournalRecord::kAtFieldNumber, fact.at, out);
  AppendBytesField(v1::JournalRecord::kPrincipalFieldNumber, fact.principal, out);
  AppendBytesField(v1::JournalRecord::kFactFieldNumber, record.fact, out);
  AppendBytesField(
      v1::JournalRecord::kLeafHashFieldNumber,
      View(record.leaf_hash.has_value() ? *record.leaf_hash : ledger::MerkleLeafHash(record.fact)),
      out);
  AppendBytesField(v1::JournalRecord::kChainHashFieldNumber, View(record.chain_hash), out);
  ledger::ForEachPersonal(fact, [out](ledger::PersonalField field, const std::string& value,
                                      const ledger::PersonalSeal& seal, size_t) {
    if (!seal.committed()) return;
    personal.clear();
    AppendVarintField(v1::PersonalValue::kFieldFieldNumber, static_cast<uint64_t>(field),
                      &personal);
    if (seal.state == ledger::PersonalState::kErased) {
      AppendVarintField(v1::PersonalValue::kErasedFieldNumber, 1, &personal);
    } else {
      AppendBytesField(v1::PersonalValue::kSaltFieldNumber,
                       absl::string_view(reinterpret_cast<const char*>(seal.salt.data()),
                                         seal.salt.size()),
                       &personal);
      AppendBytesField(v1::PersonalValue::kValueFieldNumber, value, &personal);
    }
    AppendMessageField(v1::JournalRecord::kPersonalFieldNumber, personal, out);
  });
  AppendMessageField(body_writer.number(), body, out);
}

}  // namespace timeledger::services
