#!/usr/bin/env python3
"""A slow HTTP/1.1 backend on 127.0.0.1: answers every request after --delay seconds, or never (--delay never).

One asyncio event loop holds any number of keep-alive connections (the open-file limit is raised to the hard limit),
so a flood of thousands of concurrent requests piles up here, as behind a slow application. GET /__up answers at once
(used to wait for the server to start). Logs its connection count every 5 s.
"""
import argparse
import asyncio
import resource
import sys

BODY = b"slow\n"


class Stats:
    open_connections = 0
    requests = 0
    answered = 0


async def handle(reader, writer, delay):
    Stats.open_connections += 1
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            Stats.requests += 1
            request_line = head.split(b"\r\n", 1)[0]
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value.strip())
            if length:
                await reader.readexactly(length)
            if b" /__up " not in request_line:
                if delay is None:
                    await asyncio.Event().wait()  # never answers; the client gives up
                await asyncio.sleep(delay)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s"
                         % (len(BODY), BODY))
            await writer.drain()
            Stats.answered += 1
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, ValueError):
        pass
    finally:
        Stats.open_connections -= 1
        writer.close()


async def report():
    while True:
        await asyncio.sleep(5)
        print(f"open={Stats.open_connections} requests={Stats.requests} answered={Stats.answered}", flush=True)


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--delay", default="10", help="seconds, or 'never'")
    args = parser.parse_args()
    delay = None if args.delay == "never" else float(args.delay)

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    backlog = int(open("/proc/sys/net/core/somaxconn").read())
    server = await asyncio.start_server(lambda r, w: handle(r, w, delay), "127.0.0.1", args.port, backlog=backlog)
    print(f"listening on 127.0.0.1:{args.port}, delay {args.delay}, nofile {hard}, backlog {backlog}", flush=True)
    asyncio.get_running_loop().create_task(report())
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
