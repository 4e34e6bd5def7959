"""Red, gray and black lists (红名单 / 重点关注名单 / 黑名单)."""
