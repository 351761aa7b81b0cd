"""The client factory: assumed roles that refresh, profile settings kept, no silent region, endpoints
resolved by botocore and shown, and failures that say their cause and their fix (facts §7.8)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError
from botocore.stub import Stubber
from moto import mock_aws

from corsdeploy.aws import Clients, assumed_role_credentials, translate
from corsdeploy.errors import CorsdeployError
from corsdeploy.model import AwsSettings
from corsdeploy.plan import Plan, Target
from corsdeploy.render.text import plan_header

ROLE = "arn:aws:iam::123456789012:role/corsdeploy"
START = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


def signing_credentials(client: Any) -> Any:
    return client._request_signer._credentials


def role_credentials(key: str, expires: datetime) -> dict[str, Any]:
    return {"Credentials": {"AccessKeyId": key, "SecretAccessKey": "secret" * 4, "SessionToken": "token" * 4,
                            "Expiration": expires}}


@pytest.fixture
def no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no instance-metadata lookups from tests


# --- assumed roles -----------------------------------------------------------------------------------

def test_assumed_role_credentials_are_renewed_before_they_expire() -> None:
    sts = boto3.client("sts", region_name="eu-west-1")
    now = [START]
    with Stubber(sts) as stubber:
        request = {"RoleArn": ROLE, "RoleSessionName": "corsdeploy"}
        for key, hours in (("ASIAFIRSTCREDENTIAL", 1), ("ASIASECONDCREDENTIAL", 2)):
            reply = role_credentials(key, START + timedelta(hours=hours))
            stubber.add_response("assume_role", reply, request)
        credentials = assumed_role_credentials(lambda: sts, ROLE, now=lambda: now[0])
        assert credentials.get_frozen_credentials().access_key == "ASIAFIRSTCREDENTIAL"
        now[0] = START + timedelta(minutes=30)
        assert credentials.get_frozen_credentials().access_key == "ASIAFIRSTCREDENTIAL"
        now[0] = START + timedelta(minutes=61)  # a long throttled apply outlived the first hour
        assert credentials.get_frozen_credentials().access_key == "ASIASECONDCREDENTIAL"
        stubber.assert_no_pending_responses()


def test_clients_assume_the_role_with_refreshable_credentials() -> None:
    with mock_aws():
        clients = Clients(AwsSettings(region="eu-west-1", assume_role=ROLE))
        assert ":assumed-role/corsdeploy/corsdeploy" in clients.identity().arn
        assert signing_credentials(clients.client("s3")).method == "assume-role"
        assert signing_credentials(clients.client("s3")).refresh_needed() is False


def test_the_profiles_settings_carry_over_to_the_assumed_session(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config"
    config.write_text("[profile deployer]\nregion = ap-southeast-2\nendpoint_url = http://127.0.0.1:9\n"
                      "aws_access_key_id = AKIAPROFILEKEY000000\naws_secret_access_key = profile-secret\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    clients = Clients(AwsSettings(profile="deployer", assume_role=ROLE))
    assert clients.region == "ap-southeast-2"
    s3 = clients.client("s3")
    assert s3.meta.region_name == "ap-southeast-2"
    assert s3.meta.endpoint_url == "http://127.0.0.1:9"
    assert signing_credentials(s3).method == "assume-role"


# --- region ------------------------------------------------------------------------------------------

def test_no_region_is_an_error_that_says_how_to_set_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    clients = Clients(AwsSettings())
    with pytest.raises(CorsdeployError, match=r"no AWS region: set aws\.region .* AWS_REGION"):
        _ = clients.region
    with pytest.raises(CorsdeployError, match="no AWS region"):
        clients.client("s3")


def test_the_files_region_wins_over_the_environment() -> None:
    assert Clients(AwsSettings(region="eu-central-1")).client("s3").meta.region_name == "eu-central-1"


# --- endpoints ---------------------------------------------------------------------------------------

def test_botocore_resolves_the_endpoint_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:4999")
    clients = Clients(AwsSettings(region="eu-west-1"))
    assert clients.client("s3").meta.endpoint_url == "http://127.0.0.1:4999"
    assert clients.client("apigateway").meta.endpoint_url == "http://127.0.0.1:4566"
    assert clients.endpoints() == (("apigateway", "http://127.0.0.1:4566"), ("s3", "http://127.0.0.1:4999"))


def test_configured_endpoints_can_be_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    monkeypatch.setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")
    clients = Clients(AwsSettings(region="eu-west-1"))
    assert clients.client("apigateway").meta.endpoint_url == "https://apigateway.eu-west-1.amazonaws.com"


def test_the_files_endpoint_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:4999")
    clients = Clients(AwsSettings(region="eu-west-1", endpoint_url="http://127.0.0.1:4566"))
    assert clients.client("s3").meta.endpoint_url == "http://127.0.0.1:4566"


def test_the_plan_header_names_each_endpoint_and_the_services_using_it() -> None:
    target = Target("123456789012", "eu-west-1", (
        ("apigateway", "https://apigateway.eu-west-1.amazonaws.com"), ("s3", "http://127.0.0.1:4566"),
        ("sts", "http://127.0.0.1:4566")))
    assert plan_header(Plan("prod", (), target)) == (
        "corsdeploy plan: environment prod, account 123456789012, region eu-west-1, "
        "endpoint http://127.0.0.1:4566 (s3, sts), "
        "endpoint https://apigateway.eu-west-1.amazonaws.com (apigateway)")


# --- credentials -------------------------------------------------------------------------------------

@pytest.mark.usefixtures("no_credentials")
@pytest.mark.parametrize("variable", ["", "AWS_ENDPOINT_URL"])
def test_a_loopback_endpoint_without_credentials_gets_the_sandboxs(
        variable: str, monkeypatch: pytest.MonkeyPatch) -> None:
    url = "http://127.0.0.1:4566"
    if variable:
        monkeypatch.setenv(variable, url)
    clients = Clients(AwsSettings(region="eu-west-1", endpoint_url=None if variable else url))
    assert signing_credentials(clients.client("s3")).access_key == "testing"


def test_given_credentials_are_used() -> None:
    clients = Clients(AwsSettings(region="eu-west-1", endpoint_url="http://127.0.0.1:4566"),
                      credentials={"aws_access_key_id": "AKIAGIVEN", "aws_secret_access_key": "given"})
    assert signing_credentials(clients.client("s3")).access_key == "AKIAGIVEN"


@pytest.mark.usefixtures("no_credentials")
def test_no_credentials_says_where_to_set_them() -> None:
    with pytest.raises(CorsdeployError) as raised:
        Clients(AwsSettings(region="eu-west-1")).identity()
    message = str(raised.value)
    assert "no AWS credentials found: set AWS_PROFILE or aws.profile, or AWS_ACCESS_KEY_ID" in message
    assert "corsdeploy sandbox up" in message


@pytest.mark.parametrize(("profile", "variable"), [("nope", None), (None, "nope")])
def test_an_unknown_profile_is_named_with_where_it_came_from(
        profile: str | None, variable: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    if variable:
        monkeypatch.setenv("AWS_PROFILE", variable)
    with pytest.raises(CorsdeployError) as raised:
        _ = Clients(AwsSettings(profile=profile)).region
    where = "aws.profile" if profile else "AWS_PROFILE"
    assert str(raised.value).startswith(f"{where}: no AWS profile named 'nope'")
    assert "aws configure --profile nope" in str(raised.value)


def test_a_loopback_endpoint_that_refuses_says_to_start_the_sandbox() -> None:
    error = translate(EndpointConnectionError(endpoint_url="http://127.0.0.1:4566/"), "sts:GetCallerIdentity")
    hint = "nothing answers at http://127.0.0.1:4566: for the local sandbox, run `corsdeploy sandbox up`"
    assert hint in str(error)


def test_an_unreachable_aws_endpoint_says_what_to_check() -> None:
    url = "https://sts.eu-west-1.amazonaws.com/"
    error = translate(EndpointConnectionError(endpoint_url=url), "sts:GetCallerIdentity")
    assert "cannot reach https://sts.eu-west-1.amazonaws.com: check the network connection" in str(error)
    assert "sandbox" not in str(error)


def test_expired_credentials_say_to_renew_them() -> None:
    expired = ClientError({"Error": {"Code": "ExpiredToken", "Message": "The security token included in the "
                                     "request is expired"}}, "GetCallerIdentity")
    error = translate(expired, "sts:GetCallerIdentity")
    assert error.code == "ExpiredToken"
    assert "the AWS credentials have expired: renew them" in str(error)


def test_translated_errors_keep_botocores_class_as_their_code() -> None:
    assert translate(NoCredentialsError(), "s3:GetBucketCors").code == "NoCredentialsError"


@pytest.mark.parametrize(("url", "loopback"), [
    ("http://127.0.0.1:4566", True), ("http://localhost:4566", True), ("http://[::1]:4566", True),
    ("https://127.0.0.1.nip.io", False), ("http://127.evil.example", False),
    ("https://s3.eu-west-1.amazonaws.com", False),
])
def test_loopback_is_decided_on_the_literal_host(url: str, loopback: bool) -> None:
    """The sandbox's fake credentials go only to a literal loopback host, never to a look-alike name."""
    from corsdeploy.aws import is_loopback_url

    assert is_loopback_url(url) is loopback


def test_the_sessions_own_credentials_are_redacted_wherever_they_are_printed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An assumed role's and a profile's credentials are never in the environment: the client
    factory registers them with the output edge as soon as it has them."""
    from corsdeploy.render.edge import redact

    sts = boto3.client("sts", region_name="eu-west-1")
    with Stubber(sts) as stubber:
        reply = role_credentials("ASIAROLECREDENTIAL00", START + timedelta(hours=1))
        stubber.add_response("assume_role", reply, {"RoleArn": ROLE, "RoleSessionName": "corsdeploy"})
        assumed_role_credentials(lambda: sts, ROLE, now=lambda: START).get_frozen_credentials()
    role_secret = reply["Credentials"]["SecretAccessKey"]
    assert role_secret not in redact(f"endpoint said: {role_secret}")

    config = tmp_path / "config"
    config.write_text("[profile deployer]\nregion = eu-west-1\naws_access_key_id = AKIAPROFILEKEY000000\n"
                      "aws_secret_access_key = profile-secret-value-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    Clients(AwsSettings(profile="deployer")).client("s3")
    assert "profile-secret-value-1" not in redact("echo: profile-secret-value-1")
