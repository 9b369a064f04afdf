#!/usr/bin/env python3
"""Writes Hoare frames to stdout using only docs/wire-format.md: the interoperability test's peer."""
import struct
import sys


def frame(kind, payload=b"", stream=1):
    # u32 big-endian length of (kind + stream + payload), u8 kind, u32 stream, payload
    return struct.pack(">IBI", len(payload) + 5, kind, stream) + payload


HELLO, DATA, CLOSE, CLOSE_WITH_CAUSE, CREDIT, RELEASE, PING, PONG = 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08

codec = b"utf8"
hello = struct.pack(">IHB", 0x484F4152, 2, len(codec)) + codec + struct.pack(">II", 1 << 20, 0)
out = sys.stdout.buffer
out.write(frame(HELLO, hello))
out.write(frame(DATA, "hello".encode("utf-8")))
out.write(frame(DATA, "héllo wörld ✓".encode("utf-8")))
out.write(frame(CREDIT, struct.pack(">I", 3)))
out.write(frame(PING, struct.pack(">Q", 0x0102030405060708), stream=0))
out.write(frame(DATA, "on stream two".encode("utf-8"), stream=2))
cls, msg = b"java.lang.IllegalStateException", "bye from python".encode("utf-8")
out.write(frame(CLOSE_WITH_CAUSE, struct.pack(">H", len(cls)) + cls + struct.pack(">I", len(msg)) + msg))
out.flush()
