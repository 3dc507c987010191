"""Instructor tools of the gradient-checking course; the subsystems are its subpackages.

- ``assignment``, ``messages``, ``notebooks``, ``nbgrader_cli``: the facts, the bilingual messages, the
  notebook edits and the one way nbgrader is started as a command, shared by everything below;
- ``nbgrader_ext``: what ``nbgrader_config.py`` loads into nbgrader (preprocessors, export plugin);
- ``batch``: ``course grade``, grading a class in parallel and in isolation;
- ``results``: scores, feedback pages and reports read from the gradebook;
- ``site``: the self-learner website; ``authoring``: the demo class and the notebook's figures.
"""
