"""The sessions tutorial (shared/seed/sessions-tutorial.md), its Python scripts run as written.

Two groups:
* test_as_written_*: tutorial/*.py exactly as extracted, run as subprocesses with
  AZURE_SERVICEBUS_CONNECTION_STRING set. Only session_producer.py runs as written on
  azure-servicebus 7.x. create_session_queue.py builds QueueProperties(...) with no name and a keyword
  7.x does not have (enable_dead_lettering_on_message_expiration) and passes it as create_queue(queue=...);
  the consumers use `receiver.session_id`, `receiver.get_session_state()` and
  `receiver.set_session_state()`, which 7.x spells `receiver.session.session_id / get_state() /
  set_state()`; session_consumer_specific.py also uses `datetime` without importing it and reads
  `props['order_sequence']` where received application properties have bytes keys. These tests
  assert exactly those SDK-side crashes, and that the emulator left the queue as it should be.
* test_ported_*: the same files with only those names replaced (PORT_RULES below, applied at test
  time, nothing else touched) and the missing import added, so that the tutorial's intent (named
  session with state, next available, parallel workers, state manager) is run for real.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import pytest
from azure.servicebus import ServiceBusClient
from azure.servicebus.management import ServiceBusAdministrationClient

from extract_tutorial import DEFAULT_SOURCE, SEED_SOURCE, SCRIPTS, blocks

HERE = Path(__file__).resolve().parent
TUTORIAL = HERE / "tutorial"
QUEUE = "orders-per-customer"
ORDERS = {
    "customer-1": [("ORD-001", "Laptop", 1200), ("ORD-002", "Mouse", 25), ("ORD-003", "Keyboard", 75)],
    "customer-2": [("ORD-004", "Monitor", 400), ("ORD-005", "Webcam", 80)],
    "customer-3": [("ORD-006", "Headphones", 150), ("ORD-007", "Microphone", 100),
                   ("ORD-008", "Speakers", 200), ("ORD-009", "Desk", 500)],
}
ALL_IDS = {f"{c}-{o[0]}" for c, os_ in ORDERS.items() for o in os_}

# The only changes made for the ported run: the 7.x names of the same session operations.
PORT_RULES = [
    ("receiver.session_id", "receiver.session.session_id"),
    (".get_session_state()", ".session.get_state()"),
    (".set_session_state(", ".session.set_state("),
]
SPECIFIC_RULES = [  # session_consumer_specific.py only
    ("import time\n", "import time\nfrom datetime import datetime\n"),  # the missing import
    # Received application_properties have bytes keys in the Python SDK (documented on the property).
    ("props['order_sequence']", "props[b'order_sequence']"),
]
CREATE_RULES = [  # create_session_queue.py only: the 7.x create_queue takes the properties as keywords
    ("queue_properties = QueueProperties(", "queue_properties = dict("),
    ("enable_dead_lettering_on_message_expiration=", "dead_lettering_on_message_expiration="),
    ("create_queue(queue_name, queue=queue_properties)", "create_queue(queue_name, **queue_properties)"),
]


def run(emu, argv, conn=None, timeout=120, cwd=TUTORIAL):
    env = dict(os.environ)
    env["AZURE_SERVICEBUS_CONNECTION_STRING"] = conn or emu.connection_string
    env["PYTHONIOENCODING"] = "utf-8"
    env["PYTHONUNBUFFERED"] = "1"
    return subprocess.run([sys.executable, *argv], cwd=cwd, env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=timeout)


def call(emu, module, func, cwd=TUTORIAL, **kw):
    """Import a tutorial module and call one of its functions (the __main__ block is not run)."""
    return run(emu, ["-c", f"import {module}; {module}.{func}()"], cwd=cwd, **kw)


def create_and_produce(emu, cwd=TUTORIAL):
    # The admin client talks to the admin (HTTP/HTTPS) port, the data clients to the AMQP port, so the
    # one variable the tutorial reads holds a different connection string for each script.
    # The queue is always made by the ported create_session_queue.py (the original cannot run on 7.x).
    created = run(emu, ["create_session_queue.py"], conn=emu.admin_connection_string, cwd=port_to(Path(tempfile.mkdtemp(prefix="create-")), only="create_session_queue.py"))
    assert created.returncode == 0, created.stderr
    assert f"Created session queue: {QUEUE}" in created.stdout, created.stdout
    produced = run(emu, ["session_producer.py"], cwd=cwd)
    assert produced.returncode == 0, produced.stderr
    return created, produced


def sb(emu):
    return ServiceBusClient.from_connection_string(emu.connection_string)


def peek_session(emu, session_id):
    with sb(emu) as client, client.get_queue_receiver(QUEUE, session_id=session_id) as r:
        msgs = r.peek_messages(max_message_count=20)
        return [m.message_id for m in msgs], r.session.get_state()


def counts(emu):
    with ServiceBusAdministrationClient.from_connection_string(emu.admin_connection_string) as admin:
        p = admin.get_queue_runtime_properties(QUEUE)
        return p.active_message_count, p.dead_letter_message_count


def port_to(d: Path, only=None) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    for f in SCRIPTS if only is None else [only]:
        text = (TUTORIAL / f).read_text(encoding="utf-8")
        for old, new in PORT_RULES:
            text = text.replace(old, new)
        if f == "session_consumer_specific.py":
            for old, new in SPECIFIC_RULES:
                assert old in text, old
                text = text.replace(old, new, 1)
        if f == "create_session_queue.py":
            for old, new in CREATE_RULES:
                assert old in text, old
                text = text.replace(old, new)
        (d / f).write_text(text, encoding="utf-8")
    return d


@pytest.fixture
def ported(tmp_path):
    return port_to(tmp_path / "ported")


# ---------------------------------------------------------------------------------------------
def test_tutorial_files_are_the_tutorials_own():
    # Where the seed folder is present, the committed copy must still be the seed's text.
    if SEED_SOURCE.exists():
        assert SEED_SOURCE.read_text(encoding="utf-8") == DEFAULT_SOURCE.read_text(encoding="utf-8")
    source = blocks()
    assert sorted(source) == sorted(SCRIPTS)
    for f in SCRIPTS:
        assert (TUTORIAL / f).read_text(encoding="utf-8") == source[f], f


def test_as_written_create_session_queue(fresh_emulator):
    emu = fresh_emulator
    out = run(emu, ["create_session_queue.py"], conn=emu.admin_connection_string)
    assert out.returncode == 1
    assert ("TypeError: QueueProperties.__init__() got an unexpected keyword argument "
            "'enable_dead_lettering_on_message_expiration'") in out.stderr, out.stderr
    with ServiceBusAdministrationClient.from_connection_string(emu.admin_connection_string) as admin:
        assert QUEUE not in [q.name for q in admin.list_queues()]


def test_ported_create_session_queue(fresh_emulator, ported):
    emu = fresh_emulator
    out = run(emu, ["create_session_queue.py"], conn=emu.admin_connection_string, cwd=ported)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        f"Created session queue: {QUEUE}",
        "  Requires session: True",
        "  Lock duration: 0:05:00",
    ]
    with ServiceBusAdministrationClient.from_connection_string(emu.admin_connection_string) as admin:
        q = admin.get_queue(QUEUE)
        assert q.requires_session is True
        assert q.lock_duration.total_seconds() == 300
        assert q.max_delivery_count == 10
        assert q.default_message_time_to_live.total_seconds() == 14 * 86400
        assert q.dead_lettering_on_message_expiration is True
    again = run(emu, ["create_session_queue.py"], conn=emu.admin_connection_string, cwd=ported)
    assert again.returncode == 0
    assert again.stdout.startswith("Queue already exists or error: ")
    assert "exist" in again.stdout.lower() or "409" in again.stdout, again.stdout


def test_session_producer(fresh_emulator):
    emu = fresh_emulator
    _, produced = create_and_produce(emu)
    lines = produced.stdout.splitlines()
    for customer, orders in ORDERS.items():
        assert f"Sending orders for session: {customer}" in lines
        for i, (oid, _, _) in enumerate(orders, 1):
            assert f"  ✓ Sent order {i}/{len(orders)}: {oid}" in lines
    assert "✓ All orders sent" in lines
    assert counts(emu) == (9, 0)
    for customer, orders in ORDERS.items():
        with sb(emu) as client, client.get_queue_receiver(QUEUE, session_id=customer) as r:
            msgs = r.peek_messages(max_message_count=20)
            assert [m.message_id for m in msgs] == [f"{customer}-{o[0]}" for o in orders]
            for i, (m, (oid, product, amount)) in enumerate(zip(msgs, orders), 1):
                assert m.session_id == customer
                assert json.loads(str(m)) == {"order_id": oid, "product": product, "amount": amount}
                props = {k.decode() if isinstance(k, bytes) else k: v for k, v in m.application_properties.items()}
                assert props["order_sequence"] == i
                assert (props["customer_id"].decode() if isinstance(props["customer_id"], bytes) else props["customer_id"]) == customer


# --- as written --------------------------------------------------------------------------------
def test_as_written_session_consumer_specific(fresh_emulator):
    emu = fresh_emulator
    create_and_produce(emu)
    out = run(emu, ["session_consumer_specific.py"])
    assert out.returncode == 1
    assert "=== Processing Session: customer-1 ===" in out.stdout
    # azure-servicebus 7.x: the receiver has .session.session_id, not .session_id (the tutorial's bug).
    assert "AttributeError: 'ServiceBusReceiver' object has no attribute 'session_id'" in out.stderr, out.stderr
    # The session was accepted, then released by the crash; nothing was received or settled.
    ids, state = peek_session(emu, "customer-1")
    assert ids == [f"customer-1-{o[0]}" for o in ORDERS["customer-1"]]
    assert not state
    assert counts(emu) == (9, 0)


def test_as_written_session_consumer_next(fresh_emulator):
    emu = fresh_emulator
    create_and_produce(emu)
    out = call(emu, "session_consumer_next", "process_next_available_session")
    assert out.returncode == 1
    assert out.stdout.startswith("Waiting for next available session...")
    assert "AttributeError: 'ServiceBusReceiver' object has no attribute 'session_id'" in out.stderr, out.stderr
    assert counts(emu) == (9, 0)


def test_as_written_parallel_session_workers(fresh_emulator):
    emu = fresh_emulator
    create_and_produce(emu)
    out = run(emu, [str(HERE / "parallel_wrapper.py"), str(TUTORIAL), "3", "4"], timeout=60)
    assert out.returncode == 0, out.stderr
    # Every worker swallows the AttributeError in its `except Exception` and processes nothing, but each
    # loop accepts (locks) a session and releases it: sessions must keep being handed out, never twice.
    for w in (1, 2, 3):
        assert f"[Worker {w}] Finished - processed 0 sessions" in out.stdout
    assert "All workers finished" in out.stdout
    assert "DOUBLE-HELD" not in out.stdout
    assert counts(emu) == (9, 0)


def test_as_written_session_state_management(fresh_emulator):
    emu = fresh_emulator
    create_and_produce(emu)
    out = run(emu, ["session_state_management.py"])
    assert out.returncode == 1
    assert "AttributeError: 'ServiceBusReceiver' object has no attribute 'session_id'" in out.stderr, out.stderr
    assert counts(emu) == (9, 0)


# --- ported to the 7.x names ---------------------------------------------------------------------
def test_ported_session_consumer_specific(fresh_emulator, ported):
    emu = fresh_emulator
    create_and_produce(emu, cwd=ported)
    out = run(emu, ["session_consumer_specific.py"], cwd=ported)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert "Locked session: customer-1" in lines
    assert "No previous session state" in lines
    # receive_messages() defaults to max_message_count=1: one order per run, in order.
    assert "  Order #1" in lines and "    Order ID: ORD-001" in lines
    assert "    Product: Laptop" in lines and "    Amount: $1200" in lines
    assert "  Orders processed: 1" in lines and "  Total amount: $1200" in lines
    ids, state = peek_session(emu, "customer-1")
    assert ids == ["customer-1-ORD-002", "customer-1-ORD-003"]
    saved = json.loads(state)
    assert saved["total_amount"] == 1200 and saved["order_count"] == 1
    # Second run: the state saved by the first is read back, the next order comes in order.
    out2 = run(emu, ["session_consumer_specific.py"], cwd=ported)
    assert out2.returncode == 0, out2.stderr
    assert re.search(r"^Session state: \{'total_amount': 1200, 'order_count': 1, 'last_processed': '.+'\}$",
                     out2.stdout, re.M), out2.stdout
    assert "    Order ID: ORD-002" in out2.stdout.splitlines()
    assert counts(emu) == (7, 0)


def test_ported_session_consumer_next(fresh_emulator, ported):
    emu = fresh_emulator
    create_and_produce(emu, cwd=ported)
    seen = defaultdict(list)
    for _ in range(9):
        out = call(emu, "session_consumer_next", "process_next_available_session", cwd=ported)
        assert out.returncode == 0, out.stderr
        sid = re.search(r"^=== Accepted Session: (\S+) ===$", out.stdout, re.M).group(1)
        processed = re.findall(r"^  Processing: (\S+)$", out.stdout, re.M)
        assert len(processed) == 1
        assert f"✓ Session {sid} complete" in out.stdout
        seen[sid] += processed
    # Every order consumed exactly once, in order within each session.
    assert dict(seen) == {c: [o[0] for o in orders] for c, orders in ORDERS.items()}
    assert counts(emu) == (0, 0)
    # Nothing left: the next accept times out, which the SDK raises (OperationTimeoutError).
    out = call(emu, "session_consumer_next", "process_next_available_session", cwd=ported, timeout=60)
    assert out.returncode == 1
    assert "OperationTimeoutError" in out.stderr or "ServiceBusError" in out.stderr, out.stderr[-2000:]


def test_ported_parallel_session_workers(fresh_emulator, ported):
    emu = fresh_emulator
    create_and_produce(emu, cwd=ported)
    out = run(emu, [str(HERE / "parallel_wrapper.py"), str(ported), "3", "14"], timeout=90)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("Starting 3 parallel workers for 14.0 seconds...")
    assert "DOUBLE-HELD" not in out.stdout
    completed = defaultdict(list)
    # Three worker threads print at once: print() writes the text and its newline separately, so
    # two lines can run together. Match each record by its own shape, not by line boundaries.
    for sid, mid in re.findall(r"\[observer\] completed (customer-\d+) (customer-\d+-ORD-\d+)", out.stdout):
        completed[sid].append(mid)
    assert dict(completed) == {c: [f"{c}-{o[0]}" for o in orders] for c, orders in ORDERS.items()}
    per_worker = [int(n) for n in re.findall(r"\[Worker \d\] Finished - processed (\d) sessions", out.stdout)]
    assert len(per_worker) == 3 and sum(per_worker) == 9
    assert "All workers finished" in out.stdout
    assert counts(emu) == (0, 0)


def test_ported_session_state_management(fresh_emulator, ported):
    emu = fresh_emulator
    create_and_produce(emu, cwd=ported)
    processed = defaultdict(list)
    for _ in range(4):
        out = run(emu, ["session_state_management.py"], cwd=ported)
        assert out.returncode == 0, out.stderr
        sid = re.search(r"^Processing session: (\S+)$", out.stdout, re.M).group(1)
        prev = re.search(r"^Previous state: (.*)$", out.stdout, re.M).group(1)
        if processed[sid]:
            assert f"'orders_processed': {len(processed[sid])}" in prev and "'status': 'completed'" in prev, prev
        else:
            assert "'orders_processed': 0" in prev and "'status': 'processing'" in prev, prev
        oid = re.search(r"^Processed: (\S+)$", out.stdout, re.M).group(1)
        processed[sid].append(oid)
        assert f"  Orders: {len(processed[sid])}" in out.stdout.splitlines()
        ids, state = peek_session(emu, sid)
        saved = json.loads(state)
        assert saved["session_id"] == sid and saved["status"] == "completed"
        assert saved["orders_processed"] == len(processed[sid])
        assert saved["items"] == [p for (o, p, _) in ORDERS[sid] if o in processed[sid]]
    for sid, oids in processed.items():
        assert oids == [o[0] for o in ORDERS[sid]][: len(oids)]
    assert counts(emu) == (5, 0)
