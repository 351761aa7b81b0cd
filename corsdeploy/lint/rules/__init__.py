"""The origin, credentials and S3 rules (CD1xx, CD2xx, CD4xx); helper "rules" fills ALL_RULES."""
from __future__ import annotations

from corsdeploy.lint.rule import Rule

ALL_RULES: tuple[type[Rule], ...] = ()
