"""Every ```python block of clients/python/README.md, as written, runs against the SQLite server
of test_backends.py (each in its own interpreter, MEMEX_URL pointing at the server, the package on PYTHONPATH)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from typing import Any, ClassVar, List, Tuple

from memex_server import CLIENT_DIR, MemexServer, server_for

README = CLIENT_DIR / "README.md"


def python_blocks() -> List[Tuple[int, str]]:
    """(line number, code) of each ```python block."""
    text = README.read_text(encoding="utf-8")
    blocks = []
    for m in re.finditer(r"^```python\n(.*?)^```", text, flags=re.S | re.M):
        blocks.append((text.count("\n", 0, m.start()) + 1, m.group(1)))
    return blocks


class ReadmeExamplesCases:
    server: ClassVar[MemexServer]
    assertEqual: Any
    assertIn: Any
    assertTrue: Any
    assertGreaterEqual: Any
    subTest: Any

    @classmethod
    def setUpClass(cls) -> None:
        cls.server = server_for("sqlite")

    def run_block(self, line: int, code: str) -> str:
        env = {k: v for k, v in os.environ.items() if k != "MEMEX_TOKEN"}
        env["MEMEX_URL"] = self.server.url
        env["PYTHONPATH"] = os.pathsep.join([str(CLIENT_DIR), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
        r = subprocess.run([sys.executable, "-W", "error::ResourceWarning", "-c", code], env=env, capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, f"README.md line {line} failed:\n{code}\n--- stderr:\n{r.stderr}")
        return r.stdout

    def test_every_python_block_runs(self) -> None:
        blocks = python_blocks()
        self.assertGreaterEqual(len(blocks), 8)
        outputs = {}
        for line, code in blocks:
            with self.subTest(line=line):
                outputs[line] = self.run_block(line, code)
        out = list(outputs.values())
        self.assertIn("10", out[-2].split())  # the asyncio example's total
        self.assertTrue(out[-1].startswith("invalid_input options.ttlMs"), out[-1])
