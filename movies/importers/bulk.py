"""Bulk loading into PostgreSQL: binary COPY from numpy arrays, and index builds deferred to the end.

Loading tens of millions of rows through INSERT, or into a table whose indexes and foreign keys
are checked row by row, is many times slower than COPY. So a first load fills a bare copy of the
table and builds its indexes and keys afterwards — what pg_restore does — then swaps it in, all
inside the import's transaction, so a failure rolls everything back.
"""
import csv
import io
import re
from contextlib import contextmanager

import numpy as np

PG_EPOCH = 946_684_800  # 2000-01-01 in unix seconds: binary COPY counts microseconds from there
BINARY_TYPES = {"integer": ">i4", "bigint": ">i8", "double precision": ">f8", "timestamp with time zone": ">i8"}
COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
COPY_TRAILER = (-1).to_bytes(2, "big", signed=True)
COPY_CHUNK_BYTES = 1 << 20
OUT_KINDS = {"int": "i", "float": "f"}  # copy_binary_out's kinds of number columns, as numpy kind codes


def column_types(cursor, table: str, columns: list[str]) -> list[str]:
    cursor.execute(
        "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute"
        " WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped", [table])
    types = dict(cursor.fetchall())
    return [types[column] for column in columns]


def copy_binary(cursor, table: str, columns: list[str], types: list[str], arrays: list[np.ndarray]) -> None:
    """COPY rows given as one numpy array per column, encoded in PostgreSQL's binary COPY format.

    Timestamp columns take unix seconds; a bytea column takes a 2-D array, each row's bytes one value (say, a
    float32 vector). Every row is built by numpy in one pass (field count, then each field's length and
    big-endian value), with no Python work per row.
    """
    layout, kinds = [("fields", ">i2")], []
    for index, (pg_type, values) in enumerate(zip(types, arrays)):
        kind = f"V{values[0].nbytes}" if pg_type == "bytea" else BINARY_TYPES[pg_type]
        layout += [(f"length{index}", ">i4"), (f"value{index}", kind)]
        kinds.append(kind)
    rows = np.empty(len(arrays[0]), dtype=np.dtype(layout))
    rows["fields"] = len(columns)
    for index, (pg_type, kind, values) in enumerate(zip(types, kinds, arrays)):
        rows[f"length{index}"] = np.dtype(kind).itemsize
        if pg_type == "timestamp with time zone":
            values = (values.astype(np.int64) - PG_EPOCH) * 1_000_000
        elif pg_type == "bytea":
            values = np.ascontiguousarray(values).view(kind).ravel()
        rows[f"value{index}"] = values
    payload = io.BytesIO(b"".join([COPY_HEADER, rows.tobytes(), COPY_TRAILER]))
    # The chunk size goes by position: Django's debug cursor wrapper takes no keywords here.
    cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT binary)", payload,
                       COPY_CHUNK_BYTES)


def copy_binary_out(cursor, query: str, kinds: list[str]) -> np.ndarray:
    """The rows of ``query`` as one numpy structured array (fields ``value0``, ``value1``, ...), read by binary COPY
    with no Python work per row: what copy_binary wrote, read back (a model version's vectors, in web processes).

    ``kinds`` are each column's "int", "float" or "bytea"; every value must be non-null, and each column's values of
    one width (4 or 8 bytes for numbers, a float32 vector's for bytea), which the first row gives.
    """
    buffer = io.BytesIO()
    cursor.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT binary)", buffer, COPY_CHUNK_BYTES)
    data = buffer.getbuffer()
    if bytes(data[:len(COPY_HEADER)]) != COPY_HEADER:
        raise ValueError("not a binary COPY stream without header extensions")
    body = data[len(COPY_HEADER):len(data) - len(COPY_TRAILER)]
    layout, offset = [("fields", ">i2")], 2
    for index, kind in enumerate(kinds):
        length = int.from_bytes(body[offset:offset + 4], "big", signed=True) if len(body) else 8
        if length < 0:
            raise ValueError(f"column {index}: null")
        layout += [(f"length{index}", ">i4"), (f"value{index}", f"V{length}" if kind == "bytea"
                                               else f">{OUT_KINDS[kind]}{length}")]
        offset += 4 + length
    row = np.dtype(layout)
    if len(body) % row.itemsize:
        raise ValueError(f"rows of unequal length: {len(body)} bytes are not rows of {row.itemsize}")
    rows = np.frombuffer(body, row)
    for index in range(len(kinds)):
        if len(rows) and np.any(rows[f"length{index}"] != row[f"value{index}"].itemsize):
            raise ValueError(f"column {index}: null or unequal values")
    return rows


def copy_text_rows(cursor, table: str, columns: list[str], rows: list[tuple]) -> None:
    """COPY rows of Python values (text that may hold any character) through the CSV format."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    buffer.seek(0)
    cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)", buffer)


@contextmanager
def loaded_beside(cursor, table: str):
    """Yield a new, bare table shaped like `table` to COPY into; then index it and swap it in.

    Builds the same keys, indexes and foreign keys on the new table after the load (as pg_restore
    does), then drops `table`, which must be empty, and gives the new table its name. Other
    sessions keep reading the catalog meanwhile: the strong locks come only with the swap, just
    before the caller commits. Inside a transaction, any failure leaves `table` as it was.
    """
    shadow = f"{table}_load"
    cursor.execute(f"CREATE TABLE {shadow} (LIKE {table} INCLUDING DEFAULTS INCLUDING IDENTITY"
                   " INCLUDING CONSTRAINTS INCLUDING STORAGE)")
    cursor.execute(
        "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'f') ORDER BY contype = 'f'", [table])
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT c.relname, pg_get_indexdef(c.oid) FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid"
        " WHERE x.indrelid = %s::regclass"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)", [table])
    indexes = cursor.fetchall()
    yield shadow

    cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
    # Constraint and index names are unique per schema: build under temporary names, rename after the swap.
    for name, _, definition in constraints:
        cursor.execute(f'ALTER TABLE {shadow} ADD CONSTRAINT "{name}_load" {definition}')
    for name, definition in indexes:
        on_table = re.sub(r" ON (\w+\.)?" + re.escape(table) + " ", f" ON {shadow} ", definition, count=1)
        cursor.execute(on_table.replace(f" INDEX {name} ON ", f" INDEX {name}_load ON ", 1))
    cursor.execute(f"DROP TABLE {table}")
    cursor.execute(f"ALTER TABLE {shadow} RENAME TO {table}")
    for name, _, _ in constraints:
        cursor.execute(f'ALTER TABLE {table} RENAME CONSTRAINT "{name}_load" TO "{name}"')
    for name, _ in indexes:
        cursor.execute(f'ALTER INDEX "{name}_load" RENAME TO "{name}"')
    cursor.execute(f"ALTER SEQUENCE {shadow}_id_seq RENAME TO {table}_id_seq")
    cursor.execute(f"SELECT setval('{table}_id_seq', COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)")
