#!/usr/bin/env python3
"""Usage: bench/write_floor.py DATA_DIR [BATCH ...]

The floor under the durable intake on this machine: how fast SQLite alone writes the rows a
batch of new cases writes, committed as minyi commits them. For each BATCH (default 21 42 63
cases), CASES new cases (default 6300) are written in transactions of BATCH cases each: the
cases, their first history event, their rows waiting for the cockpit's fold, the chain head;
`BEGIN IMMEDIATE` … `COMMIT` in WAL mode with `synchronous = FULL`, while a second connection
runs a passive checkpoint every 20 ms, as `minyi serve` does. No HTTP, no async runtime, no
checks, no counters carried: minyi's intake at the same batch size, divided by this, is the
share of the machine's ceiling it reaches; what it loses beside it is its own.

Each new case is a copy of a case of the folder drawn at random (its addressee, region path,
unit and text), due when the folder's newest case is due, so it lands in every index where
one of minyi's new cases lands. The copy is written into a copy of DATA_DIR's database (in
TMPDIR, which needs room for it): the folder is left as it was. Do not run it while a server
writes to DATA_DIR.

Settings, in the environment:
  CASES=N          cases written for each batch size (default 6300)
  RATE=N           hold the writes to N cases a second: the commits' latency below the
                   ceiling (default: as fast as they go)
  SYNCHRONOUS=X    NORMAL: commits not synced, what the durability costs (default FULL)
  CHECKPOINT_MS=N  the passive checkpoints' period; 0: none, SQLite copies the log inside a
                   commit past 16,000 pages (default 20, as `serve`)
  DROP_INDEXES=a,b drop those indexes from the copy first: what they cost the writes

Prints one line per batch size: cases/s and the p50/p99 of one commit, in milliseconds.
Python's own SQLite library does the writing (`sqlite3.sqlite_version` is printed); minyi
bundles its own build of SQLite, of a near version.
"""
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import threading
import time


def copy_database(data_dir, into):
    source = os.path.join(data_dir, "minyi.db")
    if not os.path.exists(source):
        sys.exit(f"write_floor: no minyi.db in {data_dir}")
    needed = sum(os.path.getsize(source + suffix) for suffix in ("", "-wal") if os.path.exists(source + suffix))
    free = shutil.disk_usage(into).free
    if needed > free * 0.95:
        sys.exit(f"write_floor: copying the database needs {needed >> 20} MB, {into} has {free >> 20} MB free")
    target = os.path.join(into, "minyi.db")
    for suffix in ("", "-wal"):
        if os.path.exists(source + suffix):
            shutil.copyfile(source + suffix, target + suffix)
            # On the disk before the first commit is timed: the copy's own writing-back would
            # otherwise hold the first seconds of commits.
            with open(target + suffix, "rb+") as copied:
                os.fsync(copied.fileno())
    return target


def checkpoints(path, every, stop):
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    while not stop.is_set():
        connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        time.sleep(every)
    connection.close()


def columns(connection, table):
    return [row[1] for row in connection.execute(f"PRAGMA table_info({table})")]


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    data_dir = sys.argv[1]
    try:
        batches = [int(b) for b in sys.argv[2:]] or [21, 42, 63]
        cases = int(os.environ.get("CASES", "6300"))
        rate = float(os.environ.get("RATE", "0"))
        checkpoint_every = int(os.environ.get("CHECKPOINT_MS", "20")) / 1000
    except ValueError as e:
        sys.exit(f"write_floor: BATCH, CASES, RATE and CHECKPOINT_MS are numbers ({e})")
    if any(b < 1 for b in batches) or cases < 1 or rate < 0 or checkpoint_every < 0:
        sys.exit("write_floor: BATCH and CASES are at least 1, RATE and CHECKPOINT_MS at least 0")
    synchronous = os.environ.get("SYNCHRONOUS", "FULL")
    with tempfile.TemporaryDirectory(prefix="minyi-write-floor.") as work:
        path = copy_database(data_dir, work)
        db = sqlite3.connect(path, isolation_level=None)
        for pragma in ("journal_mode = WAL", "synchronous = " + synchronous, "wal_autocheckpoint = 16000",
                       "cache_size = -32768", "temp_store = MEMORY", "foreign_keys = ON"):
            db.execute(f"PRAGMA {pragma}").fetchall()
        # What a new case takes over from the one it copies, and what it sets itself.
        own = {
            "id": "p.id", "tracking_code": "p.tracking_code", "client_token": "NULL", "state": "'received'",
            "resume_state": "NULL", "acknowledged_at": "NULL", "answer": "''", "answered_at": "NULL",
            "rating_until": "NULL", "citizen_grade": "NULL", "reopen_count": "0", "merged_into": "NULL",
            "version": "1", "created_at": "p.at", "updated_at": "p.at", "closed_at": "NULL",
            "ack_due": "p.ack_due", "answer_due": "p.answer_due",
        }
        # DROP_INDEXES=a,b: what those indexes cost the writes (on the copy only).
        for index in filter(None, os.environ.get("DROP_INDEXES", "").split(",")):
            db.execute(f"DROP INDEX {index}")
        case_columns = columns(db, "cases")
        chosen = ", ".join(own.get(c, "c." + c) for c in case_columns)
        insert_cases = (f"INSERT INTO cases ({', '.join(case_columns)}) "
                        f"SELECT {chosen} FROM temp.pick p JOIN cases c ON c.rowid = p.source ORDER BY p.k")
        event_columns = columns(db, "case_events")
        event_own = {"seq": "p.seq", "id": "p.event_id", "case_id": "p.id", "at": "p.at",
                     "prev_hash": "p.prev_hash", "hash": "p.hash"}
        event_chosen = ", ".join(event_own.get(c, "e." + c) for c in event_columns)
        template = db.execute("SELECT seq FROM case_events WHERE kind = 'submit' ORDER BY seq DESC LIMIT 1").fetchone()
        if template is None:
            sys.exit("write_floor: the folder has no case yet (fill it with minyi synth first)")
        insert_events = (f"INSERT INTO case_events ({', '.join(event_columns)}) "
                         f"SELECT {event_chosen} FROM temp.pick p JOIN case_events e ON e.seq = {template[0]} ORDER BY p.k")
        insert_pending = ("INSERT INTO agg_pending (seq, case_id, words, open_path, open_due) "
                          "SELECT p.seq, p.id, '路灯 村口', c.region_path, p.ack_due "
                          "FROM temp.pick p JOIN cases c ON c.rowid = p.source ORDER BY p.k")
        db.execute("CREATE TEMP TABLE pick (k INTEGER PRIMARY KEY, source INTEGER, id TEXT, event_id TEXT, "
                   "tracking_code TEXT, seq INTEGER, at INTEGER, ack_due TEXT, answer_due TEXT, prev_hash TEXT, hash TEXT)")
        last_row = db.execute("SELECT max(rowid) FROM cases").fetchone()[0]
        ack_due, answer_due = db.execute(
            "SELECT ack_due, answer_due FROM cases ORDER BY rowid DESC LIMIT 1").fetchone()
        seq = db.execute("SELECT max(seq) FROM case_events").fetchone()[0]
        made = 0
        stop = threading.Event()
        checkpointer = threading.Thread(target=checkpoints, args=(path, checkpoint_every, stop))
        if checkpoint_every > 0:
            checkpointer.start()
        try:
            for batch in batches:
                times = []
                written = 0
                started = time.perf_counter()
                for _ in range(max(1, cases // batch)):
                    at = int(time.time() * 1000)
                    picks = []
                    for k in range(batch):
                        made += 1
                        seq += 1
                        # Ids sort after the folder's (time-ordered, as minyi's are); codes are random.
                        case_id = f"zz{made:030d}"
                        picks.append((k, random.randint(1, last_row), case_id, case_id + "e",
                                      "%010X" % random.getrandbits(40), seq, at, ack_due, answer_due,
                                      "%064x" % random.getrandbits(256), "%064x" % random.getrandbits(256)))
                    one = time.perf_counter()
                    db.execute("BEGIN IMMEDIATE")
                    db.execute("DELETE FROM temp.pick")
                    db.executemany("INSERT INTO temp.pick VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", picks)
                    written += db.execute(insert_cases).rowcount
                    db.execute(insert_events)
                    db.execute(insert_pending)
                    db.execute("UPDATE chain_head SET seq = ?, hash = ?", (seq, picks[-1][-1]))
                    db.execute("COMMIT")
                    times.append((time.perf_counter() - one) * 1000)
                    if rate > 0:
                        # Held to RATE cases a second: the commits' latency below the ceiling.
                        ahead = started + len(times) * batch / rate - time.perf_counter()
                        if ahead > 0:
                            time.sleep(ahead)
                seconds = time.perf_counter() - started
                times.sort()
                print(f"write_floor sqlite={sqlite3.sqlite_version} synchronous={synchronous} batch={batch} cases={written} "
                      f"cases_per_s={written / seconds:.0f} commit_ms_p50={times[len(times) // 2]:.2f} "
                      f"commit_ms_p99={times[min(len(times) - 1, len(times) * 99 // 100)]:.2f}", flush=True)
        finally:
            stop.set()
            if checkpointer.is_alive():
                checkpointer.join()
            db.close()


if __name__ == "__main__":
    main()
