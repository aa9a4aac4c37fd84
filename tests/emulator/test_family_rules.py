"""The emulator's house rules, read from the source: a family reaches a neighbour only through
``emulator.core.links``, and the 404 sentence for a missing resource is written only in ``emulator.core.errors``."""

from __future__ import annotations

import ast
from pathlib import Path

SERVICES = Path(__file__).parents[2] / "emulator" / "services"
FAMILIES = sorted(p for p in SERVICES.iterdir() if (p / "__init__.py").exists())


def family_modules():
    for family in FAMILIES:
        for path in sorted(family.rglob("*.py")):
            yield family.name, path, ast.parse(path.read_text(encoding="utf-8"))


def reaches_outside_links(family: str, tree: ast.AST) -> list[str]:
    """Ways of reaching another family that bypass links: ``x.backend("other")``, ``state.backend(...)`` with a
    computed name, ``optional_backend``, ``except KeyError`` (the absent-family probe), imports of another
    family's modules."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "backend":
            arg = node.args[0] if node.args else None
            if not (isinstance(arg, ast.Constant) and arg.value == family):
                found.append(f"line {node.lineno}: .backend({ast.unparse(arg) if arg else ''})")
        elif isinstance(node, ast.Name) and node.id == "optional_backend":
            found.append(f"line {node.lineno}: optional_backend")
        elif isinstance(node, ast.ExceptHandler) and node.type is not None and ast.unparse(node.type) == "KeyError":
            found.append(f"line {node.lineno}: except KeyError")
        elif (isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("emulator.services.")
              and node.module.split(".")[2] != family):
            found.append(f"line {node.lineno}: from {node.module} import ...")
    return found


def test_families_reach_neighbours_only_through_links():
    offenders = [f"{path.relative_to(SERVICES.parent.parent)} {where}"
                 for family, path, tree in family_modules() for where in reaches_outside_links(family, tree)]
    assert offenders == [], "reach another family through emulator.core.links:\n" + "\n".join(offenders)


def test_the_rule_sees_each_way_around_links():
    source = '''
from emulator.services.tags.models import TagsBackend
def f(self, req):
    self.backend("tags")
    req.backend(name)
    optional_backend(self.state, "vpcs")
    try:
        pass
    except KeyError:
        pass
    self.backend("droplets")
'''
    found = reaches_outside_links("droplets", ast.parse(source))
    assert sorted(f.split(": ", 1)[1] for f in found) == [
        ".backend('tags')", ".backend(name)", "except KeyError", "from emulator.services.tags.models import ...",
        "optional_backend"]


def sentences_built_in(tree: ast.AST) -> list[int]:
    """Lines of string literals (f-string parts included) that write the not-found sentence themselves."""
    return sorted({node.lineno for node in ast.walk(tree)
                   if isinstance(node, ast.Constant) and isinstance(node.value, str)
                   and "could not be found" in node.value})


def test_the_not_found_sentence_is_written_only_in_core():
    offenders = [f"{path.relative_to(SERVICES.parent.parent)}:{line}"
                 for _, path, tree in family_modules() for line in sentences_built_in(tree)]
    assert offenders == [], ("raise emulator.core.errors.not_found(what, ref) or use Backend.get_or_404:\n"
                             + "\n".join(offenders))
    assert sentences_built_in(ast.parse('raise NotFound(f"The app {app_id} could not be found.")')) == [1]
