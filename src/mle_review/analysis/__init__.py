"""Dataflow analysis of ML code: row lineage, splits, fits, evaluations, time and entity facts.

``dataflow`` interprets a module once; ``leaks`` asks it the MLR10x questions;
``specs`` is the table of what library calls do; ``names`` holds the few name
heuristics the analysis falls back on.
"""
