"""A WebSocket peer nobody here wrote the library of: Python's `websockets` (Debian python3-websockets).

usage: websocket-python-peer.py URL TEXT [TOKEN]
Connects (with a bearer token when given), sends TEXT, waits for one message and prints
{"reply": ..., "binary": bool}, or {"refused": status} when the upgrade is answered with an HTTP error.
"""
import asyncio
import json
import sys

import websockets


async def main(url, text, token=None):
    headers = {"Authorization": "Bearer " + token} if token else {}
    try:
        async with websockets.connect(url, extra_headers=headers, open_timeout=5) as ws:
            await ws.send(text)
            reply = await asyncio.wait_for(ws.recv(), 5)
    except websockets.exceptions.InvalidStatusCode as refused:
        print(json.dumps({"refused": refused.status_code}))
        return
    binary = not isinstance(reply, str)
    print(json.dumps({"reply": reply.hex() if binary else reply, "binary": binary}))


asyncio.run(main(*sys.argv[1:]))
