"""Slow, obviously correct references that the compiled kernels are tested against.

One module per algorithm family (``ngrams``, ``discovery``, ``unsupervised``, ``segment``,
``apriori``, ``community``, ``vectors``, ``distance``) and one for the text model
(``text_model``). Each is written from the definitions, with dicts, lists and loops, never by
calling nlpzero; they are slow on purpose and used on small inputs only.
"""
