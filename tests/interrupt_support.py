"""A real `corsdeploy` process whose S3 writes are slow, for sending it signals mid-apply."""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

# How long each S3 write waits before it is sent: long enough for a signal to land mid-run.
WRITE_DELAY_SECONDS = float(os.environ.get("CORSDEPLOY_TEST_WRITE_DELAY", "0.4"))


def slow_apply() -> None:
    """`corsdeploy ARGS...` (sys.argv[2:]) in which every S3 write first notes, in the folder
    sys.argv[1], that it started and whether its backup was already on disk, then waits a while."""
    from corsdeploy.cli import main
    from corsdeploy.model import Resource
    from corsdeploy.providers.s3 import S3Provider
    from corsdeploy.state import file_name_for

    notes = Path(sys.argv[1])
    write = S3Provider.write

    def slow(self: S3Provider, resource: Resource, *args: Any) -> None:
        backed_up = any(Path(".corsdeploy/backups").glob(f"*/{file_name_for(resource.address)}.json"))
        (notes / resource.name).write_text("backed-up" if backed_up else "no backup")
        time.sleep(WRITE_DELAY_SECONDS)
        write(self, resource, *args)

    S3Provider.write = slow  # type: ignore[method-assign]
    main(sys.argv[2:])
