#!/usr/bin/python3
#
# shell-test.py: drive virtkit's interactive shell in a pseudo-terminal.
#
# Checks the banner and prompt, tab completion of a command, an option and
# a domain name, a command's output, Ctrl-C at the prompt and during
# "event --loop", the read-only prompt, and that history is saved.
#
# Environment: VIRTKIT_BIN (default build/tools/virtkit).  Output is TAP.

import os
import pty
import re
import select
import signal
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = (HERE / ".." / "data" / "cli").resolve()
ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|[\x07\r]")


class Shell:
    def __init__(self, binary, args, home):
        env = {k: v for k, v in os.environ.items()
               if k not in ("LIBVIRT_DEFAULT_URI", "VIRTKIT_DEFAULT_URI")}
        env.update(HOME=home, XDG_CACHE_HOME=os.path.join(home, "cache"), TERM="xterm",
                   LC_ALL="C.UTF-8")
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.chdir(DATA)
            os.execve(binary, [binary] + args, env)
        self.buf = b""

    def send(self, data):
        os.write(self.fd, data)

    def expect(self, pattern, timeout=10.0):
        """Reads until the cleaned-up output matches @pattern (bytes regex)."""
        deadline = time.time() + timeout
        rx = re.compile(pattern)
        while True:
            clean = ANSI.sub(b"", self.buf)
            m = rx.search(clean)
            if m:
                self.buf = b""
                return clean[:m.end()]
            left = deadline - time.time()
            if left <= 0:
                raise TimeoutError(f"waiting for {pattern!r}; got {clean[-400:]!r}")
            r, _, _ = select.select([self.fd], [], [], min(left, 0.2))
            if r:
                try:
                    data = os.read(self.fd, 4096)
                except OSError:
                    data = b""
                if not data:
                    raise EOFError(f"virtkit exited while waiting for {pattern!r}")
                self.buf += data

    def wait(self, timeout=10.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status)
            try:
                r, _, _ = select.select([self.fd], [], [], 0.1)
                if r:
                    os.read(self.fd, 4096)
            except OSError:
                pass
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        raise TimeoutError("virtkit did not exit")


def main():
    binary = os.environ.get("VIRTKIT_BIN") or str(HERE / ".." / ".." / "build" / "tools" / "virtkit")
    if not os.access(binary, os.X_OK):
        print(f"Bail out! virtkit binary {binary} not found")
        return 1

    checks = []

    def check(name, func):
        try:
            func()
            checks.append((name, None))
        except Exception as e:  # report and go on with the next check
            checks.append((name, e))

    with tempfile.TemporaryDirectory(prefix="virtkit-shell-") as home:
        sh = Shell(binary, ["-c", "test:///default"], home)
        check("banner and prompt",
              lambda: sh.expect(rb"(?s)Welcome to virtkit.*'quit' to quit\n\nvirtkit # $"))

        def complete_command():
            # "domstat" starts both domstate and domstats: complete another
            # command, then clear the line (Ctrl-A, Ctrl-K) and type domstate
            sh.send(b"dominf\t")
            sh.expect(rb"dominfo $")
            sh.send(b"\x01\x0bdomstate ")
            sh.expect(rb"domstate $")

        # libedit redraws only the end of the line, so match the tail
        def complete_domain():
            sh.send(b"te\t")
            sh.expect(rb"test $")

        def complete_option():
            sh.send(b"--rea\t")
            sh.expect(rb"--reason $")

        def run_command():
            sh.send(b"\n")
            sh.expect(rb"\nrunning \(unknown\)\n\nvirtkit # $")

        def complete_after_separator():
            sh.send(b"uri; susp\t")
            sh.expect(rb"suspend $")
            sh.send(b"t\t")
            sh.expect(rb"test $")
            sh.send(b"\x15")  # Ctrl-U: drop the line

        def complete_event_name():
            sh.send(b"event --event lifec\t")
            sh.expect(rb"event --event lifecycle $")
            sh.send(b"\x15")

        def ctrl_c_prompt():
            sh.send(b"list --al")
            sh.expect(rb"list --al$")
            sh.send(b"\x03")
            sh.expect(rb"\nvirtkit # $")
            sh.send(b"list --all\n")
            sh.expect(rb" Id   Name   State\n-+\n 1    test   running\n\nvirtkit # $")

        def ctrl_c_event_loop():
            sh.send(b"event --all --loop\n")
            sh.expect(rb"event --all --loop\n")
            time.sleep(0.5)
            sh.send(b"\x03")
            sh.expect(rb"event loop interrupted\nevents received: 0\n\nvirtkit # $")

        def quit_shell():
            sh.send(b"quit\n")
            rc = sh.wait()
            if rc != 0:
                raise AssertionError(f"exit code {rc}")

        def history_saved():
            hist = Path(home, "cache", "virtkit", "history")
            # libedit writes blanks as octal escapes (\040)
            text = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), hist.read_text())
            if "domstate test --reason" not in text:
                raise AssertionError(f"history file lacks the command: {text!r}")

        check("completion of a command name", complete_command)
        check("completion of a domain name", complete_domain)
        check("completion of an option", complete_option)
        check("output of the completed command", run_command)
        check("completion in the second command of a line", complete_after_separator)
        check("completion of an event name", complete_event_name)
        check("Ctrl-C at the prompt drops the line", ctrl_c_prompt)
        check("Ctrl-C ends event --loop", ctrl_c_event_loop)
        check("quit exits with status 0", quit_shell)
        check("history is saved", history_saved)

        ro = Shell(binary, ["-r", "-q", "-c", "test:///default"], home)
        check("read-only prompt, quiet banner", lambda: ro.expect(rb"^virtkit > $"))
        # give libedit time to put the terminal in its mode: a Ctrl-D that
        # arrives before is taken by the terminal driver itself
        time.sleep(0.5)
        ro.send(b"\x04")  # Ctrl-D

        def ctrl_d():
            rc = ro.wait()
            if rc != 0:
                raise AssertionError(f"exit code {rc}")

        check("Ctrl-D exits", ctrl_d)

    print(f"1..{len(checks)}")
    failed = 0
    for i, (name, err) in enumerate(checks, 1):
        if err is None:
            print(f"ok {i} - {name}")
        else:
            failed += 1
            print(f"not ok {i} - {name}")
            for line in str(err).splitlines():
                print(f"#   {line}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
