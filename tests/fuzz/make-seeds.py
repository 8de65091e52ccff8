#!/usr/bin/env python3
"""Writes the seed corpus of the fuzz targets (tests/fuzz/corpus/).

fuzz-split-queue input: 8 setup bytes (flags, log2 ring size, start index,
burst, room, zero-copy threshold, rounds), then guest memory starting at
guest-physical 0x100000: descriptor table, avail ring, used ring at 4096,
buffers from 8192.  Run from this directory: ./make-seeds.py
"""
import os
import struct

GPA = 0x100000
V1, MRG, INDIRECT, EVENT_IDX, TX, ZC = 1, 2, 4, 8, 16, 32
NEXT, WRITE, IND = 1, 2, 4


def image(qsize, descs, avail, buffers, size=12288):
    mem = bytearray(size)
    for i, (addr, length, flags, nxt) in enumerate(descs):
        struct.pack_into("<QIHH", mem, 16 * i, addr, length, flags, nxt)
    off = 16 * qsize
    struct.pack_into("<HH", mem, off, 0, len(avail))
    for i, head in enumerate(avail):
        struct.pack_into("<H", mem, off + 4 + 2 * i, head)
    for gpa, data in buffers:
        mem[gpa - GPA:gpa - GPA + len(data)] = data
    return bytes(mem)


def setup(flags, log2, burst, room, zc_min, rounds, start=0):
    return bytes([flags, log2, start & 255, start >> 8, burst - 1,
                  (room - 64) // 8, zc_min // 4, rounds - 1])


def frame(n, seed):
    return bytes((seed + 7 * i) & 255 for i in range(n))


def write(target, name, data):
    with open(os.path.join("corpus", target, name), "wb") as f:
        f.write(data)


b = GPA + 8192
hdr = bytes(12)
# Guest TX: one-descriptor packets, a chain, an indirect table.
descs = [(b, 76, 0, 0), (b + 128, 12, NEXT, 2), (b + 256, 300, 0, 0),
         (b + 1024, 48, IND, 0)]
ind = b''.join(struct.pack("<QIHH", a, l, f, n) for a, l, f, n in
               [(b + 1536, 12, NEXT, 1), (b + 1600, 200, NEXT, 2),
                (b + 1900, 100, 0, 0)])
bufs = [(b, hdr + frame(64, 1)), (b + 128, hdr), (b + 256, frame(300, 2)),
        (b + 1024, ind)]
write("split-queue", "tx-mixed",
      setup(V1 | INDIRECT | TX, 3, 8, 1664, 0, 2)
      + image(8, descs, [0, 1, 3], bufs))
write("split-queue", "tx-zero-copy",
      setup(V1 | TX | ZC, 3, 8, 1664, 64, 3)
      + image(8, descs[:3], [0, 1, 0], bufs[:3]))
# Guest RX: writable buffers, mergeable.
descs = [(b + 512 * i, 512, WRITE, 0) for i in range(8)]
write("split-queue", "rx-mergeable",
      setup(V1 | MRG | EVENT_IDX, 3, 4, 64, 0, 2)
      + image(8, descs, list(range(8)), []))
write("split-queue", "rx-wrap",
      setup(V1, 3, 8, 64, 0, 1, start=65534)
      + image(8, descs, list(range(8)), []))

for name, text in [
        ("all-valid", "vhost-server-path=/run/vm0.sock\ntx-retries-max=4\n"
         "dq-zero-copy=true\ndq-zero-copy-threshold=256\nring-walker=auto"),
        ("bad-retries", "tx-retries-max=99"),
        ("bad-walker", "ring-walker=always\nn_rxq=4"),
        ("iommu-postcopy", "vhost-iommu-support=true\n"
         "vhost-postcopy-support=yes"),
        ("empty-path", "vhost-server-path=")]:
    write("port-config", name, text.encode())
