"""The commands besides ``build`` that read a project, one module each: coverage,
draft, topics and the dedupe report (``check`` is load, validate and dedupe; ``new`` and
``new-source`` are in :mod:`notebuilder.scaffold`). The command line calls them; they call
the pipeline's stages through :mod:`notebuilder.build`."""
