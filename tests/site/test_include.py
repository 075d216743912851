"""The MkDocs hook that includes Python code by name (docs/hooks/include.py)."""

import ast
import importlib.util
import textwrap
from types import ModuleType, SimpleNamespace

import pytest
from mkdocs.exceptions import PluginError

from tests.serving import ROOT


def load_hook() -> ModuleType:
    path = ROOT / "docs" / "hooks" / "include.py"
    spec = importlib.util.spec_from_file_location("include", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hook = load_hook()


def build_page(markdown: str) -> str:
    config = SimpleNamespace(config_file_path=str(ROOT / "mkdocs.yml"))
    page = SimpleNamespace(file=SimpleNamespace(src_path="part3.md"))
    result: str = hook.on_page_markdown(markdown, page=page, config=config)
    return result


def test_a_name_the_file_does_not_define_fails_the_build() -> None:
    page = '```python\n--8<-- "part3_sqlite/main.py:no_such_function"\n```\n'
    error = r"part3\.md: part3_sqlite/main\.py has no 'no_such_function'"
    with pytest.raises(PluginError, match=error):
        build_page(page)


def test_an_include_becomes_the_definition_indented_like_the_line() -> None:
    page = build_page('    --8<-- "part3_sqlite/main.py:create_prompt"\n')
    code = textwrap.dedent(page)
    assert all(line.startswith("    ") for line in page.splitlines() if line)
    # Exactly the file's text, decorator first, and nothing around it.
    assert code in (ROOT / "part3_sqlite" / "main.py").read_text()
    assert code.startswith("@app.post(\n")
    [definition] = ast.parse(code).body
    assert isinstance(definition, ast.FunctionDef)
    assert definition.name == "create_prompt"
