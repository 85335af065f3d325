"""The htmx conventions, checked on the source of the shop and back-office faces.

* Every fragment a view renders alone is part of a full page (through the templates'
  include / extends / import graph, read with the Jinja parser): without JavaScript the
  page carries the same markup.
* Every ``HX-Trigger`` event a view sends has an ``hx-trigger`` listening for it.
"""
from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest
from jinja2 import nodes

ROOT = Path(__file__).resolve().parents[2]
FACES = [ROOT / "app" / "shop", ROOT / "app" / "backoffice"]

# Fragments no page includes, each with its reason. Each is a thin wrapper: whatever it
# pulls in from other templates is on the page the no-JS path shows.
HTMX_ONLY = {
    "shop/_added.html": "the add-to-cart confirmation; without JavaScript the same words are a flash message "
                        "on the cart page the 303 leads to",
    "backoffice/inventory/_adjust_row.html": "the stock grid's row in edit mode around _adjust_form.html; "
                                             "without JavaScript that form is the adjust page",
}


# --- the views' side: which templates each face renders, and how -----------------------------

def _module_strings(tree: ast.Module) -> dict[str, ast.expr]:
    """Module-level ``NAME = <expr>`` assignments (template names kept in constants)."""
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            found[node.targets[0].id] = node.value
    return found


def _template_names(expr: ast.expr, constants: dict[str, ast.expr], where: str) -> list[str]:
    """The template names an argument can take: its literals and those of the module constants it reads
    (``PAGE``, ``FRAGMENTS[section]``)."""
    parts = [expr, *(constants[n.id] for n in ast.walk(expr) if isinstance(n, ast.Name) and n.id in constants)]
    found = [n for part in parts for n in ast.walk(part)]
    names = [n.value for n in found if isinstance(n, ast.Constant) and isinstance(n.value, str)
             and n.value.endswith(".html")]
    assert names and not any(isinstance(n, ast.JoinedStr) for n in found), (
        f"{where}: name the template with literals (or module constants holding them), so it can be checked")
    return names


@cache
def rendered() -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
    """([(page, fragment, where)] of ``render()``, [(fragment, where)] of ``render_fragment()``)."""
    pairs, alone = [], []
    for folder in FACES:
        for path in sorted(folder.rglob("*.py")):
            tree = ast.parse(path.read_text(), str(path))
            constants = _module_strings(tree)
            for call in ast.walk(tree):
                if not isinstance(call, ast.Call):
                    continue
                name = getattr(call.func, "id", getattr(call.func, "attr", None))
                where = f"{path.relative_to(ROOT)}:{call.lineno}"
                if name == "render":
                    assert len(call.args) == 2, f"{where}: render(page, fragment, ...)"
                    for page in _template_names(call.args[0], constants, where):
                        pairs += [(page, fragment, where)
                                  for fragment in _template_names(call.args[1], constants, where)]
                elif name == "render_fragment":
                    alone += [(fragment, where) for fragment in _template_names(call.args[0], constants, where)]
    return pairs, alone


# --- the templates' side: what each template pulls in -------------------------------------

@pytest.fixture(scope="module")
def graph(app):
    env = app.jinja_env
    edges: dict[str, set[str]] = {}
    for name in env.list_templates(extensions=["html"]):
        source, _filename, _uptodate = env.loader.get_source(env, name)
        uses = set()
        for node in env.parse(source).find_all((nodes.Include, nodes.Extends, nodes.Import, nodes.FromImport)):
            # A literal, or literals in a conditional (errors/403.html picks its layout): an edge to each.
            targets = [node.template] if isinstance(node.template, nodes.Const) else list(
                node.template.find_all(nodes.Const))
            assert targets and all(isinstance(t.value, str) for t in targets), (
                f"{name}: a template named by a computed expression cannot be checked")
            uses.update(t.value for t in targets)
        edges[name] = uses
    return edges


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += graph.get(name, ())
    return seen


def pages(graph: dict[str, set[str]]) -> list[str]:
    """Full pages: templates that extend a layout."""
    return [name for name in graph if not name.startswith("layouts/")
            and any(used.startswith("layouts/") for used in reachable(graph, name))]


def test_the_faces_render_fragments_both_ways():
    pairs, alone = rendered()
    assert ("shop/listing.html", "shop/_listing.html") in {(p, f) for p, f, _ in pairs}
    assert "shop/_cart.html" in {f for f, _ in alone}


def _carried_by(graph, fragment: str, page: str) -> bool:
    """``page`` shows ``fragment``'s markup: it includes it, or it includes all a listed wrapper pulls in."""
    on_page = reachable(graph, page)
    return fragment in on_page or (fragment in HTMX_ONLY and graph[fragment] <= on_page)


def test_every_page_includes_the_fragment_it_answers_htmx_with(graph):
    pairs, _alone = rendered()
    for page, fragment, where in pairs:
        assert page in graph and fragment in graph, f"{where}: unknown template"
        assert page in pages(graph), f"{where}: {page} is not a full page"
        assert page != fragment, f"{where}: a page without a fragment is plain render_template"
        assert _carried_by(graph, fragment, page), f"{where}: {page} does not include {fragment}"


def test_every_htmx_only_fragment_is_part_of_some_page(graph):
    _pairs, alone = rendered()
    full_pages = pages(graph)
    for fragment, where in alone:
        assert fragment in graph, f"{where}: unknown template {fragment}"
        assert any(_carried_by(graph, fragment, page) for page in full_pages), (
            f"{where}: no page includes {fragment}, so the no-JS path shows other markup")


def test_the_wrappers_no_page_includes_are_still_what_the_list_says(graph):
    pairs, alone = rendered()
    fragments = {f for f, _ in alone} | {f for _p, f, _w in pairs}
    for fragment in HTMX_ONLY:
        assert fragment in fragments, f"{fragment}: no view renders it any more, drop it from HTMX_ONLY"
        including = [page for page in pages(graph) if fragment in reachable(graph, page)]
        assert not including, f"{fragment} is now part of {including}: drop it from HTMX_ONLY"
        assert graph[fragment], f"{fragment} pulls in nothing a page shows: it is not a wrapper"


# --- HX-Trigger events and their listeners --------------------------------------------------

def sent_events() -> dict[str, str]:
    """{event: where} for every HX-Trigger header set in app/."""
    events = {}
    for path in sorted((ROOT / "app").rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            values = []
            if isinstance(node, ast.Assign):
                values = [node.value for t in node.targets if isinstance(t, ast.Subscript)
                          and isinstance(t.slice, ast.Constant) and str(t.slice.value).startswith("HX-Trigger")]
            elif isinstance(node, ast.Dict):
                values = [v for k, v in zip(node.keys, node.values, strict=True)
                          if isinstance(k, ast.Constant) and str(k.value).startswith("HX-Trigger")]
            for value in values:
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                assert isinstance(value, ast.Constant) and isinstance(value.value, str), (
                    f"{where}: send a literal event name, so its listener can be checked")
                events.update({name.strip(): where for name in value.value.split(",")})
    return events


def listened_events(app) -> set[str]:
    """Event names in every hx-trigger of the templates, and in listeners of our own scripts."""
    env, names = app.jinja_env, set()
    for template in env.list_templates(extensions=["html"]):
        source = env.loader.get_source(env, template)[0]
        for spec in re.findall(r'hx-trigger="([^"]*)"', source):
            for part in re.split(r",(?![^\[]*\])", spec):  # commas inside [filters] do not split
                names.add(re.match(r"\s*([\w:.-]*)", part).group(1))
    for script in (ROOT / "static" / "js").glob("*.js"):
        if not script.name.endswith(".min.js"):
            names |= set(re.findall(r"""(?:addEventListener|htmx\.on)\(\s*["']([\w:.-]+)["']""", script.read_text()))
    return names


def test_every_hx_trigger_event_sent_has_a_listener(app):
    sent, listened = sent_events(), listened_events(app)
    assert "order-changed" in sent and "every" in listened and "load" in listened
    unheard = {event: where for event, where in sent.items() if event not in listened}
    assert not unheard, f"events nobody listens to (listen with hx-trigger=\"… from:body\" or stop sending): {unheard}"
