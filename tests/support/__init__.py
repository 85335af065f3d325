"""What test modules share: clients, shoppers, staff, servers and payment helpers.

A test module imports its helpers from here, never from another test module or a conftest.
The fixtures defined here are registered once, in ``tests/conftest.py`` (``pytest_plugins``),
so a test only names them as arguments.
"""
