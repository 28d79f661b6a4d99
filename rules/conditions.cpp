#include "rules/conditions.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

#include "common/text.hpp"

namespace ikewatch::rules {

namespace {

std::optional<double> number(std::string_view s) noexcept {
    s = text::trim(s);
    if (s.empty()) {
        return std::nullopt;
    }
    double v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || ptr != s.data() + s.size()) {
        return std::nullopt;
    }
    return v;
}

// A decimal integer fast path; other numbers go through from_chars(double).
std::optional<double> value_number(std::string_view s) noexcept {
    if (s.empty() || s.size() > 18) {
        return std::nullopt;
    }
    std::int64_t v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc{} && ptr == s.data() + s.size()) {
        return static_cast<double>(v);
    }
    if (s.find('.') == std::string_view::npos) {
        return std::nullopt;
    }
    return number(s);
}

bool equal(std::string_view value, const std::string& want,
           const std::optional<double>& want_number) noexcept {
    if (text::iequals(value, want)) {  // equal text is also equal ignoring case
        return true;
    }
    if (!want_number) {
        return false;
    }
    const auto v = value_number(value);
    return v && *v == *want_number;
}

// `v` against `w` for the four orderings.
bool ordered(op o, double v, double w) noexcept {
    return o == op::gt ? v > w : o == op::gte ? v >= w : o == op::lt ? v < w : v <= w;
}

// Compares one present value with the predicate's operands.
bool compare(op o, std::string_view value, const std::vector<std::string>& want,
             const std::vector<std::optional<double>>& nums) {
    auto any_equal = [&] {
        for (std::size_t i = 0; i < want.size(); ++i) {
            if (equal(value, want[i], i < nums.size() ? nums[i] : std::nullopt)) {
                return true;
            }
        }
        return false;
    };
    switch (o) {
        case op::eq:
        case op::in:
            return any_equal();
        case op::ne:
        case op::not_in:
            return !any_equal();
        case op::contains:
            return std::any_of(want.begin(), want.end(), [&](const std::string& w) {
                return text::ifind(value, w) != std::string_view::npos;
            });
        case op::prefix:
            return std::any_of(want.begin(), want.end(),
                               [&](const std::string& w) { return text::istarts_with(value, w); });
        case op::gt:
        case op::gte:
        case op::lt:
        case op::lte: {
            const auto v = value_number(value);
            const auto w = nums.empty() ? std::nullopt : nums.front();
            return v && w && ordered(o, *v, *w);
        }
        case op::exists:
            return true;
    }
    return false;
}

// Absent values satisfy only negative comparisons and `exists: false`.
bool absent(op o, bool expect) noexcept {
    return o == op::exists ? !expect : (o == op::ne || o == op::not_in);
}

bool compare_present(op o, bool expect, std::string_view value,
                     const std::vector<std::string>& want,
                     const std::vector<std::optional<double>>& nums) {
    return o == op::exists ? expect : compare(o, value, want, nums);
}

std::vector<std::optional<double>> numbers_of(const std::vector<std::string>& values) {
    std::vector<std::optional<double>> out;
    out.reserve(values.size());
    for (const std::string& v : values) {
        out.push_back(number(v));
    }
    return out;
}

std::string_view phase_text(std::uint8_t phase) noexcept {
    return phase == 1 ? "1" : phase == 2 ? "2" : "";
}

}  // namespace

void event_predicate::prepare() {
    numbers = numbers_of(values);
}

void peer_predicate::prepare() {
    numbers = numbers_of(values);
    fast_ = shortcut::none;
    by_value_.clear();
    if (field == nullptr || field->read_number == nullptr) {
        return;
    }
    switch (field->type) {
        case field_type::flag:
            by_value_ = {holds_for("false"), holds_for("true")};
            fast_ = shortcut::by_value;
            break;
        case field_type::name:
            for (const std::string_view name : field->allowed) {
                by_value_.push_back(holds_for(name));
            }
            fast_ = shortcut::by_value;
            break;
        case field_type::number:
            // `contains` and `prefix` read the digits as text.
            if (comparison != op::contains && comparison != op::prefix) {
                fast_ = shortcut::numeric;
            }
            break;
        case field_type::text:
        case field_type::state:
        case field_type::event:
            break;
    }
}

bool peer_predicate::holds_for(std::string_view value) const {
    if (field->type == field_type::flag) {
        return (value == "true") == expect;
    }
    return compare_present(comparison, expect, value, values, numbers);
}

std::optional<bool> peer_predicate::holds_for_number(std::uint64_t value) const {
    // The text of a number this long would not be read back as a number (value_number):
    // compare it as text, as before.
    if (value >= 100'000'000'000'000'000ULL) {
        return std::nullopt;
    }
    // Equal text is equal numbers here: the value is plain digits, and an operand with the same
    // digits reads as the same number.
    const auto v = static_cast<double>(value);
    auto any_equal = [&] {
        return std::any_of(numbers.begin(), numbers.end(),
                           [&](const std::optional<double>& w) { return w && *w == v; });
    };
    const std::optional<double> w = numbers.empty() ? std::nullopt : numbers.front();
    switch (comparison) {
        case op::exists:
            return expect;
        case op::eq:
        case op::in:
            return any_equal();
        case op::ne:
        case op::not_in:
            return !any_equal();
        case op::gt:
        case op::gte:
        case op::lt:
        case op::lte:
            return w && ordered(comparison, v, *w);
        case op::contains:
        case op::prefix:
            break;
    }
    return std::nullopt;
}

bool event_predicate::matches(const parsers::event& e) const {
    using F = parsers::field;
    std::optional<std::string_view> v;
    switch (subject) {
        case event_subject::field:
            v = e.get(this->field);
            break;
        case event_subject::any_port:
        case event_subject::any_address: {
            const bool port = subject == event_subject::any_port;
            const auto a = e.get(port ? F::src_port : F::src_ip);
            const auto b = e.get(port ? F::dst_port : F::dst_ip);
            if (!a && !b) {
                return absent(comparison, expect);
            }
            if (comparison == op::exists) {
                return expect;
            }
            const bool negative = comparison == op::ne || comparison == op::not_in;
            const bool ma = a && compare(comparison, *a, values, numbers);
            const bool mb = b && compare(comparison, *b, values, numbers);
            // `port: 500` holds when either end is 500; `port: {ne: 500}` when neither is.
            return negative ? (!a || ma) && (!b || mb) : ma || mb;
        }
        case event_subject::msg_id:
            if (!e.msg_id.empty()) {
                v = e.msg_id;
            }
            break;
        case event_subject::severity:
            if (e.severity >= 0) {
                static constexpr std::string_view digits[] = {"0", "1", "2", "3",
                                                              "4", "5", "6", "7"};
                v = digits[static_cast<std::size_t>(e.severity)];
            }
            break;
        case event_subject::family:
            if (e.fam != parsers::family::none) {
                v = parsers::to_string(e.fam);
            }
            break;
        case event_subject::peer:
            if (!e.peer.empty()) {
                v = e.peer.view();
            }
            break;
        case event_subject::ike_version:
            if (e.ike_version != 0) {
                v = e.ike_version == 2 ? "2" : "1";
            }
            break;
        case event_subject::phase:
            if (e.phase != 0) {
                v = phase_text(e.phase);
            }
            break;
    }
    if (!v) {
        return absent(comparison, expect);
    }
    return compare_present(comparison, expect, *v, values, numbers);
}

bool peer_predicate::matches(const ike::peer_record* p, const device_facts& d) const {
    if (field == nullptr) {  // `exists`
        return (p != nullptr) == expect;
    }
    if (p == nullptr && !field->device_scope) {
        return absent(comparison, expect);
    }
    static const ike::peer_record no_peer;
    const ike::peer_record& rec = p != nullptr ? *p : no_peer;
    if (field->type == field_type::state) {
        const bool hit = rec.reported_unknown
                             ? std::any_of(unmodelled.begin(), unmodelled.end(),
                                           [&](const std::string& n) {
                                               return text::iequals(n, rec.reported_state.view());
                                           })
                             : states.test(static_cast<std::size_t>(rec.state));
        return (comparison == op::ne || comparison == op::not_in) ? !hit : hit;
    }
    if (fast_ != shortcut::none) {
        const std::optional<std::uint64_t> n = field->read_number(rec, d);
        if (!n) {
            return absent(comparison, expect);
        }
        if (fast_ == shortcut::by_value) {
            return *n < by_value_.size() ? static_cast<bool>(by_value_[*n])
                                         : absent(comparison, expect);
        }
        if (const std::optional<bool> held = holds_for_number(*n)) {
            return *held;
        }
    }
    field_buffer buf;
    const std::optional<std::string_view> v = field->get(rec, d, buf);
    if (!v) {
        return absent(comparison, expect);
    }
    return holds_for(*v);
}

bool all_match(const std::vector<event_predicate>& ps, const parsers::event& e) {
    return std::all_of(ps.begin(), ps.end(),
                       [&](const event_predicate& p) { return p.matches(e); });
}

bool all_match(const std::vector<peer_predicate>& ps, const ike::peer_record* p,
               const device_facts& d) {
    return std::all_of(ps.begin(), ps.end(),
                       [&](const peer_predicate& pp) { return pp.matches(p, d); });
}

}  // namespace ikewatch::rules
