"""``python -m nlpzero`` is the same as the ``nlpzero`` command."""
from .cli import main

if __name__ == "__main__":
    main(prog_name="nlpzero")
