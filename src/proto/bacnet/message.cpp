#include "proto/bacnet/message.h"

#include <utility>

#include "proto/bacnet/names.h"

namespace tocsin::proto::bacnet {

namespace {

// BVLC functions (J.2).
constexpr std::uint8_t kBvlcResult = 0x00;
constexpr std::uint8_t kForwardedNpdu = 0x04;
constexpr std::uint8_t kRegisterForeignDevice = 0x05;
constexpr std::uint8_t kDeleteFdtEntry = 0x08;
constexpr std::uint8_t kDistributeBroadcast = 0x09;
constexpr std::uint8_t kOriginalUnicast = 0x0A;
constexpr std::uint8_t kOriginalBroadcast = 0x0B;

// Confirmed services (BACnetConfirmedServiceChoice).
namespace confirmed {
constexpr std::uint8_t acknowledge_alarm = 0;
constexpr std::uint8_t cov_notification = 1;
constexpr std::uint8_t event_notification = 2;
constexpr std::uint8_t subscribe_cov = 5;
constexpr std::uint8_t atomic_read_file = 6;
constexpr std::uint8_t atomic_write_file = 7;
constexpr std::uint8_t add_list_element = 8;
constexpr std::uint8_t remove_list_element = 9;
constexpr std::uint8_t create_object = 10;
constexpr std::uint8_t delete_object = 11;
constexpr std::uint8_t read_property = 12;
constexpr std::uint8_t read_property_multiple = 14;
constexpr std::uint8_t write_property = 15;
constexpr std::uint8_t write_property_multiple = 16;
constexpr std::uint8_t device_communication_control = 17;
constexpr std::uint8_t private_transfer = 18;
constexpr std::uint8_t reinitialize_device = 20;
constexpr std::uint8_t read_range = 26;
constexpr std::uint8_t subscribe_cov_property = 28;
}  // namespace confirmed

// Unconfirmed services (BACnetUnconfirmedServiceChoice).
namespace unconfirmed {
constexpr std::uint8_t i_am = 0;
constexpr std::uint8_t i_have = 1;
constexpr std::uint8_t cov_notification = 2;
constexpr std::uint8_t event_notification = 3;
constexpr std::uint8_t private_transfer = 4;
constexpr std::uint8_t time_synchronization = 6;
constexpr std::uint8_t who_has = 7;
constexpr std::uint8_t who_is = 8;
constexpr std::uint8_t utc_time_synchronization = 9;
}  // namespace unconfirmed

// Reads a service's parameters as its grammar lists them. Failures are sticky: once a
// parameter is missing or malformed, `ok()` is false and later reads return nothing.
class ServiceReader {
  public:
    ServiceReader(ByteSpan data, Apdu& apdu) : in_(data), apdu_(apdu) {}

    bool ok() const { return ok_ && in_.ok(); }
    bool empty() const { return in_.empty(); }
    bool too_many() const { return too_many_; }
    void fail() { ok_ = false; }

    // The next tag without consuming it.
    std::optional<Tag> peek() const {
        ByteCursor copy = in_;
        return read_tag(copy);
    }
    bool next_is(bool context, std::uint8_t number, Tag::Kind kind) const {
        if (!ok() || in_.empty()) return false;
        const auto t = peek();
        return t && t->context == context && t->number == number && t->kind == kind;
    }
    bool next_is_context(std::uint8_t n) const { return next_is(true, n, Tag::Kind::primitive); }
    bool next_opens(std::uint8_t n) const { return next_is(true, n, Tag::Kind::opening); }

    // A context-tagged primitive [n]: required fails when absent.
    std::optional<Tag> context(std::uint8_t n, bool required = true) {
        if (next_is_context(n)) return read_tag(in_);
        if (required) ok_ = false;
        return std::nullopt;
    }
    std::optional<std::uint64_t> context_unsigned(std::uint8_t n, bool required = true) {
        const auto t = context(n, required);
        std::uint64_t v = 0;
        if (!t) return std::nullopt;
        if (!decode_unsigned(t->data, v)) {
            ok_ = false;
            return std::nullopt;
        }
        return v;
    }
    std::optional<ObjectId> context_object(std::uint8_t n, bool required = true) {
        const auto t = context(n, required);
        ObjectId id;
        if (!t) return std::nullopt;
        if (!decode_object_id(t->data, id)) {
            ok_ = false;
            return std::nullopt;
        }
        return id;
    }
    bool open(std::uint8_t n) {
        if (next_opens(n)) return read_tag(in_).has_value();
        ok_ = false;
        return false;
    }
    bool close(std::uint8_t n) {
        if (next_is(true, n, Tag::Kind::closing)) return read_tag(in_).has_value();
        ok_ = false;
        return false;
    }
    bool next_closes(std::uint8_t n) const { return next_is(true, n, Tag::Kind::closing); }

    // An application-tagged value of `tag`; required fails when absent.
    std::optional<Value> application(AppTag tag, bool required = true) {
        if (next_is(false, static_cast<std::uint8_t>(tag), Tag::Kind::primitive)) {
            const auto t = read_tag(in_);
            if (auto v = t ? decode_application(*t) : std::nullopt) return v;
        }
        if (required) ok_ = false;
        return std::nullopt;
    }

    // Values up to the closing tag [n] (consumed), constructed values flattened to their
    // primitives, nesting bounded by kMaxDepth.
    void values_until_close(std::uint8_t n, std::vector<Value>& out) {
        std::size_t depth = 0;
        while (ok()) {
            const auto t = read_tag(in_);
            if (!t) {
                ok_ = false;
                return;
            }
            if (t->kind == Tag::Kind::closing) {
                if (depth == 0) {
                    if (!t->context || t->number != n) ok_ = false;
                    return;
                }
                --depth;
                continue;
            }
            if (t->kind == Tag::Kind::opening) {
                if (++depth > kMaxDepth) ok_ = false;
                continue;
            }
            std::optional<Value> v = t->context ? context_value(*t) : decode_application(*t);
            if (!v) {
                ok_ = false;
                return;
            }
            if (out.size() < kMaxValues)
                out.push_back(std::move(*v));
            else
                too_many_ = true;
        }
    }

    // Skips one parameter: a primitive, or a constructed one to its matching closing tag.
    void skip_parameter() {
        std::size_t depth = 0;
        do {
            const auto t = read_tag(in_);
            if (!t) {
                ok_ = false;
                return;
            }
            if (t->kind == Tag::Kind::opening) {
                if (++depth > kMaxDepth) {
                    ok_ = false;
                    return;
                }
            } else if (t->kind == Tag::Kind::closing) {
                if (depth == 0) {
                    ok_ = false;
                    return;
                }
                --depth;
            }
        } while (depth > 0 && ok());
    }
    void skip_tag() {
        if (!read_tag(in_)) ok_ = false;
    }
    void skip_rest() {
        while (ok() && !in_.empty()) skip_parameter();
    }

    // ---- what the message lists ----
    ObjectRef* add_object(ObjectId id) {
        if (apdu_.objects.size() >= kMaxObjects) {
            too_many_ = true;
            return nullptr;
        }
        apdu_.objects.push_back({id, {}});
        return &apdu_.objects.back();
    }
    Property* add_property(ObjectRef* object, std::uint32_t id) {
        if (object == nullptr || properties_ >= kMaxProperties) {
            too_many_ = true;
            return nullptr;
        }
        ++properties_;
        object->properties.push_back({});
        object->properties.back().id = id;
        return &object->properties.back();
    }
    void param(std::string_view name, std::int64_t number) {
        apdu_.params.push_back({name, number, {}, false});
    }
    void param_text(std::string_view name, std::string text) {
        apdu_.params.push_back({name, 0, std::move(text), true});
    }

  private:
    ByteCursor in_;
    Apdu& apdu_;
    bool ok_ = true;
    bool too_many_ = false;
    std::size_t properties_ = 0;
};

// A property reference: [p] identifier, [p+1] array index (optional).
Property* property_reference(ServiceReader& r, ObjectRef* object, std::uint8_t p) {
    const auto id = r.context_unsigned(p);
    if (!id) return nullptr;
    Property* prop = r.add_property(object, static_cast<std::uint32_t>(*id));
    const auto index = r.context_unsigned(p + 1, false);
    if (prop != nullptr && index) prop->array_index = static_cast<std::uint32_t>(*index);
    return prop;
}

// Values inside [n] ... [/n] into `prop` (or dropped when the bounds left no room for it).
void property_values(ServiceReader& r, Property* prop, std::uint8_t n) {
    if (!r.open(n)) return;
    std::vector<Value> scratch;
    r.values_until_close(n, prop != nullptr ? prop->values : scratch);
}

// ReadProperty-Request / -ACK, WriteProperty-Request, Add/RemoveListElement, ReadRange:
// [0] object, [1] property, [2] index, then [3] values (ACK, write, list) and [4] priority.
void read_write_property(ServiceReader& r, bool values, bool priority) {
    const auto object = r.context_object(0);
    if (!object) return;
    ObjectRef* ref = r.add_object(*object);
    Property* prop = property_reference(r, ref, 1);
    if (values) property_values(r, prop, 3);
    if (priority) {
        const auto p = r.context_unsigned(4, false);
        if (prop != nullptr && p) prop->priority = static_cast<std::uint8_t>(*p);
    }
}

// ReadPropertyMultiple-Request: ReadAccessSpecification { [0] object, [1] { [0] property,
// [1] index }... }...
void read_property_multiple(ServiceReader& r) {
    while (r.ok() && !r.empty()) {
        const auto object = r.context_object(0);
        if (!object || !r.open(1)) return;
        ObjectRef* ref = r.add_object(*object);
        while (r.ok() && !r.next_closes(1)) property_reference(r, ref, 0);
        r.close(1);
    }
}

// ReadPropertyMultiple-ACK: ReadAccessResult { [0] object, [1] { [2] property, [3] index,
// [4] values | [5] error }... }...
void read_property_multiple_ack(ServiceReader& r) {
    while (r.ok() && !r.empty()) {
        const auto object = r.context_object(0);
        if (!object || !r.open(1)) return;
        ObjectRef* ref = r.add_object(*object);
        while (r.ok() && !r.next_closes(1)) {
            Property* prop = property_reference(r, ref, 2);
            if (r.next_opens(4)) {
                property_values(r, prop, 4);
            } else if (r.open(5)) {
                const auto cls = r.application(AppTag::enumerated);
                const auto code = r.application(AppTag::enumerated);
                if (prop != nullptr && cls && code)
                    prop->error = ErrorInfo{static_cast<std::uint32_t>(cls->u),
                                            static_cast<std::uint32_t>(code->u)};
                r.close(5);
            }
        }
        r.close(1);
    }
}

// BACnetPropertyValue list: { [0] property, [1] index, [2] values, [3] priority }...
void property_value_list(ServiceReader& r, ObjectRef* ref, std::uint8_t closing) {
    while (r.ok() && !r.next_closes(closing)) {
        Property* prop = property_reference(r, ref, 0);
        property_values(r, prop, 2);
        const auto p = r.context_unsigned(3, false);
        if (prop != nullptr && p) prop->priority = static_cast<std::uint8_t>(*p);
    }
    r.close(closing);
}

// WritePropertyMultiple-Request: WriteAccessSpecification { [0] object, [1] values }...
void write_property_multiple(ServiceReader& r) {
    while (r.ok() && !r.empty()) {
        const auto object = r.context_object(0);
        if (!object || !r.open(1)) return;
        property_value_list(r, r.add_object(*object), 1);
    }
}

// (Un)confirmedCOVNotification: [0] process, [1] initiating device, [2] monitored object,
// [3] time remaining, [4] { property values }.
void cov_notification(ServiceReader& r) {
    const auto process = r.context_unsigned(0);
    const auto device = r.context_object(1);
    const auto object = r.context_object(2);
    const auto remaining = r.context_unsigned(3);
    if (!r.ok()) return;
    r.param("subscriber_process_id", *process);
    r.param("time_remaining", *remaining);
    r.add_object(*device);  // the initiating device, then the monitored object
    ObjectRef* ref = r.add_object(*object);
    if (r.open(4)) property_value_list(r, ref, 4);
}

// SubscribeCOV(Property): [0] process, [1] object, [2] confirmed, [3] lifetime, then for
// SubscribeCOVProperty [4] { property reference } and [5] COV increment.
void subscribe_cov(ServiceReader& r, bool property) {
    const auto process = r.context_unsigned(0);
    const auto object = r.context_object(1);
    if (!r.ok()) return;
    r.param("subscriber_process_id", *process);
    ObjectRef* ref = r.add_object(*object);
    if (const auto confirmed = r.context_unsigned(2, false))
        r.param("issue_confirmed_notifications", *confirmed);
    if (const auto lifetime = r.context_unsigned(3, false)) r.param("lifetime", *lifetime);
    if (property && r.open(4)) {
        property_reference(r, ref, 0);
        r.close(4);
    }
    r.skip_rest();
}

// AtomicReadFile / AtomicWriteFile requests: file object, then [0] stream { start, count or
// data } or [1] record { start, count, (data) }.
void atomic_file(ServiceReader& r, bool write) {
    const auto file = r.application(AppTag::object_id);
    if (!file) return;
    r.add_object(file->object);
    const bool stream = r.next_opens(0);
    const std::uint8_t n = stream ? 0 : 1;
    if (!r.open(n)) return;
    r.param_text("access", stream ? "stream" : "record");
    if (const auto start = r.application(AppTag::signed_int))
        r.param(stream ? "start_position" : "start_record", start->i);
    if (write && stream) {
        if (const auto data = r.application(AppTag::octet_string))
            r.param("octet_count", static_cast<std::int64_t>(data->text.size() / 2));
    } else if (const auto count = r.application(AppTag::unsigned_int)) {
        r.param(stream ? "octet_count" : "record_count", count->u);
    }
    while (r.ok() && !r.next_closes(n)) r.skip_parameter();
    r.close(n);
}

void device_communication_control(ServiceReader& r) {
    if (const auto duration = r.context_unsigned(0, false)) r.param("time_duration", *duration);
    const auto state = r.context_unsigned(1);
    if (!state) return;
    r.param("enable_disable", *state);
    if (const auto name = enable_disable_name(static_cast<std::uint32_t>(*state)); !name.empty())
        r.param_text("enable_disable_name", std::string(name));
    // The password itself is not logged: only that one was given.
    if (r.context(2, false)) r.param("password_present", 1);
}

void reinitialize_device(ServiceReader& r) {
    const auto state = r.context_unsigned(0);
    if (!state) return;
    r.param("reinitialized_state", *state);
    if (const auto name = reinitialize_state_name(static_cast<std::uint32_t>(*state));
        !name.empty())
        r.param_text("reinitialized_state_name", std::string(name));
    if (r.context(1, false)) r.param("password_present", 1);
}

void private_transfer(ServiceReader& r) {
    const auto vendor = r.context_unsigned(0);
    const auto number = r.context_unsigned(1);
    if (!r.ok()) return;
    r.param("vendor_id", *vendor);
    r.param("service_number", *number);
    r.skip_rest();
}

// CreateObject: [0] { [0] object type | [1] object identifier }, [1] { initial values }.
void create_object(ServiceReader& r) {
    if (!r.open(0)) return;
    ObjectRef* ref = nullptr;
    if (const auto type = r.context_unsigned(0, false)) {
        ref = r.add_object({static_cast<std::uint16_t>(*type & 0x3FF), kWildcardInstance});
        r.param("instance_chosen_by_device", 1);
    } else if (const auto id = r.context_object(1)) {
        ref = r.add_object(*id);
    }
    r.close(0);
    if (r.next_opens(1)) {
        r.open(1);
        property_value_list(r, ref, 1);
    }
}

void i_am(ServiceReader& r) {
    const auto device = r.application(AppTag::object_id);
    const auto max_apdu = r.application(AppTag::unsigned_int);
    const auto segmentation = r.application(AppTag::enumerated);
    const auto vendor = r.application(AppTag::unsigned_int);
    if (!r.ok()) return;
    r.add_object(device->object);
    r.param("max_apdu_length_accepted", max_apdu->u);
    r.param("segmentation_supported", segmentation->u);
    if (const auto name = segmentation_name(static_cast<std::uint32_t>(segmentation->u));
        !name.empty())
        r.param_text("segmentation_supported_name", std::string(name));
    r.param("vendor_id", vendor->u);
    if (const auto name = vendor_name(static_cast<std::uint32_t>(vendor->u)); !name.empty())
        r.param_text("vendor_name", std::string(name));
}

void i_have(ServiceReader& r) {
    const auto device = r.application(AppTag::object_id);
    const auto object = r.application(AppTag::object_id);
    const auto name = r.application(AppTag::character_string);
    if (!r.ok()) return;
    r.add_object(device->object);
    r.add_object(object->object);
    r.param_text("object_name", name->text);
}

// Who-Is and Who-Has: [0] low limit, [1] high limit (both or neither); Who-Has then
// [2] object identifier or [3] object name.
void who(ServiceReader& r, bool has) {
    if (const auto low = r.context_unsigned(0, false)) {
        r.param("device_instance_low", *low);
        if (const auto high = r.context_unsigned(1)) r.param("device_instance_high", *high);
    }
    if (!has) return;
    if (const auto object = r.context_object(2, false)) {
        r.add_object(*object);
    } else if (const auto name = r.context(3)) {
        if (const auto text = decode_application({Tag::Kind::primitive, false, 7, 0, name->data}))
            r.param_text("object_name", text->text);
    }
}

void time_synchronization(ServiceReader& r) {
    const auto date = r.application(AppTag::date);
    const auto time = r.application(AppTag::time);
    if (!r.ok()) return;
    std::string text = date->text;
    text.append("T").append(time->text);
    r.param_text("time", std::move(text));
}

// Any other service: its application-tagged object identifiers, wherever they are.
void generic(ServiceReader& r) {
    while (r.ok() && !r.empty()) {
        const auto t = r.peek();
        if (t && !t->context && t->kind == Tag::Kind::primitive &&
            t->number == static_cast<std::uint8_t>(AppTag::object_id)) {
            if (const auto v = r.application(AppTag::object_id)) r.add_object(v->object);
        } else if (t && t->kind != Tag::Kind::primitive) {
            r.skip_tag();  // stepped over one at a time, so nested ids are seen
        } else {
            r.skip_parameter();
        }
    }
}

void confirmed_request(ServiceReader& r, std::uint8_t service) {
    switch (service) {
        case confirmed::read_property:
        case confirmed::read_range:
            read_write_property(r, false, false);
            if (service == confirmed::read_range) r.skip_rest();
            break;
        case confirmed::write_property:
            read_write_property(r, true, true);
            break;
        case confirmed::add_list_element:
        case confirmed::remove_list_element:
            read_write_property(r, true, false);
            break;
        case confirmed::read_property_multiple:
            read_property_multiple(r);
            break;
        case confirmed::write_property_multiple:
            write_property_multiple(r);
            break;
        case confirmed::subscribe_cov:
            subscribe_cov(r, false);
            break;
        case confirmed::subscribe_cov_property:
            subscribe_cov(r, true);
            break;
        case confirmed::cov_notification:
            cov_notification(r);
            break;
        case confirmed::atomic_read_file:
            atomic_file(r, false);
            break;
        case confirmed::atomic_write_file:
            atomic_file(r, true);
            break;
        case confirmed::device_communication_control:
            device_communication_control(r);
            break;
        case confirmed::reinitialize_device:
            reinitialize_device(r);
            break;
        case confirmed::private_transfer:
            private_transfer(r);
            break;
        case confirmed::create_object:
            create_object(r);
            break;
        case confirmed::delete_object:
            if (const auto id = r.application(AppTag::object_id)) r.add_object(id->object);
            break;
        case confirmed::acknowledge_alarm:
        case confirmed::event_notification:
        default:
            generic(r);
            break;
    }
}

void complex_ack(ServiceReader& r, std::uint8_t service) {
    switch (service) {
        case confirmed::read_property:
            read_write_property(r, true, false);
            break;
        case confirmed::read_property_multiple:
            read_property_multiple_ack(r);
            break;
        case confirmed::create_object:
            if (const auto id = r.application(AppTag::object_id)) r.add_object(id->object);
            break;
        case confirmed::private_transfer:
            private_transfer(r);
            break;
        case confirmed::atomic_read_file: {
            if (const auto eof = r.application(AppTag::boolean)) r.param("end_of_file", eof->u);
            r.skip_rest();
            break;
        }
        default:
            generic(r);
            break;
    }
}

void unconfirmed_request(ServiceReader& r, std::uint8_t service) {
    switch (service) {
        case unconfirmed::i_am:
            i_am(r);
            break;
        case unconfirmed::i_have:
            i_have(r);
            break;
        case unconfirmed::who_is:
            who(r, false);
            break;
        case unconfirmed::who_has:
            who(r, true);
            break;
        case unconfirmed::cov_notification:
            cov_notification(r);
            break;
        case unconfirmed::private_transfer:
            private_transfer(r);
            break;
        case unconfirmed::time_synchronization:
        case unconfirmed::utc_time_synchronization:
            time_synchronization(r);
            break;
        case unconfirmed::event_notification:
        default:
            generic(r);
            break;
    }
}

// Error-PDU (20.1.7): error class and code as two application enumerations, directly or
// inside the constructed error of the services that extend it ([0] { class, code } ...).
void error_parameters(ServiceReader& r, Apdu& a) {
    std::optional<Value> cls;
    std::optional<Value> code;
    for (int steps = 0; steps < 16 && r.ok() && !r.empty() && !code; ++steps) {
        const auto t = r.peek();
        if (t && !t->context && t->kind == Tag::Kind::primitive &&
            t->number == static_cast<std::uint8_t>(AppTag::enumerated)) {
            (cls ? code : cls) = r.application(AppTag::enumerated);
        } else if (t && t->kind == Tag::Kind::opening && !cls) {
            r.open(t->number);  // step into the constructed error
        } else {
            break;
        }
    }
    if (cls && code)
        a.error =
            ErrorInfo{static_cast<std::uint32_t>(cls->u), static_cast<std::uint32_t>(code->u)};
    else
        r.fail();
}

// The APDU header (20.1.2 .. 20.1.9) and the service's parameters.
Problem decode_apdu(ByteSpan data, Apdu& a) {
    ByteCursor in(data);
    const std::uint8_t first = in.u8();
    a.type = static_cast<PduType>(first >> 4);
    a.flags = first & 0x0F;
    switch (a.type) {
        case PduType::confirmed_request: {
            const std::uint8_t sizes = in.u8();
            a.max_segments = (sizes >> 4) & 0x07;
            a.max_apdu = sizes & 0x0F;
            a.invoke_id = in.u8();
            if (a.segmented()) {
                a.sequence_number = in.u8();
                a.window_size = in.u8();
            }
            a.service = in.u8();
            break;
        }
        case PduType::unconfirmed_request:
            a.service = in.u8();
            break;
        case PduType::simple_ack:
        case PduType::error:
            a.invoke_id = in.u8();
            a.service = in.u8();
            break;
        case PduType::complex_ack:
            a.invoke_id = in.u8();
            if (a.segmented()) {
                a.sequence_number = in.u8();
                a.window_size = in.u8();
            }
            a.service = in.u8();
            break;
        case PduType::segment_ack:
            a.invoke_id = in.u8();
            a.sequence_number = in.u8();
            a.window_size = in.u8();
            break;
        case PduType::reject:
        case PduType::abort:
            a.invoke_id = in.u8();
            a.reason = in.u8();
            break;
        default:
            return Problem::invalid_apdu;
    }
    if (!in.ok()) return Problem::invalid_apdu;
    // Later segments continue the first one's parameters mid-way: nothing to read alone.
    if (a.segmented() && a.sequence_number.value_or(0) != 0) return Problem::none;
    ServiceReader r(in.rest(), a);
    switch (a.type) {
        case PduType::confirmed_request:
            confirmed_request(r, *a.service);
            break;
        case PduType::unconfirmed_request:
            unconfirmed_request(r, *a.service);
            break;
        case PduType::complex_ack:
            complex_ack(r, *a.service);
            break;
        case PduType::error:
            error_parameters(r, a);
            break;
        default:
            break;
    }
    // The first segment of a segmented message stops mid-parameter by design.
    if (!r.ok() && !a.more_follows()) return Problem::malformed_service;
    if (r.too_many()) return Problem::too_many_items;
    return Problem::none;
}

// NPDU (6.2): version, control, destination and source specifiers, hop count, and the
// network message type; returns the octets after the header.
Problem decode_npdu(ByteCursor& in, Npdu& n) {
    n.version = in.u8();
    n.control = in.u8();
    if (!in.ok() || n.version != 1) return Problem::invalid_npdu;
    if ((n.control & 0x20) != 0) {  // DNET, DLEN, DADR
        n.dnet = in.u16be();
        n.dadr = hex(in.bytes(in.u8()));
    }
    if ((n.control & 0x08) != 0) {  // SNET, SLEN, SADR
        n.snet = in.u16be();
        n.sadr = hex(in.bytes(in.u8()));
    }
    if (n.dnet) n.hop_count = in.u8();
    if (n.network_message()) {
        n.message_type = in.u8();
        if (*n.message_type >= 0x80) n.vendor_id = in.u16be();
    }
    return in.ok() ? Problem::none : Problem::invalid_npdu;
}

}  // namespace

std::string_view Apdu::service_name() const {
    if (!service) return {};
    return type == PduType::unconfirmed_request ? unconfirmed_service_name(*service)
                                                : confirmed_service_name(*service);
}

std::size_t Apdu::property_count() const {
    std::size_t n = 0;
    for (const ObjectRef& o : objects) n += o.properties.size();
    return n;
}

Message decode_message(ByteSpan datagram) {
    Message m;
    ByteCursor in(datagram);
    // A claimed flow's later datagrams reach the parser whatever they hold.
    const std::uint8_t type = in.u8();
    m.bvlc.function = in.u8();
    m.bvlc.length = in.u16be();
    if (!in.ok() || type != kBvlcTypeIp) {
        m.problem = Problem::invalid_bvlc;
        return m;
    }
    if (m.bvlc.length != datagram.size()) m.problem = Problem::invalid_bvlc_length;
    ByteCursor body = in.sub(std::min<std::size_t>(
        in.remaining(), m.bvlc.length >= kBvlcHeader ? m.bvlc.length - kBvlcHeader : 0));
    switch (m.bvlc.function) {
        case kBvlcResult:
            m.bvlc.result = body.u16be();
            return m;
        case kRegisterForeignDevice:
            m.bvlc.ttl = body.u16be();
            return m;
        case kForwardedNpdu:
        case kDeleteFdtEntry: {
            const ByteSpan address = body.bytes(6);
            if (body.ok()) {
                std::array<std::uint8_t, 6> a{};
                std::copy(address.begin(), address.end(), a.begin());
                m.bvlc.address = a;
            }
            if (m.bvlc.function == kDeleteFdtEntry) return m;
            break;
        }
        case kDistributeBroadcast:
        case kOriginalUnicast:
        case kOriginalBroadcast:
            break;
        default:
            return m;  // tables, reads of tables, secure BVLL: not decoded further
    }
    if (!body.ok()) {
        if (m.problem == Problem::none) m.problem = Problem::invalid_npdu;
        return m;
    }
    Npdu npdu;
    const Problem np = decode_npdu(body, npdu);
    m.npdu = npdu;
    if (np != Problem::none) {
        if (m.problem == Problem::none) m.problem = np;
        return m;
    }
    if (npdu.network_message()) return m;
    Apdu apdu;
    const Problem ap = body.empty() ? Problem::invalid_apdu : decode_apdu(body.rest(), apdu);
    if (ap != Problem::invalid_apdu) m.apdu = std::move(apdu);
    if (m.problem == Problem::none) m.problem = ap;
    return m;
}

std::string_view problem_event(Problem problem) {
    switch (problem) {
        case Problem::none:
            return {};
        case Problem::invalid_bvlc:
            return "bacnet.invalid_bvlc";
        case Problem::invalid_bvlc_length:
            return "bacnet.invalid_bvlc_length";
        case Problem::invalid_npdu:
            return "bacnet.invalid_npdu";
        case Problem::invalid_apdu:
            return "bacnet.invalid_apdu";
        case Problem::malformed_service:
            return "bacnet.malformed_service";
        case Problem::too_many_items:
            return "bacnet.too_many_items";
    }
    return {};
}

}  // namespace tocsin::proto::bacnet
