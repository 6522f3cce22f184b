"""Run one command against a fresh emulator: python3 with_emulator.py [--amqps-port N] <log file> -- <command...>

Starts `node dist/cli.js` with matrix/Config.json on ports the emulator picks itself (port 0, so no race for a
free port; --amqps-port only for a release that can reach nothing but the fixed port 5671), reads what it prints,
passes it to the command as SBEMU_* variables, and stops the emulator when the command ends. Exits with the
command's exit code. One wrapper instead of a launcher per language: the release matrix's scenario code only
reads these variables.

  SBEMU_CONNECTION_STRING  the AMQP connection string as printed (UseDevelopmentEmulator=true, plain AMQP port)
  SBEMU_AMQPS_PORT         the AMQP-over-TLS port (for releases that predate UseDevelopmentEmulator)
  SBEMU_CA                 the emulator's CA certificate (PEM) that signs the AMQPS port's certificate
  NODE_EXTRA_CA_CERTS      the same CA: Node reads it only at start-up, so it must be set before Node starts
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
CLI = HERE.parents[2] / "dist" / "cli.js"
PRINTED = {
    "SBEMU_CONNECTION_STRING": re.compile(r"^AMQP connection string:\s+(\S+)"),
    "SBEMU_AMQPS_PORT": re.compile(r"^AMQPS \(TLS\) port:\s+(\d+)"),
    "SBEMU_CA": re.compile(r"^CA certificate:\s+(\S+)"),
}
READY_TIMEOUT_S = 30


def start(log_path: Path, tls_dir: str, amqps_port: int):
    log = open(log_path, "ab", buffering=0)  # unbuffered: the emulator appends its stderr to it too
    proc = subprocess.Popen(
        ["node", str(CLI), "--host", "127.0.0.1", "--amqp-port", "0", "--amqps-port", str(amqps_port),
         "--http-port", "0", "--tls-dir", tls_dir, "--config", str(HERE / "Config.json"),
         "--log-level", os.environ.get("SBEMU_LOG_LEVEL", "warn")],
        stdout=subprocess.PIPE, stderr=log, text=True)
    found: dict[str, str] = {}
    done = threading.Event()

    def read():  # keep draining stdout after start-up so that the emulator never blocks on a full pipe
        for line in proc.stdout:
            log.write(line.encode())
            for name, rx in PRINTED.items():
                m = rx.match(line)
                if m:
                    found[name] = m.group(1)
            if len(found) == len(PRINTED):
                done.set()
        done.set()

    threading.Thread(target=read, daemon=True).start()
    if not done.wait(READY_TIMEOUT_S) or len(found) < len(PRINTED):
        proc.kill()
        sys.exit(f"with_emulator: the emulator did not start, e.g. a port in use (see {log_path})")
    return proc, found


def main() -> int:
    ap = argparse.ArgumentParser(usage=__doc__)
    ap.add_argument("--amqps-port", type=int, default=0)
    ap.add_argument("log", type=Path)
    ap.add_argument("command", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        ap.error("no command")
    with tempfile.TemporaryDirectory(prefix="sbemu-matrix-") as tmp:
        proc, found = start(args.log, str(Path(tmp) / "tls"), args.amqps_port)
        env = {**os.environ, **found, "NODE_EXTRA_CA_CERTS": found["SBEMU_CA"]}
        try:
            return subprocess.call(command, env=env)
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


if __name__ == "__main__":
    sys.exit(main())
