"""Orchestration: runs the stages in order; no logic of its own."""
