#!/usr/bin/env python3
"""A Hoare peer in Python, written from the docs alone: docs/wire-format.md (frames),
docs/fifo.md (FIFOs and their writers' lock), docs/uds.md (sockets, credits) and
docs/shm-format.md (the shared-memory ring). Standard library only.

    hoare_peer.py send URI COUNT [--cause MESSAGE] [--hang] [--idle SECONDS] [--codec ID]
    hoare_peer.py recv URI [--capacity N] [--capacity-bytes N] [--checksum] [--codec ID]
    hoare_peer.py stdio-echo [--codec ID] [--capacity N] [--hang-after N]

URI is fifo:/abs/path, uds:/abs/path or shm:/abs/path (options after '?' are ignored).
`send` sends COUNT values "I héllo ✓" (utf8), then CLOSE (or CLOSE_WITH_CAUSE of type
builtins.RuntimeError with MESSAGE); with --hang it stops before closing and sleeps (to be
killed); with --idle it waits that long before closing, answering each PING with a PONG on a
two-way link and sending a PING every 0.1 s on a one-way link (the writer's heartbeat, as the
Liveness section asks). `recv` receives until the stream ends, answering PINGs on a two-way link. Both print one line per event on stdout:
    listening | open | sent N | value TEXT | closed | closed-with-cause TYPE: MESSAGE
    | lost WHY | released TYPE: MESSAGE | protocol-error WHY
"""
import argparse
import ctypes
import errno
import fcntl
import mmap
import os
import socket
import stat
import struct
import sys
import time

# ---------------------------------------------------------------- frames (wire-format.md)

MAGIC = 0x484F4152
VERSION = 2
HELLO, DATA, CLOSE, CLOSE_WITH_CAUSE, CREDIT, RELEASE, PING, PONG = 1, 2, 3, 4, 5, 6, 7, 8
STREAM = 1  # the only channel of a link (a channel each way would be streams 1 and 2)
DEFAULT_MAX_FRAME = 16 * 1024 * 1024


class ProtocolError(Exception):
    pass


def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def frame(kind, payload=b"", stream=STREAM):
    """length (kind + stream + payload), kind, stream (0 for PING and PONG), payload."""
    return struct.pack(">IBI", len(payload) + 5, kind, 0 if kind in (PING, PONG) else stream) + payload


def hello(codec, max_frame=DEFAULT_MAX_FRAME, stream=STREAM):
    c = codec.encode("utf-8")  # liveness 0: this peer never calls the other lost for silence
    return frame(HELLO, struct.pack(">IHB", MAGIC, VERSION, len(c)) + c + struct.pack(">II", max_frame, 0), stream)


def cause_payload(type_name, message):
    t, m = type_name.encode("utf-8"), message.encode("utf-8")
    return struct.pack(">H", len(t)) + t + struct.pack(">I", len(m)) + m


def parse_cause(p):
    try:
        (tl,) = struct.unpack_from(">H", p, 0)
        t = p[2:2 + tl]
        (ml,) = struct.unpack_from(">I", p, 2 + tl)
        m = p[6 + tl:6 + tl + ml]
        if len(t) != tl or len(m) != ml or 6 + tl + ml != len(p):
            raise ProtocolError("malformed cause")
        return t.decode("utf-8") + ": " + m.decode("utf-8")
    except (struct.error, UnicodeDecodeError) as e:
        raise ProtocolError("malformed cause: %s" % e)


def check_hello(p, codec):
    """Checks a HELLO payload; returns the peer's maximum frame."""
    try:
        magic, version, clen = struct.unpack_from(">IHB", p, 0)
        if magic != MAGIC:
            raise ProtocolError("not a Hoare peer: magic 0x%08x" % magic)
        if version != VERSION:
            raise ProtocolError("protocol version mismatch: peer speaks %d, we speak %d" % (version, VERSION))
        peer = p[7:7 + clen].decode("utf-8")
        if peer != codec:
            raise ProtocolError("codec mismatch: peer uses '%s', we use '%s'" % (peer, codec))
        (max_frame, _liveness) = struct.unpack_from(">II", p, 7 + clen)  # PINGs from us are not needed: we answer them
        return max_frame
    except (struct.error, UnicodeDecodeError) as e:
        raise ProtocolError("malformed HELLO: %s" % e)


class FrameReader:
    """Frames from a byte source: read(n) gives up to n bytes, b'' at the end."""

    def __init__(self, read, max_frame=DEFAULT_MAX_FRAME, streams=(STREAM,)):
        self.read, self.max_frame, self.buf, self.streams, self.stream = read, max_frame, bytearray(), streams, None

    def _fill(self, n):
        while len(self.buf) < n:
            chunk = self.read(65536)
            if not chunk:
                return False
            self.buf += chunk
        return True

    def next(self):
        """The next (kind, payload), or None at a clean end between frames."""
        if not self._fill(4):
            if not self.buf:
                return None
            raise ProtocolError("truncated frame")
        (length,) = struct.unpack_from(">I", self.buf, 0)
        if length < 5 or length > self.max_frame:  # refused before waiting for more
            raise ProtocolError("frame length %d" % length)
        if not self._fill(4 + length):
            raise ProtocolError("truncated frame")
        kind, stream, payload = self.buf[4], struct.unpack_from(">I", self.buf, 5)[0], bytes(self.buf[9:4 + length])
        del self.buf[:4 + length]
        check_kind_and_stream(kind, stream, self.streams)
        self.stream = stream
        return kind, payload


def check_kind_and_stream(kind, stream, streams=(STREAM,)):
    if kind not in (HELLO, DATA, CLOSE, CLOSE_WITH_CAUSE, CREDIT, RELEASE, PING, PONG):
        raise ProtocolError("unknown frame kind 0x%02x" % kind)
    if (stream != 0) if kind in (PING, PONG) else (stream not in streams):
        raise ProtocolError("frame kind %d for unknown stream %d" % (kind, stream))


class Receiving:
    """What a receiver makes of the frames of one or more writers (a FIFO or a ring is shared)."""

    def __init__(self, codec):
        self.codec, self.hellos, self.closes, self.cause = codec, 0, 0, None

    def on_frame(self, kind, payload):
        """Returns True when a close frame came."""
        if kind == HELLO:
            check_hello(payload, self.codec)
            self.hellos += 1
        elif kind == DATA:
            if self.hellos == 0:
                raise ProtocolError("DATA before HELLO")
            try:
                say("value " + payload.decode("utf-8"))
            except UnicodeDecodeError as e:
                raise ProtocolError("malformed utf8: %s" % e)
        elif kind == CLOSE:
            if payload:
                raise ProtocolError("CLOSE with a payload")
            self.closes += 1
            return True
        elif kind == CLOSE_WITH_CAUSE:
            c = parse_cause(payload)
            self.cause = self.cause or c
            self.closes += 1
            return True
        elif kind in (PING, PONG):
            pass  # a one-way link's writer heartbeat (a two-way link's PING is answered by its caller)
        else:
            raise ProtocolError("unexpected frame kind %d from a sender" % kind)
        return False

    def end(self, why):
        if self.hellos > 0 and self.closes >= self.hellos:
            say("closed-with-cause " + self.cause if self.cause else "closed")
        else:
            say("lost " + why)


def value(i):
    return ("%d héllo ✓" % i).encode("utf-8")


# ---------------------------------------------------------------- fifo: (fifo.md)

def ensure_fifo(path):
    try:
        os.mkfifo(path, 0o600)
    except FileExistsError:
        pass


def fifo_send(path, args):
    ensure_fifo(path)
    fd = os.open(path, os.O_WRONLY)  # blocks until the reader opens
    lock = os.open(path + ".lock", os.O_CREAT | os.O_WRONLY, 0o600)

    def write(data):  # every write of frames under the writers' lock: fcntl, whole file
        fcntl.lockf(lock, fcntl.LOCK_EX)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            fcntl.lockf(lock, fcntl.LOCK_UN)

    write(hello(args.codec))  # the reader never answers: its maximum frame is taken to be 16 MiB
    say("open")
    for i in range(args.count):
        write(frame(DATA, value(i)))
    say("sent %d" % args.count)
    if args.hang:
        time.sleep(3600)
    idle_pinging(write, args.idle)
    write(frame(CLOSE_WITH_CAUSE, cause_payload("builtins.RuntimeError", args.cause)) if args.cause else frame(CLOSE))
    os.close(fd)
    os.close(lock)
    say("closed")


def idle_pinging(write, seconds):
    """A one-way link's writer, idle: a PING every 0.1 s, so that a reader with a liveness hears it."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        write(frame(PING, struct.pack(">Q", int(time.monotonic() * 1e9))))
        time.sleep(0.1)


def fifo_recv(path, args):
    ensure_fifo(path)
    say("listening")
    fd = os.open(path, os.O_RDONLY)  # blocks until a writer opens
    r = Receiving(args.codec)
    frames = FrameReader(lambda n: os.read(fd, n))
    try:
        while True:
            f = frames.next()
            if f is None:
                r.end("the last writer went away without closing")
                return
            r.on_frame(*f)
    except ProtocolError as e:
        say("protocol-error %s" % e)


# ---------------------------------------------------------------- uds: (uds.md)

def uds_send(path, args):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    deadline = time.monotonic() + 10
    while True:
        try:
            s.connect(path)
            break
        except (FileNotFoundError, ConnectionRefusedError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.005)
    s.sendall(hello(args.codec))
    frames = FrameReader(lambda n: s.recv(n))
    kind, payload = frames.next()
    if kind != HELLO:
        raise ProtocolError("expected HELLO, got %d" % kind)
    peer_max = check_hello(payload, args.codec)
    kind, payload = frames.next()
    if kind != CREDIT:
        raise ProtocolError("expected CREDIT, got %d" % kind)
    credits = max(1, struct.unpack(">I", payload)[0])
    say("open")
    for i in range(args.count):
        while credits == 0:
            f = frames.next()
            if f is None:
                say("lost the receiver went away")
                return
            if f[0] == CREDIT:
                credits += struct.unpack(">I", f[1])[0]
            elif f[0] == PING:
                s.sendall(frame(PONG, f[1]))
            elif f[0] == RELEASE:
                say("released " + (parse_cause(f[1]) if f[1] else ""))
                return
        data = frame(DATA, value(i))
        if len(data) - 4 > peer_max:
            raise ProtocolError("value too large for the peer")
        s.sendall(data)
        credits -= 1
    say("sent %d" % args.count)
    if args.hang:
        time.sleep(3600)
    end = time.monotonic() + args.idle
    while time.monotonic() < end:  # idle, but alive: every PING is answered
        s.settimeout(max(0.001, end - time.monotonic()))
        try:
            f = frames.next()
        except socket.timeout:
            break
        if f is None:
            say("lost the receiver went away")
            return
        if f[0] == PING:
            s.sendall(frame(PONG, f[1]))
    s.settimeout(None)
    s.sendall(frame(CLOSE_WITH_CAUSE, cause_payload("builtins.RuntimeError", args.cause)) if args.cause else frame(CLOSE))
    s.shutdown(socket.SHUT_WR)
    try:
        while frames.next() is not None:  # credits still coming; the receiver closes after our CLOSE
            pass
    except (ProtocolError, ConnectionResetError):
        pass
    s.close()
    say("closed")


def uds_recv(path, args):
    try:
        if stat.S_ISSOCK(os.lstat(path).st_mode):
            os.unlink(path)
    except FileNotFoundError:
        pass
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o077)
    try:
        server.bind(path)
    finally:
        os.umask(old)
    server.listen(1)
    say("listening")
    s, _ = server.accept()
    server.close()
    os.unlink(path)
    s.sendall(hello(args.codec) + frame(CREDIT, struct.pack(">I", args.capacity)))
    r = Receiving(args.codec)
    frames = FrameReader(lambda n: s.recv(n))
    try:
        while True:
            try:
                f = frames.next()
            except ConnectionResetError:
                f = None
            if f is None:
                r.end("the sender went away without closing (end of stream)")
                return
            if r.on_frame(*f):
                r.end("")
                s.close()
                return
            if f[0] == DATA:
                s.sendall(frame(CREDIT, struct.pack(">I", 1)))  # taken at once: its credit goes back
            elif f[0] == PING:
                s.sendall(frame(PONG, f[1]))
    except ProtocolError as e:
        s.sendall(frame(RELEASE, cause_payload("dev.hoare.channels.ChannelProtocolException", str(e))))
        say("protocol-error %s" % e)


# ---------------------------------------------------------------- shm: (shm-format.md)

MAGIC_RING, RING_VERSION = 0x48524E47, 4
CAPACITY, MAX_RECORD, FLAGS, HELLO_LENGTH, HELLO_AT = 8, 12, 16, 20, 24
TAIL, HEAD_CACHE, HEAD = 128, 136, 256
CLOSED, READER_PID, READER_HEARTBEAT, SIGNAL, WAITERS, WRITERS_HEARTBEAT = 384, 388, 392, 400, 404, 408
READER_CODEC, READER_CODEC_LENGTH, READER_MAX_FRAME, READER_START = 432, 496, 500, 504
HEADER = 512
FLAG_CRC32C = 1
PADDING = -1
DETACH = 1
M64 = (1 << 64) - 1
LITTLE = sys.byteorder == "little"
FUTEX_WAIT, FUTEX_WAKE = 0, 1
SYS_FUTEX = {"x86_64": 202, "aarch64": 98}.get(os.uname().machine)

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


def futex(address, op, val, timeout):
    """syscall(SYS_futex, address, op, val, timeout, NULL, 0): shared (no FUTEX_PRIVATE_FLAG), every argument a long."""
    L = ctypes.c_long
    libc.syscall(L(SYS_FUTEX), ctypes.c_void_p(address), L(op), L(val & 0xFFFFFFFF), timeout, None, L(0))


def _atomics():
    """compare-and-set of 8 and 4 bytes and fetch-and-add of 4, from libatomic, or x86-64 code."""
    try:
        la = ctypes.CDLL("libatomic.so.1")
        c8, c4, a4 = la.__atomic_compare_exchange_8, la.__atomic_compare_exchange_4, la.__atomic_fetch_add_4
        c8.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_uint64, ctypes.c_int, ctypes.c_int]
        c4.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_int]
        c8.restype = c4.restype = ctypes.c_bool
        a4.argtypes, a4.restype = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int], ctypes.c_uint32
        return (lambda a, e, d: c8(a, ctypes.byref(ctypes.c_uint64(e & M64)), d & M64, 5, 5),
                lambda a, e, d: c4(a, ctypes.byref(ctypes.c_uint32(e & 0xFFFFFFFF)), d & 0xFFFFFFFF, 5, 5),
                lambda a, n: a4(a, n & 0xFFFFFFFF, 5))
    except (OSError, AttributeError):
        if os.uname().machine != "x86_64":
            raise
    code = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    code.write(bytes.fromhex("4889f0f0480fb117c3" "89f0f00fb117c3" "89f0f00fc107c3"))
    base = ctypes.addressof(ctypes.c_char.from_buffer(code))
    f8 = ctypes.CFUNCTYPE(ctypes.c_uint64, ctypes.c_void_p, ctypes.c_uint64, ctypes.c_uint64)(base)
    f4 = ctypes.CFUNCTYPE(ctypes.c_uint32, ctypes.c_void_p, ctypes.c_uint32, ctypes.c_uint32)(base + 9)
    add = ctypes.CFUNCTYPE(ctypes.c_uint32, ctypes.c_void_p, ctypes.c_uint32)(base + 16)
    _atomics.keep = code
    return (lambda a, e, d: f8(a, e & M64, d & M64) == e & M64,
            lambda a, e, d: f4(a, e & 0xFFFFFFFF, d & 0xFFFFFFFF) == e & 0xFFFFFFFF,
            lambda a, n: add(a, n & 0xFFFFFFFF))


CAS64, CAS32, ADD32 = _atomics()

_CRC = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ 0x82F63B78 if _c & 1 else _c >> 1
    _CRC.append(_c)


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = _CRC[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def record_checksum(payload, position, length, type_):
    h = ((position * 0x9E3779B97F4A7C15) & M64) ^ (((length << 32) & M64) | (type_ & 0xFFFFFFFF))
    h = ((h ^ (h >> 32)) * 0xD6E8FEB86659FD93) & M64
    h ^= h >> 32
    return (crc32c(payload) ^ h) & 0xFFFFFFFF


def header_word(length, type_):
    """A record header as the one native 8-byte word it is stored as."""
    if LITTLE:
        return ((type_ & 0xFFFFFFFF) << 32) | (length & 0xFFFFFFFF)
    return ((length & 0xFFFFFFFF) << 32) | (type_ & 0xFFFFFFFF)


def split_word(word):
    lo, hi = word & 0xFFFFFFFF, word >> 32
    length, type_ = (lo, hi) if LITTLE else (hi, lo)
    s32 = lambda v: v - (1 << 32) if v & 0x80000000 else v
    return s32(length), s32(type_)


def align8(n):
    return (n + 7) & -8


def start_time(pid):
    """/proc/PID/stat field 22, or -1 if there is no such process (or a zombie)."""
    if pid <= 0:
        return -1
    try:
        with open("/proc/%d/stat" % pid) as f:
            s = f.read()
    except OSError:
        return -1
    fields = s[s.rindex(")") + 2:].split(" ")
    return -1 if fields[0] in ("Z", "X") else int(fields[19])


class Ring:
    """A mapped ring file: aligned loads and stores of the header's integers (native order)."""

    def __init__(self, path, fd, size):
        self.path, self.fd = path, fd
        self.mm = mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        self._anchor = ctypes.c_char.from_buffer(self.mm)
        self.base = ctypes.addressof(self._anchor)
        self.capacity = self.i32(CAPACITY)
        self.mask = self.capacity - 1
        self.flags = self.i32(FLAGS)
        if self.flags & ~FLAG_CRC32C:
            raise ProtocolError("unknown ring flags 0x%x" % self.flags)
        self.overhead = 12 if self.flags & FLAG_CRC32C else 8
        self.max_payload = self.capacity // 8 - self.overhead
        self.inode = os.fstat(fd).st_ino

    # one aligned load or store each (ctypes copies the 4 or 8 bytes with one instruction on x86-64)
    def i32(self, off):
        return ctypes.c_int32.from_address(self.base + off).value

    def set32(self, off, v):
        ctypes.c_int32.from_address(self.base + off).value = v

    def i64(self, off):
        return ctypes.c_int64.from_address(self.base + off).value

    def set64(self, off, v):
        ctypes.c_int64.from_address(self.base + off).value = v

    def u64(self, off):
        return ctypes.c_uint64.from_address(self.base + off).value

    def close(self):
        del self._anchor
        self.mm.close()
        os.close(self.fd)

    def signal(self):
        ADD32(self.base + SIGNAL, 1)
        if SYS_FUTEX:
            futex(self.base + SIGNAL, FUTEX_WAKE, 0x7FFFFFFF, None)

    def wait(self, readable, seconds):
        """The reader sleeps on the futex (shm-format.md, Waiting) for at most `seconds`."""
        ADD32(self.base + WAITERS, 1)
        try:
            s = self.i32(SIGNAL)
            if readable():
                return
            if SYS_FUTEX:
                ts = struct.pack("qq", int(seconds), int((seconds % 1) * 1e9))
                futex(self.base + SIGNAL, FUTEX_WAIT, s, ctypes.create_string_buffer(ts, 16))
            else:
                time.sleep(min(seconds, 0.001))
        finally:
            ADD32(self.base + WAITERS, -1)

    def maps_me(self, pid):
        """A writer or claimer is alive while its process exists and maps this ring's file."""
        if start_time(pid) < 0:
            return False
        try:
            with open("/proc/%d/maps" % pid) as f:
                return any(len(l.split()) >= 5 and l.split()[4] == str(self.inode) for l in f)
        except OSError:
            return False


def open_ring(path):
    """Opens an existing ring: None while it is not initialised yet; raises if it is not a ring."""
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return None
    meta = os.pread(fd, 16, 0)
    size = os.fstat(fd).st_size  # after the META: the magic is written once the size is final
    if len(meta) < 16 or size < HEADER:
        os.close(fd)
        return None
    magic, version, capacity, max_record = struct.unpack("=IIII", meta)
    if magic == 0:
        os.close(fd)
        return None
    if magic != MAGIC_RING or version != RING_VERSION:
        raise ProtocolError("not a ring of version 4: magic 0x%x, version %d" % (magic, version))
    if capacity < 1024 or capacity > 1 << 30 or capacity & (capacity - 1) or max_record != capacity // 8:
        raise ProtocolError("corrupt ring header")
    if size != HEADER + capacity:
        raise ProtocolError("ring file of %d bytes, its header says %d" % (size, HEADER + capacity))
    return Ring(path, fd, size)


def reader_alive(ring):
    pid = ring.i32(READER_PID)
    return pid != 0 and start_time(pid) == ring.i64(READER_START)


class ShmWriter:
    def __init__(self, path, codec, deadline):
        while True:
            ring = open_ring(path)
            if ring is not None:
                pid, start = ring.i32(READER_PID), ring.i64(READER_START)
                clen = ring.i32(READER_CODEC_LENGTH)
                rcodec = bytes(ring.mm[READER_CODEC:READER_CODEC + clen]).decode("utf-8") if 0 < clen <= 64 else None
                max_frame = ring.i32(READER_MAX_FRAME)
                if (pid != 0 and pid == ring.i32(READER_PID) and start == ring.i64(READER_START)
                        and reader_alive(ring) and ring.i32(CLOSED) == 0):
                    if rcodec is not None and rcodec != codec:
                        raise ProtocolError("codec mismatch: its reader decodes with '%s', this sender encodes with '%s'"
                                            % (rcodec, codec))
                    break
                ring.close()
            if time.monotonic() > deadline:
                raise TimeoutError("no reader of %s" % path)
            time.sleep(0.005)
        self.ring, self.reader_max_frame = ring, max_frame
        self.id = ((os.getpid() & 0x7FFFFF) << 7) | 0
        self.pid = os.getpid()
        self.next_check = 0.0
        self.floor = 0

    def reader_gone(self):
        r = self.ring
        if r.i32(CLOSED) != 0:
            return "the reader released the ring" if r.i32(CLOSED) == 1 else "the reader found the ring corrupt"
        now = time.monotonic()
        if now >= self.next_check:
            self.next_check = now + 0.010
            r.set64(WRITERS_HEARTBEAT, int(time.time() * 1000))
            if not reader_alive(r):
                return "the reader went away"
        return None

    def keep_hello(self, hello_frame):
        r = self.ring
        if len(hello_frame) <= 104 and r.i32(HELLO_LENGTH) == 0 and CAS32(r.base + HELLO_LENGTH, 0, -1):
            r.mm[HELLO_AT:HELLO_AT + len(hello_frame)] = hello_frame
            r.set32(HELLO_LENGTH, len(hello_frame))

    def offer(self, kind, payload):
        """One record; waits while the ring is full. Raises if the reader is gone."""
        r = self.ring
        type_ = self.id << 1 | kind
        length = r.overhead + len(payload)
        required = align8(length)
        while True:
            why = self.reader_gone()
            if why:
                raise ConnectionError(why)
            tail = r.i64(TAIL)
            if tail & 7 or tail < self.floor:
                raise ProtocolError("corrupt ring: tail %d" % tail)
            index = tail & r.mask
            padding = r.capacity - index if required > r.capacity - index else 0
            needed = tail + padding + required
            head = r.i64(HEAD)
            if needed > head + r.capacity:
                time.sleep(0.0001)  # full: the reader makes room
                continue
            if CAS64(r.base + TAIL, tail, needed):
                break
        self.floor = needed
        if padding:
            r.set64(HEADER + index, header_word(padding, PADDING))
            index = 0
        at = HEADER + index
        claim = header_word(-required, self.pid)
        r.set64(at, claim)
        r.mm[at + r.overhead:at + r.overhead + len(payload)] = payload
        if r.overhead == 12:
            ctypes.c_uint32.from_address(r.base + at + 8).value = record_checksum(payload, tail + padding, length, type_)
        # commit: the header in one 8-byte store, a locked instruction (a full fence before the look at waiters)
        if not CAS64(r.base + at, claim, header_word(length, type_)):
            raise ProtocolError("our claim was taken from us")
        if r.i32(WAITERS) != 0:
            r.signal()

    def write(self, data):
        for i in range(0, len(data), self.ring.max_payload):
            self.offer(0, data[i:i + self.ring.max_payload])


def shm_send(path, args):
    w = ShmWriter(path, args.codec, time.monotonic() + 10)
    h = hello(args.codec)
    w.keep_hello(h)
    w.write(h)
    say("open")
    try:
        batch = b""
        for i in range(args.count):
            f = frame(DATA, value(i))
            if len(batch) + len(f) > w.ring.max_payload:  # whole frames per record
                w.write(batch)
                batch = b""
            batch += f
        if batch:
            w.write(batch)
        say("sent %d" % args.count)
        if args.hang:
            time.sleep(3600)
        idle_pinging(w.write, args.idle)
        w.write(frame(CLOSE_WITH_CAUSE, cause_payload("builtins.RuntimeError", args.cause)) if args.cause else frame(CLOSE))
        w.offer(DETACH, b"")
        say("closed")
    except ConnectionError as e:
        say("lost %s" % e)


def create_ring(path, capacity, checksum):
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600)
    size = HEADER + capacity
    zeroes = bytes(65536)
    at = 0
    while at < size:  # written, not ftruncated: a full /dev/shm fails here
        at += os.pwrite(fd, zeroes[:min(len(zeroes), size - at)], at)
    mm = mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
    struct.pack_into("=I", mm, 4, RING_VERSION)
    struct.pack_into("=I", mm, FLAGS, FLAG_CRC32C if checksum else 0)
    struct.pack_into("=I", mm, CAPACITY, capacity)
    struct.pack_into("=I", mm, MAX_RECORD, capacity // 8)
    ctypes.c_uint32.from_address(ctypes.addressof(ctypes.c_char.from_buffer(mm))).value = MAGIC_RING  # last
    mm.close()
    return Ring(path, fd, size)


class Writer:
    def __init__(self, id_):
        self.id, self.met, self.detached, self.attached, self.buf, self.drop_at = id_, False, False, False, bytearray(), -1


def shm_recv(path, args):
    try:
        ring = create_ring(path, args.capacity_bytes, args.checksum)
    except FileExistsError:
        ring = open_ring(path)
        if reader_alive(ring) and ring.i32(READER_PID) != os.getpid():
            raise ProtocolError("the ring already has a reader")
    c = args.codec.encode("utf-8")
    ring.mm[READER_CODEC:READER_CODEC + len(c)] = c
    ring.set32(READER_MAX_FRAME, DEFAULT_MAX_FRAME)
    ring.set32(READER_CODEC_LENGTH, len(c))
    ring.set64(READER_HEARTBEAT, int(time.time() * 1000))
    ring.set64(READER_START, start_time(os.getpid()))
    ring.set32(READER_PID, os.getpid())
    ring.set32(CLOSED, 0)
    fresh = ring.i64(TAIL) == 0
    say("listening")
    r = Receiving(args.codec)
    writers = {}
    state = {"attached": 0, "ever": False}
    head = ring.i64(HEAD)
    next_check = 0.0
    stuck_at, stuck_since = -1, 0.0

    def readable():
        return split_word(ring.u64(HEADER + (ring.i64(HEAD) & ring.mask)))[0] > 0

    def detach(w):
        if w.attached:
            w.attached = False
            state["attached"] -= 1

    def on_record(type_, payload):
        wid = type_ >> 1
        pid = wid >> 7
        if pid <= 0 or pid > 1 << 22:
            raise ProtocolError("corrupt ring: writer id %d" % wid)
        w = writers.setdefault(wid, Writer(wid))
        if type_ & 1 == DETACH:
            if payload:
                raise ProtocolError("corrupt ring: a DETACH with a payload")
            detach(w)
            w.detached = True
            if w.buf:
                raise ProtocolError("truncated frame: a writer detached inside a frame")
            return
        if not payload:
            raise ProtocolError("corrupt ring: an empty DATA record")
        if not w.attached:
            w.attached, state["ever"] = True, True
            state["attached"] += 1
        if not w.buf:
            is_hello = len(payload) > 4 and payload[4] == HELLO
            if w.detached and not is_hello:
                raise ProtocolError("corrupt ring: a record after DETACH without a HELLO")
            w.detached = False
            if not w.met:
                w.met = True
                if not is_hello:
                    if fresh:
                        raise ProtocolError("corrupt ring: a writer's first record is not its HELLO")
                    kept = ring.i32(HELLO_LENGTH)
                    if 0 < kept <= 104:
                        w.buf += ring.mm[HELLO_AT:HELLO_AT + kept]
        w.buf += payload
        while len(w.buf) >= 4:  # whole frames of this writer, on to the stream
            (n,) = struct.unpack_from(">I", w.buf, 0)
            if n < 1 or n > DEFAULT_MAX_FRAME:
                raise ProtocolError("frame length %d" % n)
            if len(w.buf) < 4 + n:
                break
            if n < 5:
                raise ProtocolError("frame length %d" % n)
            kind, stream, body = w.buf[4], struct.unpack_from(">I", w.buf, 5)[0], bytes(w.buf[9:4 + n])
            del w.buf[:4 + n]
            check_kind_and_stream(kind, stream)
            r.on_frame(kind, body)

    try:
        while True:
            pos = head
            while pos - head < ring.capacity:
                index = pos & ring.mask
                at = HEADER + index
                length, type_ = split_word(ring.u64(at))
                if length <= 0:
                    if length == 0 and type_ != 0:
                        raise ProtocolError("corrupt ring: header 0, %d" % type_)
                    break  # nothing yet, or claimed
                if length > ring.capacity - index:
                    raise ProtocolError("corrupt ring: record beyond the ring's end")
                end = pos + align8(length)
                if end > ring.i64(TAIL):
                    raise ProtocolError("corrupt ring: record beyond the tail")
                if type_ != PADDING:
                    if type_ < 0 or length < ring.overhead or length > ring.capacity // 8:
                        raise ProtocolError("corrupt ring: record of %d bytes, type %d" % (length, type_))
                    payload = bytes(ring.mm[at + ring.overhead:at + length])
                    if ring.overhead == 12:
                        expected = ctypes.c_uint32.from_address(ring.base + at + 8).value
                        if record_checksum(payload, pos, length, type_) != expected:
                            raise ProtocolError("corrupt ring: checksum")
                    on_record(type_, payload)
                pos = end
            if pos != head:  # zero what was read, then give it back
                p = head
                while p < pos:
                    i = p & ring.mask
                    n = min(ring.capacity - i, pos - p)
                    ring.mm[HEADER + i:HEADER + i + n] = bytes(n)
                    p += n
                head = pos
                ring.set64(HEAD, head)
                continue
            now = time.monotonic()
            tail = ring.i64(TAIL)
            if now >= next_check:
                next_check = now + 0.010
                ring.set64(READER_HEARTBEAT, int(time.time() * 1000))
                if ring.i32(CLOSED) != 0 or ring.i32(READER_PID) != os.getpid():
                    raise ProtocolError("corrupt ring: closed or another reader named")
                for w in writers.values():  # writers whose process is gone
                    if w.attached and not ring.maps_me(w.id >> 7):
                        detach(w)
                        if w.buf and w.drop_at < 0:
                            w.drop_at = tail
                    if w.drop_at >= 0 and head >= w.drop_at:
                        w.buf, w.drop_at = bytearray(), -1
                if tail != head:  # repairs
                    at = HEADER + (head & ring.mask)
                    word = ring.u64(at)
                    length, owner = split_word(word)
                    if length < 0 and not ring.maps_me(owner):
                        CAS64(ring.base + at, word, header_word(align8(-length), PADDING))
                    elif word == 0:
                        if stuck_at != head:
                            stuck_at, stuck_since = head, now
                        elif now - stuck_since >= 1.0:
                            limit, gap = min(tail - head, ring.capacity - (head & ring.mask)), 8
                            while gap < limit and ring.u64(at + gap) == 0:
                                gap += 8
                            CAS64(ring.base + at, 0, header_word(gap, PADDING))
                            stuck_at = -1
            if state["ever"] and state["attached"] == 0 and tail == head:
                r.end("a writer went away without closing")
                break
            ring.wait(readable, 0.010)
    except ProtocolError as e:
        ring.set32(CLOSED, 2)
        say("protocol-error %s" % e)
    finally:
        if ring.i32(CLOSED) == 0:
            ring.set32(CLOSED, 1)
        ring.set32(READER_PID, 0)
        ring.signal()


# ---------------------------------------------------------------- stdio: a child process (processes.md)

def stdio_echo(argv):
    """A child of Processes.spawn: a channel each way over stdin/stdout, every value sent back as
    it came, until the parent closes (then CLOSE back). Events go to stderr, stdout carries frames.
        hoare_peer.py stdio-echo [--codec ID] [--capacity N] [--hang-after N]
    --hang-after N: after echoing N values, say "echoed N" and sleep (to be killed)."""
    p = argparse.ArgumentParser(prog="hoare_peer.py stdio-echo")
    p.add_argument("--codec", default="utf8")
    p.add_argument("--capacity", type=int, default=16)
    p.add_argument("--hang-after", type=int, default=-1)
    args = p.parse_args(argv)

    def log(line):
        sys.stderr.write(line + "\n")
        sys.stderr.flush()

    def write(data):
        view = memoryview(data)
        while view:
            view = view[os.write(1, view):]

    # the parent opened the connection: its channel is stream 1, ours stream 2 (wire-format.md, Streams)
    parents, ours = 1, 2
    # our receiving channel's HELLO first, then our sending channel's, then our capacity
    write(hello(args.codec, stream=parents) + hello(args.codec, stream=ours)
          + frame(CREDIT, struct.pack(">I", args.capacity), parents))
    frames = FrameReader(lambda n: os.read(0, n), streams=(parents, ours))
    hellos, credits, pending, closed, echoed = 0, None, [], False, 0
    try:
        while True:
            # echo what we may: each value sent back uses a credit and returns one to the parent
            while pending and credits:
                write(frame(DATA, pending.pop(0), ours) + frame(CREDIT, struct.pack(">I", 1), parents))
                credits -= 1
                echoed += 1
                if echoed == args.hang_after:
                    log("echoed %d" % echoed)
                    time.sleep(3600)
            if closed and not pending:
                write(frame(CLOSE, stream=ours))
                log("closed")
                return
            f = frames.next()
            if f is None:
                log("lost the parent went away without closing (end of stream)")
                return
            kind, payload = f
            if kind in (DATA, CLOSE, CLOSE_WITH_CAUSE) and frames.stream != parents \
                    or kind in (CREDIT, RELEASE) and frames.stream != ours:
                raise ProtocolError("frame kind %d on stream %d, the wrong way" % (kind, frames.stream))
            if kind == PING:
                write(frame(PONG, payload))
            elif kind == HELLO:
                check_hello(payload, args.codec)  # the parent's receiver's, then its sender's
                hellos += 1
            elif kind == CREDIT:
                n = struct.unpack(">I", payload)[0]
                credits = max(1, n) if credits is None else credits + n  # the first announces the capacity
            elif kind == DATA:
                if hellos < 2 or len(pending) >= max(1, args.capacity):
                    raise ProtocolError("DATA before HELLO, or beyond our credits")
                pending.append(payload)
            elif kind in (CLOSE, CLOSE_WITH_CAUSE):
                closed = True
            elif kind == RELEASE:
                log("released " + (parse_cause(payload) if payload else ""))
                return
    except ProtocolError as e:
        write(frame(RELEASE, cause_payload("dev.hoare.channels.ChannelProtocolException", str(e)), parents))
        log("protocol-error %s" % e)
    except BrokenPipeError as e:
        log("lost %s" % e)


# ---------------------------------------------------------------- main

def main():
    if sys.argv[1:2] == ["stdio-echo"]:
        return stdio_echo(sys.argv[2:])
    p = argparse.ArgumentParser()
    p.add_argument("role", choices=["send", "recv"])
    p.add_argument("uri")
    p.add_argument("count", type=int, nargs="?", default=0)
    p.add_argument("--cause")
    p.add_argument("--hang", action="store_true")
    p.add_argument("--idle", type=float, default=0.0)
    p.add_argument("--codec", default="utf8")
    p.add_argument("--capacity", type=int, default=16)
    p.add_argument("--capacity-bytes", type=int, default=1 << 16)
    p.add_argument("--checksum", action="store_true")
    args = p.parse_args()
    scheme, _, rest = args.uri.partition(":")
    path = rest.split("?")[0]
    role = {("fifo", "send"): fifo_send, ("fifo", "recv"): fifo_recv, ("uds", "send"): uds_send,
            ("uds", "recv"): uds_recv, ("shm", "send"): shm_send, ("shm", "recv"): shm_recv}[(scheme, args.role)]
    try:
        role(path, args)
    except ProtocolError as e:
        say("protocol-error %s" % e)
    except (BrokenPipeError, ConnectionResetError) as e:
        say("lost %s" % e)


if __name__ == "__main__":
    main()
