#!/usr/bin/env python3
"""Re-encodes a v9 full OSDMap (client section v9, as sent to SERVER_NAUTILUS clients) the way
Ceph 16.2.15's OSDMap::encode writes it for a client without SERVER_NAUTILUS and without
MSG_ADDR2: client section v7 (no last_up_change/last_in_change), each OSD's client address as
one legacy entity_addr_t (le32 0, le32 nonce, 128-byte sockaddr_storage with a big-endian
family), lengths and the trailing crc32c recomputed. Everything else is copied byte for byte.
Used by regen.sh; checks its own crc32c against the input's stored crc first.
"""
import struct
import sys

POLY = 0x82F63B78
TABLE = []
for i in range(256):
    c = i
    for _ in range(8):
        c = (c >> 1) ^ POLY if c & 1 else c >> 1
    TABLE.append(c)


def crc32c(seed, data):  # ceph_crc32c: no pre/post inversion
    c = seed
    for b in data:
        c = TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c


def main(src, dst):
    d = open(src, "rb").read()
    wv, wc, wlen = struct.unpack_from("<BBI", d, 0)
    assert wv == 8 and 6 + wlen == len(d)
    cv, cc, clen = struct.unpack_from("<BBI", d, 6)
    assert cv == 9, "expects a v9 client section"
    body, cend = 12, 12 + clen
    stored = struct.unpack_from("<I", d, len(d) - 4)[0]
    assert crc32c(0xFFFFFFFF, d[:len(d) - 4]) == stored, "crc32c self-check failed"
    o = body + 16 + 4 + 8 + 8
    (n,) = struct.unpack_from("<I", d, o); o += 4
    for _ in range(n):
        o += 8
        _v, _c, ln = struct.unpack_from("<BBI", d, o); o += 6 + ln
    (n,) = struct.unpack_from("<I", d, o); o += 4
    for _ in range(n):
        o += 8
        (ln,) = struct.unpack_from("<I", d, o); o += 4 + ln
    o += 4 + 4  # pool_max, flags
    (max_osd,) = struct.unpack_from("<i", d, o); o += 4
    for _vec in ("osd_state", "osd_weight"):
        (n,) = struct.unpack_from("<I", d, o); o += 4 + 4 * n
    addrs_at = o
    (n,) = struct.unpack_from("<I", d, o); o += 4
    assert n == max_osd
    legacy = [struct.pack("<I", n)]
    for _ in range(n):
        marker, cnt = struct.unpack_from("<BI", d, o); o += 5
        assert marker == 2
        chosen = None
        for _a in range(cnt):
            m, _v, _c, ln = struct.unpack_from("<BBBI", d, o); o += 7
            assert m == 1
            typ, nonce, elen = struct.unpack_from("<III", d, o)
            sa = d[o + 12:o + 12 + elen]
            o += ln
            if typ == 1 and chosen is None:  # the legacy (msgr v1) address
                chosen = (nonce, sa)
        assert chosen, "OSD without a v1 address"
        nonce, sa = chosen
        fam = struct.unpack_from("<H", sa, 0)[0]
        ss = struct.pack(">H", fam) + sa[2:]
        legacy.append(struct.pack("<II", 0, nonce) + ss + b"\0" * (128 - len(ss)))
    rest = d[o:cend - 16]  # drop v9's last_up_change + last_in_change
    client = d[body:addrs_at] + b"".join(legacy) + rest
    out = struct.pack("<BBI", 7, cc, len(client)) + client
    osd_and_crc = d[cend:len(d) - 4]
    wrapper_body = out + osd_and_crc
    blob = struct.pack("<BBI", wv, wc, len(wrapper_body) + 4) + wrapper_body
    blob += struct.pack("<I", crc32c(0xFFFFFFFF, blob))
    open(dst, "wb").write(blob)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
