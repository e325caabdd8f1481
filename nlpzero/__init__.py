"""nlpzero: unsupervised Chinese NLP from raw text.

From unlabeled text to n-gram statistics, a lexicon, a segmenter and structure, with a
compiled core. Public names are loaded on first use, so ``import nlpzero`` stays fast::

    >>> import nlpzero
    >>> counts = nlpzero.count_ngrams(["今天天气不错", "天气很好"], max_n=2)
    >>> counts["天气"]
    2

The command line: ``nlpzero --help``; the documentation: docs/ (``mkdocs serve``).
"""
from importlib import import_module as _import_module

from . import _check_build
from ._version import __version__

_check_build.check()

# public name -> module that defines it (imported lazily, on first attribute access)
_EXPORTS = {
    # text model and n-grams
    "Corpus": "nlpzero.corpus",
    "TokenCorpus": "nlpzero.corpus",
    "count_ngrams": "nlpzero.ngrams",
    "NgramCounts": "nlpzero.ngrams",
    # communities and word vectors
    "infomap": "nlpzero.community",
    "codelength": "nlpzero.community",
    "InfomapResult": "nlpzero.community",
    "word_vectors": "nlpzero.vectors",
    "WordVectors": "nlpzero.vectors",
    "cluster_words": "nlpzero.vectors",
    # EMD, WMD, WRD and exact top-k search
    "emd": "nlpzero.transport",
    "emd_plan": "nlpzero.transport",
    "EMDResult": "nlpzero.transport",
    "IterationLimitError": "nlpzero.errors",
    "load_vectors": "nlpzero.vectors",
    "wmd": "nlpzero.distance",
    "wrd": "nlpzero.distance",
    "TextDistance": "nlpzero.distance",
    "wmd_lower_bounds": "nlpzero.distance",
    "wrd_lower_bounds": "nlpzero.distance",
    "LowerBounds": "nlpzero.distance",
    "wmd_search": "nlpzero.distance",
    "TextIndex": "nlpzero.distance",
    "SearchResult": "nlpzero.distance",
    # dictionary segmentation and jieba interop
    "Segmenter": "nlpzero.segment",
    "SegmenterLike": "nlpzero.protocol",
    "load_model": "nlpzero._model",
    "segment_file": "nlpzero.batch",
    "map_lines": "nlpzero.batch",
    "BatchResult": "nlpzero.batch",
    "to_jieba_userdict": "nlpzero.jieba.interop",
    "jieba_tokenizer": "nlpzero.jieba.interop",
    "read_dictionary": "nlpzero.dictionary",
    # word discovery and unsupervised segmentation
    "discover": "nlpzero.discovery",
    "learn_segmenter": "nlpzero.unsupervised",
    "segment_unsupervised": "nlpzero.unsupervised",
    "segment_unsupervised_spans": "nlpzero.unsupervised",
    "segment_unsupervised_file": "nlpzero.unsupervised",
    "Lexicon": "nlpzero.lexicon",
    # sentence templates and structure
    "find_templates": "nlpzero.templates",
    "parse": "nlpzero.templates",
    "parse_many": "nlpzero.templates",
    "Templates": "nlpzero.templates",
    "Template": "nlpzero.templates",
    "ParseTree": "nlpzero.templates",
    "Parse": "nlpzero.templates",
    "DescriptionLength": "nlpzero.templates",
    # frequent itemsets and association rules
    "frequent_itemsets": "nlpzero.apriori",
    "association_rules": "nlpzero.apriori",
    "FrequentItemsets": "nlpzero.apriori",
    "AssociationRules": "nlpzero.apriori",
    "Rule": "nlpzero.apriori",
    "TooManyItemsetsError": "nlpzero.errors",
    # errors (every exception class is in nlpzero.errors)
    "NlpzeroError": "nlpzero.errors",
    "ParameterError": "nlpzero.errors",
}

# public submodules reachable as attributes after ``import nlpzero`` (e.g. ``nlpzero.errors``)
_SUBMODULES = ("errors", "corpus", "ngrams", "discovery", "unsupervised", "joint", "lexicon", "segment",
               "dictionary", "community", "vectors", "distance", "apriori", "nvbe", "protocol")

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name):
    if name in _SUBMODULES:
        value = _import_module(f"nlpzero.{name}")
        globals()[name] = value
        return value
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'nlpzero' has no attribute {name!r}")
    value = getattr(_import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS) | set(_SUBMODULES))
