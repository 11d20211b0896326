"""notebuilder: compile hand-curated YAML study notes into printable revision material.

The pipeline, one module per stage, in order:
``load`` -> ``validate`` -> ``dedupe`` -> ``assemble`` -> ``render`` -> ``write``;
``build`` runs it and ``cli`` is the command line.
"""

__version__ = "0.1.0"
