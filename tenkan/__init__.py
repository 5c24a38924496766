"""tenkan: retrieval-augmented QA for Japanese epilepsy knowledge.

The ``tenkan`` package is two floors:

* the base (every module here except ``face/``): errors, workspace paths, manifests,
  Japanese text handling (``jatext``), the configuration machinery (``config``) and the
  shared vocabulary (``vocab``: answer modes, retrieval methods, grounding states). It
  imports no stage, so every stage can build on it.
* the face (``tenkan.face``): the CLI, the demo, the doctor, the refresh job, the
  Streamlit pages, the HTTP API and the composed settings. It imports the stages; nothing
  imports it.

The stage packages (``ingest`` < ``index`` < ``generator`` < ``assistant`` < ``eval``) sit
between the two at the top level of the repository; ``tests/test_layers.py`` keeps the
order. The MeCab tagger behind ``jatext`` loads on first use (its dictionary is large), so
importing the base stays instant.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
