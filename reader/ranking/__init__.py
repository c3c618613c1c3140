""" "For you": each user's own ranking, learned locally from their marks.

:mod:`~reader.ranking.features` makes papers into TF-IDF vectors (kept in a cache
file), :mod:`~reader.ranking.model` trains one user's model and scores the library,
:mod:`~reader.ranking.explain` says why a paper scores so,
:mod:`~reader.ranking.evaluate` measures how well it has ranked for the user, and
:mod:`~reader.ranking.ranker` keeps it all up to date for the app and the command
line. No Textual, no SQL; numpy, scipy and scikit-learn are imported when used.
"""
