"""azure-servicebus 7.14.3 (pyamqp before 7.15) against the emulator: send, receive, accept a session.

pyamqp before 7.15 reads every performative field positionally and keeps nulls: a BEGIN with a null
handle-max made its next attach fail ('>=' not supported between 'int' and 'NoneType'), so 7.12 to
7.14.3 could neither send nor receive. 7.15 substitutes the spec defaults, which hid the problem from
the main suite (requirements.txt pins 7.15.0).

Self-contained on purpose (one file, its own venv, no pytest) so a release matrix can fold it in:

    python3 test/compat/python/check_pyamqp_7_14_3.py [--cli path/to/cli.js]

Needs dist/cli.js (npm run build). Creates test/compat/python/.venv-7.14.3 on first run, then re-runs
itself inside it. Exit 0 when every step passed.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

VERSION = "7.14.3"
HERE = Path(__file__).resolve().parent
VENV = HERE / f".venv-{VERSION}"
PYTHON = VENV / "bin" / "python"


def ensure_venv() -> None:
    if not PYTHON.exists():
        venv.create(VENV, with_pip=True)
    subprocess.run([str(PYTHON), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    f"azure-servicebus=={VERSION}"], check=True)


def check(cli: str | None) -> None:
    import sbemu
    from azure.servicebus import ServiceBusClient, ServiceBusMessage, __version__

    assert __version__ == VERSION, f"running azure-servicebus {__version__}, not {VERSION}"
    if cli:
        sbemu.CLI = Path(cli).resolve()
    tmp = Path(tempfile.mkdtemp(prefix="sbemu-py-7.14.3-"))
    config = tmp / "config.json"
    config.write_text(json.dumps({"UserConfig": {"Namespaces": [{"Name": "ns", "Queues": [
        {"Name": "plain"},
        {"Name": "sessions", "Properties": {"RequiresSession": True}},
    ]}]}}))
    emu = sbemu.Emulator(tls_dir=tmp / "tls", config=config, log_file=tmp / "emulator.log").start()
    try:
        with ServiceBusClient.from_connection_string(emu.connection_string, retry_total=0) as client:
            with client.get_queue_sender("plain") as sender:
                sender.send_messages(ServiceBusMessage("hello", message_id="m1"))
            print("sent one message")
            with client.get_queue_receiver("plain", max_wait_time=5) as receiver:
                got = receiver.receive_messages(max_message_count=1, max_wait_time=5)
                assert [str(m) for m in got] == ["hello"], f"received {[str(m) for m in got]}"
                receiver.complete_message(got[0])
            print("received and completed it")
            with client.get_queue_sender("sessions") as sender:
                sender.send_messages(ServiceBusMessage("in-session", session_id="s1"))
            with client.get_queue_receiver("sessions", session_id="s1", max_wait_time=5) as receiver:
                assert receiver.session.session_id == "s1"
                got = receiver.receive_messages(max_message_count=1, max_wait_time=5)
                assert [str(m) for m in got] == ["in-session"], f"received {[str(m) for m in got]}"
                receiver.complete_message(got[0])
            print("accepted session s1, received and completed its message")
    finally:
        emu.stop()
    print(f"azure-servicebus {VERSION}: OK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", help="the emulator's cli.js (default: dist/cli.js of this repository)")
    args = parser.parse_args()
    if Path(sys.prefix).resolve() != VENV.resolve():
        ensure_venv()
        env = {**os.environ, "PYTHONPATH": str(HERE)}
        sys.exit(subprocess.run([str(PYTHON), __file__, *sys.argv[1:]], env=env, timeout=300).returncode)
    check(args.cli)


if __name__ == "__main__":
    main()
