// `ikewatch status [--url URL] [--alerts] [--format text|json]`: asks a running ikewatchd for its
// peers (a fleet-wide `show crypto isakmp sa`) or its active alerts.

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "outputs/alert_format.hpp"
#include "outputs/parse_json.hpp"
#include "outputs/peers_format.hpp"

namespace ikewatch::cli {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

// http://HOST:PORT[/...] -> host, port. Only plain HTTP: the endpoint is meant for loopback.
bool split_url(const std::string& url, std::string& host, std::string& port) {
    std::string rest = url;
    if (rest.rfind("http://", 0) == 0) {
        rest = rest.substr(7);
    } else if (rest.find("://") != std::string::npos) {
        return false;
    }
    rest = rest.substr(0, rest.find('/'));
    const std::size_t colon = rest.rfind(':');
    if (colon == std::string::npos || rest.empty()) {
        host = rest;
        port = "9514";
    } else {
        host = rest.substr(0, colon);
        port = rest.substr(colon + 1);
    }
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    return !host.empty() && !port.empty();
}

bool fetch(const std::string& host, const std::string& port, const std::string& target,
           std::string& body, std::string& error) {
    try {
        asio::io_context io;
        asio::ip::tcp::resolver resolver(io);
        beast::tcp_stream stream(io);
        stream.expires_after(std::chrono::seconds(10));
        stream.connect(resolver.resolve(host, port));
        http::request<http::empty_body> req{http::verb::get, target, 11};
        req.set(http::field::host, host);
        req.set(http::field::user_agent, "ikewatch status");
        http::write(stream, req);
        beast::flat_buffer buffer;
        http::response_parser<http::string_body> parser;
        parser.body_limit(256ULL << 20);
        http::read(stream, buffer, parser);
        const auto& res = parser.get();
        if (res.result() != http::status::ok) {
            error = target + ": HTTP " + std::to_string(res.result_int());
            return false;
        }
        body = res.body();
        beast::error_code ignored;
        stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
        return true;
    } catch (const std::exception& e) {
        error = host + ":" + port + ": " + e.what();
        return false;
    }
}

}  // namespace

int run_status(const status_options& options) {
    std::string host;
    std::string port;
    if (!split_url(options.url, host, port)) {
        std::cerr << "ikewatch status: '" << options.url << "' is not http://HOST:PORT\n";
        return exit_usage;
    }
    std::string body;
    std::string error;
    const std::string target = options.alerts ? "/alerts" : "/peers";
    if (!fetch(host, port, target, body, error)) {
        std::cerr << "ikewatch status: " << error << " (is ikewatchd running with its status "
                  << "endpoint on " << host << ":" << port << "?)\n";
        return exit_findings;
    }
    const nlohmann::json parsed = nlohmann::json::parse(body, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_array()) {
        std::cerr << "ikewatch status: " << target << " did not answer a JSON array\n";
        return exit_findings;
    }
    if (options.format == outputs::output_format::json) {
        for (const auto& item : parsed) {
            std::cout << outputs::dump_json(item) << '\n';
        }
        return exit_ok;
    }
    if (!options.alerts) {
        std::cout << outputs::peers_text(parsed);
        return exit_ok;
    }
    if (parsed.empty()) {
        std::cout << "no active alerts\n";
    }
    for (const auto& a : parsed) {
        // One line per alert: time, severity, code, rule, message (text from the network is
        // made printable).
        const auto str = [&](const nlohmann::json& j, const char* k) {
            const auto it = j.find(k);
            return it != j.end() && it->is_string() ? outputs::printable(it->get<std::string>())
                                                    : std::string("-");
        };
        const nlohmann::json none = nlohmann::json::object();
        const auto& rule = a.contains("rule") ? a["rule"] : none;
        const auto& diag = a.contains("diagnosis") ? a["diagnosis"] : none;
        std::cout << str(a, "@timestamp") << " [" << str(rule, "severity") << "] "
                  << str(diag, "code") << ' ' << str(rule, "id") << ": " << str(a, "message")
                  << '\n';
    }
    return exit_ok;
}

}  // namespace ikewatch::cli
