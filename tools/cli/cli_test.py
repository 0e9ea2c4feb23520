#!/usr/bin/env python3
"""End-to-end tests of `cephwire decode` and `cephwire verify` (run by //tools:cli_test).

- verify: every recording in corpus/recordings is byte-exact (0 mismatched, 0 rejected);
- decode --json: on the four shared recordings, the same MOSDOp / MOSDOpReply / MWatchNotify
  messages, with the same values, as the manifests' wire.messages (an independent decoder);
- bad input: missing file, not a pcap, a truncated file, a capture cut mid-message, garbage in
  a Ceph stream, and non-Ceph TCP traffic: a clear message and the right exit code, no crash.
"""
import glob
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import unittest

CEPHWIRE = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else 'bazel-bin/tools/cephwire'
REC = 'corpus/recordings'


def run(*args):
    p = subprocess.run([CEPHWIRE, *args], capture_output=True, text=True, timeout=300)
    return p.returncode, p.stdout, p.stderr


def records(path):
    with open(path, 'rb') as f:
        data = f.read()
    off, out = 24, []
    while off + 16 <= len(data):
        incl = struct.unpack('<I', data[off + 8:off + 12])[0]
        out.append((off, off + 16 + incl))
        off += 16 + incl
    return data, out


def write_pcap(path, frames):
    """frames: list of (ts, ethernet frame bytes)"""
    with open(path, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
        for ts, fr in frames:
            f.write(struct.pack('<IIII', int(ts), int((ts % 1) * 1e6), len(fr), len(fr)))
            f.write(fr)


def tcp_frame(src, dst, sport, dport, seq, ack, flags, payload=b''):
    tcp = struct.pack('>HHIIBBHHH', sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload
    ip = struct.pack('>BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6, 0,
                     bytes(src), bytes(dst)) + tcp
    return b'\x00' * 12 + b'\x08\x00' + ip


class Verify(unittest.TestCase):
    def test_every_recording_is_byte_exact(self):
        pcaps = sorted(glob.glob(f'{REC}/*.pcap'))
        self.assertGreaterEqual(len(pcaps), 4)
        rc, out, err = run('verify', *pcaps)
        self.assertEqual(rc, 0, out + err)
        m = re.search(r'^verified (\d+) messages in (\d+) frames from (\d+) streams: (\d+) '
                      r'byte-exact, (\d+) mismatched, (\d+) rejected$', out, re.M)
        self.assertIsNotNone(m, out)
        msgs, frames, streams, exact, mism, rej = map(int, m.groups())
        self.assertGreater(msgs, 1000)
        self.assertEqual((exact, mism, rej), (msgs, 0, 0))


class DecodeAgreesWithManifests(unittest.TestCase):
    def check(self, name):
        with open(f'{REC}/{name}.json') as f:
            manifest = json.load(f)
        rc, out, err = run('decode', '--json', '--filter', 'messages', f'{REC}/{name}.pcap')
        self.assertEqual(rc, 0, err)
        ours = {}
        for line in out.splitlines():
            j = json.loads(line)
            if j['type'] in ('MOSDOp', 'MOSDOpReply', 'MWatchNotify'):
                ours.setdefault((j['frame'], j['type'], j['tid'], j['seq']), []).append(j)
        names = {'osd_op': 'MOSDOp', 'osd_opreply': 'MOSDOpReply', 'watch_notify': 'MWatchNotify'}
        count = 0
        for m in manifest['wire']['messages']:
            key = (m['frame'], names[m['name']], m['tid'], m['seq'])
            self.assertIn(key, ours, f'{name}: manifest message {key} not decoded')
            j = ours[key].pop(0)
            count += 1
            self.assertEqual(j['version'], m['version'])
            self.assertEqual(j['front_len'], m['front_len'])
            self.assertEqual(j['data_len'], m['data_len'])
            if 'src' in m:
                self.assertEqual(j['src_name'], m['src'])
            b, mb = j['body'], m['body']
            if m['name'] == 'osd_op':
                self.assertEqual(b['pgid']['pool'], mb['pool'])
                self.assertEqual(b['pgid']['seed'], mb['pg_seed'])
                self.assertEqual(b['pgid']['pgid'], mb['pgid'])
                for k in ('hash', 'osdmap_epoch', 'flags', 'client_inc', 'oid', 'snapid', 'snap_seq',
                          'retry_attempt', 'features'):
                    self.assertEqual(b[k], mb[k], k)
                self.assertEqual(b['reqid']['name'], mb['reqid']['name'])
                self.assertEqual(b['oloc']['pool'], mb['locator_pool'])
                self.assertEqual(b['oloc']['key'], mb['key'])
                self.assertEqual(b['oloc']['namespace'], mb['namespace'])
                self.assertEqual(len(b['ops']), len(mb['ops']))
                for o, mo in zip(b['ops'], mb['ops']):
                    self.assertEqual(o['op'], mo['op'])
                    self.assertEqual(o['code'], mo['code'])
                    self.assertEqual(o['payload_len'], mo['payload_len'])
                    for k in ('cookie', 'gen', 'timeout', 'offset', 'length', 'watch_op'):
                        if k in mo:
                            self.assertEqual(o[k], mo[k], k)
                    if 'notify_payload' in mo:
                        self.assertEqual(o['indata']['prot_ver'], mo['prot_ver'])
                        self.assertEqual(o['indata']['timeout'], mo['timeout_s'])
                        self.assertEqual(o['indata']['payload'], mo['notify_payload']['hex'])
                    if 'ack_cookie' in mo:
                        self.assertEqual(o['indata']['notify_id'], mo['notify_id'])
                        self.assertEqual(o['indata']['cookie'], mo['ack_cookie'])
                        self.assertEqual(o['indata']['reply'], mo['reply_payload']['hex'])
            elif m['name'] == 'osd_opreply':
                for k in ('oid', 'flags', 'result', 'osdmap_epoch', 'retry_attempt', 'user_version'):
                    self.assertEqual(b[k], mb[k], k)
                self.assertEqual(b['pgid']['pgid'], mb['pgid'])
                for o, mo in zip(b['ops'], mb['ops']):
                    self.assertEqual(o['op'], mo['op'])
                    self.assertEqual(o['rval'], mo['rval'])
                    for k in ('cookie', 'gen', 'watch_op'):
                        if k in mo:
                            self.assertEqual(o[k], mo[k], k)
            else:
                for k in ('opcode', 'cookie', 'ver', 'notify_id', 'return_code', 'notifier_gid'):
                    self.assertEqual(b[k], mb[k], k)
                self.assertEqual(b['payload'], mb['payload']['hex'])
                if 'reply' in mb:
                    self.assertEqual([(a['gid'], a['cookie'], a['payload']) for a in b['reply']['acks']],
                                     [(a['gid'], a['cookie'], a['payload']['hex']) for a in mb['reply']['acks']])
                    self.assertEqual([(t['gid'], t['cookie']) for t in b['reply']['timeouts']],
                                     [(t['gid'], t['cookie']) for t in mb['reply']['timeouts']])
        self.assertEqual(count, len(manifest['wire']['messages']))
        self.assertTrue(all(not v for v in ours.values()), f'{name}: messages not in the manifest')

    def test_v1_watch_notify_basic(self):
        self.check('v1-watch-notify-basic')

    def test_v1_notify_timeout(self):
        self.check('v1-notify-timeout')

    def test_v1_list_watchers(self):
        self.check('v1-list-watchers')

    def test_v2_watch_notify_basic(self):
        self.check('v2-watch-notify-basic')

    def test_filter_by_cookie_and_text_output(self):
        rc, out, err = run('decode', '--filter', 'cookie=93900685801840',
                           f'{REC}/v1-notify-timeout.pcap')
        self.assertEqual(rc, 0, err)
        lines = out.splitlines()
        self.assertGreaterEqual(len(lines), 4)  # watch, its reply, the notify, unwatch, reply
        for l in lines:
            self.assertIn('93900685801840', l)
        self.assertIn('MWatchNotify', out)
        rc, out, err = run('decode', '--filter', 'bogus=1', f'{REC}/v1-notify-timeout.pcap')
        self.assertNotEqual(rc, 0)
        self.assertIn('bad --filter', err)


def same_payload(ours, theirs):
    """ours: our JSON bytes (hex string, or {len, sha256, hex_prefix}); theirs: a manifest
    payload ({len, sha256, hex?})."""
    if isinstance(ours, str):
        return ours == theirs.get('hex', ours) and len(ours) // 2 == theirs['len']
    return ours['len'] == theirs['len'] and ours['sha256'] == theirs['sha256']


class EveryManifestMatchesItsCapture(unittest.TestCase):
    """What each scenario driver observed through librados (manifest: watches, notifies,
    callbacks, clients) is on the wire as cephwire decodes it."""

    def test_all(self):
        for path in sorted(glob.glob(f'{REC}/*.json')):
            with self.subTest(recording=os.path.basename(path)):
                self.check(path)

    def check(self, path):
        with open(path) as f:
            m = json.load(f)
        rc, out, err = run('decode', '--json', path[:-5] + '.pcap')
        self.assertEqual(rc, 0, err)
        items = [json.loads(l) for l in out.splitlines()]
        msgs = [j for j in items if j['kind'] == 'message']
        # A client is on the wire under its gid: as a message src (v1 after MAuth; v2 on OSD
        # sessions), or as the global id a v2 mon assigns in AUTH_DONE.
        srcs = {j['src_name'] for j in msgs}
        srcs |= {f"client.{j['body']['frame']['payload']['global_id']}" for j in items
                 if j['kind'] == 'auth_done'}
        ops = [(j, o) for j in msgs if j['type'] == 'MOSDOp' for o in j['body']['ops']]
        wn = [j['body'] for j in msgs if j['type'] == 'MWatchNotify']
        for c in m['clients']:
            if c.get('ret', 0) == 0 and c.get('gid'):
                self.assertIn(f"client.{c['gid']}", srcs, c['name'])
        for w in m['watches']:
            if w.get('ret', 0) != 0 or not w.get('cookie'):
                continue
            self.assertTrue(any(o['op'] == 'watch' and o.get('watch_op') == 'watch'
                                and o['cookie'] == w['cookie']
                                and j['src_name'] == f"client.{w['client_gid']}"
                                and j['body']['oid'] == w['object']
                                and j['body']['oloc']['namespace'] == w['namespace']
                                for j, o in ops), f"watch {w['watch']} not on the wire")
        for cb in m['callbacks']:
            if cb['ev'] != 'notify_received':
                continue
            self.assertTrue(any(b['opcode'] == 'notify' and b['cookie'] == cb['cookie']
                                and b['notify_id'] == cb['notify_id']
                                and b['notifier_gid'] == cb['notifier_gid']
                                and same_payload(b['payload'], cb['payload']) for b in wn),
                            f"notify callback {cb} not on the wire")
        for cb in m['callbacks']:
            if cb['ev'] != 'notify_ack_sent' or cb.get('ret', 0) != 0:
                continue
            self.assertTrue(any(o['op'] == 'notify-ack' and o['indata']['notify_id'] == cb['notify_id']
                                and o['indata']['cookie'] == cb['cookie'] for j, o in ops),
                            f"ack {cb} not on the wire")
        for n in m['notifies']:
            if 'reply' not in n or not isinstance(n['reply'], dict) or 'acks' not in n['reply']:
                continue
            acks = sorted((a['gid'], a['cookie']) for a in n['reply']['acks'])
            timeouts = sorted((t['gid'], t['cookie']) for t in n['reply']['timeouts'])
            found = [b for b in wn if b['opcode'] == 'notify_complete' and 'reply' in b
                     and sorted((a['gid'], a['cookie']) for a in b['reply']['acks']) == acks
                     and sorted((t['gid'], t['cookie']) for t in b['reply']['timeouts']) == timeouts
                     and b['return_code'] == (n['ret'] if n['ret'] in (0, -110) else b['return_code'])]
            self.assertTrue(found, f"notify {n['notify']}: no NOTIFY_COMPLETE with acks {acks} "
                                   f"and timeouts {timeouts}")
            for a in n['reply']['acks']:
                ours = [x for b in found for x in b['reply']['acks']
                        if (x['gid'], x['cookie']) == (a['gid'], a['cookie'])]
                self.assertTrue(any(same_payload(x['payload'], a['payload']) for x in ours))


class BadInput(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()

    def test_missing_file(self):
        rc, out, err = run('verify', os.path.join(self.dir, 'nope.pcap'))
        self.assertNotEqual(rc, 0)
        self.assertRegex(err + out, r'(?i)not exist|not found')

    def test_not_a_pcap(self):
        p = os.path.join(self.dir, 'x.pcap')
        open(p, 'wb').write(b'this is not a capture file at all' * 10)
        for cmd in ('verify', 'decode'):
            rc, out, err = run(cmd, p)
            self.assertNotEqual(rc, 0)
            self.assertIn('not a pcap', err)

    def test_truncated_file(self):
        data, recs = records(f'{REC}/v1-watch-notify-basic.pcap')
        p = os.path.join(self.dir, 'cut.pcap')
        open(p, 'wb').write(data[:recs[129][0] + 30])  # inside record 130
        rc, out, err = run('decode', p)
        self.assertNotEqual(rc, 0)
        self.assertIn('truncated', err)
        self.assertIn('MOSDOp', out)  # everything before the cut is still decoded
        rc, out, err = run('verify', p)
        self.assertNotEqual(rc, 0)

    def test_capture_cut_mid_message(self):
        path = f'{REC}/v1-large-payloads.pcap'
        data, recs = records(path)
        # the first record carrying a large segment: the message it starts goes on in the next
        cut = next(e for s, e in recs if e - s > 40000)
        p = os.path.join(self.dir, 'midmsg.pcap')
        open(p, 'wb').write(data[:cut])
        rc, out, err = run('verify', p)
        self.assertNotEqual(rc, 0)
        self.assertIn('capture ends inside an item', out)
        rc, out, err = run('decode', p)
        self.assertNotEqual(rc, 0)
        self.assertIn('capture ends inside an item', err)

    def test_garbage_inside_a_ceph_stream(self):
        data, recs = records(f'{REC}/v1-watch-notify-basic.pcap')
        data = bytearray(data)
        # frame 106 is the first MOSDOp (writefull): scribble over its front
        s, e = recs[105]
        for i in range(s + 16 + 66 + 60, s + 16 + 66 + 80):
            data[i] ^= 0x5a
        p = os.path.join(self.dir, 'garbage.pcap')
        open(p, 'wb').write(data)
        rc, out, err = run('verify', p)
        self.assertNotEqual(rc, 0)
        self.assertRegex(out, r'frame 106 stream \d+ c2s .*crc')
        self.assertRegex(out, r'verified \d+ messages .* 0 mismatched, [1-9]\d* rejected')
        rc, out, err = run('decode', p)
        self.assertIn('resync', err)
        self.assertIn('MWatchNotify', out)  # decoding goes on after the bad message

    def test_non_ceph_traffic_is_skipped(self):
        lo = [127, 0, 0, 1]
        frames = [
            (1.0, tcp_frame(lo, lo, 40000, 80, 1000, 0, 0x02)),
            (1.1, tcp_frame(lo, lo, 80, 40000, 5000, 1001, 0x12)),
            (1.2, tcp_frame(lo, lo, 40000, 80, 1001, 5001, 0x18, b'GET / HTTP/1.1\r\nHost: x\r\n\r\n')),
            (1.3, tcp_frame(lo, lo, 80, 40000, 5001, 1029, 0x18, b'HTTP/1.1 200 OK\r\n\r\n' + bytes(range(256)))),
        ]
        p = os.path.join(self.dir, 'http.pcap')
        write_pcap(p, frames)
        rc, out, err = run('verify', p)
        self.assertEqual(rc, 0, out + err)
        self.assertIn('1 TCP streams carried no Ceph traffic', out)
        self.assertIn('verified 0 messages in 4 frames from 1 streams', out)


if __name__ == '__main__':
    unittest.main(verbosity=2)
