"""Consent to the score and the pass (授权): the resident's decisions, read by credit's standing."""
