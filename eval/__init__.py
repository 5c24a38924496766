"""eval stage: ``tenkan eval`` on question sets (:mod:`eval.runner`) and exams (:mod:`eval.exam_run`), both
on one run skeleton (:mod:`eval.run`); the evaluation questions and their one loader
(:mod:`eval.questions`); metrics (:mod:`eval.ngram`, :mod:`eval.ragas_metrics`, :mod:`eval.judge`,
:mod:`eval.retrieval`, :mod:`eval.stats`), reports (:mod:`eval.report`) and the gate (:mod:`eval.gate`).

Our own modules are imported at the top of each module. Imports of ragas, nltk, sacrebleu, rouge_score,
matplotlib, scipy, torch and transformers are deferred into the functions that use them, on purpose:
each takes seconds or hundreds of MB to load, and most runs (and every ``tenkan --help``) need only some
of them.
"""
