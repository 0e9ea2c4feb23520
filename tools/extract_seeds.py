#!/usr/bin/env python3
"""Seed corpora for the cephwire fuzz targets, extracted from every recorded connection.

Reads corpus/streams/<recording>/<n>.c2s|.s2c (see tools/extract_streams.py), splits each
direction into its items with a small independent msgr v1 / msgr2 (crc mode) framer, and writes
every distinct item, in the input format of its target, as corpus/<target>/<sha1>:

  msgr1_frame_fuzzer   byte 0 = kind (0 client banner, 1 server banner, 2 connect, 3 connect
                       reply, 4 seq le64, 5 close, 6 keepalive, 7 keepalive2, 8 keepalive2_ack,
                       9 ack, 10 message with MSG_AUTH footer, 11 message with old footer) + item
  msgr2_frame_fuzzer   byte 0 = 1 (rev1) / 0 (rev0) + frame, or 4 + banner
  msgr1_stream_fuzzer  fuzz_util.h stream format (flags 0, seed 0): both directions
  msgr2_stream_fuzzer  likewise
  mosdop_fuzzer, mosdopreply_fuzzer, mwatchnotify_fuzzer, mon_fuzzer
                       fuzz_util.h message format: le16 type, le16 version, le16 compat,
                       le32 front_len, le32 middle_len, front, middle, data
  watch_client_fuzzer, watch_client_registered_fuzzer
                       a few synthetic operation scripts (the client targets read op bytes)

and fuzz/recorded_watch.inc: the MOSDOp / MOSDOpReply messages of v1-watch-notify-basic (for
watch_client_registered_fuzzer, which replays the watch registration from them).

Files are named by the sha1 of their content, so re-running is idempotent and duplicates
(the recordings repeat their mon sessions) collapse. --check only reports what would change.

Usage: tools/extract_seeds.py [--root DIR] [--check]
"""
import argparse
import hashlib
import json
import os
import struct
import sys

MON_TYPES = {4, 5, 15, 16, 17, 18, 19, 20, 41, 50, 51, 62, 1796}
FEATURE_MSG_AUTH = 1 << 23


class Framer:
    """Splits a byte stream; raises EOFError when an item runs past the end."""

    def __init__(self, data):
        self.d = data
        self.p = 0

    def left(self):
        return len(self.d) - self.p

    def take(self, n):
        if self.p + n > len(self.d):
            raise EOFError
        b = self.d[self.p:self.p + n]
        self.p += n
        return b

    def peek(self, n, at=0):
        if self.p + at + n > len(self.d):
            raise EOFError
        return self.d[self.p + at:self.p + at + n]


# ---- msgr v1 ---------------------------------------------------------------------------------

def v1_tags(f, msg_auth, out):
    """Tags and messages after the handshake: (kind, bytes) into out."""
    footer = 21 if msg_auth else 13
    while f.left():
        tag = f.peek(1)[0]
        if tag == 7:  # MSG
            hdr = f.peek(53, 1)
            front_len, middle_len, data_len = struct.unpack_from('<III', hdr, 22)
            out.append((10 if msg_auth else 11, f.take(1 + 53 + front_len + middle_len + data_len + footer)))
        elif tag == 8:
            out.append((9, f.take(9)))
        elif tag == 9:
            out.append((6, f.take(1)))
        elif tag == 14:
            out.append((7, f.take(9)))
        elif tag == 15:
            out.append((8, f.take(9)))
        elif tag == 6:
            out.append((5, f.take(1)))
        else:
            break


def split_v1(c2s, s2c):
    """Returns (c2s_items, s2c_items) as lists of (kind, bytes)."""
    si, ci = [], []
    s = Framer(s2c)
    replies = []
    try:
        si.append((1, s.take(281)))
        while True:
            r = s.peek(26)
            alen = struct.unpack_from('<I', r, 21)[0]
            item = s.take(26 + alen)
            si.append((3, item))
            replies.append(item)
            if r[0] == 13:  # SEQ: the server's le64
                si.append((4, s.take(8)))
                break
            if r[0] == 1:
                break
    except EOFError:
        pass
    c = Framer(c2s)
    connects = []
    try:
        ci.append((0, c.take(145)))
        for r in replies:
            h = c.peek(33)
            alen = struct.unpack_from('<I', h, 28)[0]
            item = c.take(33 + alen)
            ci.append((2, item))
            connects.append(item)
            if r[0] == 13:
                ci.append((4, c.take(8)))
    except EOFError:
        pass
    msg_auth = True
    if connects and replies:
        cf = struct.unpack_from('<Q', connects[-1], 0)[0]
        rf = struct.unpack_from('<Q', replies[-1], 1)[0]
        msg_auth = bool(cf & rf & FEATURE_MSG_AUTH)
    for f, items in ((c, ci), (s, si)):
        try:
            v1_tags(f, msg_auth, items)
        except EOFError:
            pass
    return ci, si


def v1_message_parts(item):
    """(tid, type, version, compat, front, middle, data) of a MSG item."""
    h = item[1:54]
    seq, tid, typ, prio, ver, fl, ml, dl, doff = struct.unpack_from('<QQHHHIIIH', h, 0)
    compat = struct.unpack_from('<H', h, 45)[0]
    body = item[54:]
    return tid, typ, ver, compat, body[:fl], body[fl:fl + ml], body[fl + ml:fl + ml + dl]


# ---- msgr2 -----------------------------------------------------------------------------------

def v2_banner(f):
    pre = f.peek(10)
    if pre[:8] != b'ceph v2\n':
        raise EOFError
    n = struct.unpack_from('<H', pre, 8)[0]
    b = f.take(10 + n)
    return b, struct.unpack_from('<Q', b, 10)[0]


def v2_frames(f, rev1, out):
    while f.left() >= 32:
        pre = f.peek(32)
        nseg = pre[1]
        lens = [struct.unpack_from('<I', pre, 2 + 6 * i)[0] for i in range(4)]
        if rev1:
            size = 32 + lens[0] + (4 if lens[0] else 0) + sum(lens[1:nseg]) + (13 if nseg > 1 else 0)
        else:
            size = 32 + sum(lens[:nseg]) + 17
        out.append(f.take(size))


def split_v2(c2s, s2c):
    """Returns (rev1, c2s_banner, s2c_banner, c2s_frames, s2c_frames)."""
    c, s = Framer(c2s), Framer(s2c)
    try:
        cb, cfeat = v2_banner(c)
        sb, sfeat = v2_banner(s)
    except EOFError:
        return None
    rev1 = bool(cfeat & sfeat & 1)
    cf, sf = [], []
    for f, out in ((c, cf), (s, sf)):
        try:
            v2_frames(f, rev1, out)
        except EOFError:
            pass
    return rev1, cb, sb, cf, sf


def v2_message_parts(frame, rev1):
    lens = [struct.unpack_from('<I', frame, 2 + 6 * i)[0] for i in range(4)]
    p = 32
    segs = []
    for i in range(4):
        segs.append(frame[p:p + lens[i]])
        p += lens[i]
        if rev1 and i == 0 and lens[0]:
            p += 4
    h = segs[0]
    if len(h) != 41:
        return None
    tid = struct.unpack_from('<Q', h, 8)[0]
    typ, prio, ver = struct.unpack_from('<HHH', h, 16)
    compat = struct.unpack_from('<H', h, 37)[0]
    return tid, typ, ver, compat, segs[1], segs[2], segs[3]


# ---- output ----------------------------------------------------------------------------------

def parts_input(typ, ver, compat, front, middle, data):
    return struct.pack('<HHHII', typ, ver, compat, len(front), len(middle)) + front + middle + data


def stream_input(c2s, s2c, flags=0, seed=0):
    return struct.pack('<BIII', flags, len(c2s), len(s2c), seed) + c2s + s2c


def message_target(typ):
    if typ == 42:
        return 'mosdop_fuzzer'
    if typ == 43:
        return 'mosdopreply_fuzzer'
    if typ == 44:
        return 'mwatchnotify_fuzzer'
    if typ in MON_TYPES:
        return 'mon_fuzzer'
    return None


# Client op scripts (fuzz/client_fuzz.h: one op byte, then its arguments).
W, UNW, NOTIFY, ACK, LIST, WRITE, CHECK, FLUSH, REPLY, DROP, EV_NOTIFY, EV_COMPLETE, EV_DISC = range(13)
RESET, MAP, CLOCK, TIMER = 14, 15, 16, 17
OK = [0, 0]  # reply: osd choice (target), result 0
CLIENT_SCRIPTS = [
    # watch, registration reply, 20 s pass (pings), ping reply, unwatch, its reply
    bytes([W, 0, 30, REPLY, 0, 0] + OK + [CLOCK, 100, CLOCK, 100, REPLY, 0, 0] + OK +
          [CHECK, 0, UNW, 0, REPLY, 0, 0] + OK),
    # notify "hello" (timeout 10 s), its reply with an id, NOTIFY_COMPLETE with one ack, one timeout
    bytes([NOTIFY, 0, 5] + list(b'hello') + [0, REPLY, 0, 0] + OK + [0, 0] +
          [EV_COMPLETE, 0, 0, 0, 100, 1, 7, 8, 2] + list(b'ab') + [1, 9, 9, 0]),
    # watch + notify on the same object, the notification, its ack, completion, list_watchers
    bytes([W, 0, 0, REPLY, 0, 0] + OK + [NOTIFY, 0, 3] + list(b'abc') + [200, REPLY, 0, 0] + OK +
          [0, 0, EV_NOTIFY, 0, 0, 33, 4] + list(b'ping') + [1, ACK, 0, 0, 0, 4] + list(b'pong') +
          [REPLY, 0, 0] + OK + [EV_COMPLETE, 1, 0, 0, 0, 0, LIST, 0, REPLY, 0, 0] + OK + [20] +
          list(range(20)) + [FLUSH, WRITE, 1, 8] + list(b'contents') + [REPLY, 0, 0] + OK),
    # watch, reply, session reset of its OSD, reconnect reply, map change, clock jumps, disconnect
    bytes([W, 0, 45, REPLY, 0, 0] + OK + [RESET, 0, RESET, 1, RESET, 2, REPLY, 0, 0] + OK +
          [MAP, 1, MAP, 2, CLOCK, 220, TIMER, CLOCK, 255, EV_DISC, 0, 0, CHECK, 0, UNW, 0]),
    # registration errors, lost requests, notify timeouts
    bytes([W, 1, 0, REPLY, 0, 0, 0, 200, W, 2, 0, DROP, 0, NOTIFY, 2, 0, 130, DROP, 0,
           CLOCK, 230, CLOCK, 230, CHECK, 1]),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--root', default=os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
    ap.add_argument('--check', action='store_true', help='only report what would be written')
    args = ap.parse_args()
    root = os.path.abspath(args.root)
    streams_dir = os.path.join(root, 'corpus', 'streams')
    seeds = {}  # target -> {sha1: bytes}
    recorded_watch = []  # (tid, type, version, compat, front, data) of v1-watch-notify-basic

    def put(target, b):
        seeds.setdefault(target, {})[hashlib.sha1(b).hexdigest()] = b

    for rec in sorted(os.listdir(streams_dir)):
        d = os.path.join(streams_dir, rec)
        if not os.path.isdir(d):
            continue
        index = json.load(open(os.path.join(d, 'index.json')))
        for conn in index:
            n = conn['stream']
            c2s = open(os.path.join(d, '%d.c2s' % n), 'rb').read()
            s2c = open(os.path.join(d, '%d.s2c' % n), 'rb').read()
            if c2s.startswith(b'ceph v027') or s2c.startswith(b'ceph v027'):
                put('msgr1_stream_fuzzer', stream_input(c2s, s2c))
                ci, si = split_v1(c2s, s2c)
                for kind, item in ci + si:
                    put('msgr1_frame_fuzzer', bytes([kind]) + item)
                    if kind in (10, 11):
                        tid, typ, ver, compat, front, middle, data = v1_message_parts(item)
                        t = message_target(typ)
                        if t:
                            put(t, parts_input(typ, ver, compat, front, middle, data))
                        if rec == 'v1-watch-notify-basic' and typ in (42, 43):
                            recorded_watch.append((tid, typ, ver, compat, front, data))
            elif c2s.startswith(b'ceph v2\n') or s2c.startswith(b'ceph v2\n'):
                put('msgr2_stream_fuzzer', stream_input(c2s, s2c))
                r = split_v2(c2s, s2c)
                if not r:
                    continue
                rev1, cb, sb, cf, sf = r
                put('msgr2_frame_fuzzer', bytes([4]) + cb)
                put('msgr2_frame_fuzzer', bytes([4]) + sb)
                for fr in cf + sf:
                    put('msgr2_frame_fuzzer', bytes([1 if rev1 else 0]) + fr)
                    if fr[0] == 17:
                        m = v2_message_parts(fr, rev1)
                        if m:
                            tid, typ, ver, compat, front, middle, data = m
                            t = message_target(typ)
                            if t:
                                put(t, parts_input(typ, ver, compat, front, middle, data))
    for s in CLIENT_SCRIPTS:
        put('watch_client_fuzzer', s)
        put('watch_client_registered_fuzzer', s)

    changed = 0
    for target, files in sorted(seeds.items()):
        out = os.path.join(root, 'corpus', target)
        os.makedirs(out, exist_ok=True)
        new = [h for h in files if not os.path.exists(os.path.join(out, h))]
        changed += len(new)
        print('%-32s %4d seeds (%d new)' % (target, len(files), len(new)))
        if not args.check:
            for h in new:
                with open(os.path.join(out, h), 'wb') as fh:
                    fh.write(files[h])

    # fuzz/recorded_watch.inc
    lines = ['// Generated by tools/extract_seeds.py from corpus/streams/v1-watch-notify-basic: every',
             '// MOSDOp / MOSDOpReply of the recording as {tid, type, version, compat, front, data}.',
             '// Do not edit.']
    for i, (tid, typ, ver, compat, front, data) in enumerate(recorded_watch):
        lines.append('static const uint8_t kRecFront%d[] = {%s};' % (i, ', '.join(str(b) for b in front) or '0'))
        lines.append('static const uint8_t kRecData%d[] = {%s};' % (i, ', '.join(str(b) for b in data) or '0'))
    lines.append('static const RecordedMessage kRecorded[] = {')
    for i, (tid, typ, ver, compat, front, data) in enumerate(recorded_watch):
        lines.append('    {%du, %d, %d, %d, kRecFront%d, %d, kRecData%d, %d},' %
                     (tid, typ, ver, compat, i, len(front), i, len(data)))
    lines.append('};')
    text = '\n'.join(lines) + '\n'
    inc = os.path.join(root, 'fuzz', 'recorded_watch.inc')
    old = open(inc).read() if os.path.exists(inc) else None
    if old != text:
        changed += 1
        print('fuzz/recorded_watch.inc: %d messages%s' % (len(recorded_watch), '' if not args.check else ' (would change)'))
        if not args.check:
            open(inc, 'w').write(text)
    if args.check and changed:
        sys.exit(1)


if __name__ == '__main__':
    main()
