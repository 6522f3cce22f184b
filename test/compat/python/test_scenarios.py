"""The test/sdk scenario list, driven by the official Python SDK (azure-servicebus, pyamqp transport).

Entities are created per test through ServiceBusAdministrationClient (itself under test), on one
emulator shared by the module. Lock and TTL tests use short durations and real time.
"""
import datetime as dt
import time
import uuid

import pytest
from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.servicebus import (
    NEXT_AVAILABLE_SESSION,
    ServiceBusClient,
    ServiceBusMessage,
    ServiceBusMessageState,
    ServiceBusReceiveMode,
    ServiceBusSubQueue,
)
from azure.servicebus.exceptions import (
    MessageLockLostError,
    MessageSizeExceededError,
    MessagingEntityNotFoundError,
    ServiceBusAuthenticationError,
    ServiceBusConnectionError,
    ServiceBusAuthorizationError,
    SessionCannotBeLockedError,
    SessionLockLostError,
)
from azure.servicebus.management import CorrelationRuleFilter, ServiceBusAdministrationClient, SqlRuleFilter

from sbemu import KEY, KEY_NAME


def utcnow():
    return dt.datetime.now(dt.timezone.utc)


def text(v):
    return v.decode() if isinstance(v, (bytes, bytearray)) else v


def props(m):
    return {text(k): text(v) for k, v in (m.application_properties or {}).items()}


@pytest.fixture(scope="module")
def admin(emulator):
    with ServiceBusAdministrationClient.from_connection_string(emulator.admin_connection_string) as a:
        yield a


@pytest.fixture(scope="module")
def sb(emulator):
    with ServiceBusClient.from_connection_string(emulator.connection_string, retry_total=0) as c:
        yield c


@pytest.fixture
def queue(admin, name):
    def make(**kw):
        n = name("q")
        admin.create_queue(n, **kw)
        return n
    return make


def send(sb, queue, *messages):
    with sb.get_queue_sender(queue) as s:
        s.send_messages(list(messages))


def runtime(admin, queue):
    return admin.get_queue_runtime_properties(queue)


# --- admin client ---------------------------------------------------------------------------------
def test_admin_queue_crud(admin, name):
    n = name("admin")
    created = admin.create_queue(n, max_delivery_count=7, lock_duration=dt.timedelta(seconds=45))
    assert created.name == n and created.max_delivery_count == 7
    assert created.lock_duration == dt.timedelta(seconds=45)
    with pytest.raises(ResourceExistsError):
        admin.create_queue(n)
    q = admin.get_queue(n)
    q.max_delivery_count = 4
    admin.update_queue(q)
    assert admin.get_queue(n).max_delivery_count == 4
    assert n in [x.name for x in admin.list_queues()]
    rt = admin.get_queue_runtime_properties(n)
    assert (rt.active_message_count, rt.dead_letter_message_count, rt.scheduled_message_count) == (0, 0, 0)
    admin.delete_queue(n)
    with pytest.raises(ResourceNotFoundError):
        admin.get_queue(n)
    assert admin.get_namespace_properties().name


# --- peek-lock and settlement -----------------------------------------------------------------------
def test_peek_lock_complete(sb, admin, queue):
    q = queue()
    send(sb, q, ServiceBusMessage("a"), ServiceBusMessage("b"))
    with sb.get_queue_receiver(q) as r:
        msgs = r.receive_messages(max_message_count=2, max_wait_time=5)
        if len(msgs) < 2:
            msgs += r.receive_messages(max_message_count=2 - len(msgs), max_wait_time=5)
        assert [str(m) for m in msgs] == ["a", "b"]
        m1 = msgs[0]
        assert m1.delivery_count == 0
        assert [m.sequence_number for m in msgs] == [1, 2]
        assert m1.locked_until_utc > utcnow() + dt.timedelta(seconds=50)
        assert len(str(m1.lock_token)) == 36
        assert m1.message_id  # the Python SDK stamps a uuid4 itself when none is set
        for m in msgs:
            r.complete_message(m)
    assert runtime(admin, q).active_message_count == 0


def test_lock_renew_and_expiry_redelivers(sb, queue):
    q = queue(lock_duration=dt.timedelta(seconds=2))
    send(sb, q, ServiceBusMessage("x"))
    with sb.get_queue_receiver(q) as r:
        [m] = r.receive_messages(max_wait_time=5)
        before = m.locked_until_utc
        time.sleep(0.5)
        renewed = r.renew_message_lock(m)
        assert renewed > before
        time.sleep(2.6)
        with pytest.raises(MessageLockLostError):
            r.complete_message(m)
        [again] = r.receive_messages(max_wait_time=5)
        assert str(again) == "x" and again.delivery_count == 1
        r.complete_message(again)


def test_abandon_until_dead_lettered(sb, admin, queue):
    q = queue(max_delivery_count=3)
    send(sb, q, ServiceBusMessage("poison"))
    with sb.get_queue_receiver(q) as r:
        for i in range(3):
            [m] = r.receive_messages(max_wait_time=5)
            assert m.delivery_count == i
            r.abandon_message(m)
        assert r.receive_messages(max_wait_time=1) == []
    rt = runtime(admin, q)
    assert (rt.active_message_count, rt.dead_letter_message_count) == (0, 1)
    with sb.get_queue_receiver(q, sub_queue=ServiceBusSubQueue.DEAD_LETTER) as dlq:
        [dead] = dlq.receive_messages(max_wait_time=5)
        assert str(dead) == "poison"
        assert dead.dead_letter_reason == "MaxDeliveryCountExceeded"
        dlq.complete_message(dead)
    assert runtime(admin, q).dead_letter_message_count == 0


def test_explicit_dead_letter(sb, queue):
    q = queue()
    send(sb, q, ServiceBusMessage('{"order": 1}', content_type="application/json"))
    with sb.get_queue_receiver(q) as r:
        [m] = r.receive_messages(max_wait_time=5)
        r.dead_letter_message(m, reason="InvalidOrder", error_description="amount missing")
    with sb.get_queue_receiver(q, sub_queue=ServiceBusSubQueue.DEAD_LETTER) as dlq:
        [dead] = dlq.receive_messages(max_wait_time=5)
        assert str(dead) == '{"order": 1}'
        assert dead.dead_letter_reason == "InvalidOrder"
        assert dead.dead_letter_error_description == "amount missing"
        assert dead.content_type == "application/json"
        dlq.complete_message(dead)


def test_defer_and_receive_deferred(sb, queue):
    q = queue()
    send(sb, q, ServiceBusMessage("later"), ServiceBusMessage("now"))
    with sb.get_queue_receiver(q) as r:
        [first] = r.receive_messages(max_wait_time=5)
        assert str(first) == "later"
        r.defer_message(first)
        [second] = r.receive_messages(max_wait_time=5)
        assert str(second) == "now"
        r.complete_message(second)
        [deferred] = r.receive_deferred_messages([first.sequence_number])
        assert str(deferred) == "later"
        assert deferred.state == ServiceBusMessageState.DEFERRED
        r.complete_message(deferred)
        assert r.peek_messages(max_message_count=5, sequence_number=1) == []


def test_receive_and_delete(sb, admin, queue):
    q = queue()
    send(sb, q, ServiceBusMessage("d1"), ServiceBusMessage("d2"))
    with sb.get_queue_receiver(q, receive_mode=ServiceBusReceiveMode.RECEIVE_AND_DELETE) as r:
        got = []
        while len(got) < 2:
            batch = r.receive_messages(max_message_count=2, max_wait_time=5)
            assert batch, "timed out"
            got += batch
        assert [str(m) for m in got] == ["d1", "d2"]
    assert runtime(admin, q).active_message_count == 0


# --- time ---------------------------------------------------------------------------------------------
def test_ttl_expiry_dead_letters(sb, admin, queue):
    q = queue(dead_lettering_on_message_expiration=True)
    m = ServiceBusMessage("short-lived")
    # The Python SDK keeps whole seconds of a TTL (and its constructor has no time_to_live argument).
    m.time_to_live = dt.timedelta(seconds=1)
    send(sb, q, m)
    time.sleep(2.2)
    rt = runtime(admin, q)
    assert (rt.active_message_count, rt.dead_letter_message_count) == (0, 1)
    with sb.get_queue_receiver(q, sub_queue=ServiceBusSubQueue.DEAD_LETTER) as dlq:
        [dead] = dlq.receive_messages(max_wait_time=5)
        assert str(dead) == "short-lived"
        assert dead.dead_letter_reason == "TTLExpiredException"
        dlq.complete_message(dead)


def test_schedule_and_cancel(sb, admin, queue):
    q = queue()
    with sb.get_queue_sender(q) as s:
        [cancelled] = s.schedule_messages(ServiceBusMessage("never"), utcnow() + dt.timedelta(minutes=1))
        [due] = s.schedule_messages(ServiceBusMessage("soon"), utcnow() + dt.timedelta(milliseconds=1500))
        assert due - cancelled == 1
        with sb.get_queue_receiver(q) as r:
            peeked = r.peek_messages(max_message_count=10, sequence_number=cancelled)
            assert [(str(m), m.state) for m in peeked] == [
                ("never", ServiceBusMessageState.SCHEDULED), ("soon", ServiceBusMessageState.SCHEDULED)]
        assert runtime(admin, q).scheduled_message_count == 2
        s.cancel_scheduled_messages(cancelled)
        assert runtime(admin, q).scheduled_message_count == 1
    with sb.get_queue_receiver(q) as r:
        [m] = r.receive_messages(max_wait_time=10)
        assert str(m) == "soon"
        assert m.scheduled_enqueue_time_utc is not None
        r.complete_message(m)
    rt = runtime(admin, q)
    assert (rt.active_message_count, rt.scheduled_message_count) == (0, 0)


# --- peek and batches ------------------------------------------------------------------------------------
def test_peek_continues_without_locking(sb, queue):
    q = queue()
    send(sb, q, *[ServiceBusMessage(f"p{i}") for i in (1, 2, 3)])
    with sb.get_queue_receiver(q) as r:
        first = r.peek_messages(max_message_count=2)
        assert [str(m) for m in first] == ["p1", "p2"]
        nxt = r.peek_messages(max_message_count=2)
        assert [str(m) for m in nxt] == ["p3"]
        with pytest.raises(ValueError):
            r.complete_message(first[0])  # peeked messages carry no lock
        got = []
        while len(got) < 3:
            got += r.receive_messages(max_message_count=3, max_wait_time=5)
        assert [m.delivery_count for m in got] == [0, 0, 0]
        for m in got:
            r.complete_message(m)


def test_batch_send(sb, admin, queue):
    q = queue()
    with sb.get_queue_sender(q) as s:
        batch = s.create_message_batch()
        assert batch.max_size_in_bytes == 256 * 1024
        for i in range(50):
            batch.add_message(ServiceBusMessage(f"m{i}", application_properties={"i": i}))
        s.send_messages(batch)
    assert runtime(admin, q).active_message_count == 50
    got = []
    with sb.get_queue_receiver(q, receive_mode=ServiceBusReceiveMode.RECEIVE_AND_DELETE) as r:
        while len(got) < 50:
            batch = r.receive_messages(max_message_count=50, max_wait_time=5)
            assert batch, "timed out"
            got += batch
    assert [str(m) for m in got] == [f"m{i}" for i in range(50)]
    assert [props(m)["i"] for m in got] == list(range(50))


@pytest.mark.timeout(30)
def test_message_too_large(sb, admin, queue):
    q = queue()
    with sb.get_queue_sender(q) as s, pytest.raises(MessageSizeExceededError):
        s.send_messages(ServiceBusMessage(b"x" * (300 * 1024)))
    assert runtime(admin, q).active_message_count == 0


def test_message_fidelity(sb, queue):
    q = queue()
    sent = ServiceBusMessage(
        b"\x00\x01binary", message_id="mid-1", correlation_id="corr-1", subject="label", content_type="application/octet-stream",
        reply_to="replies", to="somewhere", partition_key=None,
        application_properties={"s": "str", "i": 42, "f": 1.5, "b": True, "neg": -7})
    send(sb, q, sent)
    with sb.get_queue_receiver(q) as r:
        [m] = r.receive_messages(max_wait_time=5)
        assert b"".join(m.body) == b"\x00\x01binary"
        assert (m.message_id, m.correlation_id, m.subject, m.content_type, m.reply_to, m.to) == (
            "mid-1", "corr-1", "label", "application/octet-stream", "replies", "somewhere")
        assert props(m) == {"s": "str", "i": 42, "f": 1.5, "b": True, "neg": -7}
        assert m.enqueued_time_utc is not None and abs((utcnow() - m.enqueued_time_utc).total_seconds()) < 60
        r.complete_message(m)


# --- sessions ------------------------------------------------------------------------------------------------
def test_session_state_and_order(sb, queue):
    q = queue(requires_session=True)
    send(sb, q, *[ServiceBusMessage(f"s{i}", session_id="A") for i in (1, 2, 3)], ServiceBusMessage("b1", session_id="B"))
    with sb.get_queue_receiver(q, session_id="A") as r:
        assert r.session.session_id == "A"
        assert r.session.get_state() in (None, b"")
        r.session.set_state('{"step": 1}')
        assert r.session.get_state() == b'{"step": 1}'
        got = []
        while len(got) < 3:
            got += r.receive_messages(max_message_count=3, max_wait_time=5)
        assert [str(m) for m in got] == ["s1", "s2", "s3"]
        assert all(m.session_id == "A" for m in got)
        for m in got:
            r.complete_message(m)
        assert r.peek_messages(max_message_count=5, sequence_number=1) == []  # only session A is visible
    with sb.get_queue_receiver(q, session_id="A") as r:
        assert r.session.get_state() == b'{"step": 1}'
    with sb.get_queue_receiver(q, session_id=NEXT_AVAILABLE_SESSION, max_wait_time=5) as r:
        assert r.session.session_id == "B"
        [m] = r.receive_messages(max_wait_time=5)
        assert str(m) == "b1"
        r.complete_message(m)


def test_session_lock_renew_expiry_and_exclusivity(sb, queue):
    q = queue(requires_session=True, lock_duration=dt.timedelta(seconds=2))
    send(sb, q, ServiceBusMessage("m1", session_id="S"), ServiceBusMessage("m2", session_id="S"))
    with sb.get_queue_receiver(q, session_id="S") as r:
        with pytest.raises(SessionCannotBeLockedError):
            with sb.get_queue_receiver(q, session_id="S") as r2:
                r2.receive_messages(max_wait_time=1)
        before = r.session.locked_until_utc
        time.sleep(0.5)
        renewed = r.session.renew_lock()
        assert renewed > before
        [m] = r.receive_messages(max_wait_time=5)
        assert str(m) == "m1"
        r.complete_message(m)
        time.sleep(2.6)
        with pytest.raises(SessionLockLostError):
            r.receive_messages(max_wait_time=1)
    # The expired lock freed the session: it can be accepted again, and m2 is still first in line.
    with sb.get_queue_receiver(q, session_id="S") as r:
        [m] = r.receive_messages(max_wait_time=5)
        assert str(m) == "m2"
        r.complete_message(m)


def test_session_abandon_returns_to_head(sb, queue):
    q = queue(requires_session=True)
    send(sb, q, ServiceBusMessage("first", session_id="X"), ServiceBusMessage("second", session_id="X"))
    with sb.get_queue_receiver(q, session_id="X") as r:
        [m] = r.receive_messages(max_wait_time=5)
        r.abandon_message(m)
        [again] = r.receive_messages(max_wait_time=5)
        assert str(again) == "first" and again.delivery_count == 1
        r.complete_message(again)
        [m2] = r.receive_messages(max_wait_time=5)
        assert str(m2) == "second"
        r.complete_message(m2)


# --- topics, subscriptions and rules (rules through the admin client) ---------------------------------------------
def test_topic_correlation_filters(sb, admin, name):
    t = name("topic")
    admin.create_topic(t)
    admin.create_subscription(t, "all")
    admin.create_subscription(t, "red")
    admin.create_subscription(t, "order1")
    admin.create_subscription(t, "sql")
    for sub in ("red", "order1", "sql"):
        admin.delete_rule(t, sub, "$Default")
    admin.create_rule(t, "red", "color-red", filter=CorrelationRuleFilter(properties={"color": "red"}))
    admin.create_rule(t, "order1", "corr", filter=CorrelationRuleFilter(correlation_id="order-1", label="created"))
    admin.create_rule(t, "sql", "big", filter=SqlRuleFilter("amount > 100"))
    rules = list(admin.list_rules(t, "red"))
    assert [r.name for r in rules] == ["color-red"]
    assert isinstance(rules[0].filter, CorrelationRuleFilter)
    assert {text(k): text(v) for k, v in rules[0].filter.properties.items()} == {"color": "red"}
    assert [r.name for r in admin.list_rules(t, "all")] == ["$Default"]
    assert sorted(s.name for s in admin.list_subscriptions(t)) == ["all", "order1", "red", "sql"]

    with sb.get_topic_sender(t) as s:
        s.send_messages([
            ServiceBusMessage("red-one", application_properties={"color": "red", "amount": 5}),
            ServiceBusMessage("order-created", correlation_id="order-1", subject="created", application_properties={"amount": 500}),
            ServiceBusMessage("order-other", correlation_id="order-1", subject="updated"),
            ServiceBusMessage("blue-one", application_properties={"color": "blue", "amount": 101}),
        ])

    def drain(sub):
        out = []
        with sb.get_subscription_receiver(t, sub) as r:
            while True:
                got = r.receive_messages(max_message_count=10, max_wait_time=2)
                if not got:
                    return out
                for m in got:
                    out.append(str(m))
                    r.complete_message(m)

    assert drain("all") == ["red-one", "order-created", "order-other", "blue-one"]
    assert drain("red") == ["red-one"]
    assert drain("order1") == ["order-created"]
    assert drain("sql") == ["order-created", "blue-one"]
    assert admin.get_subscription_runtime_properties(t, "all").active_message_count == 0
    admin.delete_topic(t)
    with pytest.raises(ResourceNotFoundError):
        admin.get_topic(t)


# --- errors --------------------------------------------------------------------------------------------------------
def test_unknown_entity(sb):
    missing = f"missing-{uuid.uuid4().hex[:6]}"
    with pytest.raises(MessagingEntityNotFoundError):
        with sb.get_queue_receiver(missing) as r:
            r.receive_messages(max_wait_time=1)
    with pytest.raises(MessagingEntityNotFoundError):
        with sb.get_subscription_receiver(missing, "sub") as r:
            r.receive_messages(max_wait_time=1)


def test_unknown_entity_sender(sb):
    # pyamqp marks the sender link attached on the attach frame, queues the transfer, then reads the
    # not-found detach and fails the pending delivery as NOT_DELIVERED (client.py _on_send_complete ->
    # amqp:unknown-error): the SDK raises ServiceBusConnectionError, the detach's condition is lost.
    missing = f"missing-{uuid.uuid4().hex[:6]}"
    with pytest.raises((MessagingEntityNotFoundError, ServiceBusConnectionError)):
        with sb.get_queue_sender(missing) as s:
            s.send_messages(ServiceBusMessage("x"))


def test_wrong_key(emulator, queue):
    q = queue()
    bad = emulator.connection_string.replace(f"SharedAccessKey={KEY}", "SharedAccessKey=wrong-key")
    with ServiceBusClient.from_connection_string(bad, retry_total=0) as c:
        with pytest.raises((ServiceBusAuthenticationError, ServiceBusAuthorizationError)):
            with c.get_queue_sender(q) as s:
                s.send_messages(ServiceBusMessage("x"))
    bad_admin = emulator.admin_connection_string.replace(f"SharedAccessKey={KEY}", "SharedAccessKey=wrong-key")
    from azure.core.exceptions import ClientAuthenticationError, HttpResponseError
    with ServiceBusAdministrationClient.from_connection_string(bad_admin) as a:
        with pytest.raises((ClientAuthenticationError, HttpResponseError)) as exc:
            a.get_queue(q)
        assert getattr(exc.value, "status_code", None) == 401
    assert KEY_NAME
