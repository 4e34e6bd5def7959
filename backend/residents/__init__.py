"""The population register (人口基础信息库) and national ID numbers."""
