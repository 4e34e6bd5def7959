"""The staff console (信用办工作台): server-rendered pages that work without JavaScript."""
