"""The safe template engine of Part 2, on its own, without HTTP."""

import pytest

from part2_crud.rendering import placeholders, render


class TestPlaceholders:
    def test_placeholders_are_listed_once_in_order_of_first_appearance(self) -> None:
        assert placeholders("{b} {a} {b} {c} {a}") == ["b", "a", "c"]

    def test_template_without_placeholders_has_none(self) -> None:
        assert placeholders("Just text.") == []

    def test_doubled_braces_are_not_placeholders(self) -> None:
        assert placeholders("{{a}} and {{ {b} }}") == ["b"]

    @pytest.mark.parametrize(
        "template",
        ["{0}", "{}", "{a.b}", "{a[0]}", "{x!r}", "{x:>10}", "{ x }", "{1x}", "{x"],
    )
    def test_anything_but_an_identifier_in_braces_is_not_a_placeholder(
        self, template: str
    ) -> None:
        assert placeholders(template) == []

    @pytest.mark.parametrize("name", ["x", "_", "snake_case", "CamelCase", "x2"])
    def test_identifiers_are_placeholders(self, name: str) -> None:
        assert placeholders(f"{{{name}}}") == [name]


class TestRender:
    def test_render_fills_every_placeholder(self) -> None:
        assert render("{a}+{b}={a}{b}", {"a": "1", "b": "2"}) == "1+2=12"

    @pytest.mark.parametrize(
        ("template", "text"),
        [("{{", "{"), ("}}", "}"), ("{{a}}", "{a}"), ("{{{a}}}", "{A}")],
    )
    def test_doubled_braces_become_single_braces(
        self, template: str, text: str
    ) -> None:
        assert render(template, {"a": "A"}) == text

    def test_values_are_not_rendered_again(self) -> None:
        assert render("{a}", {"a": "{b}", "b": "B"}) == "{b}"

    def test_values_with_format_syntax_are_inserted_verbatim(self) -> None:
        assert render("{a}", {"a": "{0.__class__} %s {{"}) == "{0.__class__} %s {{"

    def test_lone_braces_stay_as_they_are(self) -> None:
        assert render("} {a} {", {"a": "A"}) == "} A {"
