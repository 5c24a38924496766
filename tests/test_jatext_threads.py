"""Tokenising from several threads at once (tenkan serve answers requests in parallel) gives
every thread the same tokens as one thread: a MeCab tagger shared between threads did not."""

import threading

from tenkan.jatext import content_tokens, tokenize

TEXTS = ["発作が5分以上続いたらどうすればいいですか", "ラモトリギンの副作用は何ですか",
         "お風呂で気をつけることを教えてください", "妊娠中の薬について知りたい"]


def test_parallel_tokenising_agrees_with_sequential():
    expected = {t: (tokenize(t), content_tokens(t)) for t in TEXTS}
    wrong: list[str] = []

    def work(k):
        for i in range(300):
            t = TEXTS[(i + k) % len(TEXTS)]
            try:
                if (tokenize(t), content_tokens(t)) != expected[t]:
                    wrong.append(t)
            except Exception as exc:  # noqa: BLE001 - a shared tagger returned None here
                wrong.append(repr(exc))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert wrong == []
