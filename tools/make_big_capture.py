#!/usr/bin/env python3
"""Builds a large classic pcap for throughput benchmarks by repeating the bundled recordings
with shifted client ports and timestamps (so every copy is a distinct set of TCP connections).

  tools/make_big_capture.py OUT.pcap MEGABYTES [PCAP...]   (default: corpus/recordings/*.pcap)
"""
import glob
import struct
import sys


def main():
    out, mb = sys.argv[1], int(sys.argv[2])
    srcs = sys.argv[3:] or sorted(glob.glob('corpus/recordings/*.pcap'))
    recs = []
    for path in srcs:
        with open(path, 'rb') as f:
            data = f.read()
        assert struct.unpack('<I', data[:4])[0] == 0xa1b2c3d4 and struct.unpack('<I', data[20:24])[0] == 1
        off = 24
        while off + 16 <= len(data):
            ts, tu, incl, orig = struct.unpack('<IIII', data[off:off + 16])
            recs.append((ts, tu, data[off + 16:off + 16 + incl]))
            off += 16 + incl
    target = mb * 1_000_000
    written, copy = 24, 0
    t0 = min(r[0] for r in recs)
    span = max(r[0] for r in recs) - t0 + 1
    with open(out, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
        while written < target:
            # Each copy's clients get their own address 127.<copy>.1 (the side with the
            # ephemeral port), so every copy is a new set of TCP connections.
            client_ip = bytes([127, (copy >> 8) & 255, copy & 255, 1])
            for ts, tu, pkt in recs:
                p = bytearray(pkt)
                if len(p) >= 54 and p[12:14] == b'\x08\x00' and p[23] == 6:
                    t = 14 + (p[14] & 15) * 4
                    sport, dport = struct.unpack('>HH', p[t:t + 4])
                    if sport > dport:
                        p[26:30] = client_ip
                    else:
                        p[30:34] = client_ip
                f.write(struct.pack('<IIII', ts - t0 + copy * span, tu, len(p), len(p)))
                f.write(p)
                written += 16 + len(p)
            copy += 1
    print(f'{out}: {written / 1e6:.1f} MB, {copy} copies of {len(srcs)} recordings')


if __name__ == '__main__':
    main()
