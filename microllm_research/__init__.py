"""Presentation and bookkeeping for the research record: tables and charts the notebooks show, the README's
generated tables and results page, and notebook execution.

Not the product: nothing in ``microllm`` imports this package. It reads what the product's commands wrote under
``results/`` and ``research/`` and turns it into tables, charts and Markdown.
"""
