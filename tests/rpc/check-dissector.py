#!/usr/bin/env python3
"""Checks our protocol description against Debian's libvirt-wireshark dissector.

Usage: check-dissector.py remote_protocol.x rpc_protocol.x

The dissector (package libvirt-wireshark, built from libvirt 9.0's own
protocol files) is an independent statement of libvirt's wire format.
Three checks, each printing one line per problem:

1. procedures: every REMOTE_PROC_* name and number in our enum is the
   dissector's, and none of the dissector's is missing;
2. fields: every payload struct we define has the dissector's fields, in
   the dissector's order;
3. bytes: for every payload struct, a sample value with distinct field
   values is encoded from OUR .x (by the small XDR encoder below), wrapped
   in a packet and decoded by tshark; every leaf value tshark reports must
   be the one we encoded, in order, with no malformed packet.  This is
   what catches optional-vs-mandatory, 4-vs-8-byte and order mistakes.

Exit 77 (skip) when tshark or the dissector is not installed.
"""

import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

SKIP = 77

# Our names for the envelope types -> the dissector's.
ALIASES = {
    "rpc_error": "remote_error",
    "rpc_error_domain": "remote_nonnull_domain",
    "rpc_error_network": "remote_nonnull_network",
}

# The dissector shows any field named "type" through the header's "type"
# field, as a number; such fields cannot be compared (string "type"
# fields then even lose their alignment).  Structs where that happens:
DISSECTOR_TYPE_BUG = {
    "remote_connect_get_type_ret",
    "remote_connect_get_max_vcpus_args",
    "remote_domain_get_os_type_ret",
    # the string remote_domain_event_graphics_identity.type: the byte check
    # skips them (fields and order are still compared); virsh decoding the
    # message in tests/integration/test_eventwire.py covers the bytes
    "remote_domain_event_graphics_msg",
    "remote_domain_event_callback_graphics_msg",
}


# ---------------------------------------------------------------- XDR model

class Decl:
    """A declaration: base type, name, and its shape."""

    def __init__(self, base, name, kind="plain", size=None, optional=False):
        self.base = base          # "int", "unsigned hyper", "string", a typedef name...
        self.name = name
        self.kind = kind          # plain, fixed, var
        self.size = size          # element count (fixed) or maximum (var), may be None
        self.optional = optional


class Proto:
    def __init__(self):
        self.consts = {}
        self.typedefs = {}        # name -> Decl
        self.structs = {}         # name -> [Decl]
        self.unions = {}          # name -> (discriminant Decl, [(value, Decl or None)])
        self.enums = {}           # name -> [(member, value)]


def tokenize(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"^%.*$", " ", text, flags=re.M)
    return re.findall(r"0x[0-9a-fA-F]+|-?\d+|\w+|[{}()\[\]<>;:,=*]", text)


def parse(paths):
    proto = Proto()
    for path in paths:
        with open(path, encoding="utf-8") as f:
            toks = tokenize(f.read())
        Parser(toks, proto).run()
    return proto


class Parser:
    def __init__(self, toks, proto):
        self.t = toks
        self.i = 0
        self.p = proto

    def peek(self):
        return self.t[self.i] if self.i < len(self.t) else None

    def take(self, want=None):
        tok = self.t[self.i]
        if want is not None and tok != want:
            raise SyntaxError("expected %r, got %r near token %d" % (want, tok, self.i))
        self.i += 1
        return tok

    def value(self, tok):
        if re.match(r"^-?(0x[0-9a-fA-F]+|\d+)$", tok):
            return int(tok, 0)
        if tok in self.p.consts:
            return self.p.consts[tok]
        for members in self.p.enums.values():
            for name, val in members:
                if name == tok:
                    return val
        raise KeyError(tok)

    def base_type(self):
        tok = self.take()
        if tok == "unsigned":
            if self.peek() in ("int", "hyper", "char", "short"):
                return "unsigned " + self.take()
            return "unsigned int"
        return tok

    def decl(self):
        base = self.base_type()
        optional = False
        if self.peek() == "*":
            self.take()
            optional = True
        name = self.take()
        if self.peek() == "[":
            self.take()
            size = self.value(self.take())
            self.take("]")
            return Decl(base, name, "fixed", size, optional)
        if self.peek() == "<":
            self.take()
            size = None
            if self.peek() != ">":
                size = self.value(self.take())
            self.take(">")
            return Decl(base, name, "var", size, optional)
        return Decl(base, name, "plain", None, optional)

    def run(self):
        while self.peek() is not None:
            kw = self.take()
            if kw == "const":
                name = self.take()
                self.take("=")
                self.p.consts[name] = self.value(self.take())
                self.take(";")
            elif kw == "typedef":
                d = self.decl()
                self.p.typedefs[d.name] = d
                self.take(";")
            elif kw == "enum":
                name = self.take()
                self.take("{")
                members = []
                while self.peek() != "}":
                    member = self.take()
                    self.take("=")
                    members.append((member, self.value(self.take())))
                    if self.peek() == ",":
                        self.take()
                self.take("}")
                self.take(";")
                self.p.enums[name] = members
            elif kw == "struct":
                name = self.take()
                self.take("{")
                fields = []
                while self.peek() != "}":
                    fields.append(self.decl())
                    self.take(";")
                self.take("}")
                self.take(";")
                self.p.structs[name] = fields
            elif kw == "union":
                name = self.take()
                self.take("switch")
                self.take("(")
                disc = self.decl()
                self.take(")")
                self.take("{")
                arms = []
                while self.peek() != "}":
                    self.take("case")
                    val = self.value(self.take())
                    self.take(":")
                    if self.peek() == "void":
                        self.take()
                        arms.append((val, None))
                    else:
                        arms.append((val, self.decl()))
                    self.take(";")
                self.take("}")
                self.take(";")
                self.p.unions[name] = (disc, arms)
            else:
                raise SyntaxError("unexpected %r at token %d" % (kw, self.i))


# ----------------------------------------------------------- XDR encoder

class Encoder:
    """Encodes a sample of each type and records the expected leaves."""

    def __init__(self, proto):
        self.p = proto
        self.n = 0
        self.out = b""
        self.leaves = []          # (dissector field name, normalized value)

    def counter(self):
        self.n += 1
        return self.n

    def put(self, fmt, val):
        self.out += struct.pack(">" + fmt, val)

    def pad_bytes(self, data):
        self.out += data + b"\0" * ((4 - len(data) % 4) % 4)

    def leaf(self, path, value):
        if path is not None:
            self.leaves.append((path, value))

    def primitive(self, base, path):
        n = self.counter()
        if base in ("int", "bool"):
            v = -n if base == "int" else 1
            self.put("i", v)
            self.leaf(path, str(v))
        elif base in ("unsigned int",):
            self.put("I", 1000 + n)
            self.leaf(path, str(1000 + n))
        elif base == "hyper":
            v = -(0x100000000 + n)
            self.put("q", v)
            self.leaf(path, str(v))
        elif base == "unsigned hyper":
            v = 0x100000000 + n
            self.put("Q", v)
            self.leaf(path, str(v))
        elif base in ("char", "short"):
            self.put("i", n % 100)
            self.leaf(path, str(n % 100))
        elif base in ("unsigned char", "unsigned short"):
            self.put("I", n % 200)
            self.leaf(path, str(n % 200))
        elif base == "double":
            v = n + 0.5
            self.put("d", v)
            self.leaf(path, repr(v))
        else:
            return False
        return True

    def string(self, path):
        s = ("v%d" % self.counter()).encode()
        self.put("I", len(s))
        self.pad_bytes(s)
        self.leaf(path, s.decode())

    def opaque(self, d, path):
        n = self.counter()
        start = len(self.out)
        if d.kind == "fixed":
            data = bytes((n + k) % 256 for k in range(d.size))
        else:
            data = bytes((n + k) % 256 for k in range(5))
            self.put("I", len(data))
        self.pad_bytes(data)
        if d.kind == "fixed":
            self.leaf(path, data.hex())
        else:
            # The dissector shows a variable opaque with its length word
            # and padding.
            self.leaf(path, self.out[start:].hex())

    def named(self, tname, path):
        """Encodes a value of a named type (typedef, struct, union, enum)."""
        if tname in self.p.typedefs:
            d = self.p.typedefs[tname]
            self.decl(d, path)
            return
        if tname in self.p.structs:
            self.struct(tname)
            return
        if tname in self.p.unions:
            self.union(tname)
            return
        if tname in self.p.enums:
            v = self.p.enums[tname][0][1]
            self.put("i", v)
            self.leaf(path, str(v))
            return
        if not self.primitive(tname, path):
            raise KeyError("unknown type " + tname)

    def one(self, d, path):
        """Encodes one element of declaration @d's base type."""
        if d.base == "string":
            self.string(path)
        elif not self.primitive(d.base, path):
            self.named(d.base, path)

    def decl(self, d, path):
        if d.optional:
            self.put("I", 1)
        if d.base == "opaque":
            self.opaque(d, path)
            return
        if d.base == "string":
            self.string(path)
            return
        elem = path + "." + path.rsplit(".", 1)[1] if path else None
        if d.kind == "fixed":
            for _ in range(d.size):
                self.one(d, elem)
        elif d.kind == "var":
            count = min(2, d.size if d.size is not None else 2)
            self.put("I", count)
            for _ in range(count):
                self.one(d, elem)
        else:
            self.one(d, path)

    def struct(self, name):
        dname = ALIASES.get(name, name)
        for d in self.p.structs[name]:
            self.decl(d, "libvirt.%s.%s" % (dname, d.name))

    def union(self, name):
        disc, arms = self.p.unions[name]
        # One union value per call, cycling through the arms.
        arm_val, arm = arms[self.counter() % len(arms)]
        self.put("i", arm_val)
        if arm is not None:
            self.decl(arm, "libvirt.%s.%s" % (name, arm.name))


def encode_sample(proto, sname):
    enc = Encoder(proto)
    enc.struct(sname)
    return enc.out, enc.leaves


# ------------------------------------------------------------ pcap + tshark

def pcap(packets):
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
    for i, payload in enumerate(packets):
        sport = 20000 + i
        tcp = struct.pack(">HHIIBBHHH", sport, 16509, 1, 0, 5 << 4, 0x18, 65535, 0, 0)
        ip_len = 20 + len(tcp) + len(payload)
        ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, ip_len, i & 0xFFFF, 0, 64, 6, 0,
                         bytes([127, 0, 0, 1]), bytes([127, 0, 0, 1]))
        eth = b"\0" * 12 + b"\x08\x00"
        frame = eth + ip + tcp + payload
        out += struct.pack("<IIII", i, 0, len(frame), len(frame)) + frame
    return out


def packet(prog, proc, mtype, status, payload):
    body = struct.pack(">IIiiIi", prog, 1, proc, mtype, 1, status) + payload
    return struct.pack(">I", len(body) + 4) + body


def norm(show):
    show = show.strip()
    if re.match(r"^[0-9a-f]{2}(:[0-9a-f]{2})+$", show):
        return show.replace(":", "")
    m = re.match(r"^\w+\((-?\d+)\)$", show)      # enum shown as NAME(value)
    if m:
        return m.group(1)
    return show


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    tshark = shutil.which("tshark")
    if not tshark:
        print("SKIP: tshark not installed (Debian packages tshark, libvirt-wireshark)")
        return SKIP
    fields_out = subprocess.run([tshark, "-G", "fields"], capture_output=True,
                                text=True, check=True).stdout
    ftypes = {}
    dis_structs = {}
    for line in fields_out.splitlines():
        cols = line.split("\t")
        if len(cols) < 4 or cols[0] != "F" or not cols[2].startswith("libvirt."):
            continue
        ftypes[cols[2]] = cols[3]
        parts = cols[2].split(".")
        if len(parts) == 3:
            dis_structs.setdefault(parts[1], []).append(parts[2])
    if not ftypes:
        print("SKIP: the libvirt dissector is not installed (package libvirt-wireshark)")
        return SKIP
    values_out = subprocess.run([tshark, "-G", "values"], capture_output=True,
                                text=True, check=True).stdout

    proto = parse([argv[2], argv[1]])
    problems = []

    # 1. Procedure numbers.
    dis_procs = []
    for line in values_out.splitlines():
        cols = line.split("\t")
        if len(cols) == 4 and cols[0] == "V" and cols[1] == "libvirt.procedure":
            dis_procs.append((int(cols[2]), cols[3]))
    # REMOTE's procedures come first, numbered from 1 without gaps.
    remote = []
    for num, name in dis_procs:
        if remote and num <= remote[-1][0]:
            break
        remote.append((num, name))
    ours = {name[len("REMOTE_PROC_"):]: num
            for name, num in proto.enums["remote_procedure"] if name != "REMOTE_PROC_LAST"}
    for num, name in remote:
        if ours.get(name) != num:
            problems.append("procedure %s: dissector %d, ours %s" % (name, num, ours.get(name)))
    if len(ours) != len(remote):
        problems.append("procedure count: dissector %d, ours %d" % (len(remote), len(ours)))
    if proto.consts.get("REMOTE_PROGRAM") != 0x20008086:
        problems.append("REMOTE_PROGRAM is not 0x20008086")

    # 2. Field names and order (the header and the stream hole are not
    # payload structs to the dissector; section 1 of the test covers them
    # through the golden packets).
    checked = 0
    for sname, fields in proto.structs.items():
        if sname in ("rpc_header", "rpc_stream_hole"):
            continue
        dname = ALIASES.get(sname, sname)
        if dname not in dis_structs:
            problems.append("struct %s: unknown to the dissector" % sname)
            continue
        want = [f for f in dis_structs[dname] if f != dname]
        got = [d.name for d in fields]
        if got != want:
            problems.append("struct %s: fields %s, dissector %s" % (sname, got, want))
        checked += 1

    # 3. Bytes, through tshark.
    samples = []
    for sname in proto.structs:
        m = re.match(r"^remote_(\w+)_(args|ret|msg)$", sname)
        if sname == "rpc_error":
            proc, mtype, status = 1, 1, 1
        elif m and m.group(1).upper() in ours:
            proc = ours[m.group(1).upper()]
            mtype = {"args": 0, "ret": 1, "msg": 2}[m.group(2)]
            status = 0
        else:
            continue
        if sname in DISSECTOR_TYPE_BUG:
            continue
        payload, leaves = encode_sample(proto, sname)
        samples.append((sname, packet(0x20008086, proc, mtype, status, payload), leaves))

    with tempfile.TemporaryDirectory(prefix="vk-dissector-") as tmp:
        path = os.path.join(tmp, "samples.pcap")
        with open(path, "wb") as f:
            f.write(pcap([s[1] for s in samples]))
        res = subprocess.run([tshark, "-r", path, "-T", "pdml"], capture_output=True,
                             text=True, check=False)
    if res.returncode != 0:
        problems.append("tshark failed: " + res.stderr.strip())
        pdml_packets = []
    else:
        pdml_packets = ET.fromstring(res.stdout).findall("packet")
    if len(pdml_packets) != len(samples):
        problems.append("tshark decoded %d packets of %d" % (len(pdml_packets), len(samples)))

    for (sname, _, leaves), pkt in zip(samples, pdml_packets):
        got = []
        bad = False
        for field in pkt.iter("field"):
            name = field.get("name", "")
            if name.startswith("_ws.malformed") or name.startswith("_ws.expert"):
                bad = True
            if name.startswith("libvirt.remote_") and ftypes.get(name) not in (None, "FT_NONE"):
                got.append((name, norm(field.get("show", ""))))
        # Fields the dissector types as unsigned show our negative samples
        # modulo 2^32 (its "type" fields, see DISSECTOR_TYPE_BUG).
        leaves = [(n, str(int(v) + 2 ** 32))
                  if ftypes.get(n) == "FT_UINT32" and re.match(r"^-\d+$", v) else (n, v)
                  for n, v in leaves]
        if bad:
            problems.append("payload %s: tshark reports a malformed packet" % sname)
        if got != leaves:
            for k, (g, w) in enumerate(zip(got + [None] * len(leaves), leaves + [None] * len(got))):
                if g != w:
                    problems.append("payload %s: leaf %d is %s, we encoded %s" % (sname, k, g, w))
                    break

    for p in problems:
        print("FAIL: " + p)
    print("%d procedures, %d structs, %d sample payloads checked against the dissector; "
          "%d problems" % (len(ours), checked, len(samples), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
