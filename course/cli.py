"""``course SUBCOMMAND`` (or ``python -m course SUBCOMMAND``): one argparse tree for the instructor tools.

Each module listed in SUBCOMMANDS has ``register(subparsers, common)``: it adds its parser with
``add_command`` (which gives it ``common``, the options every command shares, such as ``--course``)
and its own options. Its ``func`` is called with the parsed arguments and returns an exit code or None.
"""

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

from course.assignment import ASSIGNMENT, REPO_ROOT
from course.messages import CLI_DESCRIPTION, ERROR, HELP_COURSE, INTERRUPTED, CourseError, Message

SUBCOMMANDS = (
    "course.authoring.release",
    "course.authoring.demo",
    "course.batch.command",
    "course.authoring.figures",
    "course.site.build",
)


def common_options() -> argparse.ArgumentParser:
    """The options every subcommand takes (a parent parser)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--course", default=str(REPO_ROOT), metavar="PATH", help=HELP_COURSE.inline())
    return common


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="course",
        description=CLI_DESCRIPTION.format(assignment=ASSIGNMENT).inline(),
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    common = common_options()
    for name in SUBCOMMANDS:
        importlib.import_module(name).register(subparsers, common)
    return parser


def add_command(
    subparsers: argparse._SubParsersAction,
    common: argparse.ArgumentParser,
    name: str,
    summary: Message,
    docstring: str,
    func: Callable[[argparse.Namespace], int | None],
) -> argparse.ArgumentParser:
    """Add subcommand ``name``: the shared options, ``summary`` in the list of commands, its module
    docstring without the title line as its description, ``func(args)`` to run it."""
    description = docstring.split("\n\n", 1)[1] if "\n\n" in docstring else docstring
    parser = subparsers.add_parser(name, parents=[common], help=summary.inline(), description=description)
    parser.set_defaults(func=func)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args) or 0
    except CourseError as error:
        print(ERROR.format(message=error.message).text(), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(INTERRUPTED.text(), file=sys.stderr)
        return 130
