"""nbgrader preprocessors that make ``nbgrader autograde`` hard to fool and hard to stop.

They are switched on in ``nbgrader_config.py``, so every ``nbgrader autograde`` run with the
course's configuration uses them (the demo, the class-grading command, a TA's manual run).

* ``NormalizeCellMetadata`` (sanitize step, before ``OverwriteCells``): the nbgrader metadata of
  every cell is taken from the gradebook; a "graded" cell the student made up becomes an ordinary
  cell (nbgrader itself would crash on such edits and skip the whole submission).
* ``RejectTampering`` (sanitize step, after nbgrader's ``OverwriteCells``): reads every code
  cell the student could have written (everything except the locked cells nbgrader has just
  restored from the source notebook) and neutralizes the ones that reach for the grader's
  machinery: changing attributes of modules (``np.allclose = ...``) or data inside them,
  rebinding names the tests rely on (``bilingual``, ``print``, the public tests), builtins such as
  ``exec``/``getattr``/``get_ipython``, private or dunder attributes (also as strings), ``global``
  statements, classes, numpy's file and raw-memory functions, shell escapes and magics other than
  the timing ones, and imports of anything but a few harmless modules.  A neutralized cell raises
  a bilingual error instead of running, so tampering costs the exercise it sits in and the
  other exercises are still graded honestly.
* ``GuardedExecute`` (replaces nbgrader's ``Execute``): removes files the student shipped
  that are not part of the assignment (a ``numpy.py`` next to the notebook would shadow numpy),
  starts the kernel under an address-space limit (a memory blow-up becomes a ``MemoryError``),
  and survives a dead kernel (``os._exit()``, ``exit()``, a crash, a kill) or one that an interrupt
  cannot stop (a long computation inside C code): the cell gets an error output, a fresh kernel
  replays the cells that had run fine before, and grading goes on.
* ``LimitOutputSize`` (replaces nbgrader's ``LimitOutput``): also caps the number of characters
  of each stream output, so one megabyte-long line does not bloat the graded notebook.

The policy page ``docs/grading_policy.md`` explains what this defends against and what not.
"""
import ast
import builtins
import copy
import os
import re
import resource
from collections import namedtuple

import nbformat
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import Execute, LimitOutput, NbGraderPreprocessor
from traitlets import Integer, List, Unicode

#: Modules a student cell may import: numpy, a few harmless standard modules, and whatever the
#: notebook's own given cells import (e.g. matplotlib for the plots).
ALLOWED_IMPORTS = ("numpy", "math", "copy", "warnings")
#: Built-in names that open a way around the rules (code execution, reflection, the kernel).
FORBIDDEN_NAMES = frozenset({
    "get_ipython", "globals", "locals", "vars", "exec", "eval", "compile", "__import__",
    "getattr", "setattr", "delattr", "open", "breakpoint", "input", "exit", "quit",
    "__builtins__", "builtins", "__loader__", "__spec__",
})
#: Attributes that read or write files or raw memory (``np.load`` unpickles, ``as_strided`` in
#: ``np.lib`` reaches any address): a way around every rule that is checked on the source.
FORBIDDEN_ATTRIBUTES = frozenset({
    "load", "loads", "save", "savez", "savez_compressed", "savetxt", "loadtxt", "genfromtxt",
    "fromfile", "fromregex", "tofile", "dump", "dumps", "memmap", "open_memmap", "DataSource",
    "ctypeslib", "ctypes", "lib", "f2py", "testing",
})
#: Names a student cell may bind even though a locked cell binds them too (the usual import).
HARMLESS_REBINDINGS = {"np": "numpy"}
#: The course's helper modules: a student cell may re-import, unrenamed, the names the notebook's
#: given cells import from them (the same objects), and ``import *`` from the ones without mutable state.
HELPER_MODULES = ("gc_utils", "testCases", "public_tests")
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


def neutralized_source(original, reason):
    """The code that replaces a rejected cell: it raises, and keeps the original as comments.

    Input: the cell's original source and the (bilingual) reason.  Output: new cell source.
    """
    message = ("Autograder: this cell was not run because {}. The tests never run code that "
               "changes the grader's tools. / 自动评分：此单元格未被运行，原因：{}。"
               "测试不会运行修改评分工具的代码。").format(reason[0], reason[1])
    commented = "\n".join("# " + line for line in original.splitlines())
    return "raise PermissionError({!r})\n# --- submitted code / 提交的代码 ---\n{}".format(message, commented)


def python_source(cell_source):
    """Turn IPython syntax (magics ``%``, shell escapes ``!``) into the Python the kernel would run."""
    from IPython.core.inputtransformer2 import TransformerManager
    return TransformerManager().transform_cell(cell_source)


class _PolicyVisitor(ast.NodeVisitor):
    """Walks one cell's syntax tree and records the first rule it breaks as (en, zh, line)."""

    def __init__(self, rules):
        self.rules = rules
        self.reserved = rules.reserved
        self.problem = None
        self.depth = 0  # 0 = module level of the cell, >0 = inside a function

    def fail(self, node, en, zh):
        if self.problem is None:
            self.problem = (en, zh, getattr(node, "lineno", 0))

    def visit_Call(self, node):
        magic = magic_call(node)
        if magic is None:
            self.generic_visit(node)
        elif magic[0] in TIMING_MAGICS:
            for code in magic[1:]:
                self._visit_code_text(node, MAGIC_OPTIONS.sub("", code))
        elif magic[0] not in HARMLESS_MAGICS or (HARMLESS_MAGICS[magic[0]] is not None
                                                 and magic[1].strip() not in HARMLESS_MAGICS[magic[0]]):
            self.fail(node, "it uses the IPython magic or shell command '{}'".format(magic[0]),
                      "它使用了 IPython 魔法命令或 shell 命令 '{}'".format(magic[0]))

    def _visit_code_text(self, node, code):
        """Check code that a timing magic will run (given as a string) with the same rules."""
        try:
            tree = ast.parse(code)
        except SyntaxError:
            self.fail(node, "the code given to a magic could not be checked", "无法检查传给魔法命令的代码")
            return
        self.visit(tree)

    def visit_Name(self, node):
        if node.id in FORBIDDEN_NAMES:
            self.fail(node, "it uses '{}'".format(node.id), "它使用了 '{}'".format(node.id))
        elif self.depth == 0 and isinstance(node.ctx, (ast.Store, ast.Del)) and node.id in self.reserved:
            self.fail(node, "it rebinds '{}', which the tests use".format(node.id),
                      "它重新绑定了测试所用的名称 '{}'".format(node.id))

    def visit_Constant(self, node):
        if isinstance(node.value, str) and DUNDER_TEXT.search(node.value):
            self.fail(node, "it names a special method in a string", "它在字符串中写了特殊方法名")

    def visit_Subscript(self, node):
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            inner = node.value
            while isinstance(inner, (ast.Subscript, ast.Attribute)):
                if isinstance(inner, ast.Attribute):
                    self.fail(node, "it changes data inside a module or object ('{}')".format(inner.attr),
                              "它修改了模块或对象内部的数据（'{}'）".format(inner.attr))
                inner = inner.value
        self.generic_visit(node)

    def visit_Attribute(self, node):
        if node.attr.startswith("_"):
            self.fail(node, "it uses the private attribute '{}'".format(node.attr),
                      "它使用了私有属性 '{}'".format(node.attr))
        elif node.attr in FORBIDDEN_ATTRIBUTES:
            self.fail(node, "it uses '{}', which reads or writes files or raw memory".format(node.attr),
                      "它使用了读写文件或内存的 '{}'".format(node.attr))
        elif isinstance(node.ctx, (ast.Store, ast.Del)):
            self.fail(node, "it changes the attribute '{}' of an object".format(node.attr),
                      "它修改了对象的属性 '{}'".format(node.attr))
        self.generic_visit(node)

    def _visit_imports(self, node, modules, bound):
        for module in modules:
            if module.split(".")[0] not in self.rules.modules:
                allowed = sorted(self.rules.modules)
                self.fail(node, "it imports '{}' (allowed: {})".format(module, ", ".join(allowed)),
                          "它导入了 '{}'（允许：{}）".format(module, "、".join(allowed)))
        for name, module in bound:
            if self.depth == 0 and name in self.reserved and HARMLESS_REBINDINGS.get(name) != module:
                self.fail(node, "it rebinds '{}', which the tests use".format(name),
                          "它重新绑定了测试所用的名称 '{}'".format(name))

    def visit_Import(self, node):
        self._visit_imports(node, [a.name for a in node.names],
                            [(a.asname or a.name.split(".")[0], a.name) for a in node.names])

    def visit_ImportFrom(self, node):
        module = ("." * node.level) + (node.module or "")
        names = [(a.name, a.asname or a.name) for a in node.names]
        if module in HELPER_MODULES:
            self._visit_helper_import(node, module, names)
            return
        if any(name == "*" for name, _ in names):
            self.fail(node, "it uses 'from {} import *', which rebinds built-in names".format(module),
                      "它使用了 'from {} import *'，会覆盖内置名称".format(module))
        self._visit_imports(node, [module], [(bound, None) for _, bound in names])

    def _visit_helper_import(self, node, module, names):
        """``from gc_utils import relu`` is fine; renaming, or names the notebook does not import, are not."""
        for name, bound in names:
            allowed = (module in STAR_IMPORTABLE) if name == "*" else (bound == name and name in self.rules.helper_names)
            if not allowed:
                self.fail(node, "it imports '{}' from {} (only the names the notebook imports, "
                                "unrenamed)".format(name, module),
                          "它从 {} 导入了 '{}'（只允许 notebook 已导入的名称，且不得改名）".format(module, name))

    def visit_Global(self, node):
        self.fail(node, "it uses a 'global' statement", "它使用了 'global' 语句")

    def visit_Nonlocal(self, node):
        self.fail(node, "it uses a 'nonlocal' statement", "它使用了 'nonlocal' 语句")

    def visit_ClassDef(self, node):
        self.fail(node, "it defines a class", "它定义了一个类")

    def _visit_function(self, node):
        if self.depth == 0 and getattr(node, "name", None) in self.reserved:
            self.fail(node, "it redefines '{}', which the tests use".format(node.name),
                      "它重新定义了测试所用的 '{}'".format(node.name))
        for decorator in getattr(node, "decorator_list", []):
            self.visit(decorator)
        self.visit(node.args)
        self.depth += 1
        for statement in (node.body if isinstance(node.body, list) else [node.body]):
            self.visit(statement)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _visit_function


def magic_call(node):
    """``(magic name, string arguments...)`` if ``node`` is IPython's translation of a magic, else None.

    ``%time f()`` becomes ``get_ipython().run_line_magic('time', 'f()')``; ``%%time`` becomes
    ``run_cell_magic('time', line, body)``; ``!ls`` becomes ``get_ipython().system('ls')``.
    """
    function = node.func
    if not (isinstance(function, ast.Attribute) and isinstance(function.value, ast.Call)
            and isinstance(function.value.func, ast.Name) and function.value.func.id == "get_ipython"
            and not function.value.args and all(isinstance(a, ast.Constant) and isinstance(a.value, str)
                                                for a in node.args) and node.args and not node.keywords):
        return None
    values = [a.value for a in node.args]
    if function.attr in ("run_line_magic", "run_cell_magic"):
        return tuple(values)
    return (function.attr,) + tuple(values)


def policy_problem(cell_source, rules=BASIC_RULES):
    """Check one student cell against the course's rules.

    Input: the cell's source and the ``Rules`` (from ``notebook_rules``).
    Output: ``None`` if the cell may run, else ``(en, zh)``, the reason in both languages.
    A cell that is not valid Python is left alone (running it just raises its SyntaxError).
    """
    try:
        translated = python_source(cell_source)
    except Exception:  # IPython could not read it either: do not run what cannot be checked
        return "it could not be read as IPython code", "无法将其读取为 IPython 代码"
    visitor = _PolicyVisitor(rules)
    try:
        visitor.visit(ast.parse(translated))
    except SyntaxError:
        return None
    except (RecursionError, MemoryError):  # absurdly deep code: the kernel could not compile it either
        return "it is nested too deeply to be checked", "嵌套过深，无法检查"
    if visitor.problem is None:
        return None
    en, zh, line = visitor.problem
    return "{} (line {})".format(en, line), "{}（第 {} 行）".format(zh, line)


def loaded_names(cell_source):
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


def given_imports(cell_source):
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


def notebook_rules(source_notebook):
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
    return Rules(frozenset(set(dir(builtins)) | (bound & loaded)), frozenset(modules), frozenset(helper_names)), set(given)


def bound_names(cell_source):
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


def gradebook_cells(resources):
    """What the gradebook knows of the notebook being graded (``resources`` of an nbgrader step).

    Output: ``{grade_id: nbgrader metadata}`` for every cell of the source notebook -- the flags
    ``grade``, ``solution``, ``locked``, ``task`` and, for graded cells, ``points`` -- or ``{}``
    if the notebook is not in the gradebook.
    """
    info = resources["nbgrader"]
    with Gradebook(info["db_url"]) as gradebook:
        try:
            notebook = gradebook.find_notebook(info["notebook"], info["assignment"])
        except MissingEntry:
            return {}
        points = {c.name: c.max_score for c in notebook.grade_cells}
        solutions = {c.name for c in notebook.solution_cells}
        tasks = {c.name for c in notebook.task_cells}
        cells = {}
        for source in notebook.source_cells:
            flags = {"grade": source.name in points, "grade_id": source.name, "locked": source.locked,
                     "schema_version": 3, "solution": source.name in solutions, "task": source.name in tasks}
            if flags["grade"]:  # the gradebook stores floats; keep 1 as 1, as in the source notebook
                score = points[source.name]
                flags["points"] = int(score) if float(score).is_integer() else score
            cells[source.name] = flags
        return cells


class RejectTampering(NbGraderPreprocessor):
    """Sanitize step: neutralize student code cells that break the rules of ``policy_problem``.

    Runs after ``OverwriteCells``.  Trusted (not checked) are the locked cells of the source
    notebook (nbgrader has just restored their source) and cells identical to one of its given
    cells; every other code cell is checked against the rules derived from the source notebook.
    """

    def preprocess(self, nb, resources):
        locked = {name for name, flags in gradebook_cells(resources).items() if flags["locked"]}
        self.rules, given = notebook_rules(self._source_notebook(resources))
        self.trusted_ids = {id(c) for c in nb.cells if c.cell_type == "code"
                            and (self._grade_id(c) in locked or c.source in given)}
        return super().preprocess(nb, resources)

    def _source_notebook(self, resources):
        """The master notebook of the assignment being graded, from source/."""
        coursedir = CourseDirectory(config=self.config)
        folder = coursedir.format_path(coursedir.source_directory, ".", resources["nbgrader"]["assignment"])
        path = os.path.join(folder, resources["nbgrader"]["notebook"] + ".ipynb")
        if os.path.isfile(path):
            return nbformat.read(path, as_version=4)
        # No master notebook here (e.g. the private course of ``course grade``): the gradebook's cells.
        self.log.warning("%s not found: rules derived from the gradebook's cells only", path)
        cells = []
        with Gradebook(resources["nbgrader"]["db_url"]) as gradebook:
            notebook = gradebook.find_notebook(resources["nbgrader"]["notebook"], resources["nbgrader"]["assignment"])
            graded = {c.name for c in notebook.grade_cells}
            for cell in notebook.source_cells:
                if cell.cell_type == "code" and cell.locked:
                    cells.append(nbformat.v4.new_code_cell(cell.source, metadata={"nbgrader": {
                        "grade": cell.name in graded, "solution": False}}))
        return nbformat.v4.new_notebook(cells=cells)

    @staticmethod
    def _grade_id(cell):
        return cell.metadata.get("nbgrader", {}).get("grade_id")

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or id(cell) in self.trusted_ids:
            return cell, resources
        problem = policy_problem(cell.source, self.rules)
        if problem is not None:
            self.log.warning("Cell %s rejected: %s", index, problem[0])
            cell.source = neutralized_source(cell.source, problem)
        return cell, resources


class NormalizeCellMetadata(NbGraderPreprocessor):
    """Sanitize step, before ``OverwriteCells``: nbgrader metadata comes from the gradebook, not the student.

    A cell whose grade_id the gradebook does not know (a made-up "graded" cell) loses its nbgrader
    metadata and becomes an ordinary student cell; a known cell gets back its flags and points.
    Without this, nbgrader 0.9 crashes on such edits (KeyError 'grade_id' in ``add_missing_cells``,
    MissingEntry for a solution cell marked as graded, KeyError 'points') and leaves the whole
    submission ungraded.
    """

    def preprocess(self, nb, resources):
        known = gradebook_cells(resources)
        if not known:  # notebook not in the gradebook: nbgrader reports that itself
            return nb, resources
        for cell in nb.cells:
            if "nbgrader" not in cell.metadata:
                continue
            grade_id = cell.metadata["nbgrader"].get("grade_id")
            if grade_id in known:
                cell.metadata["nbgrader"].update(known[grade_id])
            else:
                self.log.warning("Cell with unknown grade_id %r treated as an ordinary cell", grade_id)
                del cell.metadata["nbgrader"]
        return nb, resources


def _limit_address_space(limit_bytes):
    """A ``preexec_fn`` that caps the kernel's address space (soft limit) at ``limit_bytes``.

    The hard limit is left alone, so a kernel launcher that sets its own limits (the sandbox of
    ``course grade``) still can; student code cannot raise the soft limit (no ``resource`` import).
    """
    def apply():
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (limit_bytes if hard == resource.RLIM_INFINITY else min(limit_bytes, hard), hard))
    return apply


class GuardedExecute(Execute):
    """nbgrader's Execute, plus: no foreign files, a memory cap, and recovery from a dead kernel."""

    memory_limit_mb = Integer(
        2048, help="Address-space limit of the kernel in MiB (0 = none); beyond it allocations fail "
                   "with MemoryError.").tag(config=True)
    max_restarts = Integer(
        4, help="How many times a dead kernel is restarted in one notebook before the remaining "
                "cells are marked as not run.").tag(config=True)
    responsive_wait = Integer(
        5, help="After a cell timed out and was interrupted, seconds to wait for the kernel to answer "
                "again before it is killed and restarted.").tag(config=True)
    kept_files = List(Unicode(), help="Extra file names (besides the assignment's source files) "
                                      "a submission may keep next to the notebook.").tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        path = (resources or {}).get("metadata", {}).get("path")
        if path and "nbgrader" in resources:
            self.remove_foreign_files(path, resources["nbgrader"]["assignment"])
        self._replay = []
        self._restarts = 0
        return super().preprocess(nb, resources, km)

    def remove_foreign_files(self, folder, assignment):
        """Delete every file under ``folder`` that is neither a top-level notebook nor a file of
        source/<assignment>/ (same relative path), then the folders left empty."""
        coursedir = CourseDirectory(config=self.config)
        source = coursedir.format_path(coursedir.source_directory, ".", assignment)
        allowed = set(self.kept_files)
        for directory, _, files in os.walk(source):
            allowed.update(os.path.relpath(os.path.join(directory, f), source) for f in files)
        for directory, subfolders, files in os.walk(folder, topdown=False):
            for name in files + [d for d in subfolders if os.path.islink(os.path.join(directory, d))]:
                path = os.path.join(directory, name)
                relative = os.path.relpath(path, folder)
                if relative in allowed or (relative == name and name.endswith(".ipynb")):
                    continue
                self.log.warning("Removing %s: not part of assignment %s", path, assignment)
                os.remove(path)
            if directory != folder and not os.listdir(directory):
                os.rmdir(directory)

    async def async_start_new_kernel(self, **kwargs):
        if self.memory_limit_mb > 0 and os.name == "posix":
            kwargs.setdefault("preexec_fn", _limit_address_space(self.memory_limit_mb * 1024 * 1024))
        await super().async_start_new_kernel(**kwargs)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, self.resources
        if self.kc is None:  # too many restarts: the rest is not run
            cell.outputs = [self._error_output("KernelNotRestarted",
                                               "The kernel died too often; this cell was not run. / "
                                               "内核多次崩溃，此单元格未被运行。")]
            return cell, self.resources
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            cell.outputs.append(self._error_output(
                "DeadKernelError", "The kernel died while running this cell (e.g. os._exit(), exit() or a "
                                   "crash); it was restarted for the next cells. / 运行此单元格时内核崩溃"
                                   "（例如 os._exit()、exit() 或程序崩溃）；已为后续单元格重启内核。"))
            self._restart_and_replay()
            return cell, self.resources
        except CellTimeoutError:  # no reply, and the interrupt did not bring the kernel back either
            cell.outputs.append(self._error_output(
                "CellTimeoutError", "This cell ran longer than {} s and could not be interrupted; the kernel "
                                    "was restarted for the next cells. / 此单元格运行超过 {} 秒且无法中断；"
                                    "已为后续单元格重启内核。".format(self.timeout, self.timeout)))
            self._restart_and_replay()
            return cell, self.resources
        errors = [o.get("ename") for o in cell.outputs if o.get("output_type") == "error"]
        if self.error_on_timeout.get("ename") in errors and not self._kernel_responds():
            # Interrupting did not help (a long computation inside C code): start afresh.
            self.log.warning("Kernel still busy %ds after the timeout: restarting it", self.responsive_wait)
            self._restart_and_replay()
        elif not errors and not self._is_test_cell(cell):
            self._replay.append((index, cell))
        return cell, self.resources

    def _kernel_responds(self):
        """True if the kernel answers a kernel_info request within ``responsive_wait`` seconds."""
        saved, self.timeout = self.timeout, self.responsive_wait
        try:
            return self.wait_for_reply(self.kc.kernel_info()) is not None
        finally:
            self.timeout = saved

    @staticmethod
    def _is_test_cell(cell):
        return bool(cell.metadata.get("nbgrader", {}).get("grade"))

    @staticmethod
    def _error_output(name, value):
        return nbformat.v4.new_output("error", ename=name, evalue=value,
                                      traceback=["\x1b[0;31m{}\x1b[0m: {}".format(name, value)])

    def _restart_and_replay(self):
        """Start a fresh kernel and re-run, silently, the cells that had run without error."""
        self._cleanup_kernel()
        self._restarts += 1
        if self._restarts > self.max_restarts:
            self.log.error("Kernel died %d times: remaining cells are not run", self._restarts)
            return
        self.log.warning("Restarting the kernel and replaying %d cells", len(self._replay))
        self.km = self.create_kernel_manager()
        self.start_new_kernel()
        self.start_new_kernel_client()
        for index, done in list(self._replay):
            try:
                self.execute_cell(copy.deepcopy(done), index, store_history=False)
            except DeadKernelError:
                self._replay.remove((index, done))
                self._restart_and_replay()
                return
            finally:
                self.nb.cells[index] = done  # the replay's outputs are not kept


class LimitOutputSize(LimitOutput):
    """nbgrader's LimitOutput (lines, traceback), plus a cap on the characters of each stream output."""

    max_chars = Integer(20000, help="Maximum number of characters kept per stream output "
                                    "(-1 means no limit).").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        cell, resources = super().preprocess_cell(cell, resources, index)
        if self.max_chars >= 0 and cell.cell_type == "code":
            for output in cell.outputs:
                if output.output_type == "stream" and len(output.text) > self.max_chars:
                    output.text = output.text[:self.max_chars] + "\n... Output truncated ..."
        return cell, resources

