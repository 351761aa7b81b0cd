"""The sandbox's emulator: moto's server, corrected where moto answers unlike AWS in a way a
corsdeploy user would see (facts §7). Run as `python -m corsdeploy.sandbox.emulator -H HOST -p PORT`.

Only documented AWS behaviour is added here, each with its source; everything else is moto's.
"""
from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any


def clear_function_url_cors_on_empty() -> None:
    """AWS clears a function URL's CORS on `UpdateFunctionUrlConfig(Cors={})` and then omits `Cors`
    from reads (facts §7.7); moto 5 ignores an empty `Cors` and keeps the old one."""
    from moto.awslambda.models import FunctionUrlConfig

    moto_update = FunctionUrlConfig.update

    def update(self: Any, new_config: dict[str, Any]) -> None:
        moto_update(self, new_config)
        if "Cors" in new_config and not new_config["Cors"]:
            self.config.pop("Cors", None)

    FunctionUrlConfig.update = update  # type: ignore[method-assign]


def main(argv: Sequence[str] | None = None) -> None:
    clear_function_url_cors_on_empty()
    from moto.server import main as moto_main

    moto_main(list(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    main()
