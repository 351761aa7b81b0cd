"""`corsdeploy probe`: real preflight and actual requests to deployed endpoints, compared with what
`check` predicts. Request derivation, addresses and comparison are pure; only `send` talks HTTP."""
