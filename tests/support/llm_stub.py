"""A small OpenAI-compatible chat server on 127.0.0.1 that can misbehave on purpose.

Each request takes the next mode from `script` (then `mode`, or `by_step[step]` when the
prompt names a step). Modes: ok, fenced, change_amount, drop_token, add_url, threaten,
wrong_language, invalid_json, timeout, 429, 500. Requests are captured for assertions.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_TEMPLATE = re.compile(r"<template>\s*(\{.*\})\s*</template>", re.S)
_BRIEF = re.compile(r"<tokens>(.*?)</tokens>", re.S)
_STEP = re.compile(r"(?:Step|Étape) : ?(\w+)|(?:Step|Étape): (\w+)")
_TOKEN = re.compile(r"\[\[[A-Z0-9_]+\]\]")


def _template(messages: list[dict[str, str]]) -> dict[str, str] | None:
    for m in messages:
        found = _TEMPLATE.search(m["content"])
        if found:
            return json.loads(found.group(1))
    return None


def _french(messages: list[dict[str, str]]) -> bool:
    return "Tu réécris" in messages[0]["content"] or "Tu prépares" in messages[0]["content"]


def good_rewrite(messages: list[dict[str, str]]) -> dict[str, str]:
    tpl = _template(messages) or {"subject": "", "body": ""}
    body = tpl["body"]
    if _french(messages):
        body = body.replace("Bonjour,", "Madame, Monsieur,", 1)
    else:
        body = body.replace("Hello,", "Dear customer,", 1)
    return {"subject": tpl["subject"], "body": body}


def good_brief(messages: list[dict[str, str]]) -> dict[str, Any]:
    text = "\n".join(m["content"] for m in messages)
    tokens = _TOKEN.findall(_BRIEF.search(text).group(1)) if _BRIEF.search(text) else []
    options = re.findall(r'"option_id": "(\w+)"', text) or ["pay_now"]
    if _french(messages):
        summary = "Client à rappeler avec tact : " + " ".join(tokens[:2])
        script = [
            "Ouvrir avec courtoisie et rappeler le contexte de la relation.",
            "Demander si les factures ont bien été reçues et validées.",
            "Proposer un échéancier plutôt qu'un report sans date.",
            "Conclure en récapitulant l'engagement pris.",
        ]
    else:
        summary = "Customer to call tactfully: " + " ".join(tokens[:2])
        script = [
            "Open courteously and recall the context of the relationship.",
            "Ask whether the invoices were received and approved.",
            "Offer a payment schedule rather than an open-ended delay.",
            "Close by restating the commitment that was made.",
        ]
    return {"summary": summary, "script": script, "recommended_option": options[-1]}


def mutate(mode: str, messages: list[dict[str, str]]) -> str:
    """The assistant message content for a content-level mode."""
    if _template(messages) is None:
        answer: dict[str, Any] = good_brief(messages)
        if mode == "change_amount":
            answer["summary"] += " Il doit 1 234,56 €."
        elif mode == "add_url":
            answer["summary"] += " https://evil.example.com"
        elif mode == "invalid_json":
            return "Voici le brief : le client doit payer."
        return json.dumps(answer, ensure_ascii=False)
    answer = good_rewrite(messages)
    body = answer["body"]
    if mode == "change_amount":
        body = body.replace("[[TOTAL_DUE]]", "1 234,56 €")
    elif mode == "drop_token":
        body = body.replace("[[IBAN]]", "notre compte habituel")
    elif mode == "add_url":
        body += "\nPour payer : https://pay.example.com/facture"
    elif mode == "threaten":
        body = body.replace(
            "Bien cordialement,",
            "Sans règlement rapide, nous saisirons le tribunal et mandaterons un huissier.\n\n"
            "Bien cordialement,",
        )
    elif mode == "wrong_language":
        tokens = " ".join(dict.fromkeys(_TOKEN.findall(answer["subject"] + body)))
        body = (
            "Hello,\n\nWe are writing to you about the invoices below, which are still unpaid. "
            "Please find all the details here and thank you for your payment at your earliest "
            f"convenience. For any question, we are here to help.\n\n{tokens}\n\nKind regards"
        )
    elif mode == "invalid_json":
        return "Bien sûr ! Voici l'e-mail réécrit : " + body
    answer["body"] = body
    text = json.dumps(answer, ensure_ascii=False)
    return f"```json\n{text}\n```" if mode == "fenced" else text


class StubLLM:
    def __init__(
        self,
        mode: str = "ok",
        *,
        script: list[str] | None = None,
        by_step: dict[str, str] | None = None,
        latency_s: float = 0.0,
        hang_s: float = 3.0,
    ) -> None:
        self.mode = mode
        self.script = list(script or [])
        self.by_step = by_step or {}
        self.latency_s = latency_s
        self.hang_s = hang_s
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> StubLLM:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _next_mode(self, payload: dict[str, Any]) -> str:
        with self._lock:
            self.requests.append(payload)
            if self.script:
                return self.script.pop(0)
        text = "\n".join(m["content"] for m in payload.get("messages", []))
        step = _STEP.search(text)
        name = step and (step.group(1) or step.group(2))
        return self.by_step.get(name or "", self.mode)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def _send(self, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(data)

            def do_POST(self) -> None:
                size = int(self.headers.get("Content-Length", 0))
                payload = json.loads(self.rfile.read(size) or b"{}")
                with stub._lock:
                    stub.headers.append({k.lower(): v for k, v in self.headers.items()})
                mode = stub._next_mode(payload)
                if stub.latency_s:
                    time.sleep(stub.latency_s)
                if mode == "timeout":
                    time.sleep(stub.hang_s)
                if mode in ("429", "500"):
                    error = {"error": {"message": f"stub {mode}", "type": "stub"}}
                    self._send(int(mode), error, {"retry-after-ms": "5"})
                    return
                content = mutate(mode, payload["messages"])
                prompt = sum(len(m["content"]) for m in payload["messages"]) // 4
                self._send(
                    200,
                    {
                        "id": f"chatcmpl-stub-{len(stub.requests)}",
                        "object": "chat.completion",
                        "created": 0,
                        "model": payload.get("model", "stub"),
                        "choices": [
                            {
                                "index": 0,
                                "message": {"role": "assistant", "content": content},
                                "finish_reason": "stop",
                            }
                        ],
                        "usage": {
                            "prompt_tokens": prompt,
                            "completion_tokens": len(content) // 4,
                            "total_tokens": prompt + len(content) // 4,
                        },
                    },
                    {},
                )

        return Handler
