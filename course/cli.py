"""``python -m course SUBCOMMAND``: one entry point, one module per subcommand.

Each module listed in SUBCOMMANDS has ``register(subparsers)``, which adds its parser and sets
``func`` (called with the parsed arguments; returns an exit code or None).
"""
import argparse
import importlib
import sys

from course.common import CourseError

SUBCOMMANDS = (
    "course.demo",
    "course.grade",
    "course.figures",
    "course.site",
)


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m course",
        description="Instructor tools of the gradient-checking course (nbgrader assignment 'gradient_checking').")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for name in SUBCOMMANDS:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args) or 0
    except CourseError as error:
        print("error: {}".format(error), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
