"""Xinyi (信易) — the city credit pass backend."""
