"""`make bench`: the token's speed and size, each figure measured side by side with its baseline in one run.

`python -m bench [--tiny]` writes bench/results.json and the table between the bench markers in README.md.
"""
