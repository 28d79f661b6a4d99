#include "daemon/tls_client_names.hpp"

#include <algorithm>
#include <memory>

#include <openssl/x509v3.h>

namespace ikewatch::daemon {

namespace {

std::string text_of(const ASN1_STRING* s) {
    if (s == nullptr) {
        return {};
    }
    return {reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
            static_cast<std::size_t>(ASN1_STRING_length(s))};
}

bool same_text(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
        return lower(x) == lower(y);
    });
}

}  // namespace

client_names names_of(const X509* cert) {
    client_names out;
    if (cert == nullptr) {
        return out;
    }
    const X509_NAME* subject = X509_get_subject_name(cert);
    for (int i = X509_NAME_get_index_by_NID(subject, NID_commonName, -1); i >= 0;
         i = X509_NAME_get_index_by_NID(subject, NID_commonName, i)) {
        out.common_names.push_back(
            text_of(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i))));
    }
    const std::unique_ptr<GENERAL_NAMES, decltype(&GENERAL_NAMES_free)> sans(
        static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)),
        &GENERAL_NAMES_free);
    for (int i = 0; sans && i < sk_GENERAL_NAME_num(sans.get()); ++i) {
        const GENERAL_NAME* n = sk_GENERAL_NAME_value(sans.get(), i);
        if (n->type == GEN_DNS) {
            out.dns_names.push_back(text_of(n->d.dNSName));
        } else if (n->type == GEN_IPADD) {
            const std::string raw = text_of(n->d.iPAddress);
            if (raw.size() == 4 || raw.size() == 16) {
                ip_address a;
                a.family = raw.size() == 4 ? ip_address::family_t::v4 : ip_address::family_t::v6;
                std::copy(raw.begin(), raw.end(), a.bytes.begin());
                out.addresses.push_back(a);
            }
        }
    }
    return out;
}

bool client_allowed(const client_names& names, std::span<const std::string> allowed) {
    for (const std::string& want : allowed) {
        const auto same = [&](const std::string& have) { return same_text(have, want); };
        if (std::any_of(names.common_names.begin(), names.common_names.end(), same) ||
            std::any_of(names.dns_names.begin(), names.dns_names.end(), same)) {
            return true;
        }
        if (const auto address = ip_address::parse(want);
            address && std::find(names.addresses.begin(), names.addresses.end(), *address) !=
                           names.addresses.end()) {
            return true;
        }
    }
    return false;
}

}  // namespace ikewatch::daemon
