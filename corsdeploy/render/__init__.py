"""Views of plans and apply results; no logic beyond presentation."""
