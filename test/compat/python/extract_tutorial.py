"""Extract the tutorial's Python scripts, byte for byte, from shared/seed/sessions-tutorial.md.

Usage: python extract_tutorial.py [path/to/sessions-tutorial.md]   (writes tutorial/*.py)
The test suite also uses `blocks()` to check that tutorial/ still matches the source.
"""
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# The tutorial as the project received it (a copy of ../shared/seed/sessions-tutorial.md, kept in
# the repository so a clean clone can check the extracted scripts without the seed folder).
DEFAULT_SOURCE = HERE / "sessions-tutorial.md"
SEED_SOURCE = HERE.parents[3] / "shared" / "seed" / "sessions-tutorial.md"
SCRIPTS = [
    "create_session_queue.py",
    "session_producer.py",
    "session_consumer_specific.py",
    "session_consumer_next.py",
    "parallel_session_workers.py",
    "session_state_management.py",
]


def blocks(source: Path = DEFAULT_SOURCE) -> dict:
    text = source.read_text(encoding="utf-8")
    found = {}
    for body in re.findall(r"```python\n(.*?)```", text, flags=re.S):
        first = body.split("\n", 1)[0].strip()
        m = re.fullmatch(r"#\s*(\w+\.py)", first)
        if m and m.group(1) in SCRIPTS:
            found[m.group(1)] = body
    return found


if __name__ == "__main__":
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SOURCE
    out = HERE / "tutorial"
    out.mkdir(exist_ok=True)
    for fname, body in blocks(src).items():
        (out / fname).write_text(body, encoding="utf-8")
        print("wrote", out / fname)
