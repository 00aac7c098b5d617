"""Exports to the tools instructors use: a Gradescope autograder and gradebook CSV files.

:mod:`judge.export.gradebook` turns a results store or the service's database into one row per
user and problem; :mod:`judge.export.gradescope` builds an autograder zip and, inside Gradescope,
turns a grading into ``results.json``. The CLI (``judge export``) is a thin shell over both.
"""
