#include "virtq/desc-chain.h"

namespace accel {

const char *
chain_error_name(ChainError e)
{
    switch (e) {
    case ChainError::kNone: return "none";
    case ChainError::kBadHead: return "bad_head";
    case ChainError::kBadNext: return "bad_next";
    case ChainError::kLoop: return "loop";
    case ChainError::kBadIndirect: return "bad_indirect";
    case ChainError::kBadAddress: return "bad_address";
    case ChainError::kWrongDirection: return "wrong_direction";
    case ChainError::kTooManySegments: return "too_many_segments";
    }
    return "unknown";
}

}  // namespace accel
