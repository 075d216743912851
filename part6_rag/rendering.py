"""A tiny, safe template engine for prompts.

`{name}` is a placeholder, `{{` and `}}` are literal braces, and everything
else is plain text. Unlike `str.format`, nothing is ever evaluated: no
attribute access, no indexing, no format specs.
"""

import re

# One alternation, scanned left to right: an escaped brace, or a placeholder
# whose name is an identifier (a letter or underscore, then word characters).
TOKEN = re.compile(r"\{\{|\}\}|\{([^\W\d]\w*)\}")


def placeholders(template: str) -> list[str]:
    """The distinct placeholder names in a template, in order of appearance."""
    names = (match.group(1) for match in TOKEN.finditer(template))
    return list(dict.fromkeys(name for name in names if name))


def render(template: str, variables: dict[str, str]) -> str:
    """Fill every placeholder; the caller checks that none is missing."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:
            return match.group(0)[0]  # "{{" -> "{", "}}" -> "}"
        return variables[name]

    return TOKEN.sub(replace, template)
