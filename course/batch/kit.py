"""The grading kit: the files of the course that every job of a batch carries to its worker.

Why: a worker grades in a private copy of the course that it builds from these bytes alone, so it
needs no shared file system and never sees the class's gradebook or other students' work.
"""

import os
import tempfile
from pathlib import Path

from course.assignment import source_folder
from course.batch.gradebook import template_gradebook
from course.batch.worker import GradingKit

#: Files of source/<assignment>/ that are not copied. The master notebook is kept: the course's grading
#: rules (course/nbgrader_ext/) trust a student's given cells only when they equal the master's. Only
#: nbgrader reads it; the kernel never sees source/.
SOURCE_IGNORED = (".pyc",)
SOURCE_IGNORED_DIRS = ("__pycache__", ".ipynb_checkpoints")


def source_files(root: str | Path) -> dict[str, bytes]:
    """``{path in the private course: bytes}`` of source/<assignment>/: the master notebook and its helper
    files (symlinks resolved)."""
    folder = source_folder(root)
    files = {}
    for directory, subdirs, names in os.walk(str(folder)):
        subdirs[:] = [d for d in subdirs if d not in SOURCE_IGNORED_DIRS]
        for name in names:
            if not name.endswith(SOURCE_IGNORED):
                path = Path(directory) / name
                files[str(Path(folder.relative_to(root), path.relative_to(folder)))] = path.read_bytes()
    return files


def build_kit(root: str | Path, db_url: str) -> GradingKit:
    """The GradingKit of this course: its nbgrader_config.py, source helpers and the assignment's definition."""
    files = {"nbgrader_config.py": (Path(root) / "nbgrader_config.py").read_bytes()}
    files.update(source_files(root))
    with tempfile.TemporaryDirectory() as folder:
        files["gradebook.db"] = template_gradebook(db_url, folder)
    return GradingKit(files)
