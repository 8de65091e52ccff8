#include "common/options.h"

#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdlib>

namespace accel {

OptionMap
make_option_map(const char *const *keys, const char *const *values,
                std::size_t n)
{
    OptionMap map;
    for (std::size_t i = 0; i < n; i++) {
        map.emplace(keys[i], values[i]);
    }
    return map;
}

Parsed<int>
parse_int_option(const OptionMap &opts, const std::string &key, int min,
                 int max, int def)
{
    auto it = opts.find(key);
    if (it == opts.end()) {
        return {def, {}};
    }
    const std::string &s = it->second;
    char *end = nullptr;
    errno = 0;
    bool digits = !s.empty() && (std::isdigit((unsigned char) s[0])
                                 || (s[0] == '-' && s.size() > 1));
    long v = digits ? std::strtol(s.c_str(), &end, 10) : 0;
    if (!digits || errno || *end || v < min || v > max) {
        return {std::nullopt,
                key + ": invalid value '" + s + "' (accepted: an integer from "
                + std::to_string(min) + " to " + std::to_string(max) + ")"};
    }
    return {static_cast<int>(v), {}};
}

Parsed<bool>
parse_bool_option(const OptionMap &opts, const std::string &key, bool def)
{
    auto it = opts.find(key);
    if (it == opts.end()) {
        return {def, {}};
    }
    if (it->second == "true") {
        return {true, {}};
    }
    if (it->second == "false") {
        return {false, {}};
    }
    return {std::nullopt, key + ": invalid value '" + it->second
                          + "' (accepted: true, false)"};
}

Parsed<std::string>
parse_path_option(const OptionMap &opts, const std::string &key)
{
    auto it = opts.find(key);
    if (it == opts.end()) {
        return {std::nullopt, {}};
    }
    if (it->second.empty()) {
        return {std::nullopt,
                key + ": invalid value '' (accepted: a socket path)"};
    }
    return {it->second, {}};
}

}  // namespace accel
