// Parsing of ovsdb option values with errors that name the option and the
// accepted values.  Pure C++, no OVS or DPDK dependency (unit-tested).
#ifndef OVS_VHOST_ACCEL_COMMON_OPTIONS_H
#define OVS_VHOST_ACCEL_COMMON_OPTIONS_H

#include <cstddef>
#include <map>
#include <optional>
#include <string>

namespace accel {

// The options column of an Interface, as key/value pairs.
using OptionMap = std::map<std::string, std::string>;

OptionMap make_option_map(const char *const *keys, const char *const *values,
                          std::size_t n);

// Result of parsing one option: a value, or a message for the operator.
template <typename T>
struct Parsed {
    std::optional<T> value;
    std::string error;
    bool ok() const { return error.empty(); }
};

// Integer in [min, max]; 'def' when the key is absent.
Parsed<int> parse_int_option(const OptionMap &, const std::string &key,
                             int min, int max, int def);
// "true" or "false"; 'def' when the key is absent.
Parsed<bool> parse_bool_option(const OptionMap &, const std::string &key,
                               bool def);
// Non-empty string; std::nullopt when absent.
Parsed<std::string> parse_path_option(const OptionMap &,
                                      const std::string &key);

}  // namespace accel

#endif
