"""The sandbox's emulator: moto's server, corrected where moto answers unlike AWS in a way a
corsdeploy user would see (facts §7). Run as `python -m corsdeploy.sandbox.emulator -H HOST -p PORT`.

Only documented AWS behaviour is added here, each with its source; everything else is moto's. S3's
answers to browsers come from the simulator (`corsdeploy.sandbox.cors_layer`, design note 6).
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


def answer_browsers_like_s3() -> None:
    """moto's S3 answers browsers unlike S3 (facts §7, design note 6): put the layer that answers
    them through the simulator in front of moto's dispatcher, which moto's `main` builds."""
    import moto.server
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    from corsdeploy.sandbox.cors_layer import S3CorsLayer

    def layered(create_app: Any) -> S3CorsLayer:
        return S3CorsLayer(DomainDispatcherApplication(create_app))

    moto.server.DomainDispatcherApplication = layered  # type: ignore[attr-defined,assignment]


def main(argv: Sequence[str] | None = None) -> None:
    clear_function_url_cors_on_empty()
    answer_browsers_like_s3()
    from moto.server import main as moto_main

    moto_main(list(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    main()
