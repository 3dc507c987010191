"""Which demonstration cells autograde may leave out, and the release check that keeps this safe.

Why: most of the time of grading one notebook goes to cells that earn no points (the demonstrations of
sections 5-8: the epsilon sweeps, the timing of the cost, regularization and dropout). The instructor tags
such cells ``skip-at-grading`` in the master notebook (JupyterLab: the cell's property inspector, "Cell
Tags"); ``GuardedExecute`` does not run them at autograde and says so in their output.

Leaving a cell out may never change a score. So a tagged cell is left out only if no cell that does run
could see what it sets: for every name the tagged cell binds (assigns, imports, defines, or changes
through ``name[...] =``, ``name.attr =``, ``name += ...``), no running cell may read that name while the
tagged cell's value would be the current one, i.e. up to the next running cell that binds it again, and
no function defined by a running cell may read it as a global (it could be called at any later time).
A tagged cell that something needs is run; this is decided per notebook, so a student whose code reads a
demonstration's variable gets the demonstration run, as without skipping. A cell that reaches globals
it does not name (``globals()``, ``eval``, ``exec``, IPython magics, ``import __main__``) makes every
tagged cell run.

What the names cannot show: a tagged cell that changes an object through a method call
(``values.append(...)``, ``np.random.seed(...)``) — such a cell must not be tagged. The catalogue test
grades every submission with and without skipping and compares every score.

``check_master`` is the release check (``CheckSkippedCells``, in ``GenerateAssignment``'s preprocessors):
in the master notebook, every tagged cell must be one that may be left out.
"""

import ast
import symtable
from dataclasses import dataclass, field

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor

from course.messages import SKIPPED_CELL_NEEDED

#: The cell tag that marks a demonstration cell autograde does not run.
SKIP_TAG = "skip-at-grading"
#: Names through which code reads or writes globals it does not name: a running cell using one of them
#: could depend on any cell.
DYNAMIC_NAMES = frozenset({"globals", "vars", "locals", "eval", "exec", "get_ipython", "__import__", "__main__"})
#: Stands for "every name" (a star import binds names that cannot be listed).
EVERY_NAME = "*"


@dataclass
class CellNames:
    """The global names of one code cell: bound, read while the cell runs (``reads_first``: before the cell
    binds them itself), read later by its functions."""

    binds: set = field(default_factory=set)
    reads_now: set = field(default_factory=set)
    reads_later: set = field(default_factory=set)
    reads_first: set = field(default_factory=set)
    dynamic: bool = False


def python_source(source: str) -> str:
    """The cell's code as Python (IPython's ``%magics`` and ``!commands`` become ``get_ipython()`` calls)."""
    try:
        ast.parse(source)
        return source  # plain Python: IPython would leave it as it is
    except SyntaxError:
        from IPython.core.inputtransformer2 import TransformerManager

        return TransformerManager().transform_cell(source)


def _nested_globals(table: symtable.SymbolTable, names: CellNames) -> None:
    """Global names read (or assigned through ``global``) by the functions and classes nested in ``table``."""
    for child in table.get_children():
        for symbol in child.get_symbols():
            if symbol.is_global() and symbol.is_referenced():
                names.reads_later.add(symbol.get_name())
            if symbol.is_declared_global() and symbol.is_assigned():
                names.binds.add(symbol.get_name())
        _nested_globals(child, names)


NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def _walk(node: ast.AST, nested: bool = False):
    """``(node, inside a function or class)`` for every node under ``node``."""
    for child in ast.iter_child_nodes(node):
        yield child, nested
        yield from _walk(child, nested or isinstance(child, NESTED))


def _changed_name(node: ast.AST) -> str | None:
    """The name changed in place by ``name[...] =``, ``name.attr =``, ``name += ...``, ``del name[...]``."""
    if isinstance(node, ast.AugAssign):
        target = node.target
    elif isinstance(node, (ast.Subscript, ast.Attribute)) and isinstance(node.ctx, (ast.Store, ast.Del)):
        target = node.value
    else:
        return None
    while isinstance(target, (ast.Subscript, ast.Attribute)):
        target = target.value
    return target.id if isinstance(target, ast.Name) else None


def _reads_first(tree: ast.Module) -> set:
    """Names a cell reads at its top level before (or in the same statement as) it binds them."""
    bound, first = set(), set()
    for statement in tree.body:
        loads, stores = set(), set()
        for node, nested in _walk(ast.Module(body=[statement], type_ignores=[])):
            if nested:
                continue
            if isinstance(node, ast.Name):
                (loads if isinstance(node.ctx, ast.Load) else stores).add(node.id)
            elif isinstance(node, ast.alias):
                stores.add((node.asname or node.name).split(".")[0])
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                stores.add(node.name)
            name = _changed_name(node)
            if name:
                loads.add(name)
        first |= loads - bound
        bound |= stores
    return first


def cell_names(source: str) -> CellNames:
    """The global names of a code cell; a cell that does not parse binds and reads nothing (it never runs)."""
    try:
        code = python_source(source)
        tree = ast.parse(code)
        table = symtable.symtable(code, "cell", "exec")
    except (SyntaxError, ValueError):
        return CellNames()
    names = CellNames()
    for symbol in table.get_symbols():
        if symbol.is_assigned() or symbol.is_imported():
            names.binds.add(symbol.get_name())
        if symbol.is_referenced():
            names.reads_now.add(symbol.get_name())
    _nested_globals(table, names)
    for node, nested in _walk(tree):
        name = _changed_name(node)
        if name and not nested:
            names.binds.add(name)
            names.reads_now.add(name)
        elif name and name in names.reads_later:  # a global changed inside a function
            names.binds.add(name)
    names.reads_first = _reads_first(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names):
            names.binds.add(EVERY_NAME)
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [alias.name for alias in node.names] + [getattr(node, "module", None) or ""]
            names.dynamic |= "__main__" in modules
    names.dynamic |= bool(DYNAMIC_NAMES & (names.reads_now | names.reads_later))
    return names


def is_tagged(cell: dict) -> bool:
    """True for a code cell tagged ``skip-at-grading`` that is not a graded or solution cell of nbgrader."""
    nbgrader = cell.get("metadata", {}).get("nbgrader", {})
    return (
        cell.get("cell_type") == "code"
        and SKIP_TAG in cell.get("metadata", {}).get("tags", [])
        and not (nbgrader.get("grade") or nbgrader.get("solution"))
    )


def _needed_by(tagged: int, names: dict, running: set) -> tuple[str, int] | None:
    """``(name, index)`` of a running cell that could see a name the tagged cell binds, or None."""
    for name in sorted(names[tagged].binds):
        if name == EVERY_NAME:
            return EVERY_NAME, tagged
        rebinders = [i for i in sorted(running) if i > tagged and name in names[i].binds]
        until = rebinders[0] if rebinders else float("inf")
        for index in sorted(running):
            reads_now = names[index].reads_first if index == until else names[index].reads_now
            if (tagged < index <= until and name in reads_now) or (index <= until and name in names[index].reads_later):
                return name, index
    return None


def cells_to_skip(cells: list) -> tuple[set, dict]:
    """``(indices of the cells to leave out, {index of a tagged cell that must run: (name, index of the
    running cell that reads it)})`` for a notebook's list of cells."""
    names = {i: cell_names(c.get("source", "")) for i, c in enumerate(cells) if c.get("cell_type") == "code"}
    tagged = {i for i in names if is_tagged(cells[i])}
    running = set(names) - tagged
    dynamic = next((i for i in sorted(names) if names[i].dynamic), None)
    if dynamic is not None:  # reads or writes globals it does not name: nothing may be left out
        return set(), {i: ("globals()", dynamic) for i in tagged}
    needed, changed = {}, True
    while changed:  # a tagged cell that must run may itself need other tagged cells
        changed = False
        for index in sorted(tagged - set(needed)):
            reason = _needed_by(index, names, running)
            if reason:
                needed[index] = reason
                running.add(index)
                changed = True
    return tagged - set(needed), needed


def describe(cell: dict, index: int) -> str:
    """A cell as an instructor finds it: its number, id and first line."""
    first = (cell.get("source", "").strip().splitlines() or [""])[0][:60]
    return "cell {} (id {}): {}".format(index, cell.get("id", "?"), first)


def check_master(cells: list) -> list[str]:
    """One bilingual message per tagged cell of the master notebook that cannot be left out (none: fine)."""
    _, needed = cells_to_skip(cells)
    return [
        SKIPPED_CELL_NEEDED.format(
            tagged=describe(cells[index], index), name=name, reader=describe(cells[reader], reader), tag=SKIP_TAG
        ).text()
        for index, (name, reader) in sorted(needed.items())
    ]


class CheckSkippedCells(NbGraderPreprocessor):
    """Release step (``generate_assignment``): refuse a master notebook in which a cell tagged
    ``skip-at-grading`` sets something a cell that runs at grading reads."""

    def preprocess(self, nb: nbformat.NotebookNode, resources: dict) -> tuple[nbformat.NotebookNode, dict]:
        problems = check_master(nb.cells)
        if problems:
            raise ValueError("\n\n".join(problems))
        return nb, resources
