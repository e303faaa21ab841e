"""`paperbot site`: the static archive (every digest, paper and must-read list, searchable, with feeds)."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

from bot.config import Config
from bot.errors import ConfigError
from bot.site.options import check_channel
from bot.site.refresh import build_from_config
from bot.site.serve import HOST, site_server

NAME, HELP = "site", "write the archive site from the store (and --serve it on 127.0.0.1)"


def arguments(parser) -> None:
    parser.add_argument("--out", help="the site's folder (default: [site] out_dir)")
    parser.add_argument("--channel", help="only this channel, e.g. slack:C0123ABCD (default: every channel)")
    parser.add_argument("--serve", action="store_true",
                        help="then serve the site on 127.0.0.1 until Ctrl-C (search needs a web server)")
    parser.add_argument("--port", type=int, default=8000, help="the port for --serve (default 8000; 0: any free one)")


async def run(config: Config, args, started: float) -> int:
    out = Path(args.out) if args.out else config.site_dir
    if out is None:
        raise ConfigError("say where to write the site: --out DIR, or [site] out_dir in the config file")
    channel = check_channel(args.channel) if args.channel else None
    report = await asyncio.to_thread(build_from_config, config, out, channel)
    print(f"paperbot: {report.line(out)}", file=sys.stderr, flush=True)
    if args.serve:
        await serve(out, args.port)
    return 0


async def serve(out: Path, port: int) -> None:
    try:
        server = site_server(out, port)
    except OSError as exc:
        raise ConfigError(f"cannot serve on {HOST}:{port} ({exc.strerror}); pick another with --port") from None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"paperbot: serving {out} at http://{HOST}:{server.server_port}/index.html (Ctrl-C stops)",
          file=sys.stderr, flush=True)
    serving = asyncio.create_task(asyncio.to_thread(server.serve_forever))
    try:
        await stop.wait()
    finally:
        server.shutdown()
        await serving
        server.server_close()
