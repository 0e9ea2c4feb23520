#!/usr/bin/env python3
"""Split each TCP connection of a classic-pcap capture (Ethernet/IPv4, as the bundled
recordings are) into its two byte streams, for the codec's recording tests.

  tools/extract_streams.py OUT_DIR PCAP...

Writes OUT_DIR/<pcap stem>/<n>.c2s and <n>.s2c (n = connection index in order of SYN) and
OUT_DIR/<pcap stem>/index.json with the ports and, for every segment, the pcap frame number at
each stream offset. Deliberately independent of cephwire's own pcap reader (tools/pcap), so
the codec tests do not trust the code the tool tests check. Streams must start at their SYN.
"""
import json
import os
import struct
import sys


def records(path):
    with open(path, 'rb') as f:
        data = f.read()
    magic = struct.unpack('<I', data[:4])[0]
    if magic not in (0xa1b2c3d4, 0xa1b23c4d):
        raise SystemExit(f'{path}: not a little-endian classic pcap')
    linktype = struct.unpack('<I', data[20:24])[0]
    if linktype != 1:
        raise SystemExit(f'{path}: linktype {linktype}, only Ethernet supported here')
    off, n = 24, 0
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack('<IIII', data[off:off + 16])
        off += 16
        n += 1
        yield n, data[off:off + incl]
        off += incl


def main():
    out, pcaps = sys.argv[1], sys.argv[2:]
    for pcap in pcaps:
        conns, order = {}, []
        for frame, pkt in records(pcap):
            if struct.unpack('>H', pkt[12:14])[0] != 0x0800:
                continue
            ip = pkt[14:]
            ihl = (ip[0] & 15) * 4
            total = struct.unpack('>H', ip[2:4])[0]
            if ip[9] != 6:
                continue
            tcp = ip[ihl:total]
            sport, dport, seq = struct.unpack('>HHI', tcp[:8])
            doff = (tcp[12] >> 4) * 4
            flags = tcp[13]
            payload = tcp[doff:]
            if flags & 0x02 and not flags & 0x10:  # SYN: a new connection, client side
                key = (sport, dport)
                conns[key] = {'client': sport, 'server': dport, 'c2s': {'isn': seq + 1, 'segs': []},
                              's2c': None}
                order.append(key)
                continue
            if flags & 0x02 and flags & 0x10:  # SYN-ACK
                c = conns.get((dport, sport))
                if c:
                    c['s2c'] = {'isn': seq + 1, 'segs': []}
                continue
            if (sport, dport) in conns:
                d = conns[(sport, dport)]['c2s']
            elif (dport, sport) in conns and conns[(dport, sport)]['s2c']:
                d = conns[(dport, sport)]['s2c']
            else:
                continue
            if payload:
                d['segs'].append(((seq - d['isn']) & 0xffffffff, payload, frame))
        stem = os.path.splitext(os.path.basename(pcap))[0]
        os.makedirs(os.path.join(out, stem), exist_ok=True)
        index = []
        for i, key in enumerate(order):
            c = conns[key]
            entry = {'stream': i, 'client_port': c['client'], 'server_port': c['server']}
            for d in ('c2s', 's2c'):
                buf, frames = bytearray(), []
                for rel, pl, frame in sorted((c[d] or {'segs': []})['segs']):
                    if rel + len(pl) <= len(buf):
                        continue  # retransmission
                    if rel > len(buf):
                        raise SystemExit(f'{pcap}: gap in stream {i} {d}')
                    buf += pl[len(buf) - rel:]
                    frames.append([len(buf), frame])  # stream bytes [.., end) complete at frame
                with open(os.path.join(out, stem, f'{i}.{d}'), 'wb') as f:
                    f.write(buf)
                entry[d + '_bytes'] = len(buf)
                entry[d + '_frames'] = frames
            index.append(entry)
        with open(os.path.join(out, stem, 'index.json'), 'w') as f:
            json.dump(index, f, indent=1)
            f.write('\n')


if __name__ == '__main__':
    main()
