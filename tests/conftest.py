import os
import random

import pytest

DATA = os.path.join(os.path.dirname(__file__), os.pardir, "nlpzero", "data")
SAMPLE = os.path.abspath(os.path.join(DATA, "reviews.txt"))


@pytest.fixture(scope="session")
def sample_path():
    """The bundled sample corpus (real Chinese product reviews)."""
    return SAMPLE


@pytest.fixture(scope="session")
def sample_lines():
    with open(SAMPLE, encoding="utf-8") as f:
        return f.read().splitlines()


def random_text(rng: random.Random, length: int) -> str:
    """Mixed-script text: common and rare CJK, planes 2-3, full-width, ASCII, punctuation, spaces."""
    pools = [
        "的一是在不了有和人这中大为上个国我以要他",      # frequent hanzi
        "\u3400\u3401\u4dbf\u9fff\uf900\ufaff",           # ext. A / URO end / compatibility
        "\U00020000\U0002a6d6\U00030000\U0003134a",       # planes 2 and 3
        "ＡＢｃ１２３　",                                  # full-width ASCII and ideographic space
        "abcXYZ0189",
        "，。！？、；：“”（）《》·—…",
        " \t\n",
        "éß\u00a0😀ア한",                                  # other scripts: boundaries
    ]
    weights = [40, 3, 3, 6, 10, 10, 6, 3]
    return "".join(rng.choice(rng.choices(pools, weights)[0]) for _ in range(length))
