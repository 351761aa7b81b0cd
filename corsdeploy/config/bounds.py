"""How much work one environment file may ask for: every input ends quickly, in a model or an error.

Environment files may come from untrusted pull requests; these bounds keep `validate` and `plan`
within seconds and well under 1 GiB whatever a file holds. Each is far above what a real file needs.
"""
from __future__ import annotations

# Bytes in one file (extends chains are bounded too: each file is read at most once per chain).
MAX_FILE_BYTES = 1024 * 1024
# YAML nodes once aliases are expanded: 10,000 resources take about 110,000; composing is in Python,
# so a 1 MiB file of 500,000 one-letter values would take longer than "seconds".
MAX_EXPANDED_NODES = 200_000
# Aliases (*name) in one file: composing one is cheap, but no real file needs this many.
MAX_ALIASES = 10_000
# Levels of nested lists and mappings.
MAX_DEPTH = 64
# Characters one variable may expand to, and all substituted text of a file together.
MAX_VARIABLE_CHARACTERS = 64 * 1024
MAX_SUBSTITUTED_CHARACTERS = 8 * 1024 * 1024
# Did-you-mean hints compare a name against at most this many candidates, only short names, and
# only so many times per check: difflib's work grows with each, and a file can misspell thousands.
MAX_HINT_CANDIDATES = 200
MAX_HINT_NAME_LENGTH = 100
MAX_HINTS = 100
