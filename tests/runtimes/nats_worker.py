"""A worker process for the NATS runtime tests: ``python nats_worker.py URL DEPLOYMENT WORKER_ID``.

Serves the ``tally`` agent type (subscribed to topic type ``inc``), prints READY once it serves, and runs until
killed or until its stdin closes.
"""

from __future__ import annotations

import asyncio
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from accord.core import TypeSubscription  # noqa: E402
from accord.runtimes.nats import NatsAgentRuntime  # noqa: E402
from tests.runtimes.nats_agents import Tally  # noqa: E402


async def main(url: str, deployment: str, worker_id: str) -> None:
    os.environ["ACCORD_TEST_WORKER"] = worker_id
    runtime = NatsAgentRuntime(url, deployment=deployment, worker_id=worker_id)
    await Tally.register(runtime, "tally", Tally)
    await runtime.add_subscription(TypeSubscription("inc", "tally"))
    runtime.start()
    await runtime.started()
    print("READY", flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)  # until the test closes our stdin
    await runtime.close()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
