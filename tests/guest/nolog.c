/* Copyright (c) 2026 The ovs-vhost-accel authors.
 * Licensed under the Apache License, Version 2.0.
 *
 * A negative control for tests/migration.at, preloaded into ovs-vswitchd
 * (LD_PRELOAD): rte_vhost's dirty-page logging calls become no-ops, as if
 * the switch forgot to log what it writes into guest memory during a live
 * migration.  The plugin resolves these symbols through the global scope,
 * where a preloaded library comes first.  Built by the test with gcc. */

#include <stdint.h>

void rte_vhost_log_write(int vid, uint64_t addr, uint64_t len);
void rte_vhost_log_used_vring(int vid, uint16_t vring_idx, uint64_t offset,
                              uint64_t len);

void
rte_vhost_log_write(int vid, uint64_t addr, uint64_t len)
{
    (void) vid;
    (void) addr;
    (void) len;
}

void
rte_vhost_log_used_vring(int vid, uint16_t vring_idx, uint64_t offset,
                         uint64_t len)
{
    (void) vid;
    (void) vring_idx;
    (void) offset;
    (void) len;
}
