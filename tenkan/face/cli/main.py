"""Entry point of the ``tenkan`` console script."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from dataclasses import dataclass
from functools import cached_property

from tenkan.errors import TenkanError
from tenkan.face.config import load_config
from tenkan.paths import Workspace

#: Subcommand modules, in the order ``tenkan --help`` lists them.
COMMANDS = [
    "demo",
    "serve_site",
    "crawl",
    "refresh",
    "index_cmd",
    "dataset",
    "train",
    "export_adapter",
    "ask",
    "serve",
    "eval_cmd",
    "doctor",
    "config_cmd",
]

log = logging.getLogger("tenkan")


@dataclass
class Context:
    """What every command gets: the parsed global options, the config and the workspace."""

    args: argparse.Namespace

    @cached_property
    def config(self):
        return load_config(self.args.config, self.args.overrides)

    @cached_property
    def workspace(self):
        return Workspace.from_home(self.args.home)


def _common_options() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    g = common.add_argument_group("global options")
    g.add_argument("--home", default=argparse.SUPPRESS, metavar="DIR",
                   help="workspace directory for artifacts (default: $TENKAN_HOME or ./var)")
    g.add_argument("--config", default=argparse.SUPPRESS, metavar="FILE",
                   help="TOML settings file (default: $TENKAN_CONFIG or built-in defaults; see tenkan.toml)")
    g.add_argument("--set", dest="overrides", action="append", default=argparse.SUPPRESS,
                   metavar="SECTION.KEY=VALUE", help="override one setting, e.g. --set index.top_k=8 (repeatable)")
    g.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS, help="more log output (-vv for debug)")
    g.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help="only warnings and errors")
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common_options()
    parser = argparse.ArgumentParser(
        prog="tenkan",
        description="Retrieval-augmented QA for Japanese epilepsy knowledge: crawl, index, tune, answer, evaluate.",
        parents=[common],
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for modname in COMMANDS:
        mod = importlib.import_module(f"tenkan.face.cli.{modname}")
        p = sub.add_parser(mod.NAME, help=mod.HELP, description=getattr(mod, "DESCRIPTION", mod.HELP),
                           parents=[common], formatter_class=argparse.RawDescriptionHelpFormatter)
        mod.add_arguments(p)
        p.set_defaults(_run=mod.run)
    return parser


def _setup_logging(verbose: int, quiet: bool) -> None:
    level = logging.WARNING if quiet else (logging.DEBUG if verbose >= 2 else logging.INFO)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        datefmt="%H:%M:%S", stream=sys.stderr)
    if verbose < 2:
        for noisy in ("httpx", "urllib3", "trafilatura", "htmldate", "courlan", "faiss",
                      "sentence_transformers", "transformers", "filelock", "matplotlib"):
            logging.getLogger(noisy).setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    for name, default in (("home", None), ("config", None), ("overrides", []), ("verbose", 0), ("quiet", False)):
        if not hasattr(args, name):
            setattr(args, name, default)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    _setup_logging(args.verbose, args.quiet)
    ctx = Context(args)
    try:
        return int(args._run(args, ctx) or 0)
    except TenkanError as exc:
        print(f"tenkan: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("tenkan: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
