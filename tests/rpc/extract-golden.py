#!/usr/bin/env python3
"""Cut libvirt RPC packets out of a pcapng capture (Python stdlib only).

The golden files in tests/data/rpc/ were made with this script from the
captures of Debian's virsh / python3-libvirt talking to Debian's libvirtd
9.0 (../shared/reference/captures/).  It reassembles each TCP direction,
splits the byte stream at the libvirt length words and either lists the
packets or writes chosen ones out.

  extract-golden.py list CAPTURE.pcap
      one line per packet: frame, src port, dst port, prog, proc, type,
      serial, status, length (the frame is the one holding the packet's
      last byte, as tshark numbers it)

  extract-golden.py write CAPTURE.pcap DECODED.txt OUTDIR NAME FRAME [INDEX]
      writes OUTDIR/NAME.bin with the packet ending in FRAME (INDEX picks
      one when a frame ends several, default 0) and OUTDIR/NAME.txt with
      the provenance and the dissector's decode of that frame copied from
      DECODED.txt (the tshark -V output beside the capture).
"""

import os
import struct
import sys


def read_pcapng(path):
    """Yields (frame_number, link_type, packet_bytes)."""
    with open(path, "rb") as f:
        data = f.read()
    pos = 0
    endian = "<"
    links = []
    frame = 0
    while pos + 12 <= len(data):
        btype, blen = struct.unpack_from(endian + "II", data, pos)
        if btype == 0x0A0D0D0A:
            magic = data[pos + 8:pos + 12]
            endian = "<" if magic == b"\x4d\x3c\x2b\x1a" else ">"
            btype, blen = struct.unpack_from(endian + "II", data, pos)
            links = []
        elif btype == 1:
            (linktype,) = struct.unpack_from(endian + "H", data, pos + 8)
            links.append(linktype)
        elif btype == 6:
            iface, _, _, caplen, _ = struct.unpack_from(endian + "IIIII", data, pos + 8)
            frame += 1
            yield frame, links[iface], data[pos + 28:pos + 28 + caplen]
        elif btype == 3:
            (plen,) = struct.unpack_from(endian + "I", data, pos + 8)
            frame += 1
            yield frame, links[0], data[pos + 12:pos + 12 + plen]
        if blen < 12:
            raise ValueError("corrupt pcapng block at %d" % pos)
        pos += blen


def tcp_segment(linktype, pkt):
    """Returns (src, dst, sport, dport, seq, payload) or None."""
    if linktype == 1:            # Ethernet
        ethertype = struct.unpack_from(">H", pkt, 12)[0]
        off = 14
    elif linktype == 113:        # Linux cooked
        ethertype = struct.unpack_from(">H", pkt, 14)[0]
        off = 16
    elif linktype in (0, 108):   # BSD loopback
        fam = struct.unpack_from("<I", pkt, 0)[0]
        ethertype = 0x0800 if fam == 2 else 0x86DD
        off = 4
    else:
        return None
    if ethertype == 0x0800:
        ihl = (pkt[off] & 0x0F) * 4
        proto = pkt[off + 9]
        total = struct.unpack_from(">H", pkt, off + 2)[0]
        src, dst = pkt[off + 12:off + 16], pkt[off + 16:off + 20]
        end = off + total
        off += ihl
    elif ethertype == 0x86DD:
        proto = pkt[off + 6]
        plen = struct.unpack_from(">H", pkt, off + 4)[0]
        src, dst = pkt[off + 8:off + 24], pkt[off + 24:off + 40]
        off += 40
        end = off + plen
    else:
        return None
    if proto != 6:
        return None
    sport, dport, seq = struct.unpack_from(">HHI", pkt, off)
    doff = (pkt[off + 12] >> 4) * 4
    return src, dst, sport, dport, seq, pkt[off + doff:end]


def packets(path):
    """Yields dicts describing each libvirt packet, in capture order."""
    streams = {}
    out = []
    for frame, linktype, pkt in read_pcapng(path):
        seg = tcp_segment(linktype, pkt)
        if not seg:
            continue
        src, dst, sport, dport, seq, payload = seg
        key = (src, sport, dst, dport)
        st = streams.setdefault(key, {"next": None, "buf": b""})
        if not payload:
            continue
        if st["next"] is not None and seq != st["next"]:
            if (seq - st["next"]) & 0xFFFFFFFF > 0x7FFFFFFF:
                continue          # retransmission of bytes already seen
            raise ValueError("gap in TCP stream at frame %d" % frame)
        st["next"] = (seq + len(payload)) & 0xFFFFFFFF
        st["buf"] += payload
        index = 0
        while len(st["buf"]) >= 4:
            (length,) = struct.unpack_from(">I", st["buf"], 0)
            if length < 28 or len(st["buf"]) < length:
                break
            raw = st["buf"][:length]
            st["buf"] = st["buf"][length:]
            prog, vers, proc, mtype, serial, status = struct.unpack_from(">IIiiIi", raw, 4)
            out.append({"frame": frame, "index": index, "sport": sport,
                        "dport": dport, "prog": prog, "vers": vers,
                        "proc": proc, "type": mtype, "serial": serial,
                        "status": status, "raw": raw})
            index += 1
    return out


def decoded_block(decoded_path, frame):
    """The dissector's text for FRAME from a tshark -V dump."""
    with open(decoded_path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    start = None
    for i, line in enumerate(lines):
        if line.startswith("Frame %d:" % frame):
            start = i
        elif start is not None and line.startswith("Frame "):
            return "\n".join(lines[start:i]).rstrip() + "\n"
    if start is None:
        raise KeyError("frame %d not in %s" % (frame, decoded_path))
    return "\n".join(lines[start:]).rstrip() + "\n"


def main(argv):
    if len(argv) >= 3 and argv[1] == "list":
        for p in packets(argv[2]):
            print("%d.%d\t%d\t%d\t0x%x\t%d\t%d\t%d\t%d\t%d" % (
                p["frame"], p["index"], p["sport"], p["dport"], p["prog"],
                p["proc"], p["type"], p["serial"], p["status"], len(p["raw"])))
        return 0
    if len(argv) in (7, 8) and argv[1] == "write":
        capture, decoded, outdir, name, frame = argv[2:7]
        index = int(argv[7]) if len(argv) == 8 else 0
        frame = int(frame)
        found = [p for p in packets(capture)
                 if p["frame"] == frame and p["index"] == index]
        if not found:
            sys.stderr.write("no packet %d.%d in %s\n" % (frame, index, capture))
            return 1
        p = found[0]
        with open(os.path.join(outdir, name + ".bin"), "wb") as f:
            f.write(p["raw"])
        with open(os.path.join(outdir, name + ".txt"), "w", encoding="utf-8") as f:
            f.write("# %s.bin: packet %d of frame %d of %s (%d bytes, "
                    "TCP port %d -> %d)\n" % (
                        name, index, frame, os.path.basename(capture),
                        len(p["raw"]), p["sport"], p["dport"]))
            f.write("# Recorded between Debian's libvirt 9.0 client and libvirtd;\n")
            f.write("# decode by Debian's libvirt-wireshark dissector:\n")
            f.write(decoded_block(decoded, frame))
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
