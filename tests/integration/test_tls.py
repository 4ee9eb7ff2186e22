#!/usr/bin/python3
"""TLS and plain TCP transports of virtkitd, with certificates made now by certtool.

- Debian's virsh, our CLI (build/tools/virtkit) and python3-libvirt over
  test+tls://127.0.0.1:PORT/default?pkipath=DIR (server certificate in the
  daemon's default paths under --root);
- a client certificate from another CA is refused: a clear error on the
  client (libvirt's code 38 / RPC), and the daemon keeps serving others;
- a server certificate for another host name is refused by the client
  (VIR_ERR_AUTH_FAILED, as libvirt) unless ?no_verify=1;
- key_file/cert_file/ca_file in the configuration;
- peer-to-peer migration (virsh --p2p) whose source daemon reaches the
  destination daemon over TLS with ?pkipath=; a foreign certificate refused;
- plain TCP with listen_tcp = 1 and auth_tcp = "none"; listen_tcp without
  auth_tcp = "none" is refused at start.
Ports: high random free ports on 127.0.0.1.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vkdtest as t  # noqa: E402
import tlscerts  # noqa: E402

VIR_ERR_SYSTEM_ERROR = 38
VIR_ERR_AUTH_FAILED = 45
VIRTKIT = os.environ.get("VIRTKIT_CLI") or os.path.join(
    os.path.dirname(os.path.dirname(os.environ.get("VIRTKITD", "/x/x"))), "tools", "virtkit")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(port, daemon, timeout=20):
    import time
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not daemon.alive():
            raise RuntimeError("virtkitd exited:\n" + daemon.log())
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError("port %d not listening" % port)


def net_daemon(pki, config, port, which="server"):
    d = t.Daemon(start=False)
    tlscerts.install_server(pki, d.root, which)
    d.write_config(config)
    d.start()
    wait_port(port, d)
    return d


def our_cli(uri, *args):
    p = subprocess.run([VIRTKIT, "-c", uri] + list(args), capture_output=True, text=True,
                       timeout=30, env=dict(os.environ, LC_ALL="C"))
    return p.returncode, p.stdout, p.stderr


def py_open(uri):
    """python3-libvirt in a child (Debian's libvirt): (ok, code, domain, message, names)."""
    code = r'''
import libvirt, sys
libvirt.registerErrorHandler(lambda c, e: None, None)
try:
    c = libvirt.open(sys.argv[1])
    names = sorted(d.name() for d in c.listAllDomains())
    print("OK", c.isEncrypted(), c.isSecure(), ",".join(names))
    print(c.lookupByName("test").info()[0])
    c.close()
except libvirt.libvirtError as e:
    print("ERR", e.get_error_code(), e.get_error_domain(), e.get_error_message())
'''
    p = subprocess.run(["/usr/bin/python3", "-c", code, uri], capture_output=True, text=True,
                       timeout=30, env=t.client_env())
    return p.stdout.strip().splitlines() or [p.stderr]


P2P_GUEST = """<domain type='test'>
  <name>tlsguest</name>
  <memory unit='MiB'>8</memory>
  <vcpu>1</vcpu>
  <os><type>hvm</type></os>
</domain>
"""


def p2p_over_tls(pki, client, rogue, work):
    """Peer-to-peer migration whose source daemon reaches the destination
    daemon over TLS with the client certificate named by ?pkipath=; a
    source daemon holding a certificate of another CA is refused."""
    port = free_port()
    b = net_daemon(pki, 'listen_tls = 1\nlisten_addr = "127.0.0.1"\ntls_port = "%d"\n'
                   'host_uuid = "6f1b0c5e-2d1a-4b7e-9c38-0000000000b2"\n' % port, port)
    a = t.Daemon(start=False)
    a.write_config('host_uuid = "6f1b0c5e-2d1a-4b7e-9c38-0000000000a1"\n')
    a.start()
    xml = os.path.join(work, "p2p-guest.xml")
    with open(xml, "w") as f:
        f.write(P2P_GUEST)
    rc, out, err = t.virsh(a.uri(), "create", xml)
    t.check(rc == 0, "p2p over TLS: guest created on A", out + err)
    rogue_uri = "test+tls://127.0.0.1:%d/default?pkipath=%s" % (port, rogue)
    rc, out, err = t.virsh(a.uri(), "migrate", "--live", "--p2p", "tlsguest", rogue_uri,
                           "tcp://127.0.0.1")
    rc2, state, _ = t.virsh(a.uri(), "domstate", "tlsguest")
    t.check(rc != 0 and "TLS confirmation" in err and rc2 == 0 and state.strip() == "running",
            "p2p over TLS with a foreign certificate: refused, the guest runs on A",
            out + err + state)
    tls_uri = "test+tls://127.0.0.1:%d/default?pkipath=%s" % (port, client)
    rc, out, err = t.virsh(a.uri(), "migrate", "--live", "--p2p", "tlsguest", tls_uri,
                           "tcp://127.0.0.1")
    t.check(rc == 0, "virsh migrate --live --p2p, the daemons over TLS", out + err)
    rc_a, out_a, _ = t.virsh(a.uri(), "list", "--all", "--name")
    rc_b, out_b, _ = t.virsh(tls_uri, "domstate", "--reason", "tlsguest")
    t.check("tlsguest" not in out_a.split() and out_b.strip() == "running (migrated)",
            "p2p over TLS: the guest left A and runs on B (migrated)", out_a + out_b)
    a.kill()
    b.kill()


def main():
    t.need_virsh()
    t.need_libvirt_python()
    if not tlscerts.have_certtool():
        t.skip("certtool (gnutls-bin) is not installed")
    work = tempfile.mkdtemp(prefix="vkd-pki-")
    try:
        run_all(work)
    finally:
        if os.environ.get("VKD_KEEP_ROOT") is None:
            shutil.rmtree(work, ignore_errors=True)


def run_all(work):
    pki = tlscerts.make_pki(os.path.join(work, "pki"))
    client = os.path.join(pki, "client")
    rogue = os.path.join(pki, "rogue")
    # Debian's client checks its own certificate against its CA file first:
    # give the rogue client both CAs so that only the server can refuse it.
    with open(os.path.join(rogue, "cacert.pem"), "w") as f:
        for ca in ("ca", "ca2"):
            with open(os.path.join(pki, ca, "cacert.pem")) as g:
                f.write(g.read())

    tls_port = free_port()
    tcp_port = free_port()
    conf = ('listen_tls = 1\nlisten_addr = "127.0.0.1"\ntls_port = "%d"\n'
            'listen_tcp = 1\nauth_tcp = "none"\ntcp_port = "%d"\n' % (tls_port, tcp_port))
    d = net_daemon(pki, conf, tls_port)
    wait_port(tcp_port, d)
    tls_uri = "test+tls://127.0.0.1:%d/default?pkipath=%s" % (tls_port, client)

    # Two clients that stall in the TLS handshake: one silent, one stopping
    # in the middle of its first record.  The daemon drops them after its
    # handshake timeout (10 s, RPC_SERVER_TLS_HANDSHAKE_TIMEOUT) while every
    # check below runs unhindered; they are collected at the end.
    stalled_start = time.monotonic()
    stalled = []
    for prefix in (b"", b"\x16\x03\x01\x02\x00\x01\x00"):
        s = socket.create_connection(("127.0.0.1", tls_port))
        if prefix:
            s.sendall(prefix)
        stalled.append(s)

    # Debian's virsh over TLS.
    rc, out, err = t.virsh(tls_uri, "list", "--all")
    t.check(rc == 0 and " test " in out and "running" in out, "virsh list --all over TLS", out + err)
    rc, out, err = t.virsh(tls_uri, "dominfo", "test")
    t.check(rc == 0 and "Name:           test" in out, "virsh dominfo over TLS", out + err)
    rc, out, err = t.virsh(tls_uri.replace("127.0.0.1", "localhost"), "domstate", "test")
    t.check(rc == 0 and "running" in out, "virsh by host name 'localhost'", out + err)

    # Our CLI over TLS.
    if os.path.exists(VIRTKIT):
        rc, out, err = our_cli(tls_uri, "list", "--all")
        t.check(rc == 0 and " test " in out, "virtkit list --all over TLS", out + err)
        rc, out, err = our_cli(tls_uri, "dominfo", "test")
        t.check(rc == 0 and "Name:           test" in out, "virtkit dominfo over TLS", out + err)
    else:
        t.log("no %s, CLI checks skipped" % VIRTKIT)

    # python3-libvirt over TLS: encrypted and secure.
    res = py_open(tls_uri)
    t.check_eq(res[:2], ["OK 1 1 test", "1"], "python3-libvirt over TLS (encrypted, secure)")

    # A client certificate from another CA: refused by the daemon.
    rogue_uri = "test+tls://127.0.0.1:%d/default?pkipath=%s" % (tls_port, rogue)
    rc, out, err = t.virsh(rogue_uri, "list")
    t.check(rc != 0 and "TLS confirmation" in err, "virsh with a foreign client certificate refused",
            out + err)
    res = py_open(rogue_uri)
    t.check(res[0].startswith("ERR %d 7 " % VIR_ERR_SYSTEM_ERROR),
            "python3-libvirt with a foreign certificate: libvirt's error", res)
    if os.path.exists(VIRTKIT):
        rc, out, err = our_cli(rogue_uri, "list")
        t.check(rc != 0 and "refused" in err and "certificate" in err,
                "virtkit with a foreign certificate: clear error", out + err)
    # A client that presents no certificate at all, and one that sends garbage.
    s = socket.create_connection(("127.0.0.1", tls_port))
    s.sendall(b"\x16\x03\x01\x00\x05garbage" * 10)
    s.settimeout(10)
    try:
        got = s.recv(100)
        while got:
            got = s.recv(100)
        t.check(True, "garbage instead of a TLS handshake: connection closed")
    except OSError as e:
        t.check(isinstance(e, ConnectionResetError), "garbage handshake closed", repr(e))
    s.close()
    t.check(d.alive(), "daemon alive after refused clients")
    rc, out, err = t.virsh(tls_uri, "list", "--name")
    t.check(rc == 0 and out.strip() == "test", "daemon keeps serving good TLS clients", out + err)

    # Plain TCP with listen_tcp = 1.
    tcp_uri = "test+tcp://127.0.0.1:%d/default" % tcp_port
    rc, out, err = t.virsh(tcp_uri, "dominfo", "test")
    t.check(rc == 0 and "Name:           test" in out, "virsh dominfo over plain TCP", out + err)
    res = py_open(tcp_uri)
    t.check_eq(res[:1], ["OK 0 0 test"], "python3-libvirt over TCP (not encrypted, not secure)")
    if os.path.exists(VIRTKIT):
        rc, out, err = our_cli(tcp_uri, "list", "--all")
        t.check(rc == 0 and " test " in out, "virtkit over plain TCP", out + err)

    for i, s in enumerate(stalled):
        s.settimeout(max(0.1, stalled_start + 30 - time.monotonic()))
        try:
            closed = s.recv(100) == b""
        except ConnectionResetError:
            closed = True
        except OSError:
            closed = False
        took = time.monotonic() - stalled_start
        t.check(closed and 8 <= took < 30,
                "stalled TLS handshake %d dropped after the 10 s timeout" % i,
                "closed %s after %.1f s" % (closed, took))
        s.close()
    t.check(d.alive(), "daemon alive after dropping stalled handshakes")
    d.kill()

    # A server certificate for another host: refused unless no_verify=1.
    port = free_port()
    d = net_daemon(pki, 'listen_tls = 1\nlisten_addr = "127.0.0.1"\ntls_port = "%d"\n' % port, port,
                   which="badhost")
    bad_uri = "test+tls://127.0.0.1:%d/default?pkipath=%s" % (port, client)
    res = py_open(bad_uri)
    t.check(res[0].startswith("ERR %d 7 " % VIR_ERR_AUTH_FAILED),
            "python3-libvirt refuses a server certificate for another host", res)
    res = py_open(bad_uri + "&no_verify=1")
    t.check(res[0].startswith("OK 1"), "python3-libvirt with no_verify=1 accepts it", res)
    if os.path.exists(VIRTKIT):
        rc, out, err = our_cli(bad_uri, "list")
        t.check(rc != 0 and "does not match the hostname '127.0.0.1'" in err,
                "virtkit refuses a server certificate for another host", out + err)
        rc, out, err = our_cli(bad_uri + "&no_verify=1", "list")
        t.check(rc == 0 and " test " in out, "virtkit with no_verify=1 accepts it", out + err)
    d.kill()

    # Certificates named in the configuration (no files in the default paths).
    port = free_port()
    d = t.Daemon(start=False)
    d.write_config('listen_tls = 1\nlisten_addr = "127.0.0.1"\ntls_port = "%d"\n'
                   'ca_file = "%s"\ncert_file = "%s"\nkey_file = "%s"\n'
                   % (port, os.path.join(pki, "ca", "cacert.pem"),
                      os.path.join(pki, "server", "servercert.pem"),
                      os.path.join(pki, "server", "serverkey.pem")))
    d.start()
    wait_port(port, d)
    rc, out, err = t.virsh("test+tls://127.0.0.1:%d/default?pkipath=%s" % (port, client),
                           "list", "--name")
    t.check(rc == 0 and out.strip() == "test", "ca_file/cert_file/key_file settings", out + err)
    d.kill()

    # tls_no_verify_certificate = 1 lets the foreign client in.
    port = free_port()
    d = net_daemon(pki, 'listen_tls = 1\nlisten_addr = "127.0.0.1"\ntls_port = "%d"\n'
                   'tls_no_verify_certificate = 1\n' % port, port)
    rc, out, err = t.virsh("test+tls://127.0.0.1:%d/default?pkipath=%s" % (port, rogue),
                           "list", "--name")
    t.check(rc == 0 and out.strip() == "test", "tls_no_verify_certificate = 1", out + err)
    d.kill()

    # tls_allowed_dn_list: a matching client name passes, others are refused.
    port = free_port()
    d = net_daemon(pki, 'listen_tls = 1\nlisten_addr = "127.0.0.1"\ntls_port = "%d"\n'
                   'tls_allowed_dn_list = [ "*CN=nobody*", "*CN=client*" ]\n' % port, port)
    rc, out, err = t.virsh("test+tls://127.0.0.1:%d/default?pkipath=%s" % (port, client),
                           "list", "--name")
    t.check(rc == 0 and out.strip() == "test", "tls_allowed_dn_list: a listed name passes",
            out + err)
    d.kill()
    port = free_port()
    d = net_daemon(pki, 'listen_tls = 1\nlisten_addr = "127.0.0.1"\ntls_port = "%d"\n'
                   'tls_allowed_dn_list = [ "*CN=nobody*" ]\n' % port, port)
    rc, out, err = t.virsh("test+tls://127.0.0.1:%d/default?pkipath=%s" % (port, client),
                           "list", "--name")
    t.check(rc != 0 and "TLS confirmation" in err, "tls_allowed_dn_list: other names refused",
            out + err)
    d.kill()

    p2p_over_tls(pki, client, rogue, work)

    # Refusals at start: TCP without auth_tcp = "none"; TLS without certificates.
    for conf, want in (
        ('listen_tcp = 1\ntcp_port = "%d"\n' % free_port(), 'auth_tcp = "none"'),
        ('listen_tcp = 1\nauth_tcp = "sasl"\ntcp_port = "%d"\n' % free_port(), "'sasl'"),
        ('listen_tls = 1\ntls_port = "%d"\n' % free_port(), "cannot read CA certificate"),
        ('auth_tls = "sasl"\n', "not supported"),
    ):
        d = t.Daemon(start=False)
        d.write_config(conf)
        p = subprocess.Popen([d.binary, "--root", d.root], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
        try:
            err = p.stderr.readline()
            # The error comes first; the exit itself may lag (see the report on issue 4).
            try:
                rc = p.wait(20)
            except subprocess.TimeoutExpired:
                t.log("virtkitd did not exit within 20 s after: %s" % err.strip())
                rc = None
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        t.check(rc != 0 and want in err, "refused at start: %s" % conf.strip().replace("\n", "; "), err)
        d.kill()


if __name__ == "__main__":
    t.run(main, timeout=200)
