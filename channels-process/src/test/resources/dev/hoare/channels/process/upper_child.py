#!/usr/bin/env python3
"""A Hoare child in Python (standard library only): upper-cases each string its parent sends."""
import os
import struct
import sys

HELLO, DATA, CLOSE, CLOSE_WITH_CAUSE, CREDIT, RELEASE = 1, 2, 3, 4, 5, 6


def frame(kind, payload=b""):
    return struct.pack(">IB", len(payload) + 1, kind) + payload


def hello(codec=b"utf8", max_frame=16 << 20):
    return frame(HELLO, struct.pack(">IHB", 0x484F4152, 1, len(codec)) + codec + struct.pack(">I", max_frame))


def write(data):  # stdout (fd 1) carries frames only: log to stderr
    while data:
        data = data[os.write(1, data):]


buf = b""


def read_frame():
    global buf
    while len(buf) < 4 or len(buf) < 4 + struct.unpack_from(">I", buf)[0]:
        chunk = os.read(0, 65536)
        if not chunk:
            sys.exit("the parent went away without closing")
        buf += chunk
    (n,) = struct.unpack_from(">I", buf)
    kind, payload, buf = buf[4], buf[5:4 + n], buf[4 + n:]
    return kind, payload


# our receiving channel's HELLO, our sending channel's HELLO, our capacity (1 value)
write(hello() + hello() + frame(CREDIT, struct.pack(">I", 1)))
credits, pending, closed = None, None, False
while True:
    if pending is not None and credits:  # answer, and give the parent its credit back
        write(frame(DATA, pending.upper().encode()) + frame(CREDIT, struct.pack(">I", 1)))
        credits, pending = credits - 1, None
    if closed and pending is None:
        write(frame(CLOSE))
        break
    kind, payload = read_frame()  # (a careful child checks the parent's HELLOs: wire-format.md)
    if kind == CREDIT:  # the first announces the parent's capacity, later ones add to it
        n = struct.unpack(">I", payload)[0]
        credits = max(1, n) if credits is None else credits + n
    elif kind == DATA:
        pending = payload.decode("utf-8")
    elif kind in (CLOSE, CLOSE_WITH_CAUSE):
        closed = True
    elif kind == RELEASE:
        break
