"""Bulk loading into PostgreSQL: binary COPY from numpy arrays, and index builds deferred to the end.

Loading tens of millions of rows through INSERT, or into a table whose indexes are updated row
by row, is several times slower than COPY. So a first load drops the table's indexes and
constraints, COPYs the rows, and rebuilds them afterwards — what pg_restore does — all inside
the import's transaction, so a failure rolls everything back, indexes included.
"""
import csv
import io
from contextlib import contextmanager

import numpy as np

PG_EPOCH = 946_684_800  # 2000-01-01 in unix seconds: binary COPY counts microseconds from there
BINARY_TYPES = {"integer": ">i4", "bigint": ">i8", "double precision": ">f8", "timestamp with time zone": ">i8"}
COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
COPY_TRAILER = (-1).to_bytes(2, "big", signed=True)
COPY_CHUNK_BYTES = 1 << 20


def column_types(cursor, table: str, columns: list[str]) -> list[str]:
    cursor.execute(
        "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute"
        " WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped", [table])
    types = dict(cursor.fetchall())
    return [types[column] for column in columns]


def copy_binary(cursor, table: str, columns: list[str], types: list[str], arrays: list[np.ndarray]) -> None:
    """COPY rows given as one numpy array per column, encoded in PostgreSQL's binary COPY format.

    Timestamp columns take unix seconds. Every row is built by numpy in one pass (field count,
    then each field's length and big-endian value), with no Python work per row.
    """
    layout = [("fields", ">i2")]
    for index, pg_type in enumerate(types):
        layout += [(f"length{index}", ">i4"), (f"value{index}", BINARY_TYPES[pg_type])]
    rows = np.empty(len(arrays[0]), dtype=np.dtype(layout))
    rows["fields"] = len(columns)
    for index, (pg_type, values) in enumerate(zip(types, arrays)):
        rows[f"length{index}"] = np.dtype(BINARY_TYPES[pg_type]).itemsize
        if pg_type == "timestamp with time zone":
            values = (values.astype(np.int64) - PG_EPOCH) * 1_000_000
        rows[f"value{index}"] = values
    payload = io.BytesIO(b"".join([COPY_HEADER, rows.tobytes(), COPY_TRAILER]))
    # The chunk size goes by position: Django's debug cursor wrapper takes no keywords here.
    cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT binary)", payload,
                       COPY_CHUNK_BYTES)


def reserve_ids(cursor, table: str, count: int) -> int:
    """Take `count` consecutive values of the table's id sequence; returns the first.

    Sending ids with the rows spares the server a sequence call per row (about a third of a
    COPY's time). The caller must hold a lock that keeps other writers of the table out.
    """
    cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'),"
                   " nextval(pg_get_serial_sequence(%s, 'id')) + %s - 1)", [table, table, count])
    return cursor.fetchone()[0] - count + 1


def copy_text_rows(cursor, table: str, columns: list[str], rows: list[tuple]) -> None:
    """COPY rows of Python values (text that may hold any character) through the CSV format."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    buffer.seek(0)
    cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)", buffer)


@contextmanager
def indexes_deferred(cursor, table: str):
    """Drop the table's indexes, primary, unique and foreign keys; rebuild them on leaving.

    Must run inside a transaction: if the load or a rebuild fails (say a duplicate breaks a unique
    constraint), rolling back restores the table as it was.
    """
    cursor.execute(
        "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'f')", [table])
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT c.relname, pg_get_indexdef(c.oid) FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid"
        " WHERE x.indrelid = %s::regclass"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)", [table])
    indexes = cursor.fetchall()
    foreign = [(name, definition) for name, kind, definition in constraints if kind == "f"]
    keys = [(name, definition) for name, kind, definition in constraints if kind != "f"]
    for name, _ in foreign + keys:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    yield
    cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
    for name, definition in keys:
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    for _, definition in indexes:
        cursor.execute(definition)
    for name, definition in foreign:
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
