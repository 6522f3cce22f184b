"""Start and stop the emulator CLI (dist/cli.js) on free ports, for the Python compatibility suite."""
from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
CLI = REPO / "dist" / "cli.js"
READY = "Emulator Service is Successfully Up!"
KEY_NAME = "RootManageSharedAccessKey"
KEY = "SAS_KEY_VALUE"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Emulator:
    tls_dir: Path
    config: Path | None = None
    log_file: Path | None = None
    amqp_port: int = field(default_factory=free_port)
    amqps_port: int = field(default_factory=free_port)
    http_port: int = field(default_factory=free_port)
    # AMQP over WebSockets on a port of its own (--ws-port); the admin port serves it too.
    ws_port: int = field(default_factory=free_port)
    # 'offset' lets a test move time (POST /emulator/clock/advance).
    clock: str | None = None
    proc: subprocess.Popen | None = None
    stdout_lines: list = field(default_factory=list)

    @property
    def connection_string(self) -> str:
        return (f"Endpoint=sb://localhost:{self.amqp_port};SharedAccessKeyName={KEY_NAME};"
                f"SharedAccessKey={KEY};UseDevelopmentEmulator=true;")

    @property
    def admin_connection_string(self) -> str:
        return (f"Endpoint=sb://localhost:{self.http_port};SharedAccessKeyName={KEY_NAME};"
                f"SharedAccessKey={KEY};UseDevelopmentEmulator=true;")

    @property
    def ca_path(self) -> Path:
        return self.tls_dir / "ca.pem"

    def start(self, timeout: float = 30.0) -> "Emulator":
        args = ["node", str(CLI), "--host", "127.0.0.1",
                "--amqp-port", str(self.amqp_port), "--amqps-port", str(self.amqps_port),
                "--http-port", str(self.http_port), "--ws-port", str(self.ws_port),
                "--tls-dir", str(self.tls_dir),
                "--log-level", os.environ.get("SBEMU_LOG_LEVEL", "warn")]
        if self.config is not None:
            args += ["--config", str(self.config)]
        if self.clock is not None:
            args += ["--clock", self.clock]
        stderr = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=stderr, text=True)
        ready = threading.Event()

        def pump():
            assert self.proc and self.proc.stdout
            for line in self.proc.stdout:
                self.stdout_lines.append(line)
                if READY in line:
                    ready.set()

        threading.Thread(target=pump, daemon=True).start()
        deadline = time.time() + timeout
        while not ready.is_set():
            if self.proc.poll() is not None:
                raise RuntimeError(f"emulator exited with {self.proc.returncode}: {''.join(self.stdout_lines)}")
            if time.time() > deadline:
                self.stop()
                raise RuntimeError("emulator did not print its ready line in time")
            ready.wait(0.05)
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
