"""Objections (异议): a resident disputes a record, a list entry or a partner-reported default."""
