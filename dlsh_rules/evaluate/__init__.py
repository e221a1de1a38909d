"""Evaluation: the context a record is checked in, the engine, and the check kinds."""
