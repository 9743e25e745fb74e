"""The client against real `memex serve` processes: one on SQLite and one on PostgreSQL (a fresh
schema, dropped afterwards), started in parallel for this module and stopped at its end.

- every store's operations, and bad input raising the typed error naming the field (both);
- 3 processes x 10 threads incrementing one key with update and with patch; a lock held in one
  process blocking another until released (both);
- events.watch resumed across a restart of the server on the same store and port (both);
- the async client, and the README's Python examples (SQLite).

PostgreSQL classes skip when MEMEX_PG_URL is unreachable, unless MEMEX_REQUIRE_PG is set: then
the module fails.
"""

from __future__ import annotations

import unittest

import async_cases
import concurrency_cases
import readme_cases
import stores_cases
import watch_cases
from memex_server import SERVERS, cleanup_all, start_backends


def setUpModule() -> None:
    SERVERS.update(start_backends())


def tearDownModule() -> None:
    cleanup_all(SERVERS)


class SqliteStoreTests(stores_cases.StoreCases, unittest.TestCase):
    backend = "sqlite"


class PostgresStoreTests(stores_cases.StoreCases, unittest.TestCase):
    backend = "postgres"


class SqliteConcurrencyTests(concurrency_cases.ConcurrencyCases, unittest.TestCase):
    backend = "sqlite"


class PostgresConcurrencyTests(concurrency_cases.ConcurrencyCases, unittest.TestCase):
    backend = "postgres"


class SqliteWatchRestartTests(watch_cases.WatchRestartCases, unittest.TestCase):
    backend = "sqlite"


class PostgresWatchRestartTests(watch_cases.WatchRestartCases, unittest.TestCase):
    backend = "postgres"


class AsyncClientTests(async_cases.AsyncClientCases, unittest.IsolatedAsyncioTestCase):
    pass


class ReadmeExamplesTests(readme_cases.ReadmeExamplesCases, unittest.TestCase):
    pass


if __name__ == "__main__":
    unittest.main()
