#include "parsers/show_ipsec_reader.hpp"

#include "common/text.hpp"

namespace ikewatch::parsers {

namespace {

// The first token after `key` (and an optional ':'), without a trailing ','.
std::string_view token_after(std::string_view line, std::string_view key) {
    const std::size_t at = text::ifind(line, key);
    if (at == std::string_view::npos) {
        return {};
    }
    std::string_view rest = text::ltrim(line.substr(at + key.size()));
    if (!rest.empty() && rest.front() == ':') {
        rest = text::ltrim(rest.substr(1));
    }
    std::string_view after;
    std::string_view t = text::next_token(rest, after);
    while (!t.empty() && (t.back() == ',' || t.back() == ';')) {
        t.remove_suffix(1);
    }
    return t;
}

std::uint64_t number_after(std::string_view line, std::string_view key) {
    return text::to_number<std::uint64_t>(token_after(line, key)).value_or(0);
}

// `0x0(0)`, `0`, `0x00000000` are no SA; anything else (`0x8E3A1C22(2386173986)`, `D0E9F6C9`) is.
bool nonzero_spi(std::string_view spi) {
    const std::size_t paren = spi.find('(');
    spi = spi.substr(0, paren);
    if (text::istarts_with(spi, "0x")) {
        spi.remove_prefix(2);
    }
    if (spi.empty()) {
        return false;
    }
    for (char c : spi) {
        if (!text::is_hex(c)) {
            return false;
        }
        if (c != '0') {
            return true;
        }
    }
    return false;
}

constexpr std::string_view block_lines[] = {"local ident",
                                            "remote ident",
                                            "PERMIT, flags",
                                            "#pkts",
                                            "#pre-frag",
                                            "#PMTU",
                                            "#TFC",
                                            "#Valid",
                                            "#decapsulated",
                                            "path mtu",
                                            "plaintext mtu",
                                            "protected vrf",
                                            "conn id:",
                                            "sa timing",
                                            "IV size",
                                            "replay detection",
                                            "Status:",
                                            "transform:",
                                            "in use settings",
                                            "inbound ah",
                                            "outbound ah",
                                            "inbound pcp",
                                            "outbound pcp",
                                            "ip mtu",
                                            "dh group",
                                            "Kilobyte Volume",
                                            "sa agent",
                                            "current inbound spi",
                                            "spi:",
                                            "access-list",
                                            "flow_id:",
                                            "crypto map:",
                                            "ECN",
                                            "#pkts no sa"};

}  // namespace

ipsec_snapshot& show_ipsec_reader::peer(std::string_view address) {
    for (std::size_t i = 0; i < peers_.size(); ++i) {
        if (peers_[i].peer == address) {
            current_ = i + 1;
            return peers_[i];
        }
    }
    peers_.push_back({});
    peers_.back().peer = std::string(address);
    current_ = peers_.size();
    return peers_.back();
}

ipsec_snapshot* show_ipsec_reader::current() {
    return current_ == 0 ? nullptr : &peers_[current_ - 1];
}

void show_ipsec_reader::note(std::string_view line) {
    ipsec_snapshot* p = current();
    if (p == nullptr || p->evidence.size() > 900) {
        return;
    }
    if (!p->evidence.empty()) {
        p->evidence += "; ";
    }
    p->evidence += line;
}

bool show_ipsec_reader::feed(std::string_view line) {
    if (line.starts_with("interface:")) {
        current_ = 0;
        local_.clear();
        in_esp_sas_ = false;
        return true;
    }
    if (text::istarts_with(line, "Crypto map tag:")) {
        current_ = 0;
        in_esp_sas_ = false;
        local_ = std::string(token_after(line, "local addr"));
        return true;
    }
    if (text::istarts_with(line, "peer address:")) {
        peer(token_after(line, "peer address"));
        note(line);
        return true;
    }
    if (text::istarts_with(line, "current_peer")) {
        ipsec_snapshot& p = peer(token_after(line, "current_peer"));
        if (token_after(line, " port") == "4500") {
            p.nat_t = true;
        }
        if (p.local.empty()) {
            p.local = local_;
        }
        in_esp_sas_ = false;
        note(line);
        return true;
    }
    if (text::istarts_with(line, "local crypto endpt.")) {
        const std::string_view local = token_after(line, "local crypto endpt.");
        const std::string_view remote = token_after(line, "remote crypto endpt.");
        ipsec_snapshot* p = current();
        if (p == nullptr && !remote.empty()) {
            p = &peer(remote);
        }
        if (p != nullptr && !local.empty()) {
            p->local = std::string(local);
        }
        return true;
    }
    ipsec_snapshot* p = current();
    // An excerpt may start at the counters: they belong to a peer named elsewhere (resolved
    // when the output is complete).
    const bool fact = text::istarts_with(line, "#pkts encaps") ||
                      text::istarts_with(line, "#pkts decaps") ||
                      text::istarts_with(line, "#send errors") ||
                      text::istarts_with(line, "current outbound spi");
    if (p == nullptr && fact) {
        p = &peer("");
    }
    if (text::istarts_with(line, "#pkts encaps")) {
        if (p != nullptr) {
            p->counters = true;
            p->encaps += number_after(line, "#pkts encaps");
            note(line.substr(0, line.find(',')));
        }
        return true;
    }
    if (text::istarts_with(line, "#pkts decaps")) {
        if (p != nullptr) {
            p->counters = true;
            p->decaps += number_after(line, "#pkts decaps");
            note(line.substr(0, line.find(',')));
        }
        return true;
    }
    if (text::istarts_with(line, "#send errors")) {
        if (p != nullptr) {
            p->send_errors += number_after(line, "#send errors");
            p->recv_errors += number_after(line, "#recv errors");
            note(line);
        }
        return true;
    }
    if (text::istarts_with(line, "current outbound spi")) {
        if (p != nullptr) {
            if (nonzero_spi(token_after(line, "current outbound spi"))) {
                p->sa = ipsec_snapshot::sa_state::present;
            } else if (p->sa == ipsec_snapshot::sa_state::unknown) {
                p->sa = ipsec_snapshot::sa_state::none;
            }
            note(line);
        }
        return true;
    }
    if (text::istarts_with(line, "inbound esp sas") ||
        text::istarts_with(line, "outbound esp sas")) {
        in_esp_sas_ = true;
        return true;
    }
    if (in_esp_sas_ && text::istarts_with(line, "spi:")) {
        if (p != nullptr && nonzero_spi(token_after(line, "spi"))) {
            p->sa = ipsec_snapshot::sa_state::present;
        }
        return true;
    }
    if (text::istarts_with(line, "in use settings")) {
        if (p != nullptr && text::ifind(line, "UDP-Encaps") != std::string_view::npos) {
            p->nat_t = true;
        }
        return true;
    }
    if (p == nullptr && local_.empty()) {
        return false;
    }
    for (const std::string_view prefix : block_lines) {
        if (text::istarts_with(line, prefix)) {
            return true;
        }
    }
    return false;
}

std::vector<ipsec_snapshot> show_ipsec_reader::take() {
    std::vector<ipsec_snapshot> out = std::move(peers_);
    peers_.clear();
    current_ = 0;
    local_.clear();
    in_esp_sas_ = false;
    return out;
}

}  // namespace ikewatch::parsers
