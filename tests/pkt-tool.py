#!/usr/bin/env python3
"""Deterministic test traffic for the offload tests (no scapy needed).

  pkt-tool.py send IFACE DST-MAC SRC-IP DST-IP COUNT
      Sends COUNT UDP/IPv4 frames (destination port 5000, source ports
      40000-40003, payload numbered) from IFACE's MAC to DST-MAC, always
      the same bytes for the same arguments.  The first frame goes alone,
      then a pause (the datapath installs and offloads its flow), then
      the rest.
  pkt-tool.py capture IFACE FILE SECONDS
      Writes the UDP/IPv4 frames to port 5000 that IFACE receives during
      SECONDS, one hex line each, sorted, to FILE.
"""
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
UDP_DPORT = 5000


def checksum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def mac_bytes(mac):
    return bytes(int(x, 16) for x in mac.split(':'))


def iface_mac(iface):
    with open('/sys/class/net/%s/address' % iface) as f:
        return f.read().strip()


def udp_frame(src_mac, dst_mac, src_ip, dst_ip, sport, payload, ip_id):
    src = socket.inet_aton(src_ip)
    dst = socket.inet_aton(dst_ip)
    udp_len = 8 + len(payload)
    pseudo = src + dst + struct.pack('!BBH', 0, 17, udp_len)
    udp = struct.pack('!HHHH', sport, UDP_DPORT, udp_len, 0) + payload
    csum = checksum(pseudo + udp) or 0xffff
    udp = udp[:6] + struct.pack('!H', csum) + udp[8:]
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + udp_len, ip_id, 0x4000,
                     64, 17, 0, src, dst)
    ip = ip[:10] + struct.pack('!H', checksum(ip)) + ip[12:]
    return mac_bytes(dst_mac) + mac_bytes(src_mac) + b'\x08\x00' + ip + udp


def send(iface, dst_mac, src_ip, dst_ip, count):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    src_mac = iface_mac(iface)
    for i in range(count):
        payload = b'ovs-vhost-accel %06d ' % i + bytes(range(32))
        s.send(udp_frame(src_mac, dst_mac, src_ip, dst_ip, 40000 + i % 4,
                         payload, i + 1))
        if i == 0:
            time.sleep(1.5)
        elif i % 16 == 0:
            time.sleep(0.01)


def capture(iface, path, seconds):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                      socket.htons(ETH_P_ALL))
    s.bind((iface, 0))
    s.settimeout(0.2)
    frames = []
    end = time.time() + seconds
    while time.time() < end:
        try:
            data, addr = s.recvfrom(65535)
        except socket.timeout:
            continue
        if addr[2] == PACKET_OUTGOING or len(data) < 42:
            continue
        if data[12:14] != b'\x08\x00' or data[23] != 17:
            continue
        ihl = (data[14] & 0xf) * 4
        if struct.unpack('!H', data[14 + ihl + 2:14 + ihl + 4])[0] != UDP_DPORT:
            continue
        frames.append(data.hex())
    with open(path, 'w') as f:
        for line in sorted(frames):
            f.write(line + '\n')


def main(argv):
    if len(argv) == 7 and argv[1] == 'send':
        send(argv[2], argv[3], argv[4], argv[5], int(argv[6]))
    elif len(argv) == 5 and argv[1] == 'capture':
        capture(argv[2], argv[3], float(argv[4]))
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
