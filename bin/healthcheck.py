"""The app container's health check (docker-compose.yml): GET /healthz on gunicorn.

Exits 0 when it answers 200 ("ok": the database and the cache answer), 1 otherwise
(503 names what does not). Asks under the first of ALLOWED_HOSTS, so a site that
answers only to its own name is checked as it is served.
"""

import os
import sys
import urllib.error
import urllib.request

hosts = [h.strip().lstrip(".") for h in os.environ.get("ALLOWED_HOSTS", "").split(",")]
host = next((h for h in hosts if h and "*" not in h), "localhost")
request = urllib.request.Request("http://127.0.0.1:8000/healthz", headers={"Host": host})
try:
    with urllib.request.urlopen(request, timeout=4) as response:
        sys.exit(0 if response.status == 200 else 1)
except (urllib.error.URLError, OSError) as error:
    print(f"/healthz: {error}", file=sys.stderr)
    sys.exit(1)
