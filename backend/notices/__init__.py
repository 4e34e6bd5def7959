"""Notices (通知): the resident's in-app inbox."""
