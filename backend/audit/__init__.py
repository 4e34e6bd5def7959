"""The tamper-evident audit trail (审计日志) and the residents' "who viewed my data"."""
