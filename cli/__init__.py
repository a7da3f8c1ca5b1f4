"""The command line, ``karabakh-map`` (DESIGN.md section 7): a thin front door."""
