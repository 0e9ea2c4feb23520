#!/usr/bin/env python3
"""Builds a recording manifest (NAME.json) for tools/record.

Inputs: the scenario driver's JSON lines (everything the driver knows: clients and gids,
cookies, notify ids, payloads, acks and timeouts, expectations and observations), tools/cluster
status before and after the scenario (ports and roles, OSD addresses, PGs), the capture and its
filter. The capture is only parsed at the TCP level here (streams, SYNs, ports): decoding the
Ceph messages is the job of `cephwire decode`, which checks manifests against pcaps.

Standard library only.
"""
import argparse
import hashlib
import json
import os
import re
import struct
import subprocess
import sys

PROTOCOL_NOTES = {
    "v1": {"version": "v1", "mode": "n/a (msgr v1 has no modes)", "v2_frame_revision": None,
           "bound": "msgr1 only (ms_bind_msgr1=true, ms_bind_msgr2=false)"},
    "v2": {"version": "v2", "mode": "crc", "v2_frame_revision": 1,
           "bound": "msgr2 only (ms_bind_msgr1=false, ms_bind_msgr2=true); ms_cluster_mode, "
                    "ms_service_mode, ms_client_mode, ms_mon_{cluster,service,client}_mode = crc; "
                    "frame revision 1 (msgr2.1) is what two 16.2.15 peers negotiate"},
}


def read_pcap(path):
    """Yields (ts, frame_no, bytes) from a classic libpcap file."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return None, []
    magic = data[:4]
    if magic == b"\xd4\xc3\xb2\xa1":
        endian, nano = "<", False
    elif magic == b"\xa1\xb2\xc3\xd4":
        endian, nano = ">", False
    elif magic == b"\x4d\x3c\xb2\xa1":
        endian, nano = "<", True
    elif magic == b"\xa1\xb2\x3c\x4d":
        endian, nano = ">", True
    else:
        raise ValueError("not a classic pcap file")
    _, _, _, _, snaplen, linktype = struct.unpack(endian + "HHiIII", data[4:24])
    frames = []
    off, n = 24, 0
    while off + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack(endian + "IIII", data[off:off + 16])
        off += 16
        n += 1
        frames.append((sec + frac / (1e9 if nano else 1e6), n, data[off:off + incl]))
        off += incl
    return {"snaplen": snaplen, "linktype": linktype, "nano": nano}, frames


def tcp_streams(frames, linktype):
    streams = {}
    order = []
    for ts, n, b in frames:
        if linktype == 1:  # Ethernet
            if len(b) < 14:
                continue
            etype = struct.unpack("!H", b[12:14])[0]
            ip = b[14:]
        elif linktype == 113:  # Linux cooked
            etype = struct.unpack("!H", b[14:16])[0]
            ip = b[16:]
        else:
            continue
        if etype == 0x0800:
            ihl = (ip[0] & 15) * 4
            if ip[9] != 6:
                continue
            total = struct.unpack("!H", ip[2:4])[0]
            src = ".".join(str(x) for x in ip[12:16])
            dst = ".".join(str(x) for x in ip[16:20])
            tcp = ip[ihl:total]
        elif etype == 0x86DD:
            if ip[6] != 6:
                continue
            plen = struct.unpack("!H", ip[4:6])[0]
            src, dst = "[" + ip[8:24].hex() + "]", "[" + ip[24:40].hex() + "]"
            tcp = ip[40:40 + plen]
        else:
            continue
        sport, dport = struct.unpack("!HH", tcp[:4])
        doff = (tcp[12] >> 4) * 4
        flags = tcp[13]
        payload = len(tcp) - doff
        a, z = (src, sport), (dst, dport)
        key = tuple(sorted([a, z]))
        s = streams.get(key)
        if s is None:
            syn_only = bool(flags & 0x02) and not (flags & 0x10)
            s = {"first_frame": n, "t_first_wall": round(ts, 6), "starts_with_syn": syn_only,
                 "client": a if syn_only else None, "server": z if syn_only else None,
                 "frames": 0, "bytes": {a: 0, z: 0}, "fin": False, "rst": False,
                 "t_last_wall": ts}
            streams[key] = s
            order.append(key)
        s["frames"] += 1
        s["bytes"][a] = s["bytes"].get(a, 0) + payload
        s["t_last_wall"] = round(ts, 6)
        if flags & 0x01:
            s["fin"] = True
        if flags & 0x04:
            s["rst"] = True
    return [streams[k] for k in order]


def parse_dumpcap(log):
    st = {}
    m = re.search(r"Packets captured:\s*(\d+)", log)
    if m:
        st["captured"] = int(m.group(1))
    m = re.search(r"Packets received/dropped on interface '[^']*':\s*(\d+)/(\d+)", log)
    if m:
        st["received"] = int(m.group(1))
        st["dropped"] = int(m.group(2))
    return st


def tshark_counts(pcap, msgr, name):
    try:
        ver = subprocess.run(["tshark", "--version"], capture_output=True, text=True,
                             timeout=30).stdout.splitlines()[0]
    except Exception:
        return None
    if msgr == "v2":
        return {"tshark": ver, "note": "Wireshark 4.0 has no msgr v2 dissector: n/a"}
    r = subprocess.run(["tshark", "-r", pcap, "-Y", "ceph", "-T", "fields", "-e", "ceph.type",
                        "-e", "_ws.malformed"], capture_output=True, text=True, timeout=300)
    counts = {"osd_op": 0, "osd_opreply": 0, "watch_notify": 0}
    frames = malformed = 0
    for line in r.stdout.splitlines():
        frames += 1
        cols = line.split("\t")
        types = [t for t in cols[0].split(",") if t]
        if len(cols) > 1 and cols[1]:
            malformed += 1
        for t in types:
            v = int(t, 0)
            if v == 0x2A:
                counts["osd_op"] += 1
            elif v == 0x2B:
                counts["osd_opreply"] += 1
            elif v == 0x2C:
                counts["watch_notify"] += 1
    return {"tshark": ver, "command": f"tshark -r {name}.pcap -Y ceph",
            "ceph_frames": frames, **counts, "malformed_frames": malformed,
            "note": "Wireshark's Ceph dissector marks modern MOSDOp/MOSDOpReply as malformed and "
                    "then stops dissecting the frame, so its counts can be lower than the wire's"}


def main():
    ap = argparse.ArgumentParser()
    for a in ("name", "scenario", "msgr", "events", "driver-stderr", "status-before",
              "status-after", "pcap", "filter-file", "excluded-file", "dumpcap-log", "ceph-conf",
              "timings", "out"):
        ap.add_argument("--" + a, required=True)
    ap.add_argument("--driver-rc", type=int, required=True)
    args = ap.parse_args()

    events = []
    bad_lines = 0
    with open(args.events) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            try:
                events.append(json.loads(line))
            except json.JSONDecodeError:
                bad_lines += 1
    scen = next((e for e in events if e.get("ev") == "scenario"), {})
    summary = next((e for e in reversed(events) if e.get("ev") == "summary"), None)
    mismatches = [e for e in events if e.get("ev") == "mismatch"]
    before = json.load(open(args.status_before))
    try:
        after = json.load(open(args.status_after))
    except Exception:
        after = {}
    ceph_version = subprocess.run(["ceph-osd", "--version"], capture_output=True,
                                  text=True).stdout.strip()

    # ---- what the driver did
    step_evs = [e for e in events if e.get("ev") in ("client", "step", "aio_issued",
                                                     "client_shutdown")]
    clients = []
    for e in events:
        if e.get("ev") == "client":
            c = {k: e.get(k) for k in ("name", "role", "gid", "entity", "addrs", "step",
                                       "namespace", "ret")}
            if "conf_overrides" in e:
                c["conf_overrides"] = e["conf_overrides"]
            clients.append(c)
    watches = []
    for e in events:
        if e.get("ev") == "step" and e.get("call") in ("rados_watch2", "rados_watch3"):
            w = {"watch": e.get("watch"), "client": e.get("actor"),
                 "client_gid": e.get("client_gid"), "cookie": e.get("cookie"),
                 "namespace": e.get("namespace"), "object": e.get("object"),
                 "api": e.get("call"), "timeout_s": e.get("timeout_s"),
                 "notify_policy": e.get("notify_policy"), "ack_reply": e.get("ack_reply"),
                 "step": e.get("step"), "ret": e.get("ret"), "ok": e.get("ok")}
            watches.append(w)
    notifies = []
    for e in events:
        if e.get("ev") == "step" and e.get("call") in ("rados_notify2", "rados_aio_notify"):
            n = {"notify": e.get("notify"), "step": e.get("step"), "notifier": e.get("actor"),
                 "api": e.get("call")}
            for k in ("namespace", "object", "timeout_ms", "payload", "expected", "ret",
                      "reply_len", "reply", "ok", "notify_id_seen_by_watchers", "received_by",
                      "t_start", "t_end"):
                if k in e:
                    n[k] = e[k]
            notifies.append(n)
    callbacks = [e for e in events if e.get("ev") in ("notify_received", "notify_ack_sent",
                                                      "notify_not_acked", "watch_error")]
    objects = []
    for e in events:
        if e.get("ev") == "step" and "object" in e:
            o = {"namespace": e.get("namespace", ""), "name": e["object"],
                 "name_len": len(e["object"].encode())}
            if o not in objects:
                objects.append(o)
    external = [{"step": e["step"], "argv": e["argv"], "rc": e.get("rc"), "ok": e.get("ok")}
                for e in events if e.get("ev") == "step" and "argv" in e]
    notes = [e["text"] for e in events if e.get("ev") == "note"]

    # ---- capture
    with open(args.pcap, "rb") as f:
        raw = f.read()
    hdr, frames = read_pcap(args.pcap)
    streams = tcp_streams(frames, hdr["linktype"])
    roles = {}
    roles.update({int(k): v for k, v in (after.get("port_roles") or {}).items()})
    roles.update({int(k): v for k, v in (before.get("port_roles") or {}).items()})
    lo, hi = before["port_range"]
    step_starts = sorted((e["wall"] - (e.get("t", 0) - e.get("t_start", e.get("t", 0))),
                          e.get("step")) for e in step_evs if e.get("step") is not None)
    stream_list = []
    for i, s in enumerate(streams):
        if s["client"] is None:
            # not from SYN: guess the server side from the port range
            ends = list(s["bytes"].keys())
            srv = next((x for x in ends if lo <= x[1] <= hi and x[1] in roles), ends[-1])
            cli = next(x for x in ends if x != srv) if len(ends) > 1 else srv
        else:
            cli, srv = s["client"], s["server"]
        opened = None
        for w, st in step_starts:
            if w <= s["t_first_wall"] + 1e-6:
                opened = st
        role = roles.get(srv[1], "port in range, role unknown" if lo <= srv[1] <= hi else "?")
        stream_list.append({
            "stream": i, "client": f"{cli[0]}:{cli[1]}", "server": f"{srv[0]}:{srv[1]}",
            "server_role": role,
            "first_frame": s["first_frame"], "starts_with_syn": s["starts_with_syn"],
            "t_first_wall": s["t_first_wall"], "t_last_wall": s["t_last_wall"],
            "frames": s["frames"], "bytes_c2s": s["bytes"].get(cli, 0),
            "bytes_s2c": s["bytes"].get(srv, 0),
            "closed": "rst" if s["rst"] else ("fin" if s["fin"] else "open at capture end"),
            "opened_during_step": opened,
        })
    excluded = []
    with open(args.excluded_file) as f:
        for line in f:
            p = line.split()
            if len(p) == 2:
                excluded.append({"ports": [int(p[0]), int(p[1])],
                                 "roles": [roles.get(int(p[0]), "client/ephemeral"),
                                           roles.get(int(p[1]), "client/ephemeral")]})
    dump = parse_dumpcap(open(args.dumpcap_log).read())
    cap = {
        "file": args.name + ".pcap",
        "format": "pcap (libpcap classic, %s timestamps, linktype %s on lo)" % (
            "nanosecond" if hdr["nano"] else "microsecond",
            "EN10MB" if hdr["linktype"] == 1 else hdr["linktype"]),
        "bytes": len(raw),
        "sha256": hashlib.sha256(raw).hexdigest(),
        "frames": len(frames),
        "duration_s": round(frames[-1][0] - frames[0][0], 3) if frames else 0,
        "interface": "lo",
        "snaplen": hdr["snaplen"],
        "filter": open(args.filter_file).read().strip(),
        "excluded_preexisting_connections": excluded,
        "started": "before any scenario client connected; daemon-to-daemon connections that "
                   "already existed (ss -tan at capture start) are excluded by port pair, so "
                   "every captured TCP stream starts at its SYN",
        "dumpcap": dump,
        "first_frame_wall": round(frames[0][0], 6) if frames else None,
        "driver_start_wall": scen.get("driver_start_wall"),
        "tcp_streams": len(stream_list),
        "tcp_streams_from_syn": sum(1 for s in stream_list if s["starts_with_syn"]),
        "all_streams_from_syn": all(s["starts_with_syn"] for s in stream_list),
        "streams": stream_list,
    }

    timings = {}
    for kv in args.timings.split(","):
        k, _, v = kv.partition("=")
        timings[k] = float(v)
    driver_ok = (args.driver_rc == 0 and summary is not None and summary.get("ok") is True
                 and not mismatches and bad_lines == 0)
    checks = [
        {"check": "driver exit status 0 and every step matched its expectation",
         "expected": 0, "observed": args.driver_rc, "ok": driver_ok},
        {"check": "every TCP stream in the capture starts with its SYN",
         "expected": len(stream_list), "observed": cap["tcp_streams_from_syn"],
         "ok": cap["all_streams_from_syn"]},
        {"check": "dumpcap dropped no packet", "expected": 0,
         "observed": dump.get("dropped"), "ok": dump.get("dropped") == 0},
        {"check": "every driver client connected (gid known)",
         "expected": len(clients), "observed": sum(1 for c in clients if c.get("gid")),
         "ok": all(c.get("gid") for c in clients)},
    ]
    osd_keys = ("osd", "uuid", "up", "in", "up_from", "public_addrs", "cluster_addrs",
                "heartbeat_back_addrs", "heartbeat_front_addrs")
    manifest = {
        "name": args.name,
        "scenario": args.scenario,
        "description": scen.get("description"),
        "driver_ok": driver_ok,
        "messenger": PROTOCOL_NOTES[args.msgr],
        "ceph_version": ceph_version,
        "librados_version": scen.get("librados_version"),
        "cluster": {
            "fsid": before.get("fsid"),
            "auth": "none (auth_cluster/service/client_required = none)",
            "mon": before.get("mon"),
            "osd_count": before.get("osd_count"),
            "objectstore": before.get("objectstore"),
            "osds_at_capture_start": [{k: o.get(k) for k in osd_keys} for o in before.get("osds", [])],
            "osds_after_scenario": [{k: o.get(k) for k in osd_keys} for o in after.get("osds", [])],
            "osdmap_epoch_at_capture_start": before.get("epoch"),
            "osdmap_epoch_after_scenario": after.get("epoch"),
            "pool": before.get("pool"),
            "pgs_at_capture_start": (before.get("pg_check") or {}).get("pgs"),
            "pgs_after_scenario": (after.get("pg_check") or {}).get("pgs"),
            "port_range": before.get("port_range"),
            "port_roles": {str(k): v for k, v in sorted(roles.items())},
            "readiness": "all OSDs up, every PG of the pool reported "
                         "Started/Primary/Active/Clean by its primary (ceph tell osd.N "
                         "dump_pgstate_history; no mgr, so no ceph pg stat) and a probe "
                         "write/read/remove with rados",
            "ceph_conf": open(args.ceph_conf).read(),
        },
        "objects": objects,
        "clients": clients,
        "external_commands": external,
        "watches": watches,
        "notifies": notifies,
        "steps": step_evs,
        "callbacks": callbacks,
        "notes": notes,
        "mismatches": mismatches,
        "expected_wire_counts": (summary or {}).get("expected_wire_counts"),
        "expected_wire_counts_note": "the driver's own librados calls: one MOSDOp per call "
                                     "(write_full, watch, unwatch, notify, notify_ack, "
                                     "list_watchers); one MWatchNotify NOTIFY per watcher a "
                                     "notify reached and one NOTIFY_COMPLETE per notify that "
                                     "started. Pings, linger reconnects/resends and the traffic "
                                     "of librbd and CLI tools are on the wire but not counted.",
        "checks": checks,
        "capture": cap,
        "tshark": tshark_counts(args.pcap, args.msgr, args.name),
        "scenario_notes": scen.get("notes"),
        "driver_stderr": open(args.driver_stderr).read()[-4000:],
        "recorder": {
            "tools": "tools/record (tools/cluster, tools/scenario, tools/record_manifest.py)",
            "timings_s": timings,
            "decoder": "none here: the `wire` section of the four original recordings came "
                       "from an independent decoder; `cephwire decode` checks this manifest "
                       "against the pcap",
        },
    }
    with open(args.out, "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    print(json.dumps({"name": args.name, "driver_ok": driver_ok,
                      "streams": cap["tcp_streams"], "from_syn": cap["tcp_streams_from_syn"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
