"""``tenkan demo``: the whole pipeline on the embedded defaults."""

from __future__ import annotations

from tenkan.errors import TenkanError
from tenkan.face.demo import run_demo
from tenkan.vocab import MODE_SETTINGS

NAME = "demo"
HELP = "run the demo: serve the bundled site, crawl, index, answer sample questions, evaluate, start the app"
DESCRIPTION = """\
Serves data/demo_site on 127.0.0.1:8765 (or a free port if that one is busy),
crawls it into the workspace, builds the index, answers three sample questions
with numbered citations, evaluates the answer modes on the demo question set,
then starts the Streamlit app until Ctrl-C. The demo site keeps being served
while the app runs, so citation links work.
"""


def add_arguments(p) -> None:
    p.add_argument("--no-app", action="store_true", help="stop after the evaluation; do not start the Streamlit app")
    p.add_argument("--train", action="store_true",
                   help="build instruction data and retrain the LoRA adapter instead of using the committed one (slow on CPU)")
    p.add_argument("--resume", action="store_true",
                   help="with --train: continue an interrupted training from its latest checkpoint")
    p.add_argument("--mode", default=None, choices=MODE_SETTINGS,
                   help="answer mode for the sample questions (default: auto = rag-ft, or extractive without an adapter)")
    p.add_argument("--eval-limit", type=int, default=5, metavar="N",
                   help="questions per generated mode in the demo evaluation (default %(default)s; extractive uses all)")


def run(args, ctx) -> int:
    if args.resume and not args.train:
        raise TenkanError("--resume continues a demo training: use it with --train",
                          hint="tenkan demo --train --resume")
    return run_demo(ctx.config, ctx.workspace, app=not args.no_app, train=args.train,
                    eval_limit=args.eval_limit, mode=args.mode, resume=args.resume)
