"""Every benchmark script still loads: `make benchmark` is not run by CI, and a renamed import broke
bench_rest_apply.py unnoticed once."""
from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

SCRIPTS = sorted((ROOT / "benchmarks").glob("*.py"))


@pytest.mark.parametrize("script", [s for s in SCRIPTS if s.name != "__init__.py"], ids=lambda s: s.name)
def test_a_benchmark_script_loads(script: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The scripts import their neighbours as top-level modules (python benchmarks/NAME.py).
    monkeypatch.syspath_prepend(str(script.parent))
    monkeypatch.setattr(sys, "argv", [str(script), "--help"])
    with pytest.raises(SystemExit) as ended:
        runpy.run_path(str(script), run_name="__main__")
    assert ended.value.code == 0
