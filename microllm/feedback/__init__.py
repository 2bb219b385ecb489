"""The feedback loop: log every decision, let humans review the doubtful ones, turn reviews into training
rows, retrain, and promote a new model only when a gate says it is better.

Modules: ``redact`` (passwords out, before anything is written), ``store`` (the ``ai_decisions`` table, SQLAlchemy),
``review`` (the human queue), ``export`` (reviews -> training rows), ``gate`` and ``registry`` (which model serves),
``retrain`` (the whole cycle) and ``monitor`` (accuracy, fallback rate, confidence drift). Importing this package is
cheap; SQLAlchemy (the ``serve`` extra) loads only with the store.
"""
