"""SQLite for one laptop: the development server and its job worker write the same file at
the same time, and neither ever gets "database is locked".

Two real processes with the project's settings each run read-then-write transactions on one
counter in a SQLite file. With SQLite's default deferred transactions, about four in ten of
them fail ("database is locked": a read lock cannot be upgraded while the other process
writes); with the settings' immediate transactions, WAL and busy timeout, none fails and no
increment is lost.
"""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 100

WRITER = """
import sys, time
import django
django.setup()
from django.db import connection, transaction
failures = 0
for _ in range(int(sys.argv[1])):
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT n FROM counter")
                (n,) = cursor.fetchone()
                time.sleep(0.002)  # the other process wants to write meanwhile
                cursor.execute("UPDATE counter SET n = %s", [n + 1])
    except Exception as error:
        failures += 1
        print(error, file=sys.stderr)
print(failures)
"""


def test_two_processes_writing_never_see_database_is_locked(tmp_path):
    path = tmp_path / "laptop.sqlite3"
    with sqlite3.connect(path) as db:
        # `make run` migrates before the server and its worker start, so the file is already
        # in WAL (the mode persists in the file). Switching a fresh file to WAL needs it to
        # itself, and two processes both doing it as they open it can meet "locked" once.
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE counter (n INTEGER)")
        db.execute("INSERT INTO counter VALUES (0)")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{path}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "TESTING": "1",
    }
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(ROUNDS)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [writer.communicate(timeout=120) for writer in writers]
    for writer, (out, err) in zip(writers, outputs, strict=True):
        assert writer.returncode == 0, err
        assert out.strip() == "0", err  # no transaction failed
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT n FROM counter").fetchone() == (2 * ROUNDS,)
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
