#!/usr/bin/env python3
"""A Hoare child in Python (standard library only): upper-cases each string its parent sends."""
import os
import struct
import sys

HELLO, DATA, CLOSE, CLOSE_WITH_CAUSE, CREDIT, RELEASE, PING, PONG = 1, 2, 3, 4, 5, 6, 7, 8
FROM_PARENT, TO_PARENT = 1, 2  # streams: the parent opened the connection, so its channel is 1


def frame(kind, stream, payload=b""):  # wire format 2: length, kind, stream, payload
    return struct.pack(">IBI", len(payload) + 5, kind, stream) + payload


def hello(stream, codec=b"utf8", max_frame=16 << 20):  # liveness 0: we never call the parent lost
    return frame(HELLO, stream, struct.pack(">IHB", 0x484F4152, 2, len(codec)) + codec + struct.pack(">II", max_frame, 0))


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
    kind, payload, buf = buf[4], buf[9:4 + n], buf[4 + n:]
    return kind, payload


# our receiving channel's HELLO, our sending channel's HELLO, our capacity (1 value)
write(hello(FROM_PARENT) + hello(TO_PARENT) + frame(CREDIT, FROM_PARENT, struct.pack(">I", 1)))
credits, pending, closed = None, None, False
while True:
    if pending is not None and credits:  # answer, and give the parent its credit back
        write(frame(DATA, TO_PARENT, pending.upper().encode()) + frame(CREDIT, FROM_PARENT, struct.pack(">I", 1)))
        credits, pending = credits - 1, None
    if closed and pending is None:
        write(frame(CLOSE, TO_PARENT))
        break
    kind, payload = read_frame()  # (a careful child checks HELLOs and streams: wire-format.md)
    if kind == CREDIT:  # the first announces the parent's capacity, later ones add to it
        n = struct.unpack(">I", payload)[0]
        credits = max(1, n) if credits is None else credits + n
    elif kind == DATA:
        pending = payload.decode("utf-8")
    elif kind in (CLOSE, CLOSE_WITH_CAUSE):
        closed = True
    elif kind == PING:
        write(frame(PONG, 0, payload))
    elif kind == RELEASE:
        break
