#include "daemon/kafka_conf.hpp"

namespace ikewatch::daemon {

bool set_kafka_property(rd_kafka_conf_t* conf, const std::string& name, const std::string& value,
                        std::string& error) {
    char errstr[512] = {};
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), errstr, sizeof errstr) !=
        RD_KAFKA_CONF_OK) {
        error = "kafka property " + name + ": " + errstr;
        return false;
    }
    return true;
}

}  // namespace ikewatch::daemon
