"""JSON columns are decoded by msgspec with json.loads as the fallback (issue 27): same values."""

from __future__ import annotations

import json

import pytest

from chinwag.store.sql.engine import json_loads

SAMPLES = [
    '{"from_webhook": "", "attachments": [{"text": "hi", "fields": [{"short": true, "value": 1.5}]}]}',
    '{"a": 1, "a": 2}', "[]", "{}", "null", "-0.0", "1e300", "12345678901234567890123456789",
    '"\\u0000 \\ud83d\\ude00 é"', '{"nested": {"deep": [null, false, "x"]}}',
    "1e400",  # jsonb can hold it; msgspec refuses it, json.loads gives inf
    '"\\ud800"',  # a lone surrogate: msgspec refuses it
]


@pytest.mark.parametrize("raw", SAMPLES)
def test_same_values_as_json_loads(raw: str) -> None:
    assert json_loads(raw) == json.loads(raw)


def test_invalid_json_still_raises() -> None:
    with pytest.raises(ValueError):
        json_loads("{nope")
