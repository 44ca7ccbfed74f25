"""The seed cable and its first telegram, which most annotation tests write on."""

import pytest

from cables.models import Cable


@pytest.fixture
def cable(seed):
    return Cable.objects.get(record_id="117409")


@pytest.fixture
def telegram1(cable):
    return cable.passages.get(label="Telegram 1")
