"""Test certificates made at run time with GnuTLS's certtool (package gnutls-bin).

make_pki(dir) writes, under dir:
  ca/       cacert.pem cakey.pem            the trusted CA
  ca2/      cacert.pem cakey.pem            another CA, trusted by nobody
  server/   servercert.pem serverkey.pem    for 127.0.0.1 and localhost, signed by ca
  badhost/  servercert.pem serverkey.pem    for otherhost.example only, signed by ca
  client/   cacert.pem clientcert.pem clientkey.pem    a client of ca (a ?pkipath= dir)
  rogue/    cacert.pem clientcert.pem clientkey.pem    a client signed by ca2 (trusts ca)
"""

import os
import shutil
import subprocess


def have_certtool():
    return shutil.which("certtool") is not None


def _certtool(*args):
    subprocess.run(["certtool"] + list(args), check=True, capture_output=True)


def _write(path, text):
    with open(path, "w") as f:
        f.write(text)


def _key(path):
    _certtool("--generate-privkey", "--key-type=rsa", "--bits=2048", "--outfile", path)


def _ca(d, cn):
    os.makedirs(d, exist_ok=True)
    tmpl = os.path.join(d, "ca.info")
    _write(tmpl, 'cn = "%s"\nca\ncert_signing_key\nexpiration_days = 30\n' % cn)
    _key(os.path.join(d, "cakey.pem"))
    _certtool("--generate-self-signed", "--load-privkey", os.path.join(d, "cakey.pem"),
              "--template", tmpl, "--outfile", os.path.join(d, "cacert.pem"))


def _leaf(d, name, ca, info):
    os.makedirs(d, exist_ok=True)
    tmpl = os.path.join(d, name + ".info")
    _write(tmpl, info + "expiration_days = 30\n")
    key = os.path.join(d, name + "key.pem")
    _key(key)
    _certtool("--generate-certificate", "--load-privkey", key,
              "--load-ca-certificate", os.path.join(ca, "cacert.pem"),
              "--load-ca-privkey", os.path.join(ca, "cakey.pem"),
              "--template", tmpl, "--outfile", os.path.join(d, name + "cert.pem"))


SERVER_INFO = ('organization = "virtkit tests"\ncn = "localhost"\n'
               'dns_name = "localhost"\nip_address = "127.0.0.1"\n'
               'tls_www_server\nencryption_key\nsigning_key\n')
BADHOST_INFO = ('organization = "virtkit tests"\ncn = "otherhost.example"\n'
                'dns_name = "otherhost.example"\n'
                'tls_www_server\nencryption_key\nsigning_key\n')
CLIENT_INFO = ('country = GB\nstate = London\nlocality = London\n'
               'organization = "virtkit tests"\ncn = "%s"\n'
               'tls_www_client\nencryption_key\nsigning_key\n')


def make_pki(d):
    ca = os.path.join(d, "ca")
    ca2 = os.path.join(d, "ca2")
    _ca(ca, "virtkit test CA")
    _ca(ca2, "virtkit other CA")
    _leaf(os.path.join(d, "server"), "server", ca, SERVER_INFO)
    _leaf(os.path.join(d, "badhost"), "server", ca, BADHOST_INFO)
    for sub, signer in (("client", ca), ("rogue", ca2)):
        cd = os.path.join(d, sub)
        _leaf(cd, "client", signer, CLIENT_INFO % sub)
        shutil.copy(os.path.join(ca, "cacert.pem"), os.path.join(cd, "cacert.pem"))
    return d


def install_server(pki, root, which="server"):
    """Puts a server certificate where virtkitd --root ROOT looks by default."""
    for sub in ("etc/pki/CA", "etc/pki/libvirt/private"):
        os.makedirs(os.path.join(root, sub), exist_ok=True)
    shutil.copy(os.path.join(pki, "ca", "cacert.pem"), os.path.join(root, "etc/pki/CA/cacert.pem"))
    shutil.copy(os.path.join(pki, which, "servercert.pem"),
                os.path.join(root, "etc/pki/libvirt/servercert.pem"))
    shutil.copy(os.path.join(pki, which, "serverkey.pem"),
                os.path.join(root, "etc/pki/libvirt/private/serverkey.pem"))
