#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/time.hpp"
#include "rules/rule.hpp"

namespace ikewatch::rules {

struct evidence_line {
    micros time = 0;
    std::string text;
};

/// A diagnosis about one (device, peer) — or another key such as a login source — raised or
/// resolved. Owns its text: it outlives the event that caused it and the rule set that made it.
struct alert {
    enum class action_t : std::uint8_t { raised, resolved };

    action_t action = action_t::raised;
    std::string id;      ///< stable dedup key: rule + device + key
    micros time = 0;     ///< event time of this raise or resolve (the device's clock, UTC)
    micros created = 0;  ///< wall-clock time the daemon emitted it (0 in a replay)
    micros raised_at = 0;
    micros last_seen = 0;     ///< last time the condition triggered
    std::uint32_t count = 1;  ///< triggers counted while raised

    // the rule and what it says
    std::string rule_id;
    std::string rule_name;
    int rule_version = 1;
    severity sev = severity::medium;
    confidence conf = confidence::high;
    std::string code;
    std::string message;  ///< the rendered title: one human line
    std::string cause;
    std::vector<std::string> checks;

    // what it is about
    std::string device;
    std::string key;       ///< the peer address, or the key value (e.g. a login source)
    bool peer_key = true;  ///< `key` is an IKE peer

    // the peer's IKE state when raised (empty when the key is not an IKE peer)
    std::string peer;
    int ike_version = 0;
    int phase = 0;          ///< 1 or 2: which phase the diagnosis is about (0 = unknown)
    std::string state;      ///< ASA name
    std::string state_ios;  ///< PIX/IOS name
    std::string role;
    std::string mode;
    std::string status;
    std::string phase2;
    micros state_since = 0;
    std::uint32_t retransmits = 0;
    bool nat_t = false;
    std::string group;

    std::vector<evidence_line> evidence;  ///< the lines that prove it, oldest first (bounded)
};

/// Where alerts go. Called synchronously by the engine; implementations must not throw.
class alert_sink {
  public:
    virtual ~alert_sink() = default;
    virtual void emit(const alert& a) = 0;
};

/// Keeps every alert in memory (tests, `replay`, `test-rules`).
class collecting_sink final : public alert_sink {
  public:
    void emit(const alert& a) override { alerts.push_back(a); }
    std::vector<alert> alerts;
};

}  // namespace ikewatch::rules
