"""What AWS did for each UNCONFIRMED item, collected during a run and printed at its end, so the
output of one run settles them (assertion messages say it too when a hypothesis fails)."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Findings:
    """Observations in the order they were made, each under the test that made it."""

    entries: list[tuple[str, str]] = field(default_factory=list)

    def record(self, test: str, observation: str) -> str:
        """Keep an observation; returns it, for use in an assertion message."""
        self.entries.append((test, observation))
        return observation

    def report(self) -> list[str]:
        if not self.entries:
            return []
        lines = ["What AWS did (facts §7-8 UNCONFIRMED items), by test:"]
        lines += [f"  {test}: {observation}" for test, observation in self.entries]
        return lines
