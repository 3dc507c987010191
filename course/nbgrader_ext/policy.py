"""The grading policy: which student code cells may run, decided on their source before grading.

``policy_problem(cell, rules)`` walks a cell's syntax tree and names the first rule it breaks (as a
bilingual message); ``notebook_rules(master)`` derives the rules from the master notebook: the names
the given cells bind that the tests read are reserved, the modules and helper names the given cells
import may be imported. ``course.nbgrader_ext.reject_tampering`` applies it during ``nbgrader autograde``.
The policy page ``docs/grading_policy.md`` explains what this defends against and what not.
"""

import ast
import builtins
import re
from collections import namedtuple

import nbformat

from course.assignment import HELPER_MODULES
from course.messages import (
    AT_LINE,
    CELL_NOT_RUN,
    RULE_CHANGES_DATA,
    RULE_CLASS,
    RULE_DUNDER_TEXT,
    RULE_FILES_OR_MEMORY,
    RULE_FORBIDDEN_NAME,
    RULE_GLOBAL,
    RULE_HELPER_IMPORT,
    RULE_IMPORT,
    RULE_MAGIC,
    RULE_MAGIC_CODE,
    RULE_NONLOCAL,
    RULE_PRIVATE,
    RULE_REBINDS,
    RULE_REDEFINES,
    RULE_SETS_ATTRIBUTE,
    RULE_STAR_IMPORT,
    RULE_TOO_DEEP,
    RULE_UNREADABLE,
    SUBMITTED_CODE,
    Message,
    listing,
)

#: Modules a student cell may import: numpy, a few harmless standard modules, and whatever the
#: notebook's own given cells import (e.g. matplotlib for the plots).
ALLOWED_IMPORTS = ("numpy", "math", "copy", "warnings")
#: Built-in names that open a way around the rules (code execution, reflection, the kernel).
FORBIDDEN_NAMES = frozenset(
    {
        "get_ipython",
        "globals",
        "locals",
        "vars",
        "exec",
        "eval",
        "compile",
        "__import__",
        "getattr",
        "setattr",
        "delattr",
        "open",
        "breakpoint",
        "input",
        "exit",
        "quit",
        "__builtins__",
        "builtins",
        "__loader__",
        "__spec__",
    }
)
#: Attributes that read or write files or raw memory (``np.load`` unpickles, ``as_strided`` in
#: ``np.lib`` reaches any address): a way around every rule that is checked on the source.
FORBIDDEN_ATTRIBUTES = frozenset(
    {
        "load",
        "loads",
        "save",
        "savez",
        "savez_compressed",
        "savetxt",
        "loadtxt",
        "genfromtxt",
        "fromfile",
        "fromregex",
        "tofile",
        "dump",
        "dumps",
        "memmap",
        "open_memmap",
        "DataSource",
        "ctypeslib",
        "ctypes",
        "lib",
        "f2py",
        "testing",
    }
)
#: Names a student cell may bind even though a locked cell binds them too (the usual import).
HARMLESS_REBINDINGS = {"np": "numpy"}
#: A student cell may re-import, unrenamed, the names the notebook's given cells import from the
#: course's helper modules (the same objects), and ``import *`` from the ones without mutable state.
STAR_IMPORTABLE = ("public_tests",)  # testCases re-exports the mutable PARAMETER_SHAPES
#: IPython magics a student cell may use.  Those of TIMING_MAGICS run their argument as code,
#: which is checked like the rest of the cell; the others take only the listed arguments (None: any).
TIMING_MAGICS = ("time", "timeit")
HARMLESS_MAGICS = {"matplotlib": None}
MAGIC_OPTIONS = re.compile(r"^(?:\s*-\w+(?:\s+[\w.]+)?)+\s+")
#: A string naming a special method ("__eq__") is how classes are built without ``class``.
DUNDER_TEXT = re.compile(r"__\w+__")


#: What a student cell may do, derived from the source notebook (see ``notebook_rules``):
#: ``reserved`` names it must not rebind, ``modules`` it may import, ``helper_names`` it may import
#: (unrenamed) from the course's helper modules.
Rules = namedtuple("Rules", "reserved modules helper_names")
#: Rules for a cell checked on its own: builtins reserved, only the basic modules.
BASIC_RULES = Rules(frozenset(dir(builtins)), frozenset(ALLOWED_IMPORTS), frozenset())


def neutralized_source(original: str, reason: Message) -> str:
    """The code that replaces a rejected cell: it raises, and keeps the original as comments.

    Input: the cell's original source and the reason.  Output: new cell source.
    """
    message = CELL_NOT_RUN.format(reason=reason).inline()
    commented = "\n".join("# " + line for line in original.splitlines())
    return "raise PermissionError({!r})\n# --- {} ---\n{}".format(message, SUBMITTED_CODE.inline(), commented)


def python_source(cell_source: str) -> str:
    """Turn IPython syntax (magics ``%``, shell escapes ``!``) into the Python the kernel would run."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(cell_source)


class _PolicyVisitor(ast.NodeVisitor):
    """Walks one cell's syntax tree and records the first rule it breaks as (Message, line)."""

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self.reserved = rules.reserved
        self.problem = None
        self.depth = 0  # 0 = module level of the cell, >0 = inside a function

    def fail(self, node: ast.AST, reason: Message) -> None:
        if self.problem is None:
            self.problem = (reason, getattr(node, "lineno", 0))

    def visit_Call(self, node: ast.Call) -> None:
        magic = magic_call(node)
        if magic is None:
            self.generic_visit(node)
        elif magic[0] in TIMING_MAGICS:
            for code in magic[1:]:
                self._visit_code_text(node, MAGIC_OPTIONS.sub("", code))
        elif magic[0] not in HARMLESS_MAGICS or (
            HARMLESS_MAGICS[magic[0]] is not None and magic[1].strip() not in HARMLESS_MAGICS[magic[0]]
        ):
            self.fail(node, RULE_MAGIC.format(name=magic[0]))

    def _visit_code_text(self, node, code):
        """Check code that a timing magic will run (given as a string) with the same rules."""
        try:
            tree = ast.parse(code)
        except SyntaxError:
            self.fail(node, RULE_MAGIC_CODE)
            return
        self.visit(tree)

    def visit_Name(self, node: ast.Name) -> None:
        if node.id in FORBIDDEN_NAMES:
            self.fail(node, RULE_FORBIDDEN_NAME.format(name=node.id))
        elif self.depth == 0 and isinstance(node.ctx, (ast.Store, ast.Del)) and node.id in self.reserved:
            self.fail(node, RULE_REBINDS.format(name=node.id))

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and DUNDER_TEXT.search(node.value):
            self.fail(node, RULE_DUNDER_TEXT)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            inner = node.value
            while isinstance(inner, (ast.Subscript, ast.Attribute)):
                if isinstance(inner, ast.Attribute):
                    self.fail(node, RULE_CHANGES_DATA.format(name=inner.attr))
                inner = inner.value
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr.startswith("_"):
            self.fail(node, RULE_PRIVATE.format(name=node.attr))
        elif node.attr in FORBIDDEN_ATTRIBUTES:
            self.fail(node, RULE_FILES_OR_MEMORY.format(name=node.attr))
        elif isinstance(node.ctx, (ast.Store, ast.Del)):
            self.fail(node, RULE_SETS_ATTRIBUTE.format(name=node.attr))
        self.generic_visit(node)

    def _visit_imports(self, node, modules, bound):
        for module in modules:
            if module.split(".")[0] not in self.rules.modules:
                allowed = sorted(self.rules.modules)
                self.fail(node, RULE_IMPORT.format(name=module, allowed=listing(allowed)))
        for name, module in bound:
            if self.depth == 0 and name in self.reserved and HARMLESS_REBINDINGS.get(name) != module:
                self.fail(node, RULE_REBINDS.format(name=name))

    def visit_Import(self, node: ast.Import) -> None:
        self._visit_imports(
            node, [a.name for a in node.names], [(a.asname or a.name.split(".")[0], a.name) for a in node.names]
        )

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = ("." * node.level) + (node.module or "")
        names = [(a.name, a.asname or a.name) for a in node.names]
        if module in HELPER_MODULES:
            self._visit_helper_import(node, module, names)
            return
        if any(name == "*" for name, _ in names):
            self.fail(node, RULE_STAR_IMPORT.format(module=module))
        self._visit_imports(node, [module], [(bound, None) for _, bound in names])

    def _visit_helper_import(self, node, module, names):
        """``from gc_utils import relu`` is fine; renaming, or names the notebook does not import, are not."""
        for name, bound in names:
            allowed = (
                (module in STAR_IMPORTABLE) if name == "*" else (bound == name and name in self.rules.helper_names)
            )
            if not allowed:
                self.fail(node, RULE_HELPER_IMPORT.format(name=name, module=module))

    def visit_Global(self, node: ast.Global) -> None:
        self.fail(node, RULE_GLOBAL)

    def visit_Nonlocal(self, node: ast.Nonlocal) -> None:
        self.fail(node, RULE_NONLOCAL)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.fail(node, RULE_CLASS)

    def _visit_function(self, node):
        if self.depth == 0 and getattr(node, "name", None) in self.reserved:
            self.fail(node, RULE_REDEFINES.format(name=node.name))
        for decorator in getattr(node, "decorator_list", []):
            self.visit(decorator)
        self.visit(node.args)
        self.depth += 1
        for statement in node.body if isinstance(node.body, list) else [node.body]:
            self.visit(statement)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _visit_function


def magic_call(node: ast.Call) -> tuple[str, ...] | None:
    """``(magic name, string arguments...)`` if ``node`` is IPython's translation of a magic, else None.

    ``%time f()`` becomes ``get_ipython().run_line_magic('time', 'f()')``; ``%%time`` becomes
    ``run_cell_magic('time', line, body)``; ``!ls`` becomes ``get_ipython().system('ls')``.
    """
    function = node.func
    if not (
        isinstance(function, ast.Attribute)
        and isinstance(function.value, ast.Call)
        and isinstance(function.value.func, ast.Name)
        and function.value.func.id == "get_ipython"
        and not function.value.args
        and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args)
        and node.args
        and not node.keywords
    ):
        return None
    values = [a.value for a in node.args]
    if function.attr in ("run_line_magic", "run_cell_magic"):
        return tuple(values)
    return (function.attr,) + tuple(values)


def policy_problem(cell_source: str, rules: Rules = BASIC_RULES) -> Message | None:
    """Check one student cell against the course's rules.

    Input: the cell's source and the ``Rules`` (from ``notebook_rules``).
    Output: ``None`` if the cell may run, else the reason (a bilingual Message).
    A cell that is not valid Python is left alone (running it just raises its SyntaxError).
    """
    try:
        translated = python_source(cell_source)
    except Exception:  # IPython could not read it either: do not run what cannot be checked
        return RULE_UNREADABLE
    visitor = _PolicyVisitor(rules)
    try:
        visitor.visit(ast.parse(translated))
    except SyntaxError:
        return None
    except (RecursionError, MemoryError):  # absurdly deep code: the kernel could not compile it either
        return RULE_TOO_DEEP
    if visitor.problem is None:
        return None
    reason, line = visitor.problem
    return AT_LINE.format(reason=reason, line=line)


def loaded_names(cell_source: str) -> set[str]:
    """The names a (trusted) cell reads but never binds itself (not even as an argument): what it
    takes from the notebook's globals."""
    tree = ast.parse(python_source(cell_source))
    loaded, bound = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update(a.asname or a.name.split(".")[0] for a in node.names)
    return loaded - bound


def given_imports(cell_source: str) -> tuple[set[str], set[str]]:
    """``(modules, helper names)`` a (trusted) cell imports: top-level module names, and the names
    it imports from the course's helper modules."""
    modules, helper_names = set(), set()
    for node in ast.walk(ast.parse(python_source(cell_source))):
        if isinstance(node, ast.ImportFrom) and node.module in HELPER_MODULES:
            helper_names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            modules.update(a.name.split(".")[0] for a in node.names)
    return modules - set(HELPER_MODULES), helper_names


def notebook_rules(source_notebook: nbformat.NotebookNode) -> tuple[Rules, set[str]]:
    """``(Rules, sources of the given cells)`` for the students' cells of ``source_notebook``.

    Given cells are the code cells that are neither solution nor test cells.  Reserved are the
    builtins and the names the given cells bind that the test cells read (np, bilingual, the public
    tests, ...): rebinding anything else cannot change what a test sees.
    """
    given, tests = [], []
    for cell in source_notebook.cells:
        flags = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code":
            (tests if flags.get("grade") else given if not flags.get("solution") else []).append(cell.source)
    bound, loaded, modules, helper_names = set(), set(), set(ALLOWED_IMPORTS), set()
    for source in given:
        bound |= bound_names(source)
        more_modules, more_names = given_imports(source)
        modules |= more_modules
        helper_names |= more_names
    for source in tests:
        loaded |= loaded_names(source)
    return Rules(frozenset(set(dir(builtins)) | (bound & loaded)), frozenset(modules), frozenset(helper_names)), set(
        given
    )


def bound_names(cell_source: str) -> set[str]:
    """Names a (trusted) cell binds at its top level: imports, assignments, functions."""
    names = set()
    for node in ast.parse(python_source(cell_source)).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update(a.asname or a.name.split(".")[0] for a in node.names)
        else:
            names.update(n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store))
    return names
