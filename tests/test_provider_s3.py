"""The S3 provider against moto (in-process), plus Stubber for what moto cannot show."""
from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from corsdeploy.aws import Clients
from corsdeploy.errors import AwsError, PlanError
from corsdeploy.model import AwsSettings, Kind, Live, Location, Resource
from corsdeploy.providers.s3 import S3Provider
from corsdeploy.services.s3 import SERVICE
from corsdeploy.shapes import rules_from_s3

RULES = [{"AllowedOrigins": ["https://app.example"], "AllowedMethods": ["GET", "PUT"],
          "AllowedHeaders": ["Content-Type"], "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 300,
          "ID": "upload"}]


def bucket(name: str = "assets", rules=RULES) -> Resource:
    return Resource(Kind.S3_BUCKET, name, rules_from_s3(rules) if rules else None, Location("e.yaml", 1, 1))


@pytest.fixture
def provider() -> Iterator[S3Provider]:
    with mock_aws():
        boto3.client("s3", region_name="eu-west-1").create_bucket(
            Bucket="assets", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        yield S3Provider(Clients(AwsSettings(region="eu-west-1")))


def test_no_configuration_reads_as_none(provider: S3Provider) -> None:
    assert provider.read(bucket()).wire is None


def test_write_then_read_round_trips_verbatim(provider: S3Provider) -> None:
    resource = bucket()
    desired = SERVICE.desired(resource, Live(resource.address, None))
    provider.write(resource, Live(resource.address, None), desired)
    live = provider.read(resource)
    assert live.wire == {"CORSRules": RULES}
    assert SERVICE.normalize(live.wire) == SERVICE.normalize(desired)


def test_delete_removes_the_configuration_and_is_idempotent(provider: S3Provider) -> None:
    resource = bucket()
    provider.write(resource, Live(resource.address, None), {"CORSRules": RULES})
    provider.write(resource, Live(resource.address, None), None)
    assert provider.read(resource).wire is None
    provider.write(resource, Live(resource.address, None), None)


def test_missing_bucket_is_a_plan_error_naming_it(provider: S3Provider) -> None:
    with pytest.raises(PlanError) as raised:
        provider.read(bucket("no-such-bucket"))
    (problem,) = raised.value.problems
    assert problem.address == "s3_bucket.no-such-bucket"
    assert "'no-such-bucket' does not exist" in problem.message
    assert "does not create buckets" in problem.message


def test_expected_bucket_owner_is_sent_when_the_account_is_pinned() -> None:
    clients = Clients(AwsSettings(region="eu-west-1", account_id="123456789012"))
    s3 = clients.client("s3")
    with Stubber(clients.client("sts")) as sts, Stubber(s3) as stub:
        # The account guard asks first.
        sts.add_response("get_caller_identity", {"Account": "123456789012",
                                                 "Arn": "arn:aws:iam::123456789012:user/deployer"})
        stub.add_response("get_bucket_cors", {"CORSRules": RULES},
                          {"Bucket": "assets", "ExpectedBucketOwner": "123456789012"})
        assert S3Provider(clients).read(bucket()).wire == {"CORSRules": RULES}


def test_bucket_in_another_region_is_followed_there() -> None:
    """S3 refuses a call sent to the wrong region and names the bucket's region; moto does not
    redirect across regions, so this path is shown with botocore's Stubber."""
    clients = Clients(AwsSettings(region="eu-west-1"))
    home, elsewhere = clients.client("s3"), clients.client("s3", "ap-southeast-2")
    provider = S3Provider(clients)
    with Stubber(home) as home_stub, Stubber(elsewhere) as other_stub:
        home_stub.add_client_error(
            "get_bucket_cors", service_error_code="PermanentRedirect", http_status_code=301,
            response_meta={"HTTPHeaders": {"x-amz-bucket-region": "ap-southeast-2"}})
        other_stub.add_response("get_bucket_cors", {"CORSRules": RULES}, {"Bucket": "assets"})
        other_stub.add_client_error("get_bucket_tagging", "NoSuchTagSet", http_status_code=404,
                                    expected_params={"Bucket": "assets"})
        other_stub.add_response("put_bucket_cors", {},
                                {"Bucket": "assets", "CORSConfiguration": {"CORSRules": RULES}})
        assert provider.read(bucket()).wire == {"CORSRules": RULES}
        # The region is remembered: the tag check and the write go straight to the bucket's region.
        provider.write(bucket(), Live("s3_bucket.assets", None), {"CORSRules": RULES})
        other_stub.assert_no_pending_responses()


def test_other_errors_are_translated_with_the_action() -> None:
    clients = Clients(AwsSettings(region="eu-west-1"))
    with Stubber(clients.client("s3")) as stub:
        stub.add_client_error("get_bucket_cors", service_error_code="AccessDenied", http_status_code=403)
        with pytest.raises(AwsError) as raised:
            S3Provider(clients).read(bucket())
    assert raised.value.code == "AccessDenied"
    assert "s3:GetBucketCORS" in str(raised.value)


def test_access_denied_names_the_missing_action(moto_server_no_auth_actions) -> None:
    """On a moto server that enforces IAM (INITIAL_NO_AUTH_ACTION_COUNT=0), a deployer allowed only
    to write gets AccessDenied on the read, and the error names the permission it lacks."""
    server = moto_server_no_auth_actions
    server.allow_unauthenticated(4)
    iam = boto3.client("iam", endpoint_url=server.url, region_name="us-east-1")
    iam.create_user(UserName="deployer")
    iam.put_user_policy(UserName="deployer", PolicyName="write-only", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:PutBucketCORS", "Resource": "*"}]}))
    key = iam.create_access_key(UserName="deployer")["AccessKey"]
    boto3.client("s3", endpoint_url=server.url, region_name="eu-west-1").create_bucket(
        Bucket="assets", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    clients = Clients(AwsSettings(region="eu-west-1", endpoint_url=server.url), credentials={
        "aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]})
    with pytest.raises(AwsError) as raised:
        S3Provider(clients).read(bucket())
    assert raised.value.code == "AccessDenied"
    assert raised.value.problems[0].address == "s3_bucket.assets"
    assert "needs permission s3:GetBucketCORS" in str(raised.value)


def test_declares_the_iam_actions_it_uses() -> None:
    actions = {op.name: (op.action, op.phase.value) for op in S3Provider.operations}
    # DeleteBucketCors is authorised by s3:PutBucketCORS.
    assert actions == {"GetBucketCors": ("s3:GetBucketCORS", "plan"),
                       "PutBucketCors": ("s3:PutBucketCORS", "apply"),
                       "DeleteBucketCors": ("s3:PutBucketCORS", "apply"),
                       "GetBucketTagging": ("s3:GetBucketTagging", "apply")}



@pytest.mark.parametrize("account_id", [None, "123456789012"])
def test_access_denied_names_the_bucket_owner_causes(account_id: str | None) -> None:
    """S3 answers AccessDenied, not NoSuchBucket, for another account's bucket and for an
    ExpectedBucketOwner mismatch (facts §7.6): the message says so beside the permission."""
    clients = Clients(AwsSettings(region="eu-west-1", account_id=account_id))
    with Stubber(clients.client("sts")) as sts, Stubber(clients.client("s3")) as stub:
        if account_id:  # the account guard asks first
            sts.add_response("get_caller_identity", {"Account": account_id, "Arn": "arn:aws:iam::1:user/d"})
        stub.add_client_error("get_bucket_tagging", service_error_code="NoSuchTagSet", http_status_code=404)
        stub.add_client_error("put_bucket_cors", service_error_code="AccessDenied",
                              service_message="Access Denied", http_status_code=403)
        with pytest.raises(AwsError) as raised:
            S3Provider(clients).write(bucket(), Live("s3_bucket.assets", None), {"CORSRules": RULES})
    message = str(raised.value)
    assert raised.value.code == "AccessDenied"
    assert "needs permission s3:PutBucketCORS" in message
    assert "bucket 'assets' belongs to another account" in message
    assert ("its owner is not account 123456789012 (aws.account_id, sent as ExpectedBucketOwner)"
            in message) == bool(account_id)
