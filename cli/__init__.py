"""The command line, ``karabakh-map``: a thin front door over the packages."""
