"""The journal of ``course grade``: which submissions a gradebook already holds, surviving any crash.

Why: an interrupted run (Ctrl-C, ``kill -9``) must resume where it stopped without grading anything
twice. One JSON line per graded submission, flushed to disk before the next one is stored.
"""

import hashlib
import json
import os
import time
from pathlib import Path

JOURNAL_FILE = ".grade_journal.jsonl"


class Journal:
    """Append-only record of graded submissions: one JSON line each, flushed to disk before going on.

    A submission counts as graded for a gradebook when a line has its student, the digest of exactly
    what was graded and that gradebook's key. A line cut short by a crash is ignored.
    """

    def __init__(self, path: str | Path, db_url: str) -> None:
        self.path = Path(path)
        self.db_key = hashlib.sha256(db_url.encode()).hexdigest()[:16]

    def graded(self) -> dict[str, str]:
        """``{student: digest}`` of what this gradebook already holds."""
        done = {}
        if not self.path.exists():
            return done
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue
            if entry.get("db") == self.db_key:
                done[entry["student"]] = entry["digest"]
        return done

    def record(self, student: str, digest: str, score: float, max_score: float) -> None:
        line = json.dumps(
            {
                "student": student,
                "digest": digest,
                "db": self.db_key,
                "score": score,
                "max_score": max_score,
                "time": time.strftime("%Y-%m-%dT%H:%M:%S"),
            }
        )
        with open(str(self.path), "a", encoding="utf-8") as handle:
            handle.write(line + "\n")
            handle.flush()
            os.fsync(handle.fileno())
