"""The test control plane (/emulator over plain HTTP) driven next to the official Python SDK.

One emulator of its own with --clock offset (the shared one runs on the system clock, and a reset or
a clock jump here must not touch the other files' entities). The control API is called with the
standard library only, as the README's Python snippet does.
"""
import base64
import datetime as dt
import json
import urllib.error
import urllib.request
import uuid

import pytest
from azure.servicebus import ServiceBusClient, ServiceBusMessage, ServiceBusSubQueue
from azure.servicebus.exceptions import ServiceBusServerBusyError
from azure.servicebus.management import ServiceBusAdministrationClient

from conftest import _trust
from sbemu import KEY, KEY_NAME, Emulator

# Retries through the SDK's own options, with delays short enough for a test.
FAST_RETRY = {"retry_total": 3, "retry_backoff_factor": 0.05, "retry_backoff_max": 0.2}


@pytest.fixture(scope="module")
def emu(suite_tmp, tls_dir):
    e = Emulator(tls_dir=tls_dir, log_file=suite_tmp / "emulator-control.log", clock="offset").start()
    _trust(e.ca_path)
    yield e
    e.stop()


@pytest.fixture(scope="module")
def control(emu):
    auth = "Basic " + base64.b64encode(f"{KEY_NAME}:{KEY}".encode()).decode()

    def call(method, path, body=None):
        req = urllib.request.Request(f"http://127.0.0.1:{emu.http_port}/emulator/{path}", method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": auth, "Content-Type": "application/json"})
        with urllib.request.urlopen(req) as r:
            return json.loads(r.read() or b"null")
    return call


@pytest.fixture(scope="module")
def admin(emu):
    with ServiceBusAdministrationClient.from_connection_string(emu.admin_connection_string) as a:
        yield a


def new_queue(admin, **kw):
    n = f"ctl-{uuid.uuid4().hex[:8]}"
    admin.create_queue(n, **kw)
    return n


def bodies(control, queue, state=None):
    q = f"?state={state}" if state else ""
    return [m["body"] for m in control("GET", f"entities/{queue}/messages{q}")["messages"]]


def test_server_busy_on_send_is_retried_and_raised_without_retries(emu, control, admin):
    q = new_queue(admin)
    control("POST", "faults", {"entity": q, "operation": "send", "error": "server-busy", "count": 2})
    with ServiceBusClient.from_connection_string(emu.connection_string, **FAST_RETRY) as sb, sb.get_queue_sender(q) as s:
        s.send_messages(ServiceBusMessage("through"))
    assert bodies(control, q) == ["through"]
    assert control("GET", "faults")["faults"] == []

    control("POST", "faults", {"entity": q, "operation": "send", "error": "server-busy", "count": 1})
    with ServiceBusClient.from_connection_string(emu.connection_string, retry_total=0) as sb, sb.get_queue_sender(q) as s:
        with pytest.raises(ServiceBusServerBusyError):
            s.send_messages(ServiceBusMessage("refused"))
    assert bodies(control, q) == ["through"]
    assert control("GET", "faults")["faults"] == []


def test_receive_fault_on_an_open_receiver(emu, control, admin):
    # azure-servicebus 7.15 (pyamqp) does NOT recover: the detach with server-busy puts the link in
    # its ERROR state, and ServiceBusServerBusyError does not shut the handler down
    # (shutdown_handler=False), so every retry, and every later call on that receiver, re-raises
    # the stored link error without opening a new link. A new receiver gets the message.
    q = new_queue(admin)
    with ServiceBusClient.from_connection_string(emu.connection_string, **FAST_RETRY) as sb:
        with sb.get_queue_sender(q) as s:
            s.send_messages([ServiceBusMessage("first"), ServiceBusMessage("second")])
        with sb.get_queue_receiver(q, max_wait_time=5) as r:
            [first] = r.receive_messages(max_message_count=1, max_wait_time=5)
            r.complete_message(first)
            control("POST", "faults", {"entity": q, "operation": "receive", "error": "server-busy", "count": 1})
            with pytest.raises(ServiceBusServerBusyError):
                r.receive_messages(max_message_count=1, max_wait_time=5)
            assert control("GET", "faults")["faults"] == []  # used once; the retries never reached the emulator
            with pytest.raises(ServiceBusServerBusyError):
                r.receive_messages(max_message_count=1, max_wait_time=5)
        with sb.get_queue_receiver(q, max_wait_time=5) as again:
            got = again.receive_messages(max_message_count=1, max_wait_time=5)
            assert [str(m) for m in got] == ["second"]
            again.complete_message(got[0])
    assert bodies(control, q) == []


def test_clock_advance_dead_letters_an_expired_message(emu, control, admin):
    q = new_queue(admin, dead_lettering_on_message_expiration=True)
    with ServiceBusClient.from_connection_string(emu.connection_string, **FAST_RETRY) as sb:
        with sb.get_queue_sender(q) as s:
            s.send_messages(ServiceBusMessage("stale", time_to_live=dt.timedelta(hours=1)))
        control("POST", "clock/advance", {"duration": "PT1H"})
        with sb.get_queue_receiver(q, sub_queue=ServiceBusSubQueue.DEAD_LETTER, max_wait_time=5) as dlq:
            [dead] = dlq.receive_messages(max_message_count=1, max_wait_time=5)
            assert str(dead) == "stale"
            assert dead.dead_letter_reason == "TTLExpiredException"
            dlq.complete_message(dead)
    assert bodies(control, q) == []


def test_a_namespace_of_its_own(emu, control, admin):
    name = f"py-{uuid.uuid4().hex[:8]}"
    ns = control("POST", "namespaces", {"name": name})
    try:
        assert ns["keyName"] == f"ns-{name}"
        assert f"SharedAccessKeyName=ns-{name};" in ns["connectionString"]
        with ServiceBusAdministrationClient.from_connection_string(ns["adminConnectionString"]) as ns_admin:
            ns_admin.create_queue("orders")
        with ServiceBusClient.from_connection_string(ns["connectionString"], **FAST_RETRY) as sb:
            with sb.get_queue_sender("orders") as s:
                s.send_messages(ServiceBusMessage("mine"))
            with sb.get_queue_receiver("orders", max_wait_time=5) as r:
                [m] = r.receive_messages(max_message_count=1, max_wait_time=5)
                assert str(m) == "mine"
                r.complete_message(m)
        # The default namespace does not see it.
        assert "orders" not in [qp.name for qp in admin.list_queues()]
        with pytest.raises(urllib.error.HTTPError) as not_found:
            control("GET", "entities/orders/messages")
        assert not_found.value.code == 404
    finally:
        control("DELETE", f"namespaces/{name}")
    assert name not in [n["name"] for n in control("GET", "namespaces")["namespaces"]]
