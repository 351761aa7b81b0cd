"""The local sandbox: a moto server on loopback, and the resources an environment names."""

# moto has no data plane for API Gateway or Lambda function URLs: the sandbox answers their invoke
# hosts with 501 and this header, so that `probe` reports them as not probed rather than report
# moto's unrelated answers as disagreements.
NOT_SERVED_HEADER = "X-Corsdeploy-Sandbox"
NOT_SERVED = "no-data-plane"
