"""Authorization as Azure does it, driven by the official Python SDK: Send-only and Listen-only
namespace policies (from ../auth-config.json), an entity-level policy created through
ServiceBusAdministrationClient, and SharedAccessSignature connection strings (valid, then expired).
"""
import base64
import hashlib
import hmac
import time
import urllib.parse

import pytest
from azure.servicebus import ServiceBusClient, ServiceBusMessage, ServiceBusReceiveMode
from azure.servicebus.exceptions import ServiceBusAuthenticationError, ServiceBusAuthorizationError
from azure.servicebus.management import AccessRights, AuthorizationRule, ServiceBusAdministrationClient

from sbemu import KEY, KEY_NAME

AUTH_ERRORS = (ServiceBusAuthenticationError, ServiceBusAuthorizationError)


def text(v):
    return v.decode() if isinstance(v, (bytes, bytearray)) else v


def client(emulator, key_name, key):
    cs = (f"Endpoint=sb://localhost:{emulator.amqp_port};SharedAccessKeyName={key_name};"
          f"SharedAccessKey={key};UseDevelopmentEmulator=true;")
    return ServiceBusClient.from_connection_string(cs, retry_total=0)


def body(m):
    return text(b"".join(m.body))


@pytest.fixture(scope="module")
def admin(emulator):
    with ServiceBusAdministrationClient.from_connection_string(emulator.admin_connection_string) as a:
        yield a


def test_send_only_and_listen_only_policies(emulator, admin, name):
    q = name("q")
    admin.create_queue(q)
    with client(emulator, "send-only", "send-only-key") as c:
        with c.get_queue_sender(q) as s:
            s.send_messages(ServiceBusMessage("sent with Send only"))
        with pytest.raises(AUTH_ERRORS):
            with c.get_queue_receiver(q) as r:
                r.receive_messages(max_wait_time=2)
    with client(emulator, "listen-only", "listen-only-key") as c:
        with pytest.raises(AUTH_ERRORS):
            with c.get_queue_sender(q) as s:
                s.send_messages(ServiceBusMessage("not allowed"))
        with c.get_queue_receiver(q, receive_mode=ServiceBusReceiveMode.RECEIVE_AND_DELETE) as r:
            got = r.receive_messages(max_wait_time=5)
    assert [body(m) for m in got] == ["sent with Send only"]


def test_entity_policy_from_admin_client(emulator, admin, name):
    q, other = name("q"), name("q")
    # The key is left out: the service generates it, as Azure does, and the client reads it back.
    rule = AuthorizationRule(type="SharedAccessAuthorizationRule", claim_type="SharedAccessKey", claim_value="None",
                             rights=[AccessRights.SEND, AccessRights.LISTEN], key_name="app")
    admin.create_queue(q, authorization_rules=[rule])
    admin.create_queue(other)
    [stored] = admin.get_queue(q).authorization_rules
    assert stored.key_name == "app" and sorted(stored.rights) == ["Listen", "Send"]
    assert len(stored.primary_key) == 44 and stored.primary_key != stored.secondary_key
    for key in (stored.primary_key, stored.secondary_key):
        with client(emulator, "app", key) as c:
            with c.get_queue_sender(q) as s:
                s.send_messages(ServiceBusMessage("entity key"))
            with c.get_queue_receiver(q, receive_mode=ServiceBusReceiveMode.RECEIVE_AND_DELETE) as r:
                assert [body(m) for m in r.receive_messages(max_wait_time=5)] == ["entity key"]
    with client(emulator, "app", stored.primary_key) as c:
        with pytest.raises(AUTH_ERRORS):
            with c.get_queue_sender(other) as s:
                s.send_messages(ServiceBusMessage("another queue"))


def sas_token(uri, key_name, key, expiry):
    """A SAS token as azure-servicebus signs one (_pyamqp/utils.py generate_sas_token)."""
    encoded = urllib.parse.quote_plus(uri)
    sig = base64.b64encode(hmac.new(key.encode(), f"{encoded}\n{expiry}".encode(), hashlib.sha256).digest())
    return "SharedAccessSignature " + urllib.parse.urlencode(
        {"sr": uri, "sig": sig.decode(), "se": str(expiry), "skn": key_name})


def test_sas_connection_string_valid_then_expired(emulator, admin, name):
    q = name("q")
    admin.create_queue(q)
    uri = f"sb://localhost:{emulator.amqp_port}/"
    for expiry, ok in ((int(time.time()) + 3600, True), (int(time.time()) - 60, False)):
        cs = (f"Endpoint=sb://localhost:{emulator.amqp_port};"
              f"SharedAccessSignature={sas_token(uri, KEY_NAME, KEY, expiry)};UseDevelopmentEmulator=true;")
        with ServiceBusClient.from_connection_string(cs, retry_total=0) as c:
            if ok:
                with c.get_queue_sender(q) as s:
                    s.send_messages(ServiceBusMessage("signed by the caller"))
            else:
                # The sender opens (and puts its token) on entering the with block.
                with pytest.raises(AUTH_ERRORS):
                    with c.get_queue_sender(q) as s:
                        s.send_messages(ServiceBusMessage("expired"))
    assert admin.get_queue_runtime_properties(q).active_message_count == 1
