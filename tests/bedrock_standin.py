"""A stand-in for Amazon Bedrock's Converse API on 127.0.0.1: it answers each request with the
next queued response and keeps the requests it received.

The responses are written for the tests: the model's text (a file of tests/model_answers/, or
given), in a Converse response of the shape botocore's bedrock-runtime model gives
(tests/test_bedrock_standin.py holds it to that shape). None was recorded from Bedrock."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ANSWERS = Path(__file__).parent / "model_answers"  # what a model might answer, hand-written


def converse_response(text: str) -> dict:
    """A Converse response whose message is `text`, as Bedrock sends it."""
    return {
        "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
        "stopReason": "end_turn",
        "usage": {"inputTokens": 812, "outputTokens": 164, "totalTokens": 976},
        "metrics": {"latencyMs": 2310},
    }


def written_answer(name: str) -> str:
    """The text of tests/model_answers/<name>.txt (less the file's last newline)."""
    return (ANSWERS / f"{name}.txt").read_text(encoding="utf-8").removesuffix("\n")


class BedrockStandIn:
    """Serves queued (status, body) answers; `requests` holds (path, parsed body)."""

    def __init__(self):
        self.answers: list[tuple[int, dict]] = []
        self.requests: list[tuple[str, dict]] = []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                stand_in.requests.append((self.path, body))
                status, answer = stand_in.answers.pop(0) if stand_in.answers else (500, {})
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                if status >= 400:
                    self.send_header("x-amzn-ErrorType", answer.get("__type", "InternalServer"))
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def replay(self, *names: str) -> None:
        """Answer the next requests with these written answers (tests/model_answers), in order."""
        self.reply(*(written_answer(name) for name in names))

    def reply(self, *texts: str) -> None:
        self.answers += [(200, converse_response(text)) for text in texts]

    def refuse(self, status: int, error_type: str, message: str) -> None:
        self.answers.append((status, {"__type": error_type, "message": message}))

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
