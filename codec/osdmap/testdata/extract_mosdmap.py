#!/usr/bin/env python3
"""Pulls the full OSDMap blobs out of the MOSDMap messages (type 41) a monitor sent in a
recorded msgr v1 stream (corpus/streams/<rec>/, server port 42000), for regen.sh.

msgr v1 after the handshake (banner 9 B, server addr 136 B, client addr 136 B, connect reply
26 B, plus a le64 seq when the reply tag is SEQ=13): tags; MSG=7 is a 53-byte ceph_msg_header,
front, middle, data, 21-byte footer; ACK=8 and KEEPALIVE2(_ACK)=14/15 carry 8 bytes.
MOSDMap front: fsid(16) | map<le32, bufferlist> incrementals | map<le32, bufferlist> full | ...
"""
import json
import os
import struct
import sys


def messages(s2c):
    off = 9 + 136 + 136
    tag0 = s2c[off]
    off += 26
    if tag0 == 13:
        off += 8
    while off < len(s2c):
        tag = s2c[off]
        off += 1
        if tag == 7:
            h = s2c[off:off + 53]
            _seq, _tid, typ, _prio, ver, front, mid, data, _doff = struct.unpack("<QQHHHIIIH", h[:36])
            off += 53
            yield typ, ver, s2c[off:off + front]
            off += front + mid + data + 21
        elif tag in (8, 14, 15):
            off += 8
        else:
            raise SystemExit("unknown tag %d at %d" % (tag, off - 1))


def main(stream_dir, out_dir):
    seen = set()
    for s in json.load(open(os.path.join(stream_dir, "index.json"))):
        if s["server_port"] != 42000:
            continue
        data = open(os.path.join(stream_dir, "%d.s2c" % s["stream"]), "rb").read()
        for typ, _ver, fr in messages(data):
            if typ != 41:
                continue
            off = 16
            for _kind in ("inc", "full"):
                (n,) = struct.unpack_from("<I", fr, off)
                off += 4
                for _ in range(n):
                    epoch, ln = struct.unpack_from("<II", fr, off)
                    off += 8
                    if _kind == "full" and epoch not in seen:
                        seen.add(epoch)
                        open(os.path.join(out_dir, "full_e%d.bin" % epoch), "wb").write(fr[off:off + ln])
                    off += ln
    if not seen:
        raise SystemExit("no MOSDMap with a full map found")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
