"""The CD1xx (origins), CD2xx (credentials and methods) and CD4xx (S3 rule lists, caching, REST) rules.

The lint registry combines `ALL_RULES` with CD001 and the plan-warning rules (CD3xx).
"""
from __future__ import annotations

from corsdeploy.lint.rule import Rule
from corsdeploy.lint.rules.caching import CACHING_RULES
from corsdeploy.lint.rules.credentials import CREDENTIAL_RULES
from corsdeploy.lint.rules.origins import ORIGIN_RULES
from corsdeploy.lint.rules.rest import REST_RULES
from corsdeploy.lint.rules.s3 import S3_RULES

ALL_RULES: tuple[type[Rule], ...] = (*ORIGIN_RULES, *CREDENTIAL_RULES, *S3_RULES, *CACHING_RULES, *REST_RULES)

__all__ = ["ALL_RULES"]
