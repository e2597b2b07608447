"""Engine books: the policy book analysed where it lives (DuckDB, PostgreSQL, Spark).

* :mod:`.urls` reads ``DATA`` arguments that name a database (``duckdb://``, ``postgresql://``,
  ``spark:local[N]``, ``sc://``) or a DuckDB file / Parquet folder;
* :mod:`.connection` opens them read-only and runs SQL with cancellation;
* :mod:`.rules` holds the derivation rules (typing, validation reasons, exit status, duration,
  event, as-of window, filters) as Ibis expressions, compiled to each engine's SQL dialect;
* :mod:`.book` is :class:`EngineBook`, the :class:`~memberdesk.core.book.Book` that answers
  aggregate questions with ``GROUP BY`` queries run in the engine.

Ibis is used as the expression compiler (``ibis.to_sql`` on unbound tables); the SQL runs
through the engine's own driver so that read-only mode, time-outs and cancellation are ours.
"""
