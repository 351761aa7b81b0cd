"""corsdeploy's acceptance suite against a real AWS account (opt-in; see README.md, "Acceptance tests")."""
