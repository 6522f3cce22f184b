"""Runs the tutorial's run_parallel_workers with a shorter duration.

The tutorial's file is imported unchanged. This wrapper only *observes*: it wraps
ServiceBusReceiver.__enter__/__exit__ and complete_message to print which session each receiver
holds and which message it completed (calling the SDK's own methods unchanged), so the test can
check that order is kept per session and that no session is held by two workers at once.

Usage: python parallel_wrapper.py <dir holding parallel_session_workers.py> <workers> <seconds>
"""
import sys
import threading

from azure.servicebus import ServiceBusReceiver

sys.path.insert(0, sys.argv[1])
_held = set()
_lock = threading.Lock()
_enter, _exit, _complete = ServiceBusReceiver.__enter__, ServiceBusReceiver.__exit__, ServiceBusReceiver.complete_message


def _session_of(receiver):
    session = getattr(receiver, "_session", None)
    sid = getattr(session, "session_id", None) if session is not None else None
    # When no session becomes free in time, pyamqp's __enter__ still returns (see README "Differences"):
    # the id is then the NEXT_AVAILABLE_SESSION sentinel, not a string; no session is held.
    return sid if isinstance(sid, str) else None


def observed_enter(self):
    result = _enter(self)
    sid = _session_of(self)
    if sid is not None:
        with _lock:
            if sid in _held:
                print(f"[observer] DOUBLE-HELD {sid}", flush=True)
            _held.add(sid)
    return result


def observed_exit(self, *exc):
    sid = _session_of(self)
    with _lock:
        _held.discard(sid)
    return _exit(self, *exc)


def observed_complete(self, message):
    result = _complete(self, message)
    print(f"[observer] completed {message.session_id} {message.message_id}", flush=True)
    return result


ServiceBusReceiver.__enter__ = observed_enter
ServiceBusReceiver.__exit__ = observed_exit
ServiceBusReceiver.complete_message = observed_complete

from parallel_session_workers import run_parallel_workers  # noqa: E402

run_parallel_workers(num_workers=int(sys.argv[2]), duration=float(sys.argv[3]))
