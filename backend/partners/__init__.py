"""Partners (合作机构): libraries, hospitals, transit, utilities, merchants — their offers
(信用惠民), counters, API keys and redemptions."""
