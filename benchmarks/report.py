#!/usr/bin/env python3
"""Turns JMH JSON results (the benchmarks module's, and optionally benchmarks-aeron's) into the
Markdown tables of docs/benchmarks.md: report.py RESULT.json [MORE.json...]"""
import json
import math
import sys

IMPLS = ["hoare", "jox", "abq", "ltq", "sq"]
SCENARIOS = [
    ("Unbuffered.ping", None, "unbuffered ping, 1P1C"),
    ("Buffered.oneToOne", "16", "buffered(16), 1P1C"),
    ("Buffered.oneToOne", "1024", "buffered(1024), 1P1C"),
    ("Buffered.fourToOne", "16", "buffered(16), 4P1C"),
    ("Buffered.fourToOne", "1024", "buffered(1024), 4P1C"),
]
TARGETS = [  # (scenario label, peer, target ratio of throughputs hoare/peer)
    ("buffered(16), 1P1C", "abq", 2.0), ("buffered(16), 1P1C", "jox", 1.5),
    ("buffered(1024), 1P1C", "abq", 2.0), ("buffered(1024), 1P1C", "jox", 1.5),
    ("buffered(1024), 4P1C", "abq", 2.0), ("buffered(1024), 4P1C", "jox", 1.5),
    ("unbuffered ping, 1P1C", "jox", 1.0), ("unbuffered ping, 1P1C", "sq", 1.0),
]


# which implementations each benchmark runs (the others are "—" by design)
APPLIES = {"Unbuffered.ping": {"hoare", "jox", "sq", "ltq"},
           "Buffered.oneToOne": {"hoare", "jox", "abq", "ltq"},
           "Buffered.fourToOne": {"hoare", "jox", "abq", "ltq"}}
CODECS = ["bytes", "kryo"]  # CodecBench.roundTrip: a hand-written ByteBuffer encoding vs KryoCodec.of


def main(paths):
    score = {}
    for path in paths:
        score.update(load(path))
    channel_tables(score)
    select_table(score)
    codec_table(score)
    transport_table(score)
    shm_ring_table(score)
    shm_table(score)
    shm_halves_table(score)
    ring_wait_table(score)
    aeron_table(score)
    aeron_udp_table(score)
    return check_complete(score)


def check_complete(score):
    """A scenario that ran for some implementations but not all means a benchmark failed (JMH leaves
    failed ones out of the JSON): say so and fail, so a smoke run cannot pass with a hole."""
    missing = []
    for name, cap, label in SCENARIOS:
        for threads in ("platform", "virtual"):
            ran = {k[3] for k in score if k[:3] == (name, cap, threads)}
            if ran and ran != APPLIES[name]:
                missing += [f"{label} / {threads} / {impl}" for impl in sorted(APPLIES[name] - ran)]
    ran = {k[3] for k in score if k[0] == "CodecBench.roundTrip"}
    if ran and ran != set(CODECS):
        missing += [f"codec round trip / {impl}" for impl in sorted(set(CODECS) - ran)]
    ran = {k[3] for k in score if k[0] == "ShmRingBench.receive"}
    if ran and ran != set(SHM_RINGS):
        missing += [f"shm ring / {impl}" for impl in sorted(set(SHM_RINGS) - ran)]
    if missing:
        print("\nMISSING results (the benchmark failed or hung; see the JMH output above):", file=sys.stderr)
        for m in missing:
            print("  " + m, file=sys.stderr)
        return 1
    return 0


def load(path):
    with open(path) as f:
        runs = json.load(f)
    score = {}
    for r in runs:
        parts = r["benchmark"].split(".")
        name = ".".join(parts[-3:] if parts[-3] in ("ShmBench", "AeronUdpBench") else parts[-2:])  # nested classes share other benchmarks' names
        p = r.get("params", {})
        if "size" in p and "capacity" in p:  # UdsBench: rows by message size, at the default capacity only
            if p["capacity"] != "256":
                continue
            second = p["size"]
        else:
            second = p.get("capacity", p.get("size"))
        key = (name, second, p.get("threads", p.get("cases")), p.get("impl", p.get("wait", p.get("half"))))
        err = r["primaryMetric"]["scoreError"]
        try:
            err = float(err)
        except (TypeError, ValueError):
            err = float("nan")
        score[key] = (float(r["primaryMetric"]["score"]), err)
    return score


def fmt(s):
    """score ± error, the error left out where JMH has none (a single iteration gives NaN)."""
    if s is None:
        return "—"
    return f"{s[0]:.1f} ± {s[1]:.1f}" if not math.isnan(s[1]) else f"{s[0]:.1f}"


def channel_tables(score):
    if not any(k[0].startswith(("Buffered.", "Unbuffered.")) for k in score):
        return
    for threads in ("platform", "virtual"):
        print(f"\n#### {threads} threads — ns per message (lower is better), ± 99.9% error\n")
        print("| scenario | " + " | ".join(IMPLS) + " |")
        print("|---" * (len(IMPLS) + 1) + "|")
        for name, cap, label in SCENARIOS:
            cells = [fmt(score.get((name, cap, threads, impl))) for impl in IMPLS]
            print(f"| {label} | " + " | ".join(cells) + " |")

    print("\n#### Targets — Hoare's throughput as a multiple of the peer's, same run\n")
    print("| scenario | peer | target | platform | virtual |")
    print("|---|---|---|---|---|")
    lookup = {label: (name, cap) for name, cap, label in SCENARIOS}
    for label, peer, target in TARGETS:
        name, cap = lookup[label]
        cells = []
        for threads in ("platform", "virtual"):
            h = score.get((name, cap, threads, "hoare"))
            o = score.get((name, cap, threads, peer))
            if h is None or o is None:
                cells.append("—")
            else:
                ratio = o[0] / h[0]
                # rounded down, so that a printed 2.00x is never a miss
                cells.append(f"{math.floor(ratio * 100) / 100:.2f}x {'met' if ratio >= target else 'MISSED'}")
        print(f"| {label} | {peer} | {target:g}x | " + " | ".join(cells) + " |")


def select_table(score):
    rows = [k for k in score if k[0].startswith("SelectBench.")]
    if not rows:
        return
    print("\n#### select — ns per operation, Hoare vs jox, same run\n")
    print("| benchmark | cases | hoare | jox | jox / hoare |")
    print("|---|---|---|---|---|")
    for name in ("SelectBench.ready", "SelectBench.woken"):
        for cases in ("1", "2", "4"):
            h = score.get((name, None, cases, "hoare"))
            j = score.get((name, None, cases, "jox"))
            if h is None or j is None:
                continue
            print(f"| {name.split('.')[1]} | {cases} | {fmt(h)} | {fmt(j)} | {j[0] / h[0]:.2f}x |")


TRANSPORTS = [  # (benchmark, label, unit, higher is better, target for hoare vs raw by size)
    ("FifoBench.receive", "FIFO streaming", "msgs/µs", True, {"64": 0.7}),
    ("Stream.receive", "UDS streaming", "msgs/µs", True, {"64": 0.7, "4096": 0.7}),
    ("PingPong.roundTrip", "UDS round trip", "µs", False, {"64": 1 / 1.3, "4096": 1 / 1.3}),
]


def transport_table(score):
    """Process transports against the raw OS pipe/socket in the same run."""
    rows = [(b, label, unit, up, targets) for b, label, unit, up, targets in TRANSPORTS
            if any(k[0] == b for k in score)]
    if not rows:
        return
    print("\n#### transports — Hoare vs the raw pipe or socket, same run\n")
    print("| benchmark | size | hoare | raw | hoare vs raw (speed) | target |")
    print("|---|---|---|---|---|---|")
    for b, label, unit, up, targets in rows:
        for size, impl in [(size, impl) for size in ("64", "4096") for impl in ("hoare", "hoare-rpc")]:
            h = score.get((b, size, None, impl))
            r = score.get((b, size, None, "raw"))
            if h is None or r is None:
                continue
            scale = 1e-6 if b == "FifoBench.receive" else 1.0  # FifoBench reports ops/s
            hs, rs = (h[0] * scale, h[1] * scale), (r[0] * scale, r[1] * scale)
            speed = hs[0] / rs[0] if up else rs[0] / hs[0]
            target = targets.get(size) if impl == "hoare" else None  # the targets are stated for the one-to-one channel
            verdict = "—" if target is None else f"≥ {target:.2f}x {'met' if speed >= target else 'MISSED'}"
            name = label if impl == "hoare" else label + ", request/response connection"
            print(f"| {name} ({unit}) | {size} | {fmt3(hs)} | {fmt3(rs)} | {math.floor(speed * 1000) / 1000:.3f}x | {verdict} |")
            f = score.get((b, size, None, "framed")) if impl == "hoare" else None
            if f is not None:  # the ceiling for any channel of separate values: framed, no threads, no flow control
                fs = (f[0] * scale, f[1] * scale)
                print(f"| {label}, a minimal framed pair ({unit}) | {size} | {fmt3(hs)} | {fmt3(fs)} "
                      f"| {math.floor(hs[0] / fs[0] * 1000) / 1000:.3f}x (framed / raw: "
                      f"{math.floor(fs[0] / rs[0] * 1000) / 1000:.3f}x) | — |")
            p = score.get((b, size, None, "raw-pipebuf"))
            if p is not None:  # the ceiling for a writer keeping frames whole (writes of at most PIPE_BUF)
                ps = (p[0] * scale, p[1] * scale)
                print(f"| {label}, raw in PIPE_BUF writes ({unit}) | {size} | {fmt3(hs)} | {fmt3(ps)} "
                      f"| {math.floor(hs[0] / ps[0] * 1000) / 1000:.3f}x | — |")


SHM_RINGS = ("hoare", "agrona", "agrona-m2o")


def shm_ring_table(score):
    """ShmRingBench: the shared-memory ring alone against Agrona's two rings, same run."""
    cells = {impl: score.get(("ShmRingBench.receive", None, None, impl)) for impl in SHM_RINGS}
    if not any(cells.values()):
        return
    print("\n#### shm ring — 64-byte records between two JVMs (msgs/µs, higher is better), same run\n")
    print("| hoare ShmRing | agrona OneToOneRingBuffer | hoare / agrona | target | agrona ManyToOneRingBuffer | hoare / many-to-one |")
    print("|---|---|---|---|---|---|")
    h, a, m = cells["hoare"], cells["agrona"], cells["agrona-m2o"]
    if h and a:
        speed = h[0] / a[0]
        verdict = f"≥ 0.50x {'met' if speed >= 0.5 else 'MISSED'}"
        m2o = f"{fmt3(m)} | {math.floor(h[0] / m[0] * 1000) / 1000:.3f}x" if m else "— | —"
        print(f"| {fmt3(h)} | {fmt3(a)} | {math.floor(speed * 1000) / 1000:.3f}x | {verdict} | {m2o} |")


def shm_halves_table(score):
    """ShmHalvesBench: each end of a shm: channel against the bare ring, same run."""
    cells = {h: score.get(("ShmHalvesBench.take", None, None, h)) for h in ("sender", "receiver-1", "receiver-64")}
    if not any(cells.values()):
        return
    print("\n#### shm: channel ends alone — 64-byte values, the other end the bare ring (msgs/µs), same run\n")
    print("| sending end | receiving end, 1 frame a record | receiving end, 64 frames a record |")
    print("|---|---|---|")
    print("| " + " | ".join(fmt3(c) if c else "—" for c in cells.values()) + " |")


def shm_table(score):
    """ShmBench: shm: channels against the UDS transport and Agrona's ring from the same run."""
    if not any(k[0].startswith("ShmBench.") for k in score):
        return
    uds = score.get(("Stream.receive", "64", None, "hoare"))
    uds_rt = score.get(("PingPong.roundTrip", "64", None, "hoare"))
    agrona = score.get(("ShmRingBench.receive", None, None, "agrona"))
    m2o = score.get(("ShmRingBench.receive", None, None, "agrona-m2o"))
    print("\n#### shm: channels — 64-byte values between two JVMs, same run\n")
    print("| reader waits | streaming (msgs/µs) | vs uds: streaming (target ≥ 10x) | vs Agrona's ring (target ≥ 0.5x, spin) "
          "| vs Agrona's many-to-one ring | round trip (µs) | vs uds: round trip |")
    print("|---|---|---|---|---|---|---|")
    for wait in ("spin", "yield", "block"):
        st = score.get(("ShmBench.Stream.receive", None, None, wait))
        rt = score.get(("ShmBench.PingPong.roundTrip", None, None, wait))

        def ratio(a, b, target=None):
            if not a or not b:
                return "—"
            r = a[0] / b[0]
            return f"{math.floor(r * 100) / 100:.2f}x" + ("" if target is None else f" {'met' if r >= target else 'MISSED'}")
        print(f"| {wait} | {fmt3(st) if st else '—'} | {ratio(st, uds, 10)} | {ratio(st, agrona, 0.5 if wait == 'spin' else None)} "
              f"| {ratio(st, m2o)} | {fmt3(rt) if rt else '—'} | {ratio(uds_rt, rt)} faster |")
    block = score.get(("ShmBench.PingPong.roundTrip", None, None, "block"))
    futex = score.get(("RingPingPongBench.roundTrip", None, None, "futex"))
    if block and futex:
        r = block[0] / futex[0]
        print(f"\nBlocking round trip of the channel against a plain futex ping-pong (same run): {r:.2f}x "
              f"(target ≤ 1.3x: {'met' if r <= 1.3 else 'MISSED'}).")


def ring_wait_table(score):
    """RingPingPongBench: the ring's wait strategies against a plain futex ping-pong, same run."""
    cells = {w: score.get(("RingPingPongBench.roundTrip", None, None, w)) for w in ("spin", "backoff", "block", "futex")}
    if not any(cells.values()):
        return
    print("\n#### shm ring round trip by wait strategy (µs, lower is better), same run\n")
    print("| spin | backoff | block | plain futex ping-pong | block vs futex (target ≤ 1.3x) |")
    print("|---|---|---|---|---|")
    b, f = cells["block"], cells["futex"]
    verdict = f"{b[0] / f[0]:.2f}x {'met' if b[0] / f[0] <= 1.3 else 'MISSED'}" if b and f else "—"
    print("| " + " | ".join(fmt3(cells[w]) if cells[w] else "—" for w in ("spin", "backoff", "block", "futex")) + f" | {verdict} |")


def fmt3(s):
    """score ± error to three significant digits (transport scores span 0.1 to 100)."""
    return f"{s[0]:.3g}" if math.isnan(s[1]) else f"{s[0]:.3g} ± {s[1]:.2g}"


def codec_table(score):
    """CodecBench: encode + decode of one 64-byte record, the hand-written baseline vs Kryo."""
    cells = {impl: score.get(("CodecBench.roundTrip", None, None, impl)) for impl in CODECS}
    if not any(cells.values()):
        return
    print("\n#### codecs — ns per encode + decode of one 64-byte record, same run\n")
    print("| bytes (hand-written ByteBuffer) | kryo | kryo / bytes |")
    print("|---|---|---|")
    b, k = cells["bytes"], cells["kryo"]
    ratio = f"{k[0] / b[0]:.2f}x" if b and k else "—"
    print(f"| {fmt(b)} | {fmt(k)} | {ratio} |")


def aeron_table(score):
    """AeronPingPongBench (benchmarks-aeron): round trips against Aeron IPC, same run."""
    cells = {i: score.get(("AeronPingPongBench.roundTrip", None, None, i)) for i in ("aeron", "hoare-channel", "hoare-ring")}
    if not any(cells.values()):
        return
    print("\n#### round trip with both sides spinning against Aeron IPC (µs, lower is better), same run\n")
    print("| Aeron IPC | shm: channel | ShmRing alone | channel vs Aeron (target ≤ 1.5x) | ring vs Aeron |")
    print("|---|---|---|---|---|")
    a, c, r = cells["aeron"], cells["hoare-channel"], cells["hoare-ring"]
    verdict = f"{c[0] / a[0]:.2f}x {'met' if c[0] / a[0] <= 1.5 else 'MISSED'}" if a and c else "—"
    ring = f"{r[0] / a[0]:.2f}x" if a and r else "—"
    print("| " + " | ".join(fmt3(x) if x else "—" for x in (a, c, r)) + f" | {verdict} | {ring} |")


def aeron_udp_table(score):
    """AeronUdpBench (benchmarks-aeron): aeron: channels between two JVMs against raw Aeron UDP and uds:, same run."""
    rt = {i: score.get(("AeronUdpBench.RoundTrip.roundTrip", None, None, i)) for i in ("aeron-64", "raw-aeron", "uds-64")}
    st = {i: score.get(("AeronUdpBench.Streaming.receive", None, None, i))
          for i in ("aeron-1024", "aeron-64", "raw-aeron", "uds-1024", "uds-64")}
    if not any(rt.values()) and not any(st.values()):
        return
    print("\n#### aeron: between two JVMs over loopback UDP, 64-byte values, each JVM with its own media driver, same run\n")
    print("| round trip (µs) | aeron: channel | raw Aeron | uds: channel | channel vs raw (target ≤ 1.3x) |")
    print("|---|---|---|---|---|")
    a, r = rt["aeron-64"], rt["raw-aeron"]
    verdict = f"{a[0] / r[0]:.2f}x {'met' if a[0] / r[0] <= 1.3 else 'MISSED'}" if a and r else "—"
    print("| | " + " | ".join(fmt3(x) if x else "—" for x in (a, r, rt["uds-64"])) + f" | {verdict} |")
    print("\n| streaming (values/µs) | aeron: capacity 1024 | aeron: capacity 64 | raw Aeron | uds: 1024 | uds: 64 | 1024 vs raw (target ≥ 0.6x) |")
    print("|---|---|---|---|---|---|---|")
    big, raw = st["aeron-1024"], st["raw-aeron"]
    verdict = f"{big[0] / raw[0]:.2f}x {'met' if big[0] / raw[0] >= 0.6 else 'MISSED'}" if big and raw else "—"
    print("| | " + " | ".join(fmt3(st[i]) if st[i] else "—" for i in ("aeron-1024", "aeron-64", "raw-aeron", "uds-1024", "uds-64"))
          + f" | {verdict} |")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["benchmarks/target/jmh-result.json"]))
