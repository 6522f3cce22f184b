"""azure-servicebus over WebSockets (TransportType.AmqpOverWebsocket), against the emulator.

pyamqp's WebSocketTransport (websocket-client) dials "<scheme>://<host>/$servicebus/websocket" with
subprotocol AMQPWSB10: wss:// on 443 unless custom_endpoint_address names another host:port, and
ws:// (no TLS) when the connection string says UseDevelopmentEmulator=true. Without a custom endpoint
the port is always the default one (the endpoint's port is dropped), so the tests use
custom_endpoint_address, the SDK's option for exactly that.

Two routes: plain ws:// to the admin port (UseDevelopmentEmulator=true), and wss:// with the
emulator's CA (connection_verify) to the --ws-port listener.
"""
import pytest
from azure.servicebus import NEXT_AVAILABLE_SESSION, ServiceBusClient, ServiceBusMessage, ServiceBusReceiveMode, TransportType
from azure.servicebus.management import ServiceBusAdministrationClient

from sbemu import KEY, KEY_NAME


@pytest.fixture(scope="module")
def admin(emulator):
    with ServiceBusAdministrationClient.from_connection_string(emulator.admin_connection_string) as a:
        yield a


def ws_to_admin_port(emulator):
    return ServiceBusClient.from_connection_string(
        emulator.connection_string,
        transport_type=TransportType.AmqpOverWebsocket,
        custom_endpoint_address=f"sb://localhost:{emulator.http_port}",
        retry_total=0,
    )


def wss_to_ws_port(emulator):
    # No UseDevelopmentEmulator: the SDK then uses TLS, and trusts the CA given here.
    conn = f"Endpoint=sb://localhost/;SharedAccessKeyName={KEY_NAME};SharedAccessKey={KEY}"
    return ServiceBusClient.from_connection_string(
        conn,
        transport_type=TransportType.AmqpOverWebsocket,
        custom_endpoint_address=f"sb://localhost:{emulator.ws_port}",
        connection_verify=str(emulator.ca_path),
        retry_total=0,
    )


ROUTES = [pytest.param(ws_to_admin_port, id="ws-admin-port"), pytest.param(wss_to_ws_port, id="wss-ws-port")]


def text(v):
    return v.decode() if isinstance(v, (bytes, bytearray)) else v


@pytest.mark.parametrize("connect", ROUTES)
def test_websocket_send_receive(emulator, admin, name, connect):
    queue = name("ws")
    admin.create_queue(queue)
    with connect(emulator) as client:
        assert client._config.transport_type == TransportType.AmqpOverWebsocket
        with client.get_queue_sender(queue) as sender:
            sender.send_messages(ServiceBusMessage("one", application_properties={"via": "websocket"}))
            batch = sender.create_message_batch()
            for body in ("two", "three"):
                batch.add_message(ServiceBusMessage(body))
            sender.send_messages(batch)
        with client.get_queue_receiver(queue, max_wait_time=5) as receiver:
            (first,) = receiver.receive_messages(max_message_count=1, max_wait_time=5)
            assert str(first) == "one"
            assert {text(k): text(v) for k, v in first.application_properties.items()} == {"via": "websocket"}
            receiver.complete_message(first)
        with client.get_queue_receiver(queue, receive_mode=ServiceBusReceiveMode.RECEIVE_AND_DELETE, max_wait_time=5) as receiver:
            rest = []
            while len(rest) < 2:
                got = receiver.receive_messages(max_message_count=2, max_wait_time=5)
                assert got, "no more messages"
                rest += got
            assert [str(m) for m in rest] == ["two", "three"]
    assert admin.get_queue_runtime_properties(queue).active_message_count == 0


@pytest.mark.parametrize("connect", ROUTES)
def test_websocket_sessions(emulator, admin, name, connect):
    queue = name("ws-s")
    admin.create_queue(queue, requires_session=True)
    with connect(emulator) as client:
        with client.get_queue_sender(queue) as sender:
            sender.send_messages([ServiceBusMessage(f"a{n}", session_id="a") for n in (1, 2, 3)])
            sender.send_messages(ServiceBusMessage("b1", session_id="b"))
        with client.get_queue_receiver(queue, session_id="a", max_wait_time=5) as receiver:
            got = []
            while len(got) < 3:
                batch = receiver.receive_messages(max_message_count=3, max_wait_time=5)
                assert batch, "session a ran dry"
                got += batch
            assert [str(m) for m in got] == ["a1", "a2", "a3"]
            for m in got:
                receiver.complete_message(m)
            receiver.session.set_state("done")
            assert receiver.session.get_state() == b"done"
        with client.get_queue_receiver(queue, session_id=NEXT_AVAILABLE_SESSION, max_wait_time=5) as receiver:
            assert receiver.session.session_id == "b"
            (b1,) = receiver.receive_messages(max_message_count=1, max_wait_time=5)
            assert str(b1) == "b1"
            receiver.complete_message(b1)
    assert admin.get_queue_runtime_properties(queue).active_message_count == 0
