"""The SDK release matrix's table for results.md: one row per scenario, one column per release of releases.txt.

Reads what matrix/run.sh left in logs/matrix: <id>.xml (JUnit: pytest, node --test, surefire) or <id>.log
(`go test -v`), and summary.tsv (id, exit code, seconds). Test names differ in case and separators between
languages (test_peek_lock_complete, peekLockComplete, TestPeekLockComplete, "peek-lock complete"); they are
compared with letters only, lower case, without a leading "test".
"""
import re
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROWS = [
    ("sdkversion", "the SDK loaded is the release in the column header"),
    ("send", "send: one message + a batch, all received in order"),
    ("peek", "peek ($management), then receive + complete"),
    ("peeklockcomplete", "peek-lock receive + complete (nothing redelivered)"),
    ("receiveanddelete", "receive-and-delete"),
    ("namedsession", "named session: in order, complete + dead-letter (read back from the DLQ)"),
    ("nextavailablesession", "next available session: abandon, redelivered, complete"),
]
SDK_NAMES = {"python": "Python", "js": "JS", "java": "Java", "go": "Go"}
CONNECT = {"flag": "UseDevelopmentEmulator", "amqps": "AMQPS + CA", "amqps-5671": "AMQPS on 5671 + CA"}


def key(test_name: str) -> str:
    k = re.sub(r"[^a-z]", "", test_name.lower())
    return k[4:] if k.startswith("test") else k


def releases() -> list[dict]:
    out = []
    for line in (HERE / "releases.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            rid, sdk, version, connect = line.split()[:4]
            out.append({"id": rid, "sdk": sdk, "version": version, "connect": connect})
    return out


def one_line(text: str, limit: int = 160) -> str:
    text = " ".join((text or "").split()).replace("|", "/")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def load_junit(path: Path) -> dict:
    """{test key: (state, first line of the failure)}"""
    out = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        bad = case.find("failure") if case.find("failure") is not None else case.find("error")
        if bad is not None:
            out[key(case.get("name", ""))] = ("fail", one_line(bad.get("message") or bad.text or ""))
        elif case.find("skipped") is not None:
            out[key(case.get("name", ""))] = ("skip", "")
        else:
            out[key(case.get("name", ""))] = ("pass", "")
    return out


def load_go(path: Path) -> dict:
    text = path.read_text(errors="replace")
    out = {}
    for m in re.finditer(r"^\s*--- (PASS|FAIL|SKIP): (\w+)", text, re.M):
        why = ""
        if m.group(1) == "FAIL":  # the first `file.go:NN: message` line of that test's output
            block = text[text.find(f"=== RUN   {m.group(2)}"):m.start()]
            found = re.search(r"^\s+\w+\.go:\d+: (.*)$", block, re.M)
            why = one_line(found.group(1)) if found else ""
        out[key(m.group(2))] = (m.group(1).lower(), why)
    return out


def load(logs: Path, rid: str):
    if (logs / f"{rid}.xml").is_file():
        return load_junit(logs / f"{rid}.xml")
    if (logs / f"{rid}.log").is_file():
        return load_go(logs / f"{rid}.log") or None
    return None


def summary(logs: Path) -> dict:
    out = {}
    path = logs / "summary.tsv"
    for line in path.read_text().splitlines() if path.is_file() else []:
        rid, rc, seconds = line.split("\t")
        out[rid] = (int(rc), int(seconds))
    return out


def cell(results, k: str) -> str:
    if results is None:
        return "not run"
    state = results.get(k, ("missing", ""))[0]
    return {"pass": "pass", "skip": "skip"}.get(state, "**FAIL**")


def lines(logs: Path) -> list[str]:
    rels, runs = releases(), summary(logs)
    results = {r["id"]: load(logs, r["id"]) for r in rels}
    head = [f"{SDK_NAMES[r['sdk']]} {r['version']}" for r in rels]
    out = ["## SDK releases (`matrix/run.sh`: the same scenarios per release, one emulator each)", "",
           "| scenario | " + " | ".join(head) + " |", "| --- |" + " --- |" * len(rels),
           "| connection | " + " | ".join(CONNECT.get(r["connect"], r["connect"]) for r in rels) + " |"]
    for k, label in ROWS:
        out.append(f"| {label} | " + " | ".join(cell(results[r["id"]], k) for r in rels) + " |")
    out.append("| **release result** | " + " | ".join(
        ("pass" if runs[r["id"]][0] == 0 else "**FAIL**") if r["id"] in runs else "not run" for r in rels) + " |")
    out.append("| seconds (emulator start to stop; the SDKs run side by side) | " + " | ".join(
        str(runs[r["id"]][1]) if r["id"] in runs else "-" for r in rels) + " |")
    out.append("")
    total = sum(s for _, s in runs.values())
    out.append(f"Sum of the releases' seconds: {total} s (wall time is less: the SDKs run side by side).")
    out.append("")
    for r in rels:
        res = results[r["id"]]
        name = f"{r['id']} ({SDK_NAMES[r['sdk']]} {r['version']})"
        if res is None:
            out.append(f"- {name}: no report (did not run)")
            continue
        failed = [(k, why) for k, (state, why) in res.items() if state == "fail"]
        counts = f"{sum(1 for s, _ in res.values() if s == 'pass')} passed, {len(failed)} failed"
        missing = [k for k, _ in ROWS if k not in res]
        if missing:
            counts += f", missing: {', '.join(missing)}"
        by_message: dict[str, list[str]] = {}  # the same cause usually fails every scenario: say it once
        for k, why in failed:
            by_message.setdefault(why or "(no message)", []).append(k)
        causes = "; ".join(f"{why} [{', '.join(tests)}]" for why, tests in by_message.items())
        out.append(f"- {name}: {counts}" + (f": {causes}" if causes else ""))
    return out
