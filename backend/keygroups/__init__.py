"""The 16 key occupational groups (重点职业人群, seed 二（二）): who belongs, as the departments
that keep the licence and registry data report it, and the office's coverage view."""
