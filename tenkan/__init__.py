"""tenkan: retrieval-augmented QA for Japanese epilepsy knowledge.

This small shared package holds what every stage needs: configuration loading,
error types, workspace paths, manifests and Japanese text handling. The stage
packages (``ingest``, ``index``, ``generator``, ``assistant``, ``eval``) sit
beside it at the top level. Nothing heavy is imported here.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
