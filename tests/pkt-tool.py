#!/usr/bin/env python3
"""Deterministic test traffic for the offload tests (no scapy needed).

  pkt-tool.py send IFACE DST-MAC SRC-IP DST-IP COUNT [vlan=VID] [proto=tcp]
      Sends COUNT frames to port 5000 (source ports 40000-40003, payload
      numbered) from IFACE's MAC to DST-MAC: UDP, or TCP segments (PSH+ACK)
      with proto=tcp; over IPv4 or IPv6 (as SRC-IP and DST-IP are); tagged
      with VLAN VID if given.  Always the same bytes for the same
      arguments.  The first four frames (one per source port) go first,
      then a pause (the datapath installs and offloads their flows), then
      the rest.
  pkt-tool.py capture IFACE FILE SECONDS [vxlan]
      Writes the frames to UDP or TCP port 5000 (IPv4 or IPv6, VLAN-tagged
      or not) that IFACE receives during SECONDS, one hex line each,
      sorted, to FILE, and meanwhile holds UDP port 5000 open on IFACE
      (the kernel then sends no ICMP port unreachable, which would be more
      traffic).  With 'vxlan', the VXLAN frames (UDP/IPv4 to port 4789)
      that carry such a frame instead, their outer UDP source port written
      'xxxx': the encapsulator chooses it from a hash of the inner frame
      (RFC 7348), and a NIC's hash is not OVS's.
"""
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
SOL_PACKET = 263
PACKET_AUXDATA = 8
TP_STATUS_VLAN_VALID = 0x10
TP_STATUS_VLAN_TPID_VALID = 0x40
DPORT = 5000
VXLAN_DPORT = 4789
VXLAN_HDR = 8
IPPROTO = {'udp': 17, 'tcp': 6}


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


def l4_segment(proto, sport, payload, seq):
    """A UDP datagram or TCP segment with a zero checksum field, and the
    offset of that field."""
    if proto == 'udp':
        return struct.pack('!HHHH', sport, DPORT, 8 + len(payload), 0) \
            + payload, 6
    # TCP: no options, PSH+ACK, a fixed window.
    return struct.pack('!HHIIBBHHH', sport, DPORT, seq, 1, 5 << 4, 0x18,
                       1024, 0, 0) + payload, 16


def frame(src_mac, dst_mac, src_ip, dst_ip, sport, payload, ident,
          vlan=None, proto='udp'):
    l4, csum_at = l4_segment(proto, sport, payload, ident)
    if ':' in src_ip:
        src = socket.inet_pton(socket.AF_INET6, src_ip)
        dst = socket.inet_pton(socket.AF_INET6, dst_ip)
        pseudo = src + dst + struct.pack('!IxxxB', len(l4), IPPROTO[proto])
        ethertype = 0x86dd
    else:
        src = socket.inet_aton(src_ip)
        dst = socket.inet_aton(dst_ip)
        pseudo = src + dst + struct.pack('!BBH', 0, IPPROTO[proto], len(l4))
        ethertype = 0x0800
    csum = checksum(pseudo + l4)
    if proto == 'udp':
        csum = csum or 0xffff
    l4 = l4[:csum_at] + struct.pack('!H', csum) + l4[csum_at + 2:]
    if ethertype == 0x86dd:
        ip = struct.pack('!IHBB16s16s', 6 << 28, len(l4), IPPROTO[proto], 64,
                         src, dst)
    else:
        ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(l4), ident,
                         0x4000, 64, IPPROTO[proto], 0, src, dst)
        ip = ip[:10] + struct.pack('!H', checksum(ip)) + ip[12:]
    tag = b'' if vlan is None else struct.pack('!HH', 0x8100, vlan)
    return (mac_bytes(dst_mac) + mac_bytes(src_mac) + tag
            + struct.pack('!H', ethertype) + ip + l4)


def send(iface, dst_mac, src_ip, dst_ip, count, vlan=None, proto='udp'):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    src_mac = iface_mac(iface)
    for i in range(count):
        payload = b'ovs-vhost-accel %06d ' % i + bytes(range(32))
        s.send(frame(src_mac, dst_mac, src_ip, dst_ip, 40000 + i % 4,
                     payload, i + 1, vlan, proto))
        if i == 3:
            time.sleep(1.5)
        elif i % 16 == 0:
            time.sleep(0.01)


def l4_dport(data):
    """The destination port and IP protocol of an Ethernet/[VLAN/]IPv4 or
    IPv6/UDP or TCP frame and the offset of its L4 header, else None."""
    l3 = 18 if data[12:14] == b'\x81\x00' else 14
    ethertype = data[l3 - 2:l3]
    if ethertype == b'\x08\x00' and len(data) >= l3 + 20:
        proto = data[l3 + 9]
        l4 = l3 + (data[l3] & 0xf) * 4
    elif ethertype == b'\x86\xdd' and len(data) >= l3 + 40:
        proto = data[l3 + 6]
        l4 = l3 + 40
    else:
        return None, None, 0
    if proto not in IPPROTO.values() or len(data) < l4 + 8:
        return None, None, 0
    return struct.unpack('!H', data[l4 + 2:l4 + 4])[0], proto, l4


def test_frame_hex(data, vxlan):
    """What capture writes of DATA, or None if it is not one of ours."""
    dport, proto, l4 = l4_dport(data)
    if not vxlan:
        return data.hex() if dport == DPORT else None
    if dport != VXLAN_DPORT or proto != IPPROTO['udp']:
        return None
    inner, _, _ = l4_dport(data[l4 + 8 + VXLAN_HDR:])
    if inner != DPORT:
        return None
    text = data.hex()
    return text[:2 * l4] + 'xxxx' + text[2 * l4 + 4:]


def with_vlan_tag(data, cmsgs):
    """DATA with the VLAN tag the kernel took off (into the packet's
    metadata, as a NIC's VLAN offload would) put back."""
    for level, kind, aux in cmsgs:
        if level != SOL_PACKET or kind != PACKET_AUXDATA or len(aux) < 20:
            continue
        status, _, _, _, _, tci, tpid = struct.unpack('=IIIHHHH', aux[:20])
        if status & TP_STATUS_VLAN_VALID:
            if not status & TP_STATUS_VLAN_TPID_VALID:
                tpid = 0x8100
            return data[:12] + struct.pack('!HH', tpid, tci) + data[12:]
    return data


def udp_sink(iface):
    """A socket on UDP port 5000 of IFACE that nobody reads."""
    sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sink.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sink.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, iface.encode())
    sink.bind(('', DPORT))
    return sink


def capture(iface, path, seconds, vxlan=False):
    sink = None if vxlan else udp_sink(iface)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                      socket.htons(ETH_P_ALL))
    s.bind((iface, 0))
    s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    s.settimeout(0.2)
    frames = []
    end = time.time() + seconds
    while time.time() < end:
        try:
            data, cmsgs, _, addr = s.recvmsg(65535, 64)
        except socket.timeout:
            continue
        data = with_vlan_tag(data, cmsgs)
        if addr[2] == PACKET_OUTGOING:
            continue
        text = test_frame_hex(data, vxlan)
        if text is not None:
            frames.append(text)
    if sink:
        sink.close()
    with open(path, 'w') as f:
        for line in sorted(frames):
            f.write(line + '\n')


def main(argv):
    if len(argv) >= 7 and argv[1] == 'send':
        opts = dict(a.split('=', 1) for a in argv[7:] if '=' in a)
        if len(opts) != len(argv[7:]) or set(opts) - {'vlan', 'proto'} \
                or opts.get('proto', 'udp') not in IPPROTO:
            sys.stderr.write(__doc__)
            return 2
        send(argv[2], argv[3], argv[4], argv[5], int(argv[6]),
             int(opts['vlan']) if 'vlan' in opts else None,
             opts.get('proto', 'udp'))
    elif len(argv) == 5 and argv[1] == 'capture':
        capture(argv[2], argv[3], float(argv[4]))
    elif len(argv) == 6 and argv[1] == 'capture' and argv[5] == 'vxlan':
        capture(argv[2], argv[3], float(argv[4]), vxlan=True)
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
