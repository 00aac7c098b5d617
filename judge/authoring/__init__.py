"""Tools for problem authors, beside the grading pipeline (which never imports them).

- :mod:`judge.authoring.scaffold`: ``judge new``, a working example problem folder;
- :mod:`judge.authoring.cases`: ``judge cases show|add|gen``;
- :mod:`judge.authoring.check`: ``judge check``, a problem proven before learners see it.
"""
