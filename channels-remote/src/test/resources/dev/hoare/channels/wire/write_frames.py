#!/usr/bin/env python3
"""Writes Hoare frames to stdout using only docs/wire-format.md: the interoperability test's peer."""
import struct
import sys


def frame(kind, payload=b""):
    # u32 big-endian length of (kind + payload), u8 kind, payload
    return struct.pack(">IB", len(payload) + 1, kind) + payload


HELLO, DATA, CLOSE, CLOSE_WITH_CAUSE, CREDIT = 0x01, 0x02, 0x03, 0x04, 0x05

codec = b"utf8"
hello = struct.pack(">IHB", 0x484F4152, 1, len(codec)) + codec + struct.pack(">I", 1 << 20)
out = sys.stdout.buffer
out.write(frame(HELLO, hello))
out.write(frame(DATA, "hello".encode("utf-8")))
out.write(frame(DATA, "héllo wörld ✓".encode("utf-8")))
out.write(frame(CREDIT, struct.pack(">I", 3)))
cls, msg = b"java.lang.IllegalStateException", "bye from python".encode("utf-8")
out.write(frame(CLOSE_WITH_CAUSE, struct.pack(">H", len(cls)) + cls + struct.pack(">I", len(msg)) + msg))
out.flush()
