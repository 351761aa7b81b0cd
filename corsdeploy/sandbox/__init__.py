"""The local sandbox: a moto server on loopback, and the resources an environment names."""
