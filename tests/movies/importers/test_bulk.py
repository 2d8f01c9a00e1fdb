"""Binary COPY (movies/importers/bulk.py): rows written from numpy arrays read back as they were."""
import numpy as np
import pytest
from django.db import connection

from movies.importers import bulk

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="binary COPY is PostgreSQL's")]


@pytest.fixture
def table():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE copied (id integer, vector bytea, bias double precision)")
    yield "copied"
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE copied")


def test_rows_copied_in_are_read_back_by_copy_out(table):
    rng = np.random.default_rng(0)
    ids, vectors, bias = np.arange(500) * 3, rng.normal(size=(500, 7)).astype(np.float32), rng.normal(size=500)
    with connection.cursor() as cursor:
        bulk.copy_binary(cursor, table, ["id", "vector", "bias"], ["integer", "bytea", "double precision"],
                         [ids, vectors, bias])
        rows = bulk.copy_binary_out(cursor, f"SELECT id, vector, bias FROM {table} ORDER BY id",
                                    ["int", "bytea", "float"])
    assert rows["value0"].tolist() == ids.tolist()
    np.testing.assert_array_equal(np.frombuffer(rows["value1"].tobytes(), np.float32).reshape(500, 7), vectors)
    np.testing.assert_array_equal(rows["value2"], bias)


def test_copy_out_of_no_rows_is_empty(table):
    with connection.cursor() as cursor:
        rows = bulk.copy_binary_out(cursor, f"SELECT id, vector, bias FROM {table}", ["int", "bytea", "float"])
    assert len(rows) == 0


@pytest.mark.parametrize("rows, problem", [
    ("(1, '\\x0102'::bytea, 0.5), (2, '\\x010203'::bytea, 0.5)", "unequal"),
    ("(1, NULL, 0.5)", "null"),
])
def test_copy_out_refuses_nulls_and_values_of_unequal_width(table, rows, problem):
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} VALUES {rows}")
        with pytest.raises(ValueError, match=problem):
            bulk.copy_binary_out(cursor, f"SELECT id, vector, bias FROM {table} ORDER BY id", ["int", "bytea", "float"])
