"""Development tooling beside the application: provider and core-sync simulators, demo data.

It may import ``app``; ``app`` never imports it, except inside the ``flask`` commands that
run it (``seed-demo``, ``seed-orders``, ``payment-simulators``).
"""
