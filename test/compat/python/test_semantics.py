"""Service Bus semantics the Python SDK observes where it differs from the JS SDK: the lock token
in a delivery's annotations, and correlation filter values of types JavaScript has no word for
(long, TimeSpan)."""
import datetime as dt

import pytest
from azure.servicebus import ServiceBusClient, ServiceBusMessage
from azure.servicebus.management import CorrelationRuleFilter, ServiceBusAdministrationClient


@pytest.fixture(scope="module")
def admin(emulator):
    with ServiceBusAdministrationClient.from_connection_string(emulator.admin_connection_string) as a:
        yield a


@pytest.fixture(scope="module")
def sb(emulator):
    with ServiceBusClient.from_connection_string(emulator.connection_string, retry_total=0) as c:
        yield c


def test_lock_token_in_delivery_annotations(sb, admin, name):
    q = name("q")
    admin.create_queue(q)
    with sb.get_queue_sender(q) as s:
        s.send_messages([ServiceBusMessage("a"), ServiceBusMessage("b")])
    with sb.get_queue_receiver(q) as r:
        msgs = r.receive_messages(max_message_count=2, max_wait_time=5)
        if len(msgs) < 2:
            msgs += r.receive_messages(max_message_count=2 - len(msgs), max_wait_time=5)
        assert len(msgs) == 2
        for m in msgs:
            annotations = m.raw_amqp_message.delivery_annotations or {}
            token = annotations.get(b"x-opt-lock-token", annotations.get("x-opt-lock-token"))
            assert token is not None, annotations
            assert str(token) == str(m.lock_token)
            r.complete_message(m)


def test_deferral_counts_as_a_delivery(sb, admin, name):
    q = name("q")
    admin.create_queue(q)
    with sb.get_queue_sender(q) as s:
        s.send_messages(ServiceBusMessage("x"))
    with sb.get_queue_receiver(q) as r:
        [m] = r.receive_messages(max_message_count=1, max_wait_time=5)
        assert m.delivery_count == 0
        r.defer_message(m)
        [d] = r.receive_deferred_messages([m.sequence_number])
        assert d.delivery_count == 1
        r.complete_message(d)


def test_correlation_filter_long_and_timespan_round_trip(admin, name):
    t = name("t")
    admin.create_topic(t)
    admin.create_subscription(t, "s")
    properties = {"big": 2**40, "span": dt.timedelta(hours=1, minutes=30), "n": 7, "s": "x"}
    admin.create_rule(t, "s", "typed", filter=CorrelationRuleFilter(properties=properties))
    rule = admin.get_rule(t, "s", "typed")
    assert rule.filter.properties == properties
