"""The release matrix's scenarios for one azure-servicebus release (../run.sh runs them in that release's venv,
under ../with_emulator.py, which provides the SBEMU_* variables). Test names match the other languages' (results.py
maps them to rows): sdk version, send, peek, peek-lock complete, receive-and-delete, named session,
next available session."""
import os
import re
import time

import azure.servicebus
from azure.servicebus import (NEXT_AVAILABLE_SESSION, ServiceBusClient, ServiceBusMessage, ServiceBusReceiveMode,
                              ServiceBusSubQueue)


def client() -> ServiceBusClient:
    conn = os.environ["SBEMU_CONNECTION_STRING"]
    if os.environ.get("SBEMU_CONNECT") == "amqps":
        # 7.12 / 7.13 predate UseDevelopmentEmulator (7.14.3 reads it, 7.13.0 does not): they ignore it and always
        # speak TLS, so the closest they offer is the emulator's AMQPS port plus connection_verify (the CA to trust).
        # 7.12 dials the endpoint's port; 7.13's pyamqp keeps a port only without TLS and dials 5671, so run.sh
        # gives 7.13 an emulator whose AMQPS port is 5671 (releases.txt: amqps-5671).
        conn = re.sub(r"(Endpoint=sb://[^:;/]+):\d+", rf"\g<1>:{os.environ['SBEMU_AMQPS_PORT']}", conn)
        return ServiceBusClient.from_connection_string(conn, connection_verify=os.environ["SBEMU_CA"], retry_total=1)
    # retry_total=1: an incompatible release fails in seconds instead of retrying for minutes
    return ServiceBusClient.from_connection_string(conn, retry_total=1)


def receive(receiver, count: int, seconds: float = 15) -> list:
    """Up to `count` messages: one receive_messages call may return fewer than asked for."""
    got, deadline = [], time.monotonic() + seconds
    while len(got) < count and time.monotonic() < deadline:
        got += receiver.receive_messages(max_message_count=count - len(got), max_wait_time=2)
    return got


def nothing_left(receiver) -> bool:
    return receiver.receive_messages(max_message_count=1, max_wait_time=1) == []


def test_sdk_version():
    assert azure.servicebus.__version__ == os.environ["SBEMU_SDK_VERSION"]


def test_send():
    """A single message and a batch; all three arrive, in order."""
    with client() as sb:
        with sb.get_queue_sender("send") as sender:
            sender.send_messages(ServiceBusMessage("single"))
            batch = sender.create_message_batch()
            batch.add_message(ServiceBusMessage("batch-1"))
            batch.add_message(ServiceBusMessage("batch-2"))
            sender.send_messages(batch)
        with sb.get_queue_receiver("send", receive_mode=ServiceBusReceiveMode.RECEIVE_AND_DELETE) as receiver:
            assert [str(m) for m in receive(receiver, 3)] == ["single", "batch-1", "batch-2"]


def test_peek():
    """Peek (a $management request) neither locks nor removes: the message is still there to receive."""
    with client() as sb:
        with sb.get_queue_sender("peek") as sender:
            sender.send_messages(ServiceBusMessage("peeked"))
        with sb.get_queue_receiver("peek") as receiver:
            assert [str(m) for m in receiver.peek_messages(max_message_count=10)] == ["peeked"]
            [msg] = receive(receiver, 1)
            assert str(msg) == "peeked"
            receiver.complete_message(msg)


def test_peek_lock_complete():
    with client() as sb:
        with sb.get_queue_sender("peek-lock") as sender:
            sender.send_messages(ServiceBusMessage("locked", message_id="m-1", application_properties={"k": "v"}))
        with sb.get_queue_receiver("peek-lock", max_wait_time=5) as receiver:
            [msg] = receive(receiver, 1)
            assert (str(msg), msg.message_id, msg.delivery_count) == ("locked", "m-1", 0)
            assert msg.application_properties[b"k"] == b"v"  # received property keys and values are bytes
            receiver.complete_message(msg)
            assert nothing_left(receiver)  # completed: gone, not redelivered


def test_receive_and_delete():
    with client() as sb:
        with sb.get_queue_sender("receive-and-delete") as sender:
            sender.send_messages([ServiceBusMessage("rd-1"), ServiceBusMessage("rd-2")])
        with sb.get_queue_receiver("receive-and-delete", receive_mode=ServiceBusReceiveMode.RECEIVE_AND_DELETE) as receiver:
            assert [str(m) for m in receive(receiver, 2)] == ["rd-1", "rd-2"]
            assert nothing_left(receiver)


def test_named_session():
    """Accept one session by id: its messages in order, not another session's; complete one, dead-letter one."""
    with client() as sb:
        with sb.get_queue_sender("session-named") as sender:
            sender.send_messages([ServiceBusMessage("alpha-1", session_id="alpha"),
                                  ServiceBusMessage("beta-1", session_id="beta"),
                                  ServiceBusMessage("alpha-2", session_id="alpha")])
        with sb.get_queue_receiver("session-named", session_id="alpha") as receiver:
            assert receiver.session.session_id == "alpha"
            first, second = receive(receiver, 2)
            assert [str(first), str(second)] == ["alpha-1", "alpha-2"]
            receiver.complete_message(first)
            receiver.dead_letter_message(second, reason="matrix", error_description="dead-lettered by the matrix")
            assert nothing_left(receiver)
        with sb.get_queue_receiver("session-named", sub_queue=ServiceBusSubQueue.DEAD_LETTER) as dlq:
            [dead] = receive(dlq, 1)
            assert (str(dead), dead.dead_letter_reason, dead.session_id) == ("alpha-2", "matrix", "alpha")
            dlq.complete_message(dead)


def test_next_available_session():
    """Accept whichever session has messages; abandon puts the message back, it comes again, then complete."""
    with client() as sb:
        with sb.get_queue_sender("session-next") as sender:
            sender.send_messages(ServiceBusMessage("gamma-1", session_id="gamma"))
        with sb.get_queue_receiver("session-next", session_id=NEXT_AVAILABLE_SESSION, max_wait_time=5) as receiver:
            assert receiver.session.session_id == "gamma"
            [msg] = receive(receiver, 1)
            receiver.abandon_message(msg)
            [again] = receive(receiver, 1)
            assert (str(again), again.delivery_count) == ("gamma-1", msg.delivery_count + 1)
            receiver.complete_message(again)
            assert nothing_left(receiver)
