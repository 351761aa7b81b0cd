"""Create, in the sandbox only, the resources an environment names, so plan and apply have
something to work on. Each kind's seeder lives with the others of its family."""
from __future__ import annotations

from collections.abc import Callable

from corsdeploy.aws import Clients
from corsdeploy.model import Environment, Kind, Resource
from corsdeploy.sandbox.seed_apis import seed_function_url, seed_http_api
from corsdeploy.sandbox.seed_rest import seed_rest_api


def seed_s3_bucket(clients: Clients, resource: Resource) -> None:
    s3 = clients.client("s3")
    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    if resource.name in existing:
        return
    region = clients.region
    # S3 refuses a LocationConstraint of us-east-1 and requires one everywhere else.
    extra = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=resource.name, **extra)


SEEDERS: dict[Kind, Callable[[Clients, Resource], None]] = {
    Kind.S3_BUCKET: seed_s3_bucket,
    Kind.HTTP_API: seed_http_api,
    Kind.REST_API: seed_rest_api,
    Kind.FUNCTION_URL: seed_function_url,
}


def seed_environment(clients: Clients, environment: Environment,
                     on_ready: Callable[[str], None] | None = None) -> list[str]:
    """Create every resource the environment names that is missing; returns their addresses.
    `on_ready` hears each address as soon as its resource exists."""
    for resource in environment.resources:
        SEEDERS[resource.kind](clients, resource)
        if on_ready is not None:
            on_ready(resource.address)
    return [resource.address for resource in environment.resources]
