"""The sesguard policy pack's Rego, shipped in the wheel as the package ``sesguard_policies``.

This file only makes the directory a regular package so ``importlib.resources`` can locate the
installed copy (see ``sesguard/policyset.py``); the pack's program is ``__main__.py``.
"""
