"""`briefer batch --cluster`: a real local Dask cluster (a scheduler and two workers on 127.0.0.1,
started and stopped here) briefs a 10-topic batch: the outputs equal the local run's, a second run
makes no model calls, a worker killed mid-topic means one retry and then that topic fails alone, and
no worker writes the user's files (tests/cluster_guard.py refuses and records any such write).

Skipped when the optional extra is not installed (`pip install -c constraints.txt '.[cluster]'`).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

distributed = pytest.importorskip(
    "distributed",
    reason="the optional Dask extra is not installed: pip install -c constraints.txt '.[cluster]'",
)
psutil = pytest.importorskip("psutil", reason="psutil comes with the Dask extra")

from click.testing import CliRunner  # noqa: E402
from fixture_server import FixtureServer, first_user  # noqa: E402
from test_batch_jobs import outputs, topics_config  # noqa: E402

from briefer.cli.app import cli  # noqa: E402

LOCAL = pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1"])
ROOT = Path(__file__).resolve().parent.parent
FAKE_KEY = "sk-fixture-cluster-0000000000"
DASK = Path(sys.executable).with_name("dask")


class KillingServer(FixtureServer):
    """The fixture server; an extraction request whose document holds a marker kills the process that
    sent it (a cluster worker) with SIGKILL: "DOOMED-MARKER" every time, "FLAKY-MARKER" the first time."""

    def __init__(self) -> None:
        self.kills: list[tuple[str, int]] = []
        super().__init__()

    def _handler(self) -> Any:
        base = super()._handler()
        server = self

        class Killing(base):  # type: ignore[misc, valid-type]
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                body = json.loads(raw or b"{}")
                prompt = first_user(body) if body.get("messages") else ""
                for marker, always in (("DOOMED-MARKER", True), ("FLAKY-MARKER", False)):
                    if marker in prompt and (always or not any(m == marker for m, _ in server.kills)):
                        pid = sender(self.client_address)
                        server.kills.append((marker, pid))
                        os.kill(pid, signal.SIGKILL)
                        return
                self.rfile = _Replay(raw)
                super().do_POST()

        return Killing


class _Replay:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self, n: int = -1) -> bytes:
        return self.data


def sender(address: tuple[str, int]) -> int:
    """The pid of the local process on the other end of a connection to this server."""
    for conn in psutil.net_connections(kind="tcp"):
        if conn.laddr and (conn.laddr.ip, conn.laddr.port) == address and conn.pid:
            return int(conn.pid)
    raise AssertionError(f"no process owns {address}")


@contextlib.contextmanager
def local_cluster(guarded: Path) -> Iterator[str]:
    """`dask scheduler` and two `dask worker` processes (each under a nanny that restarts it) on
    127.0.0.1; the scheduler retries a task whose worker died once. Yields the scheduler's address."""
    work = Path(tempfile.mkdtemp(prefix="briefer-dask-"))  # outside `guarded`: the workers' own space
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "BRIEFER_", "AZURE_"))}
    env |= {
        "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1",
        "BRIEFER_TEST_NO_WRITES_UNDER": str(guarded),
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")]),
    }
    scheduler_file = work / "scheduler.json"
    common = ["--no-dashboard"]
    procs = [
        subprocess.Popen(
            [
                str(DASK),
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--scheduler-file",
                str(scheduler_file),
            ]
            + common,
            cwd=work,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        address = json.loads(scheduler_file.read_text())["address"]
        for i in range(2):
            procs.append(
                subprocess.Popen(
                    [str(DASK), "worker", address, "--host", "127.0.0.1", "--nthreads", "1"]
                    + ["--name", f"w{i}", "--local-directory", str(work / f"w{i}")]
                    + ["--preload", str(ROOT / "tests" / "cluster_guard.py")]
                    + common,
                    cwd=work,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        with distributed.Client(address, timeout=30) as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in reversed(procs):
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def with_marked_topic(folder: Path, config: Path, name: str, keep: int) -> Path:
    """A config of the first `keep` topics of `config` plus topic `name`, whose one article holds the
    marker that makes the server kill the worker asking about it; outputs go to `folder/name/`."""
    (folder / f"src-{name}").mkdir()
    text = (ROOT / "tests" / "fixtures" / "storm" / "coastal_herald.txt").read_text(encoding="utf-8")
    marker = f"{name.upper()}-MARKER"
    (folder / f"src-{name}" / "a.txt").write_text(f"{text}\n\nThe wire desk filed this as {marker} today.\n")
    head, *topics = config.read_text(encoding="utf-8").split("[[topic]]")
    head = head.replace('manifest = "cluster/', f'manifest = "{name}/')
    kept = "[[topic]]".join(["", *topics[:keep]]).replace('"cluster/', f'"{name}/')
    path = folder / f"{name}.toml"
    path.write_text(
        f'{head}{kept}[[topic]]\nname = "{name}"\nsources = "src-{name}/"\noutputs = ["{name}/{name}.md"]\n',
        encoding="utf-8",
    )
    return path


def worker_writes(address: str, guarded: Path) -> list[str]:
    """The writes the workers' guard refused; every worker must be guarding `guarded`."""
    import cluster_guard

    with distributed.Client(address, timeout=30) as client:
        client.wait_for_workers(2, timeout=60)  # a killed worker is back once its nanny restarted it
        seen = client.run(cluster_guard.writes)
    assert len(seen) == 2 and all(g == str(guarded) for g, _ in seen.values()), seen
    return [w for _, ws in seen.values() for w in ws]


def batch(config: Path, *args: str) -> Any:
    return CliRunner().invoke(cli, ["batch", str(config), *args])


@LOCAL
def test_a_batch_on_a_local_dask_cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with KillingServer() as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
        local = topics_config(tmp_path, 10, "local")
        on_cluster = topics_config(tmp_path, 10, "cluster")
        first = batch(local, "--cache-dir", str(tmp_path / "local-cache"))
        assert first.exit_code == 0, first.output
        local_calls = len(server.log.requests)

        with local_cluster(tmp_path) as address:
            cache = str(tmp_path / "cluster-cache")
            result = batch(on_cluster, "--cluster", address, "--cache-dir", cache)
            assert result.exit_code == 0, result.output
            assert len(server.log.requests) == 2 * local_calls
            assert outputs(tmp_path / "cluster") == outputs(tmp_path / "local")
            m = json.loads((tmp_path / "cluster" / "manifest.json").read_text())
            assert [t["name"] for t in m["topics"]] == [f"topic{i}" for i in range(10)]
            assert m["usage"]["calls"] == local_calls

            again = batch(on_cluster, "--cluster", address, "--cache-dir", cache)
            assert again.exit_code == 0, again.output
            assert len(server.log.requests) == 2 * local_calls, "the second run made no model calls"
            m2 = json.loads((tmp_path / "cluster" / "manifest.json").read_text())
            assert m2["usage"]["calls"] == 0 and m2["usage"]["cache_hits"] == local_calls
            md = lambda files: {k: v for k, v in files.items() if k.endswith(".md")}  # noqa: E731
            assert md(outputs(tmp_path / "cluster")) == md(outputs(tmp_path / "local"))

            # A worker killed mid-topic: the topic is retried once on another worker and succeeds...
            flaky = with_marked_topic(tmp_path, on_cluster, "flaky", keep=10)
            hit = batch(flaky, "--cluster", address, "--cache-dir", cache)
            assert hit.exit_code == 0, hit.output
            assert [m for m, _ in server.kills] == ["FLAKY-MARKER"]
            m3 = json.loads((tmp_path / "flaky" / "manifest.json").read_text())
            assert all(t["outcome"] == "success" for t in m3["topics"]) and len(m3["topics"]) == 11
            assert (tmp_path / "flaky" / "flaky.md").exists()

            # ... and a topic whose worker dies on the retry too fails alone, with the reason.
            doomed = with_marked_topic(tmp_path, on_cluster, "doomed", keep=1)
            hit = batch(doomed, "--cluster", address, "--cache-dir", cache)
            assert hit.exit_code == 4, hit.output
            assert [m for m, _ in server.kills] == ["FLAKY-MARKER", "DOOMED-MARKER", "DOOMED-MARKER"]
            m4 = json.loads((tmp_path / "doomed" / "manifest.json").read_text())
            by_name = {t["name"]: t for t in m4["topics"]}
            assert by_name["topic0"]["outcome"] == "success"
            assert by_name["doomed"]["outcome"] == "failure"
            assert (
                "a cluster worker died while briefing this topic, and again when it was retried"
                in (by_name["doomed"]["error"])
            )
            assert not (tmp_path / "doomed" / "doomed.md").exists()

            assert worker_writes(address, tmp_path) == [], "no worker wrote under the test's folder"
            with distributed.Client(address, timeout=30) as probe, pytest.raises(PermissionError):
                probe.submit(
                    Path.write_text, tmp_path / "probe.txt", "x", pure=False
                ).result()  # the guard works
            assert not (tmp_path / "probe.txt").exists()


def test_cluster_without_a_scheduler_is_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefer.runs import cluster

    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT_S", 1)
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    config = tmp_path / "b.toml"
    config.write_text(
        '[batch]\nengine = "offline"\n[[topic]]\nname = "a"\nsources = "seeds/"\noutputs = ["a.md"]\n'
    )
    result = batch(config, "--cluster", "tcp://127.0.0.1:9")
    assert result.exit_code == 2, result.output
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.stderr
    assert not (tmp_path / "a.md").exists()
