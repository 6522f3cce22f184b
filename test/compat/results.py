"""Builds test/compat/results.md (scenario x SDK) from the suites' machine-readable reports.

python3 results.py <python junit.xml> <java surefire-reports dir> <go test -v output> [<logs/matrix dir> [<jms surefire-reports dir>]]
With the fourth argument, the SDK release matrix's table (scenario x release, matrix/report.py) follows;
the fifth fills the Qpid JMS column (an empty fourth argument skips the release table).
A cell is "pass" when every test mapped to that scenario passed, "FAIL" when one failed, "skip" when
all were skipped, "not run" when the suite produced no report, and "-" when the SDK has no test for it.
"""
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "matrix"))
import report as release_matrix  # noqa: E402  (matrix/report.py)

SCENARIOS = [
    ("admin client: create/get/update/list/delete entities", {
        "python": ["test_admin_queue_crud", "test_ported_create_session_queue"],
        "java": ["adminCreatesASessionQueue", "adminFromPlainConnectionString"],
        "go": ["TestAdminSessionQueueCRUD"]}),
    ("send, peek-lock receive, complete, message properties", {
        "python": ["test_peek_lock_complete", "test_message_fidelity"],
        "java": ["sendReceiveCompleteWithProperties"], "go": ["TestSendReceiveComplete"]}),
    ("message lock renew; expiry redelivers", {
        "python": ["test_lock_renew_and_expiry_redelivers"], "go": ["TestLockRenewAndExpiry"]}),
    ("abandon up to MaxDeliveryCount -> dead-letter queue", {
        "python": ["test_abandon_until_dead_lettered"], "java": ["deadLetterExplicitAndAfterMaxDeliveryCount"],
        "go": ["TestAbandonToDeadLetterAndExplicitDeadLetter"]}),
    ("explicit dead-letter with reason/description", {
        "python": ["test_explicit_dead_letter"], "java": ["deadLetterExplicitAndAfterMaxDeliveryCount"],
        "go": ["TestAbandonToDeadLetterAndExplicitDeadLetter"]}),
    ("TTL expiry -> dead-letter", {"python": ["test_ttl_expiry_dead_letters"], "go": ["TestTTLExpiryDeadLetters"]}),
    ("schedule and cancel", {"python": ["test_schedule_and_cancel"], "java": ["scheduleAndCancel"],
                             "go": ["TestScheduleCancelAndPeek"]}),
    ("defer, receive deferred", {"python": ["test_defer_and_receive_deferred"], "java": ["deferAndReceiveDeferred"],
                                 "go": ["TestDeferAndReceiveDeferred"]}),
    ("peek", {"python": ["test_peek_continues_without_locking"], "java": ["batchSendPeekAndReceiveAndDelete"],
              "go": ["TestBatchPeekAndReceiveAndDelete", "TestScheduleCancelAndPeek"]}),
    ("receive-and-delete", {"python": ["test_receive_and_delete"], "java": ["batchSendPeekAndReceiveAndDelete"],
                            "go": ["TestBatchPeekAndReceiveAndDelete"]}),
    ("batch send", {"python": ["test_batch_send"], "java": ["batchSendPeekAndReceiveAndDelete"],
                    "go": ["TestBatchPeekAndReceiveAndDelete"]}),
    ("message larger than the link allows is refused", {"python": ["test_message_too_large"]}),
    ("named session: order, state get/set", {
        "python": ["test_session_state_and_order", "test_ported_session_consumer_specific"],
        "java": ["namedSessionReceiverWithState"], "go": ["TestNamedSessionWithStateAndLock"]}),
    ("next available session", {
        "python": ["test_session_state_and_order", "test_ported_session_consumer_next"],
        "java": ["nextAvailableSession"], "go": ["TestNextAvailableSessionsInParallel"]}),
    ("parallel session workers / session processor, order per session", {
        "python": ["test_ported_parallel_session_workers"], "java": ["sessionProcessorKeepsOrderPerSession"],
        "go": ["TestNextAvailableSessionsInParallel"]}),
    ("session lock: renew, expiry, one receiver per session", {
        "python": ["test_session_lock_renew_expiry_and_exclusivity"], "java": ["namedSessionReceiverWithState"],
        "go": ["TestNamedSessionWithStateAndLock"]}),
    ("session abandon returns to head", {"python": ["test_session_abandon_returns_to_head"]}),
    ("processor client (no sessions)", {"java": ["processorWithoutSessions"]}),
    ("topic, subscriptions, correlation/SQL rules via admin", {
        "python": ["test_topic_correlation_filters"], "java": ["topicWithCorrelationFilter"],
        "go": ["TestTopicCorrelationFilter"]}),
    ("unknown entity -> not found (receiver)", {"python": ["test_unknown_entity"]}),
    ("unknown entity -> not found (sender)", {
        "python": ["test_unknown_entity_sender"], "java": ["unknownEntityIsMessagingEntityNotFound"],
        "go": ["TestUnknownEntity"]}),
    ("wrong key -> unauthorized (AMQP and admin; JMS: SASL PLAIN refused)", {
        "python": ["test_wrong_key"], "java": ["wrongKeyIsUnauthorized"], "go": ["TestWrongKey"],
        "jms": ["wrongPasswordIsRefused"]}),
    ("AMQP over WebSockets: send, receive, sessions (admin port and --ws-port)", {
        "python": ["test_websocket_send_receive", "test_websocket_sessions"],
        "java": ["webSocketSendReceive(String)", "webSocketSessions(String)"],
        "go": ["TestWebSocketSendReceive", "TestWebSocketSessions"]}),
    ("transactions: send, schedule, complete, abandon, dead-letter, defer; commit and rollback", {
        "java": ["sendCommitsAndRollsBack", "settlementsTakeEffectAtCommit", "rollbackLeavesMessagesLocked",
                 "scheduleInATransaction"]}),
    ("cross-entity transaction: receive from A, send to B; a second entity without it fails the commit", {
        "java": ["receiveFromOneQueueAndSendToAnotherCommitTogether", "aSecondEntityWithoutSendViaIsRefused"]}),
    ("Send-only and Listen-only policies: each right alone", {
        "python": ["test_send_only_and_listen_only_policies"], "java": ["sendOnlyAndListenOnlyPolicies"],
        "go": ["TestSendOnlyAndListenOnlyPolicies"]}),
    ("entity-level policy (admin client; JMS: Config.json) reaches only its entity", {
        "python": ["test_entity_policy_from_admin_client"], "java": ["entityPolicyFromAdminClient"],
        "go": ["TestEntityPolicyFromAdminClient"], "jms": ["anEntityPolicyReachesItsOwnQueueOnly"]}),
    ("SharedAccessSignature connection string: valid sends, expired refused", {
        "python": ["test_sas_connection_string_valid_then_expired"], "java": ["sasConnectionStringValidThenExpired"],
        "go": ["TestSASConnectionStringValidThenExpired"]}),
    ("JMS: send and receive on a queue (SASL PLAIN, auto-ack)", {"jms": ["sendAndReceiveOnAQueue"]}),
    ("JMS: receive from a topic subscription (topic/Subscriptions/sub)", {"jms": ["receiveFromATopicSubscription"]}),
    ("JMS: auto-ack listener, client-ack, recover redelivers", {"jms": [
        "autoAcknowledgeWithAListener", "clientAcknowledgeSettlesOnlyWhenAcknowledged", "recoverRedeliversTheUnacknowledged"]}),
    ("JMS: selector and QueueBrowser refused (not-implemented), message kept", {
        "jms": ["selectorsAndBrowsersAreRefusedNotMisserved"]}),
    ("tutorial: scripts extracted verbatim", {"python": ["test_tutorial_files_are_the_tutorials_own"]}),
    ("tutorial: scripts as written (pinned SDK-side crashes)", {"python": [
        "test_as_written_create_session_queue", "test_as_written_session_consumer_specific",
        "test_as_written_session_consumer_next", "test_as_written_parallel_session_workers",
        "test_as_written_session_state_management", "test_session_producer"]}),
    ("tutorial: ported scripts (create, producer, consumers, workers, state)", {"python": [
        "test_ported_create_session_queue", "test_session_producer", "test_ported_session_consumer_specific",
        "test_ported_session_consumer_next", "test_ported_parallel_session_workers",
        "test_ported_session_state_management"]}),
]
SDKS = ["python", "java", "go", "jms"]


def junit(path):
    out = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        name = case.get("name", "").split("[")[0]
        if case.find("failure") is not None or case.find("error") is not None:
            out[name] = "fail"
        elif case.find("skipped") is not None:
            out.setdefault(name, "skip")
        else:
            out.setdefault(name, "pass")
    return out


def load_python(path):
    p = Path(path)
    return junit(p) if p.is_file() else None


def load_java(d):
    files = sorted(Path(d).glob("TEST-*.xml")) if Path(d).is_dir() else []
    if not files:
        return None
    out = {}
    for f in files:
        out.update(junit(f))
    return out


def load_go(path):
    """`go test -v` output: the `--- PASS/FAIL/SKIP: TestName` lines."""
    p = Path(path)
    if not p.is_file():
        return None
    out = {}
    for m in re.finditer(r"^\s*--- (PASS|FAIL|SKIP): (\w+)", p.read_text(errors="replace"), re.M):
        out[m.group(2)] = m.group(1).lower()
    return out or None


def cell(results, tests):
    if not tests:
        return "-"
    if results is None:
        return "not run"
    states = [results.get(t, "missing") for t in tests]
    if any(s in ("fail", "missing") for s in states):
        return "**FAIL**"
    if all(s == "skip" for s in states):
        return "skip"
    return "pass"


def main():
    results = {"python": load_python(sys.argv[1]), "java": load_java(sys.argv[2]), "go": load_go(sys.argv[3]),
               "jms": load_java(sys.argv[5]) if len(sys.argv) > 5 else None}
    lines = ["# SDK compatibility matrix (last run of `npm run test:compat`)", "",
             "| scenario | Python azure-servicebus | Java azure-messaging-servicebus | Go azservicebus | Qpid JMS (AMQP 1.0 JMS client) |",
             "| --- | --- | --- | --- | --- |"]
    for name, tests in SCENARIOS:
        lines.append(f"| {name} | " + " | ".join(cell(results[s], tests.get(s, [])) for s in SDKS) + " |")
    lines.append("")
    for s in SDKS:
        r = results[s]
        if r is None:
            lines.append(f"- {s}: no report (suite did not run)")
        else:
            n = {k: sum(1 for v in r.values() if v == k) for k in ("pass", "fail", "skip")}
            lines.append(f"- {s}: {n['pass']} passed, {n['fail']} failed, {n['skip']} skipped"
                         + ("" if not n["fail"] else ": " + ", ".join(sorted(t for t, v in r.items() if v == "fail"))))
    if len(sys.argv) > 4 and sys.argv[4]:
        lines += [""] + release_matrix.lines(Path(sys.argv[4]))
    text = "\n".join(lines) + "\n"
    Path(__file__).with_name("results.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
