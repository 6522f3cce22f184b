"""The README's Python snippet, run as written: only CONN is filled in, as a reader does."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def readme_snippet(section: str, label: str) -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index(f"\n## {section}\n")
    at = text.index(f"\n{label}", start)
    body = text.index("\n", text.index("```", at)) + 1
    return text[body:text.index("\n```", body) + 1]


def test_python_snippet_runs_as_written(fresh_emulator, tmp_path):
    snippet = readme_snippet("SDK snippets", "**Python**")
    assert 'get_queue_sender("queue.1")' in snippet
    script = tmp_path / "snippet.py"
    script.write_text(f"CONN = {fresh_emulator.connection_string!r}\n" + snippet)
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "hello" in run.stdout
