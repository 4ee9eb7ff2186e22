#!/usr/bin/python3
"""The migration capture check (issue 6): Debian's virsh migrates a guest
between two virtkitd daemons on plain TCP loopback (distinct host_uuid),
tshark records both daemons' sessions, Debian's libvirt-wireshark dissector
decodes them: no malformed packet, every call answered, and virsh makes the
same calls as against Debian's libvirtd (../shared/reference/captures/
mig.summary.tsv; the GET_JOB_INFO polls, whose number depends on timing,
left out).  Skipped (77) without tshark.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vkdtest as t  # noqa: E402
import test_capture as cap  # noqa: E402

GUEST_XML = """<domain type='test'>
  <name>vkmig</name>
  <memory unit='MiB'>8</memory>
  <vcpu>1</vcpu>
  <os><type>hvm</type></os>
</domain>
"""
GET_JOB_INFO = 163


def reference_calls():
    """{tcp stream: [procedure of each call, GET_JOB_INFO left out]} of mig.summary.tsv."""
    path = os.path.join(cap.REFERENCE, "mig.summary.tsv")
    if not os.path.exists(path):
        return None
    calls = {}
    with open(path) as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if (len(cols) >= 7 and cols[6] == "0" and int(cols[4], 0) == t.REMOTE_PROGRAM
                    and int(cols[5]) != GET_JOB_INFO):
                calls.setdefault(int(cols[1]), []).append(int(cols[5]))
    return calls


def daemon(port):
    d = t.Daemon(start=False)
    d.write_config('listen_tcp = 1\nauth_tcp = "none"\nlisten_addr = "127.0.0.1"\n'
                   'tcp_port = "%d"\nhost_uuid = "%s"\n' % (port, __import__("uuid").uuid4()))
    d.start()
    return d


def main():
    t.need_virsh()
    if not shutil.which("tshark"):
        t.skip("tshark is not installed")
    work = tempfile.mkdtemp(prefix="vkd-migcap-")
    try:
        run_all(work)
    finally:
        if os.environ.get("VKD_KEEP_ROOT") is None:
            shutil.rmtree(work, ignore_errors=True)


def run_all(work):
    psrc, pdst = cap.free_port(), cap.free_port()
    src, dst = daemon(psrc), daemon(pdst)
    usrc = "test+tcp://127.0.0.1:%d/default" % psrc
    udst = "test+tcp://127.0.0.1:%d/default" % pdst
    xml = os.path.join(work, "vkmig.xml")
    with open(xml, "w") as f:
        f.write(GUEST_XML)
    rc, out, err = t.virsh(src.uri(), "create", xml)
    t.check(rc == 0, "guest created on the source", out + err)
    t.virsh(src.uri(), "migrate-setspeed", "vkmig", "8")   # about one second

    pcap = os.path.join(work, "mig.pcap")
    proc = subprocess.Popen(["tshark", "-i", "lo", "-f",
                             "tcp port %d or tcp port %d" % (psrc, pdst), "-w", pcap],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 20
    ready = False
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        if "Capturing on" in line:
            ready = True
            break
    if not ready:
        proc.kill()
        proc.wait()
        t.skip("tshark cannot capture on lo")
    try:
        for port in (psrc, pdst):
            for _ in range(3):
                try:
                    __import__("socket").create_connection(("127.0.0.1", port), 1).close()
                except OSError:
                    pass
                time.sleep(0.1)
        rc, out, err = t.virsh(usrc, "migrate", "--live", "vkmig", udst, "--migrateuri",
                               "tcp://127.0.0.1", timeout=60)
        t.check(rc == 0, "virsh migrate --live over TCP", out + err)
        time.sleep(0.3)
    finally:
        cap.stop_capture(proc)
    rc, out, err = t.virsh(dst.uri(), "domstate", "--reason", "vkmig")
    t.check(rc == 0 and "running (migrated)" in out, "the guest runs on the destination",
            out + err)
    src.kill()
    dst.kill()

    ports = ["-d", "tcp.port==%d,libvirt" % psrc, "-d", "tcp.port==%d,libvirt" % pdst]
    dec = subprocess.run(["tshark", "-r", pcap] + ports + ["-O", "libvirt", "-V"],
                         capture_output=True, text=True, timeout=60, env=t.client_env())
    t.check(dec.returncode == 0, "tshark decodes the capture", dec.stderr)
    text = dec.stdout
    for proc_name in ("DOMAIN_MIGRATE_BEGIN3_PARAMS", "DOMAIN_MIGRATE_PREPARE3_PARAMS",
                      "DOMAIN_MIGRATE_PERFORM3_PARAMS", "DOMAIN_MIGRATE_FINISH3_PARAMS",
                      "DOMAIN_MIGRATE_CONFIRM3_PARAMS"):
        t.check(proc_name in text, "the dissector decodes %s" % proc_name)
    bad = [line.strip() for line in text.splitlines()
           if "Malformed" in line or "Expert Info (Error" in line]
    t.check(not bad, "no malformed packet, no expert error", "\n".join(bad[:20]))

    fields = subprocess.run(["tshark", "-r", pcap] + ports +
                            ["-Y", "libvirt", "-T", "fields", "-E", "occurrence=a",
                             "-e", "tcp.stream", "-e", "libvirt.program", "-e",
                             "libvirt.procedure", "-e", "libvirt.type", "-e", "libvirt.serial"],
                            capture_output=True, text=True, timeout=60, env=t.client_env())
    streams = {}
    replies = {}
    for line in fields.stdout.splitlines():
        cols = line.split("\t")
        if len(cols) < 5:
            continue
        progs, procs, types, serials = (c.split(",") for c in cols[1:5])
        for prog, p, typ, serial in zip(progs, procs, types, serials):
            if int(prog, 0) != t.REMOTE_PROGRAM:
                continue
            if typ == "0":
                streams.setdefault(int(cols[0]), []).append((int(p), int(serial)))
            elif typ == "1":
                replies.setdefault(int(cols[0]), set()).add(int(serial))
    sessions = [streams[k] for k in sorted(streams) if streams[k] and streams[k][0] == (66, 0)]
    t.check_eq(len(sessions), 2, "two libvirt sessions: virsh to the source and to the destination")
    unanswered = [(k, s) for k in streams for _, s in streams[k] if s not in replies.get(k, ())]
    t.check(not unanswered, "every call has its reply", unanswered)

    ref = reference_calls()
    if ref is None:
        t.log("no reference capture in %s: sequence comparison skipped" % cap.REFERENCE)
        return
    got = [[p for p, _ in s if p != GET_JOB_INFO] for s in sessions]
    if len(got) == 2:
        # the source session is the one that begins the migration
        src_calls = next((g for g in got if 302 in g), got[0])
        dst_calls = next((g for g in got if 303 in g), got[1])
        t.check_eq(src_calls, ref[0], "source session: the calls virsh makes against libvirtd")
        t.check_eq(dst_calls, ref[1],
                   "destination session: the calls virsh makes against libvirtd")
    jobinfo = sum(1 for s in sessions for p, _ in s if p == GET_JOB_INFO)
    t.check(jobinfo > 0, "virsh polls GET_JOB_INFO during Perform", jobinfo)


if __name__ == "__main__":
    t.run(main, timeout=170)
