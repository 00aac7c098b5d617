"""``judge serve``: the judge as an HTTP service (FastAPI on uvicorn, SQLite by default).

- :mod:`judge.service.db`: the store (SQLite in WAL mode): tokens, submissions, jobs, results;
- :mod:`judge.service.queue`: workers that claim jobs with a lease and grade them via :func:`judge.job.run_job`;
- :mod:`judge.service.webhooks`: signed callbacks to allow-listed hosts;
- :mod:`judge.service.app`: the ``/v1`` API;
- :mod:`judge.service.web`: the web page at ``/`` (static files, statements rendered from Markdown);
- :mod:`judge.service.sets` and :mod:`judge.service.sets_api`: problem sets (opening times, deadlines, late rules) and their routes;
- :mod:`judge.service.client`: what ``judge submit`` uses to talk to it.
"""
