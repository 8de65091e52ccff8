// The C++ side of the C boundary (accel-api.h): no exception crosses it.
#ifndef OVS_VHOST_ACCEL_OVS_API_GUARD_H
#define OVS_VHOST_ACCEL_OVS_API_GUARD_H

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <string>

#include "common/options.h"

namespace accel {

// Logs an exception caught at the boundary (lib/common/core.cc).
void log_api_exception(const char *what, const char *message);

// Runs 'fn' (returning an errno value); an exception becomes a log line
// and ENOMEM or EINVAL.
template <typename Fn>
int
guarded(const char *what, Fn &&fn) noexcept
{
    try {
        return fn();
    } catch (const std::bad_alloc &) {
        log_api_exception(what, "out of memory");
        return ENOMEM;
    } catch (const std::exception &e) {
        log_api_exception(what, e.what());
        return EINVAL;
    }
}

// set_config through the boundary: 'port.set_config(OptionMap, error)',
// the error malloc()ed into '*errp'.
template <typename Port>
int
guarded_set_config(Port &port, const char *const *keys,
                   const char *const *values, size_t n, char **errp)
{
    return guarded("set_config", [&] {
        std::string error;
        int err = port.set_config(make_option_map(keys, values, n), error);
        if (err && errp) {
            *errp = strdup(error.c_str());
        }
        return err;
    });
}

}  // namespace accel

#endif
