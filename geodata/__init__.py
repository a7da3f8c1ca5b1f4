"""The map's geography as files (GeoJSON, CSV), shipped inside the package; see SOURCES.md.

Not code: a package only so that an installed karabakh-map finds its data through
:mod:`importlib.resources` wherever it is installed.
"""
