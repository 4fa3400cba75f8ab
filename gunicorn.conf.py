"""gunicorn settings for zisurvey: `gunicorn -c gunicorn.conf.py 'survey_app:create_app()'`.

* Threaded workers, so a client sending its body one byte at a time holds one thread, never a
  whole worker: `/health` and everyone else are still answered (issue 19.7). Each worker keeps
  `threads` connections; past that, the kernel queues them (`backlog`). So workers x threads
  deliberately slow clients can still fill it: on the open Internet put a buffering proxy in
  front (nginx buffers whole requests before passing them on; see the README).
* After a worker has loaded the app, its long-lived objects (the app, the catalogue, plotly,
  pandas, Babel's data) are frozen out of the garbage collector's generations: a page of 500
  units allocates enough to start full collections, which then walk only what the request made
  (issue 20.4: about a fifth of the Kementerian page's CPU time before).
* No client address is written anywhere: no access log, and the error log's lines (such as
  "Invalid request from ip=...") have IPv4 and IPv6 addresses blanked.

Every value can be overridden on the command line or with GUNICORN_CMD_ARGS.
"""

import gc
import multiprocessing
import os

from gunicorn.glogging import Logger

from survey_app.sources import RedactAddresses

bind = os.environ.get("ZISURVEY_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("ZISURVEY_WORKERS", 2 * multiprocessing.cpu_count() + 1))
worker_class = "gthread"
threads = 32  # one per connection being read or answered; slow clients each hold one
timeout = 30  # a request taking longer than this is ended and its worker replaced
graceful_timeout = 20
keepalive = 5
limit_request_line = 8190
limit_request_fields = 100
backlog = 2048
accesslog = None  # an access line carries the address: never written
errorlog = "-"


class RedactingLogger(Logger):
    """gunicorn's logger with every address blanked before a line is written."""

    def setup(self, cfg):  # noqa: ANN001, ANN201  (gunicorn's signature)
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.addFilter(RedactAddresses())


logger_class = RedactingLogger


def post_worker_init(worker):  # noqa: ANN001, ANN201, ARG001  (gunicorn's signature)
    """The app is loaded: what exists now lives as long as the worker, never collected."""
    gc.freeze()
