"""The demo city: deterministic synthetic people, records, partners and staff (uses every
feature; no feature imports it)."""
