"""Residents' rights (PIPL): download my data, signed credit reports, consent, closing the
account, "this wasn't me" and human review of automated decisions, the privacy notice and help."""
