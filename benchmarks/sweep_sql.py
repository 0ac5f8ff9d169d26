"""The SQL a sweep's rows need: the same rows written by hand-written set-based SQL.

Used by ``benchmarks/sweep.py --compare-sql``. For one step of the benchmark (a sweep, the
backfill) it

1. clones the database before the step (``CREATE DATABASE ... TEMPLATE``);
2. lets the application do the step on the original (timed there);
3. finds every row the step inserted, changed or deleted, in every table, by comparing each
   row's hash in the two databases, and copies the new and changed rows into staging tables
   in the clone (not timed: this is the input the SQL is given);
4. times, in the clone, one transaction of plain SQL that writes exactly those rows: per
   table one ``DELETE ... WHERE pk = ANY(...)`` and one ``INSERT ... SELECT * FROM staging
   ON CONFLICT (pk) DO UPDATE``;
5. checks row for row that every table of the two databases is now the same (a hash of all
   rows per table).

So the reference computes nothing (no rules, no deadlines, no recipients): it is the floor
that any implementation of the same step pays for writing its rows, indexes and
constraints included. "Within 4x of the SQL" is measured against that floor.
"""

import hashlib
import io
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

# Not compared: bookkeeping of Django and Celery that the step does not own.
SKIP_TABLES = {"django_migrations", "django_session"}


@dataclass
class Replay:
    label: str
    tables: dict[str, tuple[int, int]] = field(default_factory=dict)  # name: (upserts, deletes)
    seconds: float = 0.0
    equal: bool = False
    differing: list[str] = field(default_factory=list)

    def rows(self) -> int:
        return sum(u + d for u, d in self.tables.values())

    def summary(self) -> str:
        written = ", ".join(f"{t} {u}+{d}" for t, (u, d) in sorted(self.tables.items()) if u or d)
        check = "equal row for row" if self.equal else f"DIFFERENT: {', '.join(self.differing)}"
        return f"{self.seconds:.2f} s for {self.rows()} rows ({written or 'none'}); {check}"


def _url(base: str, name: str) -> str:
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _connect(url: str):
    parts = urlsplit(url)
    return psycopg.connect(
        dbname=parts.path.lstrip("/"),
        user=parts.username or "postgres",
        password=parts.password or None,
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
    )


def clone(url: str, name: str) -> str:
    """A copy of the database at ``url`` (nobody may be connected to it), named ``name``."""
    admin = _connect(_url(url, "postgres"))
    admin.autocommit = True
    source = urlsplit(url).path.lstrip("/")
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        cursor.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(source)
            )
        )
    admin.close()
    return _url(url, name)


def drop(url: str) -> None:
    admin = _connect(_url(url, "postgres"))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(
            sql.SQL("DROP DATABASE IF EXISTS {}").format(
                sql.Identifier(urlsplit(url).path.lstrip("/"))
            )
        )
    admin.close()


def _tables(cursor) -> dict[str, str]:
    """Table -> its single-column primary key, for the tables of the public schema."""
    cursor.execute(
        """
        SELECT c.relname, a.attname
        FROM pg_index i
        JOIN pg_class c ON c.oid = i.indrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0]
        WHERE i.indisprimary AND n.nspname = 'public' AND i.indnatts = 1
        """
    )
    return {t: pk for t, pk in cursor.fetchall() if t not in SKIP_TABLES}


def _hashes(cursor, table: str, pk: str) -> dict:
    cursor.execute(
        sql.SQL("SELECT {pk}, md5(t::text) FROM {t} t").format(
            pk=sql.Identifier(pk), t=sql.Identifier(table)
        )
    )
    return dict(cursor.fetchall())


def _table_hash(cursor, table: str, pk: str) -> str:
    digest = hashlib.md5()  # noqa: S324 - a checksum, not security
    cursor.execute(
        sql.SQL("SELECT md5(t::text) FROM {t} t ORDER BY {pk}").format(
            pk=sql.Identifier(pk), t=sql.Identifier(table)
        )
    )
    for (row,) in cursor:
        digest.update(row.encode())
    return digest.hexdigest()


def replay(label: str, done_url: str, clone_url: str) -> Replay:
    """Steps 3-5 of the module docstring: ``done_url`` is the database after the step,
    ``clone_url`` its copy from before. The clone is left with the replayed rows."""
    result = Replay(label)
    done, before = _connect(done_url), _connect(clone_url)
    with done.cursor() as d, before.cursor() as b:
        tables = _tables(d)
        plan: list[tuple[str, str, list, list]] = []
        for table, pk in tables.items():
            new, old = _hashes(d, table, pk), _hashes(b, table, pk)
            upserts = [k for k, h in new.items() if old.get(k) != h]
            deletes = [k for k in old if k not in new]
            if not upserts and not deletes:
                continue
            plan.append((table, pk, upserts, deletes))
            result.tables[table] = (len(upserts), len(deletes))
            # Staging: the rows as the application wrote them (not timed).
            stage = f"stage_{table}"
            b.execute(
                sql.SQL("DROP TABLE IF EXISTS {s}; CREATE UNLOGGED TABLE {s} (LIKE {t})").format(
                    s=sql.Identifier(stage), t=sql.Identifier(table)
                )
            )
            buffer = io.BytesIO()
            query = sql.SQL("COPY (SELECT * FROM {t} WHERE {pk} = ANY(%s)) TO STDOUT").format(
                t=sql.Identifier(table), pk=sql.Identifier(pk)
            )
            with d.copy(query, [upserts]) as source:
                for chunk in source:
                    buffer.write(chunk)
            with b.copy(sql.SQL("COPY {s} FROM STDIN").format(s=sql.Identifier(stage))) as sink:
                sink.write(buffer.getvalue())
        before.commit()
        b.execute("ANALYZE")
        before.commit()
        columns: dict[str, list[str]] = {}
        for table, pk, _upserts, _deletes in plan:
            b.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass "
                "AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
                [table],
            )
            columns[table] = [c for (c,) in b.fetchall() if c != pk]

        # The hand-written SQL: one transaction, two statements per table at most.
        started = time.perf_counter()
        for table, pk, upserts, deletes in plan:
            if deletes:
                b.execute(
                    sql.SQL("DELETE FROM {t} WHERE {pk} = ANY(%s)").format(
                        t=sql.Identifier(table), pk=sql.Identifier(pk)
                    ),
                    [deletes],
                )
            if upserts:
                b.execute(
                    sql.SQL(
                        "INSERT INTO {t} SELECT * FROM {s} ON CONFLICT ({pk}) DO UPDATE SET {sets}"
                    ).format(
                        t=sql.Identifier(table),
                        s=sql.Identifier(f"stage_{table}"),
                        pk=sql.Identifier(pk),
                        sets=sql.SQL(", ").join(
                            sql.SQL("{c} = EXCLUDED.{c}").format(c=sql.Identifier(c))
                            for c in columns[table]
                        ),
                    )
                )
        before.commit()
        result.seconds = time.perf_counter() - started

        for table, _pk, _u, _d in plan:
            b.execute(sql.SQL("DROP TABLE {s}").format(s=sql.Identifier(f"stage_{table}")))
        before.commit()
        for table, pk in tables.items():
            if _table_hash(d, table, pk) != _table_hash(b, table, pk):
                result.differing.append(table)
        result.equal = not result.differing
    done.close()
    before.close()
    return result
