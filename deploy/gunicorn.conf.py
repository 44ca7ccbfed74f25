"""gunicorn's settings for Reading Room: the app container (bin/docker-entrypoint.sh)
and ``make bench`` (bench/run.py) both start gunicorn with them, so the benchmark
measures the configuration that is deployed.

- ``WEB_CONCURRENCY``: worker processes (default 2, about one per core).
- ``GUNICORN_THREADS``: threads per worker (default 1: sync workers). With more
  than one, gunicorn runs its threaded worker, which answers other requests while
  one waits on the database.
- ``GUNICORN_CMD_ARGS``: anything else, as gunicorn reads it.

The address and the access log are given on the command line by each caller.
"""

import os

workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
