"""The Nu HTML Checker (vnu.jar), run on pages the tests fetched.

Runs where Java and ``var/tools/node_modules/vnu-jar`` exist (``.ci/services`` installs them);
skipped elsewhere, and failing instead where ``NEWSROOM_E2E_REQUIRED=1`` (CI).
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

VNU = Path(__file__).resolve().parents[1] / "var/tools/node_modules/vnu-jar/build/dist/vnu.jar"


def errors_of(pages: dict[str, bytes], folder: Path) -> dict[str, list[str]]:
    """Return the checker's errors for each page, all checked in one run of the checker."""
    if not VNU.exists() or shutil.which("java") is None:
        reason = f"no Nu HTML Checker at {VNU}, or no java (.ci/services installs them)"
        if os.environ.get("NEWSROOM_E2E_REQUIRED") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    files = {}
    for number, (name, html) in enumerate(pages.items()):
        path = folder / f"page-{number}.html"
        path.write_bytes(html)
        files[path.name] = name
    checked = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, files)],
        cwd=folder,
        capture_output=True,
        timeout=120,
        check=False,
    )
    found = {name: [] for name in pages}
    for message in json.loads(checked.stderr or b'{"messages": []}')["messages"]:
        url = message.get("url", "")
        name = files.get(url.rsplit("/", 1)[-1], url)
        found.setdefault(name, []).append(f"{message.get('lastLine')}: {message['message']}")
    return found
