"""The baseline for the verifyPass benchmark: a bare Starlette JSON endpoint (parse the
body, answer JSON) served by the same uvicorn settings."""

from __future__ import annotations

import json

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


async def echo(request: Request) -> JSONResponse:
    body = json.loads(await request.body())
    return JSONResponse({"valid": True, "length": len(body.get("text", ""))})


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


app = Starlette(routes=[Route("/verify", echo, methods=["POST"]), Route("/healthz", health)])
