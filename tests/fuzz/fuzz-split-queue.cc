// libFuzzer target: the ring walker against a guest whose memory -- rings,
// descriptor tables, buffers -- is the fuzzer's input.  Built with ASan and
// UBSan: any access outside the two guest regions, or any undefined
// behaviour, is a crash the fuzzer reports.
//
// Input: 8 bytes of setup (features, ring size, start indices, burst
// sizes), then the bytes of guest memory (zero-padded).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "virtq/guest-memory.h"
#include "virtq/inflight.h"
#include "virtq/split-queue.h"
#include "virtq/virtio-ring.h"

using namespace accel;

namespace {

constexpr uint64_t kGpa = 0x100000;
constexpr uint64_t kRegion = 32 * 1024;   // Two of them, host-discontiguous.

// Each region in an allocation of exactly its size: ASan's redzones catch
// a byte read or written past either end.
struct Guest {
    std::unique_ptr<uint8_t[]> lo{new uint8_t[kRegion]};
    std::unique_ptr<uint8_t[]> hi{new uint8_t[kRegion]};
    GuestMemory mem;

    Guest(const uint8_t *data, size_t size)
    {
        memset(lo.get(), 0, kRegion);
        memset(hi.get(), 0, kRegion);
        size_t n = size < kRegion ? size : kRegion;
        memcpy(lo.get(), data, n);
        if (size > kRegion) {
            size_t m = size - kRegion < kRegion ? size - kRegion : kRegion;
            memcpy(hi.get(), data + kRegion, m);
        }
        mem = GuestMemory({
            {kGpa, kRegion, reinterpret_cast<uint64_t>(lo.get())},
            {kGpa + kRegion, kRegion, reinterpret_cast<uint64_t>(hi.get())},
        });
    }
};

}  // namespace

extern "C" int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 8) {
        return 0;
    }
    const uint8_t flags = data[0];
    const uint16_t qsize = uint16_t(1u << (data[1] % 9));       // 1..256
    const uint16_t start = uint16_t(data[2] | data[3] << 8);
    const uint16_t burst = uint16_t(data[4] % 64 + 1);
    const uint32_t room = 64u + uint32_t(data[5]) * 8;
    const uint32_t zc_min = uint32_t(data[6]) * 4;
    const uint8_t rounds = data[7] % 4 + 1;
    data += 8;
    size -= 8;

    Guest g(data, size);
    uint64_t features = 0;
    features |= (flags & 1) ? 1ULL << virtio::kFVersion1 : 0;
    features |= (flags & 2) ? 1ULL << virtio::kNetFMrgRxbuf : 0;
    features |= (flags & 4) ? 1ULL << virtio::kFIndirectDesc : 0;
    features |= (flags & 8) ? 1ULL << virtio::kFEventIdx : 0;
    const bool tx_side = flags & 16;        // Else: the guest's RX ring.
    const bool zero_copy = flags & 32;

    // The rings at the start of the first region, as a guest lays them
    // out; everything in them is fuzzer-controlled.
    VringAddrs a;
    a.desc = reinterpret_cast<virtio::Desc *>(g.lo.get());
    a.avail = reinterpret_cast<virtio::Avail *>(g.lo.get() + 16 * qsize);
    a.used = reinterpret_cast<virtio::Used *>(
        g.lo.get() + ((16 * qsize + 6 + 2 * qsize + 4095) & ~4095u));
    a.size = qsize;

    SplitQueue q;
    if (!q.attach(a, &g.mem, features, start, start)) {
        return 0;
    }
    InflightTable table(qsize / 2 ? qsize / 2 : 1);
    if (zero_copy && tx_side) {
        q.set_zero_copy(&table, zc_min, 1000);
    }

    std::vector<uint8_t> store(size_t(burst) * room);
    std::vector<RxBuf> bufs(burst);
    std::vector<uint8_t> frame(9000, 0xab);
    std::vector<TxPkt> pkts(burst);
    for (uint8_t r = 0; r < rounds; r++) {
        if (tx_side) {
            for (uint16_t i = 0; i < burst; i++) {
                bufs[i] = RxBuf{store.data() + size_t(i) * room, room, 0,
                                nullptr, -1, 0};
            }
            uint16_t got = q.dequeue(bufs.data(), burst, r * 600);
            for (uint16_t i = 0; i < got; i++) {
                const RxBuf &b = bufs[i];
                if (b.zc_slot >= 0) {
                    // A lent frame lies inside guest memory: touch it all.
                    volatile uint8_t sum = 0;
                    for (uint32_t k = 0; k < b.len; k++) {
                        sum += b.zc_data[k];
                    }
                    if (r & 1) {
                        table.complete(uint16_t(b.zc_slot));
                    }
                } else if (b.len > room) {
                    __builtin_trap();
                }
            }
        } else {
            for (uint16_t i = 0; i < burst; i++) {
                pkts[i] = TxPkt{frame.data(),
                                size ? uint32_t(data[i % size]) * 36 % 9001 : 60,
                                false};
            }
            uint16_t dropped;
            q.enqueue(pkts.data(), burst, &dropped);
        }
    }
    q.reap_zero_copy(true);
    return 0;
}
