"""How fast does `plan` read live state? Prints numbers and ratios; asserts nothing.

Runs against benchmarks/fake_aws.py (a moto server that adds per-request latency, like a remote
API) with N buckets, and compares, in the same process, a sequential read (the baseline:
one call after another) with corsdeploy's parallel read. Also counts API calls per resource.

usage: python benchmarks/bench_plan.py [BUCKETS] [LATENCY_MS]
"""
from __future__ import annotations

import argparse
import os
import time

import boto3
from fake_aws import control, start

from corsdeploy.aws import Clients
from corsdeploy.live import providers_for, read_live
from corsdeploy.model import DEFAULT_PARALLELISM, AwsSettings, Kind, Location, Resource
from corsdeploy.plan import make_plan
from corsdeploy.shapes import rules_from_s3

RULES = [{"AllowedOrigins": ["https://app.example.com"], "AllowedMethods": ["GET", "PUT"]}]


def timed_plan(resources: list[Resource], url: str, workers: int) -> tuple[float, int]:
    control(url, "/__stats/reset", "POST")
    clients = Clients(AwsSettings(region="eu-west-1", endpoint_url=url))
    started = time.perf_counter()
    lives = read_live(resources, providers_for(resources, clients), workers=workers)
    make_plan("bench", resources, lives)
    elapsed = time.perf_counter() - started
    calls = sum(control(url, "/__stats")["calls"].values())
    return elapsed, calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("buckets", type=int, nargs="?", default=100)
    parser.add_argument("latency_ms", type=int, nargs="?", default=50, help="per call (default 50)")
    args = parser.parse_args()
    buckets, latency = args.buckets, args.latency_ms
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    server, url = start(latency)
    try:
        s3 = boto3.client("s3", endpoint_url=url, region_name="eu-west-1")
        resources = []
        for index in range(buckets):
            name = f"bench-{index:04d}"
            s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
            if index % 2:
                s3.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": RULES})
            resources.append(Resource(Kind.S3_BUCKET, name, rules_from_s3(RULES), Location("bench", 1, 1)))
        timed_plan(resources[:2], url, 2)  # warm up clients and connections
        baseline, baseline_calls = timed_plan(resources, url, 1)
        parallel, calls = timed_plan(resources, url, DEFAULT_PARALLELISM)
    finally:
        server.terminate()
    print(f"plan of {buckets} S3 buckets, {latency} ms per request")
    print(f"  sequential baseline: {baseline:6.2f} s  "
          f"({baseline_calls / buckets:.2f} API calls per resource)")
    print(f"  corsdeploy parallel: {parallel:6.2f} s  ({calls / buckets:.2f} API calls per resource, "
          f"{DEFAULT_PARALLELISM} workers)")
    print(f"  speed-up: {baseline / parallel:.1f}x")


if __name__ == "__main__":
    main()
