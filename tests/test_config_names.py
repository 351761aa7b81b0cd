"""Resource names AWS would refuse: S3 bucket names and Lambda function names, at the key that names them."""
from __future__ import annotations

from pathlib import Path

import pytest

from corsdeploy.config import load_file
from tests.test_config_support import at, problems, where, write


def named(tmp_path: Path, section: str, name: str) -> Path:
    return write(tmp_path, "prod.yaml", f"{section}:\n  {name!r}:\n    cors: absent\n")


LETTERS = "only lowercase letters, digits, '.' and '-' are allowed"


@pytest.mark.parametrize(("name", "reason"), [
    ("a", "it must be 3 to 63 characters long"),
    ("b" * 64, "it must be 3 to 63 characters long"),
    ("Bad_Bucket", LETTERS),
    ("my bucket", LETTERS),
    ("-assets", "it must begin and end with a lowercase letter or a digit"),
    ("assets.", "it must begin and end with a lowercase letter or a digit"),
    ("my..assets", "it must not hold two adjacent periods"),
    ("192.168.5.4", "it must not be formatted as an IP address"),
    ("xn--assets", "the prefix 'xn--' is reserved by S3"),
    ("sthree-assets", "the prefix 'sthree-' is reserved by S3"),
    ("amzn-s3-demo-assets", "the prefix 'amzn-s3-demo-' is reserved by S3"),
    ("assets-s3alias", "the suffix '-s3alias' is reserved by S3"),
    ("assets--ol-s3", "the suffix '--ol-s3' is reserved by S3"),
    ("assets.mrap", "the suffix '.mrap' is reserved by S3"),
    ("assets--x-s3", "the suffix '--x-s3' is reserved by S3"),
    ("assets--table-s3", "the suffix '--table-s3' is reserved by S3"),
])
def test_bucket_names_s3_would_refuse(tmp_path: Path, name: str, reason: str) -> None:
    path = named(tmp_path, "s3_buckets", name)
    (found,) = problems(path)
    line, column = at(path, repr(name))
    assert str(found) == (f"{path}:{line}:{column}: s3_bucket.{name}: "
                          f"{name!r} is not an S3 bucket name: {reason}")


@pytest.mark.parametrize("name", [
    "abc", "b" * 63, "assets.example.com", "my-assets-2024", "1.2.3", "192.168.5.4a"])
def test_bucket_names_s3_accepts(tmp_path: Path, name: str) -> None:
    (bucket,) = load_file(named(tmp_path, "s3_buckets", name)).resources
    assert bucket.name == name


ONE_QUALIFIER = "write the function's name, or NAME:ALIAS for an alias"


@pytest.mark.parametrize(("name", "reason"), [
    ("fn:a:b", f"it has 2 qualifiers; {ONE_QUALIFIER}"),
    ("arn:aws:lambda:eu-west-1:123456789012:function:fn", f"it is an ARN; {ONE_QUALIFIER}"),
    ("my fn", "a function name is 1 to 64 letters, digits, '-' and '_'"),
    ("f" * 65, "a function name is 1 to 64 letters, digits, '-' and '_'"),
    (":live", "a function name is 1 to 64 letters, digits, '-' and '_'"),
    ("fn:", "an alias name is 1 to 128 letters, digits, '-' and '_'"),
    ("fn:$LATEST", "an alias name is 1 to 128 letters, digits, '-' and '_'"),
    ("fn:" + "a" * 129, "an alias name is 1 to 128 letters, digits, '-' and '_'"),
    ("fn:3", "'3' is a version; function URLs belong to the function or to an alias"),
])
def test_function_names_lambda_would_refuse(tmp_path: Path, name: str, reason: str) -> None:
    path = named(tmp_path, "function_urls", name)
    (found,) = problems(path)
    assert found.address is not None and found.address.startswith(f"function_url.{name[:10]}")
    assert where(found) == at(path, repr(name))
    shown = repr(name if len(name) <= 100 else name[:97] + "...")  # long names are cut in messages
    assert found.message == f"{shown} is not a function URL's function: {reason}"


@pytest.mark.parametrize("name", ["thumbnailer", "f" * 64, "my_fn-2", "fn:live", "fn:v2", "fn:" + "a" * 128])
def test_function_names_lambda_accepts(tmp_path: Path, name: str) -> None:
    (url,) = load_file(named(tmp_path, "function_urls", name)).resources
    assert url.name == name
