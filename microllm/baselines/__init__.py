"""Non-neural baselines: hand-written rules and a classic classifier, the floor every model must beat."""
