"""``tenkan ask``: answer a question with cited sources."""

from __future__ import annotations

import json
import sys

from assistant import Assistant
from assistant.answer import FinalEvent, page_label
from tenkan.vocab import MODE_SETTINGS

NAME = "ask"
HELP = "answer a question with cited sources"
DESCRIPTION = """Answer a question from the indexed corpus, citing the pages used.

modes:
  extractive  quote the best-matching source sentences (no model; the default)
  rag-ft      retrieval + the tuned LoRA adapter
  rag-base    retrieval + the base model
  ft          the tuned adapter alone (fine-tune-only, no retrieval)
  base        the base model alone

examples:
  tenkan ask "発作が5分以上続いたらどうすればいいですか？"
  tenkan ask --json --mode rag-ft "ラモトリギンの副作用は？"
  tenkan ask --follow-up "ラモトリギンの副作用は？" "それは妊娠中も大丈夫？"
"""


def add_arguments(p) -> None:
    p.add_argument("question", help="the question, in Japanese")
    p.add_argument("--mode", choices=MODE_SETTINGS, default=None, help="answer mode (default: assistant.mode)")
    p.add_argument("--json", action="store_true", help="print the answer as one JSON object")
    p.add_argument("--stream", action="store_true", help="print the answer as it is generated (text output only)")
    p.add_argument("--follow-up", dest="history", action="append", default=[], metavar="EARLIER_QUESTION",
                   help="an earlier question of the same conversation (repeatable, oldest first)")


def _citation_line(c) -> str:
    """``[n] title 「p.N」 url`` (the page only for PDF documents; the url then ends in #page=N)."""
    label = page_label(getattr(c, "page", None))
    return f"  [{c.n}] {c.title}{' ' + label if label else ''} {c.url}"


def _print_text(ans) -> None:
    print(ans.answer)
    if ans.citations:
        print()
        print("出典:")
        for c in ans.citations:
            print(_citation_line(c))
    flags = []
    if ans.safety.get("emergency"):
        flags.append("emergency")
    if ans.safety.get("out_of_scope"):
        flags.append("out of scope")
    print(f"\n(mode {ans.mode}, {ans.grounding}{', ' + ', '.join(flags) if flags else ''})", file=sys.stderr)


def run(args, ctx) -> int:
    asst = Assistant(ctx.config, ctx.workspace)
    history = [("user", q) for q in args.history]
    if args.json:
        ans = asst.ask(args.question, mode=args.mode, history=history)
        print(json.dumps(ans.to_dict(), ensure_ascii=False))
        return 0
    if args.stream:
        final = None
        for ev in asst.ask_stream(args.question, mode=args.mode, history=history):
            if isinstance(ev, FinalEvent):
                final = ev.answer
            else:
                sys.stdout.write(ev.text)
                sys.stdout.flush()
        print("\n")
        if final.citations:
            print("出典:")
            for c in final.citations:
                print(_citation_line(c))
        return 0
    _print_text(asst.ask(args.question, mode=args.mode, history=history))
    return 0
