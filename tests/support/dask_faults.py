"""A fault for the cluster tests, preloaded into ``dask worker`` processes: ``--preload THIS_FILE``.

A worker process that starts a task whose key holds ``poison`` kills itself at once with SIGKILL, as a
submission that crashes whatever grades it would (nothing a real submission can do reaches the worker:
its code runs in the sandbox). Each such death appends one line to the file named by the environment
variable ``COURSE_TEST_POISON_LOG``, so a test can count the tries.
"""

import os
import signal

from distributed.diagnostics.plugin import WorkerPlugin

POISON = "poison"


class PoisonKillsTheWorker(WorkerPlugin):
    """Kill this worker process when it starts executing a task of a poison submission."""

    def transition(self, key, start, finish, **kwargs):
        if finish == "executing" and POISON in str(key):
            with open(os.environ["COURSE_TEST_POISON_LOG"], "a") as log:
                log.write("{} {}\n".format(os.getpid(), key))
            os.kill(os.getpid(), signal.SIGKILL)


async def dask_setup(worker):
    await worker.plugin_add(PoisonKillsTheWorker(), name="poison-kills-the-worker")
