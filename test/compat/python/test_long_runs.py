"""Long-lived Python clients: the patterns that froze or stalled rhea's server engine.

* Prefetch with a lock that expires: complete one message, let the other's lock lapse, complete it
  (MessageLockLostError, correctly). On rhea's engine the next flow made its drain loop spin
  forever: the whole emulator froze and ignored SIGTERM.
* A sender that pauses between 100 KB sends (multi-frame transfers with idle gaps): every send
  must get its disposition promptly.
"""
import datetime as dt
import time
import urllib.request

import pytest
from azure.servicebus import ServiceBusClient, ServiceBusMessage
from azure.servicebus.exceptions import MessageLockLostError
from azure.servicebus.management import ServiceBusAdministrationClient


@pytest.fixture(scope="module")
def admin(emulator):
    with ServiceBusAdministrationClient.from_connection_string(emulator.admin_connection_string) as a:
        yield a


def health(emulator) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{emulator.http_port}/health", timeout=5) as r:
        return r.status


@pytest.mark.timeout(120)
def test_prefetch_with_an_expired_lock_keeps_the_emulator_alive(emulator, admin, name):
    q = name("prefetch")
    admin.create_queue(q, lock_duration=dt.timedelta(seconds=5))
    with ServiceBusClient.from_connection_string(emulator.connection_string, retry_total=0) as sb:
        with sb.get_queue_sender(q) as s:
            s.send_messages([ServiceBusMessage("one"), ServiceBusMessage("two")])
        with sb.get_queue_receiver(q, prefetch_count=10, max_wait_time=5) as r:
            got = []
            deadline = time.time() + 15
            while len(got) < 2 and time.time() < deadline:
                got += r.receive_messages(max_message_count=2, max_wait_time=5)
            assert len(got) == 2
            r.complete_message(got[0])
            time.sleep(6.5)
            # The lock lapsed: the emulator has already redelivered "two" into the prefetch
            # buffer, so it is in flight when the receiver closes (and drains) right after.
            with pytest.raises(MessageLockLostError):
                r.complete_message(got[1])
    assert health(emulator) == 200
    with ServiceBusClient.from_connection_string(emulator.connection_string, retry_total=0) as sb:
        with sb.get_queue_sender(q) as s:
            s.send_messages(ServiceBusMessage("after"))
        with sb.get_queue_receiver(q, max_wait_time=10) as r:
            received = []
            deadline = time.time() + 20
            while len(received) < 2 and time.time() < deadline:
                batch = r.receive_messages(max_message_count=2, max_wait_time=5)
                for m in batch:
                    r.complete_message(m)
                received += batch
            bodies = sorted(str(m) for m in received)
    # Nothing lost: the redelivered message and the new one.
    assert bodies == ["after", "two"]


@pytest.mark.timeout(120)
def test_large_sends_with_idle_gaps_are_settled_promptly(emulator, admin, name):
    q = name("gaps")
    admin.create_queue(q)
    body = "x" * (100 * 1024)
    with ServiceBusClient.from_connection_string(emulator.connection_string, retry_total=0) as sb:
        with sb.get_queue_sender(q) as s:
            for i in range(4):
                started = time.monotonic()
                s.send_messages(ServiceBusMessage(body, application_properties={"i": i}))
                # A disposition that waits for the next idle heartbeat shows as a multi-second send.
                assert time.monotonic() - started < 5, f"send {i} took {time.monotonic() - started:.1f} s"
                if i < 3:
                    time.sleep(10)
    assert admin.get_queue_runtime_properties(q).active_message_count == 4
