"""Every public function and method of the package is annotated: the signatures document the code, and
an editor or a type checker can follow them. Nested helpers and ``_private`` names may stay bare."""

import ast

from course.assignment import REPO_ROOT


def public_functions(tree):
    """The ``def``s of a module that are not inside another function (methods included)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node
        else:
            yield from public_functions(node)


def test_instructor_public_functions_have_type_hints():
    offenders = []
    for path in sorted((REPO_ROOT / "course").rglob("*.py")):
        for function in public_functions(ast.parse(path.read_text(encoding="utf-8"))):
            if function.name.startswith("_"):
                continue
            args = function.args
            parameters = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
            missing = [p.arg for p in parameters if p and p.annotation is None and p.arg not in ("self", "cls")]
            if function.returns is None:
                missing.append("return")
            if missing:
                where = "{}:{}".format(path.relative_to(REPO_ROOT), function.lineno)
                offenders.append("{} {}({})".format(where, function.name, ", ".join(missing)))
    assert offenders == [], "public functions without type hints:\n" + "\n".join(offenders)
