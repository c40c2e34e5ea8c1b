"""YAML as Pulumi config and waiver files mean it: a date stays the text the user wrote.

PyYAML turns an unquoted `2027-03-31` into a `datetime.date`, which is not JSON and would reach
the Rego as something else than the `YYYY-MM-DD` string the waiver rules compare.
"""

from __future__ import annotations

from typing import Any

import yaml


class _Loader(yaml.SafeLoader):
    pass


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load(text: str) -> Any:
    return yaml.load(text, Loader=_Loader)
