"""Extraction quality: `karabakh-map evaluate` on a labelled folder.

Prints event recall, precision, place recall and date accuracy, per kind and per
report, and every miss and extra. Run: ``python benchmarks/extraction_quality.py
[FOLDER]`` (default: the development set in tests/data/devset). Analysts can point it
at their own labelled reports in the same format.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cli.main import main  # noqa: E402

if __name__ == "__main__":
    folder = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "tests" / "data" / "devset")
    raise SystemExit(main(["evaluate", folder, *sys.argv[2:]]))
