#include "pipeline/device_snapshot.hpp"

namespace ikewatch::pipeline {

std::string encode_snapshot(const device_snapshot& s) {
    nlohmann::json j = {{"format", device_snapshot::format},
                        {"version", device_snapshot::version},
                        {"device", s.device},
                        {"state", s.state}};
    if (!s.topic.empty()) {
        j["input"] = {{"topic", s.topic}, {"partition", s.partition}, {"offset", s.offset}};
    }
    std::string out;
    nlohmann::json::to_cbor(j, out);
    return out;
}

result<device_snapshot, std::string> decode_snapshot(std::string_view bytes) {
    using failed = failure<std::string>;
    // No exceptions: a parse failure gives a discarded value.
    nlohmann::json j = nlohmann::json::from_cbor(bytes.begin(), bytes.end(), true, false);
    if (j.is_discarded() || !j.is_object()) {
        return failed{"not a device snapshot (" + std::to_string(bytes.size()) +
                      " bytes that are no CBOR object)"};
    }
    const auto format = j.find("format");
    if (format == j.end() || !format->is_string() || *format != device_snapshot::format) {
        return failed{"not a device snapshot (no 'format: ikewatch-device-state')"};
    }
    const auto version = j.find("version");
    if (version == j.end() || !version->is_number_integer()) {
        return failed{"device snapshot without a version"};
    }
    if (*version != device_snapshot::version) {
        return failed{"device snapshot version " + std::to_string(version->get<std::int64_t>()) +
                      " (this build reads version " + std::to_string(device_snapshot::version) +
                      ")"};
    }
    const auto device = j.find("device");
    const auto state = j.find("state");
    if (device == j.end() || !device->is_string() ||
        device->get_ref<const std::string&>().empty() || state == j.end() || !state->is_object()) {
        return failed{"device snapshot without a device name or state"};
    }
    device_snapshot s;
    s.device = device->get<std::string>();
    s.state = std::move(*state);
    if (const auto input = j.find("input"); input != j.end()) {
        const auto topic = input->find("topic");
        const auto partition = input->find("partition");
        const auto offset = input->find("offset");
        if (!input->is_object() || topic == input->end() || !topic->is_string() ||
            partition == input->end() || !partition->is_number_integer() ||
            offset == input->end() || !offset->is_number_integer()) {
            return failed{"device snapshot with a malformed 'input'"};
        }
        s.topic = topic->get<std::string>();
        s.partition = partition->get<std::int32_t>();
        s.offset = offset->get<std::int64_t>();
    }
    return s;
}

}  // namespace ikewatch::pipeline
