"""A drop-in replacement for jieba's API, backed by nlpzero's segmenter (to come: issue 15).

This package will hold the jieba-compatible functions (``cut``, ``lcut``, ``load_userdict``,
...). Everything else about jieba — reading its dictionary, writing user dictionaries,
building a ``jieba.Tokenizer`` from a lexicon — lives in :mod:`nlpzero.jieba.interop`.
"""
