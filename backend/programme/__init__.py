"""The credit programme's public side (信用惠民): the honour roll (诚信之星, 道德模范) with the
resident's consent, the campaigns calendar, the incentive measures in force and the public
credit portal (docs/programme.md)."""
