"""Register the ingest_document flow as a deployment on a process work pool.

    python -m flows.deploy --pool chidao --name chidao [--source /srv/chidao] [--concurrency 8]

Workers (`prefect worker start --pool chidao`) then run each file's flow run in a subprocess
of their machine, importing the flow from SOURCE (the project folder, at the same path on every
worker machine).  See docs/scaling.md."""
from __future__ import annotations

import argparse

from flows.ingest import deploy


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m flows.deploy", description=__doc__.splitlines()[0])
    ap.add_argument("--pool", required=True, help="process work pool (prefect work-pool create NAME --type process)")
    ap.add_argument("--name", default="chidao", help="deployment name (default chidao)")
    ap.add_argument("--source", default=None, help="project folder the workers import the flow from (default: this one)")
    ap.add_argument("--concurrency", type=int, default=None, help="flow runs at once over all workers")
    a = ap.parse_args(argv)
    print(deploy(pool=a.pool, name=a.name, source=a.source, concurrency=a.concurrency))


if __name__ == "__main__":
    main()
