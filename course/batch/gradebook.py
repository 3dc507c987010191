"""The grading batch's side of the gradebook: every write happens here, in the parent process, one at a time.

* ``database_url`` turns what the user typed into the URL nbgrader uses (SQLite file, or PostgreSQL
  through psycopg 3);
* ``ensure_assignment`` makes sure the gradebook knows the assignment's cells;
* ``template_gradebook`` copies that definition into a small SQLite file, shipped with every job;
* ``record_result`` stores a worker's grades exactly as nbgrader's SaveAutoGrades would have.
"""

import sqlite3
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from sqlalchemy import text
from sqlalchemy.exc import SAWarning

from course.assignment import ASSIGNMENT
from course.batch.worker import GradeResult
from course.messages import GRADEBOOK_ADD_FAILED, GRADEBOOK_ADDING_ASSIGNMENT, CourseError
from course.nbgrader_cli import run_nbgrader

POSTGRES_PREFIXES = ("postgresql://", "postgres://")
POSTGRES_DRIVER = "postgresql+psycopg://"


def database_url(course_root: str | Path, db: str | None = None) -> str:
    """The SQLAlchemy URL of the gradebook: ``db`` as given (postgresql:// uses psycopg 3), or the course's SQLite."""
    if not db:
        return "sqlite:///{}".format(Path(course_root) / "gradebook.db")
    for prefix in POSTGRES_PREFIXES:
        if db.startswith(prefix):
            return POSTGRES_DRIVER + db[len(prefix) :]
    return db


def has_assignment(db_url: str) -> bool:
    with Gradebook(db_url) as gradebook:
        try:
            gradebook.find_assignment(ASSIGNMENT)
        except MissingEntry:
            return False
    return True


def ensure_assignment(course_root: str | Path, db_url: str, log: Callable[..., None] = print) -> None:
    """Put the assignment's definition into the gradebook if it is not there (nbgrader generate_assignment
    writing its output to a throw-away folder, so release/ is left alone)."""
    if has_assignment(db_url):
        return
    log(GRADEBOOK_ADDING_ASSIGNMENT.format(assignment=ASSIGNMENT).inline())
    with tempfile.TemporaryDirectory() as release:
        run_nbgrader(
            course_root,
            "generate_assignment",
            ASSIGNMENT,
            "--force",
            "--db={}".format(db_url),
            "--CourseDirectory.release_directory={}".format(release),
        )
    if not has_assignment(db_url):
        raise CourseError(GRADEBOOK_ADD_FAILED.format(assignment=ASSIGNMENT))


def copy_assignment(source: Gradebook, target: Gradebook, name: str) -> None:
    """Copy assignment ``name`` (notebooks and all their cells) from Gradebook ``source`` to ``target``."""
    assignment = source.find_assignment(name)
    target.update_or_create_assignment(name, duedate=assignment.duedate)
    for notebook in assignment.notebooks:
        target.add_notebook(notebook.name, name, kernelspec=notebook.kernelspec)
        for cell in notebook.grade_cells:
            target.add_grade_cell(cell.name, notebook.name, name, max_score=cell.max_score, cell_type=cell.cell_type)
        for cell in notebook.solution_cells:
            target.add_solution_cell(cell.name, notebook.name, name)
        for cell in notebook.task_cells:
            target.add_task_cell(cell.name, notebook.name, name, max_score=cell.max_score, cell_type=cell.cell_type)
        for cell in notebook.source_cells:
            target.add_source_cell(
                cell.name,
                notebook.name,
                name,
                cell_type=cell.cell_type,
                locked=cell.locked,
                source=cell.source,
                checksum=cell.checksum,
            )


def stamp_schema_version(source: Gradebook, path: str | Path) -> None:
    """Create SQLite file ``path`` with the schema version of Gradebook ``source`` (what nbgrader would
    otherwise find out by running the ``alembic`` command, which takes seconds)."""
    version = source.db.execute(text("SELECT version_num FROM alembic_version")).scalar()
    with sqlite3.connect(str(path)) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        connection.execute("INSERT INTO alembic_version (version_num) VALUES (?)", (version,))
    connection.close()


def template_gradebook(db_url: str, folder: str | Path) -> bytes:
    """Write ``folder/gradebook.db`` holding only the assignment's definition; return its bytes."""
    path = Path(folder) / "gradebook.db"
    with Gradebook(db_url) as source:
        course_id = source.find_assignment(ASSIGNMENT).course_id
        stamp_schema_version(source, path)
        with Gradebook("sqlite:///{}".format(path), course_id) as target:
            copy_assignment(source, target, ASSIGNMENT)
    return path.read_bytes()


def record_result(gradebook: Gradebook, assignment: str, result: GradeResult) -> None:
    """Store a successful GradeResult in ``gradebook`` (idempotent: grading twice leaves one submission)."""
    gradebook.update_or_create_student(result.student)
    extra = {"timestamp": result.timestamp} if result.timestamp else {}
    with warnings.catch_warnings():  # nbgrader's add_submission trips harmless SQLAlchemy autoflush warnings
        warnings.simplefilter("ignore", SAWarning)
        gradebook.update_or_create_submission(assignment, result.student, **extra)
    for name, data in result.notebooks.items():
        notebook = gradebook.find_submission_notebook(name, assignment, result.student)
        notebook.late_submission_penalty = data["late_submission_penalty"]
        for grade in notebook.grades:
            grade.auto_score = data["grades"].get(grade.name)
            # as SaveAutoGrades: a grade a human already touched, or without an auto score, needs review
            grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None
        for comment in notebook.comments:
            comment.auto_comment = data["comments"].get(comment.name)
    gradebook.db.commit()
