"""Real, human-written (text, intent) pairs mined offline from installed documentation.

``build_real_text()`` writes ``data/real/{train,val-real}.jsonl`` and the card; ``python -m microllm.data.mine``
does the same from the command line.
"""

from microllm.data.mine.build import build_real_text

__all__ = ["build_real_text"]
