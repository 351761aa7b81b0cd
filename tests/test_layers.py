"""The pure layers import without AWS code: views, the planner, results and saved plans (design note 8)."""
from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import corsdeploy.render

PURE_MODULES = [
    "corsdeploy.plan",
    "corsdeploy.results",
    "corsdeploy.planfile",
    *(f"corsdeploy.render.{info.name}" for info in pkgutil.iter_modules(corsdeploy.render.__path__)),
]


def test_views_planner_results_and_saved_plans_import_no_boto3() -> None:
    program = (
        "import importlib, json, sys\n"
        f"for name in {PURE_MODULES!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []
    assert "corsdeploy.render.text" in PURE_MODULES and "corsdeploy.render.json_view" in PURE_MODULES
