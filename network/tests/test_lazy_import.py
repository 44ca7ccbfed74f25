"""networkx is loaded by the network pages, not by every app server at start."""

import subprocess
import sys
from pathlib import Path

from django.conf import settings


def test_starting_the_site_does_not_load_networkx():
    code = (
        "import os, sys; os.environ['DJANGO_SETTINGS_MODULE'] = 'readingroom.settings'\n"
        "import django; django.setup()\n"
        "from django.urls import get_resolver; get_resolver().url_patterns\n"
        "print(sorted(m for m in ('networkx', 'numpy') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(settings.BASE_DIR),
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "[]"
