"""A separate virtualenv for mmpy_bot: mmpy_bot 2.2.1 declares httpx<0.28 while every
mattermostautodriver it works with (11.2.1–11.7.x) needs httpx 0.28, so it is installed without its
own dependency pins next to mattermostautodriver 11.7.2 — as its users do."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".venv-mmpy"
PY = VENV / "bin" / "python"
STAMP = VENV / ".installed-2.2.1-11.7.2"


def ensure() -> Path:
    if STAMP.exists():
        return PY
    subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    pip = [str(PY), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "mattermostautodriver==11.7.2", "aiohttp==3.14.5", "click==8.5.1", "schedule==1.2.2"],
                   check=True)
    subprocess.run([*pip, "--no-deps", "mmpy_bot==2.2.1"], check=True)
    STAMP.touch()
    return PY
