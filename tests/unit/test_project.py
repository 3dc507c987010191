"""The project as a newcomer meets it: a two-command quick start, a layout table that matches the
tree, and one home per fact (no path hacks, one declaration of each shared option)."""

import ast
import re
import sys
import tomllib

from course.assignment import REPO_ROOT
from course.authoring.samples import repo_files

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def layout_rows():
    """``{path: description}`` of the README's layout table (a cell may name several paths)."""
    section = README[README.index("## Layout") :]
    section = section[: section.index("\n## ", 1)]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 2 and cells[0].startswith("`"):
            for path in re.findall(r"`([^`]+)`", cells[0]):
                rows[path] = cells[1]
    return rows


def quick_start_commands():
    block = re.search(r"```bash\n(.*?)```", README, re.S).group(1)
    return [line.split("#", 1)[0].strip() for line in block.splitlines() if line.split("#", 1)[0].strip()]


def test_instructor_quick_start_is_two_commands_and_ci_runs_the_second():
    commands = quick_start_commands()
    assert commands == ["./dev demo", "./dev test"]
    ci = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in [line.strip() for line in ci.splitlines() if not line.lstrip().startswith("#")]


def test_instructor_layout_table_names_only_paths_that_exist():
    missing = [path for path in layout_rows() if not (REPO_ROOT / path.rstrip("/")).exists()]
    assert missing == []


def test_instructor_layout_table_covers_the_tree():
    """Every top-level file or folder of the repository and every part of ``course/`` has a row."""
    rows = {path.rstrip("/") for path in layout_rows()}
    tracked = repo_files()
    top = {name.split("/")[0] for name in tracked if not name.startswith(".")}
    parts = {
        "/".join(name.split("/")[:2]).removesuffix("/__init__.py")
        for name in tracked
        if name.startswith("course/") and not name.endswith("__init__.py")
    }
    covered = {"/".join(path.split("/")[: i + 1]) for path in rows for i in range(path.count("/") + 1)}
    assert sorted(top - covered) == []
    assert sorted(parts - rows) == []


def test_instructor_no_path_hacks_in_product_code_or_benchmarks():
    """The package is installed (``pip install -e .``): nothing edits ``sys.path`` to find it."""
    files = [
        REPO_ROOT / "nbgrader_config.py",
        *(REPO_ROOT / "course").rglob("*.py"),
        *(REPO_ROOT / "benchmarks").glob("*.py"),
    ]
    hack = re.compile(r"sys\.path\.(insert|append)|sys\.path\s*[+]?=")
    offenders = [str(f.relative_to(REPO_ROOT)) for f in files if hack.search(f.read_text(encoding="utf-8"))]
    assert offenders == []
    benchmarks = [
        f
        for f in (REPO_ROOT / "benchmarks").glob("*.py")
        if re.search(r"^\s*(from|import) (conftest|support|tests)\b", f.read_text(encoding="utf-8"), re.M)
    ]
    assert benchmarks == []


def test_instructor_shared_options_are_declared_once():
    declarations = [
        f.relative_to(REPO_ROOT)
        for f in (REPO_ROOT / "course").rglob("*.py")
        for _ in re.finditer(r"add_argument\(\s*\"--course\"", f.read_text(encoding="utf-8"))
    ]
    assert len(declarations) == 1


def test_instructor_every_direct_import_is_a_declared_dependency():
    """Third-party modules imported by the package, the tests and the benchmarks are pinned in pyproject.toml."""
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = project["dependencies"] + [d for extra in project["optional-dependencies"].values() for d in extra]
    names = {re.split(r"[\[=<>]", d)[0].lower().replace("_", "-") for d in declared}
    assert all("==" in d for d in declared), "pin every direct dependency with =="
    distribution = {"bs4": "beautifulsoup4", "IPython": "ipython", "yaml": "pyyaml"}
    local = {"course", "support", "gc_utils", "testCases", "public_tests", "conftest"}
    sources = [
        *(REPO_ROOT / "course").rglob("*.py"),
        *(REPO_ROOT / "tests").rglob("*.py"),
        *(REPO_ROOT / "benchmarks").glob("*.py"),
    ]
    imported = set()
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                imported.add(node.module.split(".")[0])

    third_party = {m for m in imported if m not in sys.stdlib_module_names and m not in local}
    undeclared = sorted(m for m in third_party if distribution.get(m, m).lower().replace("_", "-") not in names)
    assert undeclared == []
