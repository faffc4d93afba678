"""A local fake of the OpenAI Batch API on top of the fixture server (tests/fixture_server.py).

    POST /v1/files                 multipart upload of a JSONL batch file (purpose=batch)
    POST /v1/batches               create a batch from an uploaded file
    GET  /v1/batches/{id}          status: validating -> in_progress -> completed (one step per poll)
    POST /v1/batches/{id}/cancel   cancel
    GET  /v1/files/{id}/content    the input, output or error file
    POST /v1/chat/completions      live calls, answered as the fixture server does

Each request line of a batch is answered with exactly what a live call would get (`fixture_server.
answer` and `completion`), so a brief assembled from batch answers can be compared with a live one.
`BatchScenario` scripts the faults: lines that land in the error file, a batch that expires with
part of its lines answered, a batch that never finishes (to test the max wait).
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from fixture_server import FixtureServer, answer, completion, stage_of

CREATED = 1_700_000_000


@dataclass
class BatchScenario:
    polls_to_finish: int = 2  # status polls before a batch ends (validating, in_progress, ...)
    fail_stage: str | None = None  # lines of this stage ("Composition", ...) go to the error file
    expire_batches: tuple[int, ...] = ()  # these batches (1-based) expire ...
    expired_answers: int = 0  # ... with this many of their first lines answered
    never_finish: bool = False  # every batch stays in_progress


@dataclass
class _Batch:
    id: str
    number: int
    input_file_id: str
    status: str = "validating"
    polls: int = 0
    output_file_id: str | None = None
    error_file_id: str | None = None
    counts: dict[str, int] = field(default_factory=lambda: {"total": 0, "completed": 0, "failed": 0})


class BatchAPIServer(FixtureServer):
    """`with BatchAPIServer(BatchScenario(...)) as server:` the fixture server plus a Batch API."""

    def __init__(self, batch: BatchScenario | None = None) -> None:
        self.batch_scenario = batch or BatchScenario()
        self.files: dict[str, bytes] = {}
        self.batches: dict[str, _Batch] = {}
        self.batch_lines: list[dict[str, Any]] = []  # every request line submitted, in order
        self.polls = 0
        self._ids = itertools.count(1)
        self._batch_lock = threading.Lock()
        super().__init__()

    def live_requests(self) -> int:
        return len(self.log.requests)

    def files_lines(self, b: _Batch) -> list[dict[str, Any]]:
        """The request lines of a batch's input file."""
        return [json.loads(x) for x in self.files[b.input_file_id].decode().splitlines() if x.strip()]

    # --- the Batch API -------------------------------------------------------------------------

    def _new_file(self, data: bytes) -> str:
        file_id = f"file-{next(self._ids)}"
        self.files[file_id] = data
        return file_id

    def _file_object(self, file_id: str, name: str) -> dict[str, Any]:
        return {
            "id": file_id,
            "object": "file",
            "bytes": len(self.files[file_id]),
            "created_at": CREATED,
            "filename": name,
            "purpose": "batch",
            "status": "processed",
        }

    def _batch_object(self, b: _Batch) -> dict[str, Any]:
        return {
            "id": b.id,
            "object": "batch",
            "endpoint": "/v1/chat/completions",
            "input_file_id": b.input_file_id,
            "completion_window": "24h",
            "created_at": CREATED,
            "status": b.status,
            "output_file_id": b.output_file_id,
            "error_file_id": b.error_file_id,
            "request_counts": b.counts,
        }

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        with self._batch_lock:
            number = len(self.batches) + 1
            b = _Batch(id=f"batch_{number}", number=number, input_file_id=body["input_file_id"])
            lines = [json.loads(x) for x in self.files[b.input_file_id].decode().splitlines() if x.strip()]
            self.batch_lines.extend(lines)
            b.counts["total"] = len(lines)
            self.batches[b.id] = b
            return self._batch_object(b)

    def poll(self, batch_id: str) -> dict[str, Any]:
        with self._batch_lock:
            self.polls += 1
            b = self.batches[batch_id]
            if b.status in ("validating", "in_progress") and not self.batch_scenario.never_finish:
                b.polls += 1
                if b.polls >= self.batch_scenario.polls_to_finish:
                    self._finish(b)
                else:
                    b.status = "in_progress"
            elif b.status == "validating":
                b.status = "in_progress"
            return self._batch_object(b)

    def _finish(self, b: _Batch) -> None:
        """Answer the batch's lines as live calls would be, into its output and error files."""
        sc = self.batch_scenario
        lines = [json.loads(x) for x in self.files[b.input_file_id].decode().splitlines() if x.strip()]
        expired = b.number in sc.expire_batches
        outputs, errors = [], []
        for i, line in enumerate(lines):
            request = line["body"]
            if expired and i >= sc.expired_answers:
                continue  # an expired batch leaves the rest unanswered (and reports them as failed)
            if sc.fail_stage and stage_of(request) == sc.fail_stage:
                errors.append(
                    {
                        "id": f"batch_req_{i}",
                        "custom_id": line["custom_id"],
                        "response": None,
                        "error": {"code": "server_error", "message": "The batch worker failed this line."},
                    }
                )
                continue
            stage, content = answer(request, self.scenario)
            body = completion(request, stage, content)
            outputs.append(
                {
                    "id": f"batch_req_{i}",
                    "custom_id": line["custom_id"],
                    "response": {"status_code": 200, "request_id": f"req_{i}", "body": body},
                    "error": None,
                }
            )
        if outputs:
            b.output_file_id = self._new_file("".join(json.dumps(o) + "\n" for o in outputs).encode())
        if errors:
            b.error_file_id = self._new_file("".join(json.dumps(e) + "\n" for e in errors).encode())
        b.counts = {"total": len(lines), "completed": len(outputs), "failed": len(lines) - len(outputs)}
        b.status = "expired" if expired else "completed"

    def cancel(self, batch_id: str) -> dict[str, Any]:
        with self._batch_lock:
            b = self.batches[batch_id]
            b.status = "cancelled"
            return self._batch_object(b)

    def _handler(self) -> Any:
        base = super()._handler()
        server = self

        class Handler(base):  # type: ignore[misc, valid-type]
            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                if m := re.search(r"/batches/([^/]+)$", path):
                    if m.group(1) not in server.batches:
                        self.send_json(404, {"error": {"message": "no such batch"}})
                        return
                    self.send_json(200, server.poll(m.group(1)))
                elif m := re.search(r"/files/([^/]+)/content$", path):
                    data = server.files.get(m.group(1))
                    if data is None:
                        self.send_json(404, {"error": {"message": "no such file"}})
                        return
                    self.send_bytes(200, data, {"Content-Type": "application/octet-stream"})
                else:
                    super().do_GET()

            def do_POST(self) -> None:
                path = self.path.split("?")[0]
                if path.endswith("/files"):
                    length = int(self.headers.get("Content-Length") or 0)
                    data, name = _multipart_file(
                        self.headers.get("Content-Type", ""), self.rfile.read(length)
                    )
                    self.send_json(200, server._file_object(server._new_file(data), name))
                elif path.endswith("/batches"):
                    length = int(self.headers.get("Content-Length") or 0)
                    self.send_json(200, server.create(json.loads(self.rfile.read(length))))
                elif m := re.search(r"/batches/([^/]+)/cancel$", path):
                    self.rfile.read(int(self.headers.get("Content-Length") or 0))
                    self.send_json(200, server.cancel(m.group(1)))
                else:
                    super().do_POST()

        return Handler


def _multipart_file(content_type: str, body: bytes) -> tuple[bytes, str]:
    """The `file` part of a multipart/form-data body and its file name."""
    boundary = re.search(r"boundary=\"?([^\";]+)", content_type)
    if not boundary:
        raise ValueError("not multipart")
    for part in body.split(b"--" + boundary.group(1).encode()):
        head, _, data = part.partition(b"\r\n\r\n")
        if b'name="file"' in head:
            name = re.search(rb'filename="([^"]*)"', head)
            return data.removesuffix(b"\r\n"), (name.group(1).decode() if name else "upload")
    raise ValueError("no file part")
